"""The registrations admin and its actions (cancel, approve, decline)."""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.reminders import describe as describe_lead
from series.admin_scope import ScopedInline, SeriesScopedAdmin
from webinars.admin.export import export_csv, export_csv_semicolon
from webinars.admin.fields import (
    SendableAddressMixin,
)
from webinars.admin.filters import CappedCountPaginator, webinar_filter
from webinars.models import (
    Answer,
    Registration,
    ReminderSent,
)
from webinars.services import (
    registration_cancel,
    registrations_approve,
    registrations_decline,
)


@admin.action(
    description=_("Cancel selected registrations (promotes the waiting list)"),
    permissions=["change"],
)
def cancel_registrations(modeladmin, request, queryset):
    cancelled = sum(
        registration_cancel(registration=r, by_organiser=True)
        for r in queryset.order_by("created", "pk")
    )
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d registration cancelled; the registrant was told by email.",
            "%(count)d registrations cancelled; the registrants were told by email.",
            cancelled,
        )
        % {"count": cancelled},
        messages.SUCCESS,
    )


@admin.action(
    description=_("Approve selected registrations (a seat, or the waiting list when full)"),
    permissions=["change"],
)
def approve_registrations(modeladmin, request, queryset):
    outcome = registrations_approve(registrations=list(queryset.only("pk", "webinar_id")))
    modeladmin.message_user(
        request,
        _(
            "%(confirmed)d approved with a seat, %(waitlisted)d approved onto the waiting list "
            "(no seat left); each was told by email."
        )
        % {"confirmed": outcome.confirmed, "waitlisted": outcome.waitlisted},
        messages.SUCCESS,
    )
    _report_skipped(modeladmin, request, outcome.skipped)


@admin.action(description=_("Decline selected registrations"), permissions=["change"])
def decline_registrations(modeladmin, request, queryset):
    outcome = registrations_decline(registrations=list(queryset.only("pk", "webinar_id")))
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d registration declined; the registrant was told by email.",
            "%(count)d registrations declined; the registrants were told by email.",
            outcome.declined,
        )
        % {"count": outcome.declined},
        messages.SUCCESS,
    )
    _report_skipped(modeladmin, request, outcome.skipped)


def _report_skipped(modeladmin, request, skipped: int) -> None:
    if skipped:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d registration was left as it was: it no longer awaited approval, "
                "or its webinar is cancelled or over.",
                "%(count)d registrations were left as they were: they no longer awaited "
                "approval, or their webinar is cancelled or over.",
                skipped,
            )
            % {"count": skipped},
            messages.WARNING,
        )


class ReminderSentInline(ScopedInline, admin.TabularInline):
    model = ReminderSent
    extra = 0
    fields = ["lead", "sent_at", "mailed"]
    readonly_fields = fields
    can_delete = False

    @admin.display(description=_("before the start"))
    def lead(self, obj):
        return describe_lead(obj.lead_minutes)

    def has_add_permission(self, request, obj=None):
        return False


class AnswerInline(ScopedInline, admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "answer"]
    readonly_fields = fields
    can_delete = False

    @admin.display(description=_("answer"))
    def answer(self, obj):
        return obj.text

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question")

    def has_add_permission(self, request, obj=None):
        # What the registrant answered, as they answered it.
        return False


def _is_one_webinar(request) -> bool:
    value = request.GET.get("webinar__id__exact", "")
    return value.isdigit() and len(value) <= 18


@admin.register(Registration)
class RegistrationAdmin(SeriesScopedAdmin, SendableAddressMixin, admin.ModelAdmin):
    series_paths = ("webinar__series",)
    inlines = [AnswerInline, ReminderSentInline]
    # Status next to the name, and the organisation left to the search and the registration's
    # page: on a laptop, beside admin's menu and the filters, every column stays in view.
    list_display = ["name", "status", "webinar", "email", "created"]
    list_filter = ["status", "language", "webinar__series", webinar_filter()]
    list_select_related = ["webinar"]
    # An address prefix, which an index answers (see get_search_results); names and
    # organisations only within one webinar's registrations.
    search_fields = ["email"]
    search_help_text = _(
        "The start of an address; choose a webinar to search names and organisations too."
    )
    # Counting a million rows (or grouping them by date) on every view is what made the list
    # slow: counts stop at a cap.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedCountPaginator
    actions = [
        export_csv,
        export_csv_semicolon,
        approve_registrations,
        decline_registrations,
        cancel_registrations,
    ]
    readonly_fields = [
        # Status changes go through the actions, so seats are freed and promotions mailed.
        "status",
        "created",
        "updated",
        "consent_at",
        "cancelled_at",
        "promoted_at",
        "approved_at",
        "declined_at",
        "hold_expires_at",
        "email_confirmed_at",
        "details_sent_at",
        "reminder_sent_at",
        "time_zone",
        "anonymised_at",
    ]
    autocomplete_fields = ["webinar"]
    # The registrant's page is theirs alone (opened by its token): staff see this admin page.
    view_on_site = False

    class Media:
        css = {"all": ["css/admin-registrations.css"]}

    def get_readonly_fields(self, request, obj=None):
        # Moving a registration to another webinar would bypass its capacity.
        return [*self.readonly_fields, "webinar"] if obj else self.readonly_fields

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        # Over the whole table only what an index answers (the address's start, indexed in
        # upper case on PostgreSQL by a migration); within one webinar anything.
        match = Q(email__istartswith=term)
        if _is_one_webinar(request):
            match |= Q(name__icontains=term) | Q(organisation__icontains=term)
        return queryset.filter(match), False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", {}).get("cl")
        # Counts per status for one webinar's registrations only: over the whole table they
        # would read every row.
        if cl is not None and _is_one_webinar(request):
            counts = dict.fromkeys(Registration.Status.values, 0)
            rows = cl.queryset.order_by().values_list("status").annotate(n=Count("pk"))
            counts.update(dict(rows))
            # "Awaiting approval" only where there is some: most webinars never require it.
            response.context_data["status_counts"] = [
                (Registration.Status(status).label, n)
                for status, n in counts.items()
                if n or status != Registration.Status.PENDING
            ]
        return response

    def has_add_permission(self, request):
        # People register themselves (with consent) through the site, never by hand here.
        return False
