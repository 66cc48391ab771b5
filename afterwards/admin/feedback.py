"""Feedback: ratings and comments, and their export."""

from datetime import UTC

from django.contrib import admin
from django.db.models import Avg, Count
from django.utils.translation import gettext_lazy as _

from afterwards.models import Feedback
from series.admin_scope import SeriesScopedAdmin
from webinars.admin.export import CHUNK_ROWS, csv_safe, csv_stream


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
    list_filter = ["registration__webinar__series", "registration__webinar", "rating"]
    list_select_related = ["registration__webinar"]
    fields = ["webinar", "rating", "comment", "created", "updated"]
    readonly_fields = fields
    actions = [export_feedback]
    change_list_template = "admin/afterwards/feedback_list.html"

    @admin.display(description=_("webinar"), ordering="registration__webinar__start")
    def webinar(self, obj):
        return obj.registration.webinar

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", {}).get("cl")
        if cl is not None:
            response.context_data["feedback_summary"] = cl.queryset.order_by().aggregate(
                average=Avg("rating"), count=Count("pk")
            )
        return response
