"""The outbox: every message recorded, of every kind, with its state and last error."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from series.admin_scope import SeriesScopedAdmin
from webinars.models import (
    PendingMail,
)


class StateFilter(admin.SimpleListFilter):
    """A "state" filter: each state a label and the rows in it (STATES, in the order shown)."""

    title = _("state")
    parameter_name = "state"
    STATES: dict = {}

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _rows) in self.STATES.items()]

    def queryset(self, request, queryset):
        if self.value() in self.STATES:
            return self.STATES[self.value()][1](queryset)
        return None


class MailStateFilter(StateFilter):
    """Waiting for its first try, retrying after a failure, given up (MAIL_MAX_ATTEMPTS), sent."""

    STATES = {
        "queued": (_("queued"), lambda rows: rows.queued()),
        "retrying": (_("retrying"), lambda rows: rows.retrying()),
        "failed": (_("failed"), lambda rows: rows.failed()),
        "sent": (_("sent"), lambda rows: rows.sent()),
    }


STATE_LABELS = {
    "queued": _("queued"),
    "retrying": _("retrying"),
    "failed": _("failed"),
    "sent": _("sent"),
}


@admin.register(PendingMail)
class PendingMailAdmin(SeriesScopedAdmin, admin.ModelAdmin):
    """All mail, of every kind: a failed row needs a look, and can be sent again.

    A series' manager sees the mail about its registrations; mail about no registration
    (followers' mail, tests) is listed only for those who organise every series."""

    series_paths = ("registration__webinar__series",)

    list_display = [
        "kind",
        "registration",
        "key",
        "state",
        "created",
        "attempts",
        "retry_after",
        "sent_at",
        "last_error",
    ]
    list_filter = [MailStateFilter, "kind"]
    list_select_related = ["registration__webinar"]
    search_fields = ["key", "registration__email"]
    readonly_fields = [f.name for f in PendingMail._meta.fields]
    actions = ["send_again"]

    @admin.display(description=_("state"))
    def state(self, obj):
        return STATE_LABELS[obj.state]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The worker sends and marks these rows; editing one by hand would change a message.
        return False

    @admin.action(description=_("Send the selected failed mail again"))
    def send_again(self, request, queryset):
        # Back in the queue as new: the worker tries it MAIL_MAX_ATTEMPTS times again.
        count = queryset.failed().update(
            failed_at=None, attempts=0, retry_after=None, last_error=""
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be sent again with the next pass of the mail worker.",
                "%(count)d messages will be sent again with the next pass of the mail worker.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
