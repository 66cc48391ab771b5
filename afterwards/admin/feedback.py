"""Feedback: ratings and comments, and their export."""

from datetime import UTC

from django.contrib import admin
from django.db.models import Avg, Count
from django.utils.translation import gettext_lazy as _

from afterwards.models import Feedback
from series.admin_scope import SeriesScopedAdmin
from webinars.admin.export import CHUNK_ROWS, csv_safe, csv_stream
from webinars.admin.filters import CappedCountPaginator, webinar_filter


@admin.action(description=_("Export selected feedback as CSV"), permissions=["view"])
def export_feedback(modeladmin, request, queryset):
    rows = (
        queryset.order_by("registration__webinar__start", "pk")
        .values_list(
            "registration__webinar__title",
            "registration__webinar__start",
            "rating",
            "comment",
            "updated",
        )
        .iterator(chunk_size=CHUNK_ROWS)
    )
    return csv_stream(
        "feedback.csv",
        ["webinar", "webinar start (UTC)", "rating", "comment", "updated (UTC)"],
        (
            [
                csv_safe(title),
                start.astimezone(UTC).isoformat(),
                rating,
                csv_safe(comment),
                updated.astimezone(UTC).isoformat(),
            ]
            for title, start, rating, comment, updated in rows
        ),
    )


@admin.register(Feedback)
class FeedbackAdmin(SeriesScopedAdmin, admin.ModelAdmin):
    series_paths = ("registration__webinar__series",)
    list_display = ["webinar", "rating", "comment", "updated"]
    list_filter = [
        "registration__webinar__series",
        webinar_filter("registration__webinar", past=True),
        "rating",
    ]
    list_select_related = ["registration__webinar"]
    fields = ["webinar", "rating", "comment", "created", "updated"]
    readonly_fields = fields
    actions = [export_feedback]
    change_list_template = "admin/afterwards/feedback_list.html"
    # Fixed cost at any number of rows: no full count, no facets, a count that stops.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedCountPaginator

    @admin.display(description=_("webinar"), ordering="registration__webinar__start")
    def webinar(self, obj):
        return obj.registration.webinar

    def lookup_allowed(self, lookup, value, request=None):
        # The webinar filter's own parameter (a class, which Django cannot read a path from).
        if lookup == "registration__webinar__id__exact":
            return True
        return super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", {}).get("cl")
        # The average of one webinar's feedback; over every row it would read the table (the
        # figures list has each webinar's).
        chosen = request.GET.get("registration__webinar__id__exact", "")
        if cl is not None and chosen.isdigit() and len(chosen) <= 18:
            response.context_data["feedback_summary"] = cl.queryset.order_by().aggregate(
                average=Avg("rating"), count=Count("pk")
            )
        return response
