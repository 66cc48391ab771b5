"""Mail waiting to be composed and the queue of composed messages, with their states."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from mailer.admin import MessageAdmin as MailerMessageAdmin
from mailer.models import PRIORITY_DEFERRED, Message

from webinars.mail import given_up_messages, max_retries
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
    """Waiting for its first try, retrying after a failure, or given up (MAIL_MAX_ATTEMPTS)."""

    STATES = {
        "waiting": (_("waiting"), lambda rows: rows.filter(failed_at__isnull=True, attempts=0)),
        "retrying": (
            _("retrying"),
            lambda rows: rows.filter(failed_at__isnull=True, attempts__gt=0),
        ),
        "failed": (_("failed"), lambda rows: rows.failed()),
    }


@admin.register(PendingMail)
class PendingMailAdmin(admin.ModelAdmin):
    """Mail recorded but not yet composed: normally empty; a row with an error needs a look."""

    list_display = [
        "kind",
        "registration",
        "state",
        "created",
        "attempts",
        "retry_after",
        "failed_at",
        "last_error",
    ]
    list_filter = [MailStateFilter, "kind"]
    list_select_related = ["registration__webinar"]
    readonly_fields = [f.name for f in PendingMail._meta.fields]

    @admin.display(description=_("state"))
    def state(self, obj):
        if obj.failed_at:
            return _("failed")
        return _("retrying") if obj.attempts else _("waiting")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The worker composes and deletes these rows; editing one by hand would change a message.
        return False


class MessageStateFilter(StateFilter):
    """Queued, deferred for a retry, or given up after MAIL_MAX_ATTEMPTS failed sends."""

    STATES = {
        "queued": (_("queued"), lambda rows: rows.non_deferred()),
        "retrying": (
            _("retrying"),
            lambda rows: rows.deferred().filter(retry_count__lt=max_retries()),
        ),
        "failed": (
            _("failed"),
            lambda rows: rows.filter(pk__in=given_up_messages().values("pk")),
        ),
    }


# django-mailer's own admin (registered when mailer.admin is imported above), with the state
# the worker leaves each message in.
admin.site.unregister(Message)


@admin.register(Message)
class MessageAdmin(MailerMessageAdmin):
    list_display = [*MailerMessageAdmin.list_display, "state"]
    list_filter = [MessageStateFilter]

    @admin.display(description=_("state"))
    def state(self, obj):
        if obj.priority != PRIORITY_DEFERRED:
            return _("queued")
        return _("failed") if obj.retry_count >= max_retries() else _("retrying")
