"""Mail recorded with the change that causes it, composed and sent after commit."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from series.models import SeriesOrganisation
from webinars.models.registrations import Registration
from webinars.models.speakers import WebinarSpeaker


class PendingMailQuerySet(models.QuerySet):
    def unsent(self):
        """Still to send: neither sent nor given up."""
        return self.filter(sent_at__isnull=True, failed_at__isnull=True)

    def due(self, now):
        """Records to try now: not sent, not given up, and past their back-off."""
        return self.unsent().filter(Q(retry_after__isnull=True) | Q(retry_after__lte=now))

    def queued(self):
        return self.unsent().filter(attempts=0)

    def retrying(self):
        return self.unsent().filter(attempts__gt=0)

    def failed(self):
        return self.filter(sent_at__isnull=True, failed_at__isnull=False)

    def sent(self):
        return self.filter(sent_at__isnull=False)

    def sent_lately(self, record, **args) -> bool:
        """Whether another message of record's kind with these args went out less than
        REGISTRATION_RESEND_MINUTES ago: a form that mails a link sends it at most that often,
        so it cannot be used to flood someone's inbox."""
        since = timezone.now() - timedelta(minutes=settings.REGISTRATION_RESEND_MINUTES)
        lookups = {f"args__{key}": value for key, value in args.items()}
        return (
            self.filter(kind=record.kind, sent_at__gt=since, **lookups)
            .exclude(pk=record.pk)
            .exists()
        )

    def for_composing(self):
        """Everything a message and its calendar invitation read, in a fixed number of queries.

        earlier_cancellations: the registrant's cancelled registrations for the same webinar
        before this one, which set how far their calendar's SEQUENCE already went
        (webinars.mail.compose).
        """
        earlier = (
            Registration.objects.filter(
                webinar_id=OuterRef("registration__webinar_id"),
                email=OuterRef("registration__email"),
                status=Registration.Status.CANCELLED,
                created__lt=OuterRef("registration__created"),
            )
            .exclude(pk=OuterRef("registration_id"))
            .order_by()
            .values("webinar_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            self.annotate(
                earlier_cancellations=Coalesce(Subquery(earlier, output_field=IntegerField()), 0)
            )
            .select_related("registration__webinar__series")
            .prefetch_related(
                Prefetch(
                    "registration__webinar__webinar_speakers",
                    queryset=WebinarSpeaker.objects.select_related("speaker"),
                ),
                Prefetch(
                    "registration__webinar__series__partners",
                    queryset=SeriesOrganisation.objects.select_related("organisation"),
                ),
            )
        )


class PendingMail(models.Model):
    """One message to send, of any kind: written with the change that causes it.

    Recording it is one small INSERT inside the change's transaction; composing the text, HTML
    and calendar invitation and sending it (webinars.mail.worker) happen after commit. The row
    stays once sent (sent_at), so that its key keeps the same message from being recorded twice.
    """

    class Kind(models.TextChoices):
        DETAILS = "details", _("confirmation or waiting-list notice")
        PROMOTED = "promoted", _("promoted from the waiting list")
        CANCELLED = "cancelled", _("cancellation acknowledged")
        WEBINAR_CHANGED = "webinar_changed", _("webinar cancelled or moved")
        DECLINED = "declined", _("registration declined")
        MESSAGE = "message", _("message from the organisers")
        REMINDER = "reminder", _("reminder")
        ORGANISER_NOTICE = "organiser_notice", _("notice to the organisers")
        # Composed by the apps above webinars (webinars.mail.register_composer).
        FOLLOW_CONFIRM = "follow_confirm", _("follow confirmation")
        FOLLOW_NOTICE = "follow_notice", _("new webinar to a follower")
        FOLLOW_UP = "follow_up", _("follow-up after the webinar")
        DATA_REQUEST = "data_request", _("link to one's own data")
        # Composed when it was recorded (a test message, a message from the old queue).
        RAW = "raw", _("composed message")

    # Empty for mail that is not about one registration (followers, tests).
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="pending_mail", null=True, blank=True
    )
    kind = models.CharField(max_length=20, choices=Kind)
    # One logical message, e.g. "follow-up:<follow-up>:<registration>": recorded at most once.
    key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    # The registration's status when the change happened: the message tells that moment, even
    # if the registrant cancels or is promoted before it is composed.
    status = models.CharField(max_length=20, choices=Registration.Status, blank=True)
    args = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    # Composing failed before: not again before this time (growing delays, see mail.retry_delay).
    retry_after = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Set when MAIL_MAX_ATTEMPTS tries have failed: the worker leaves the row alone from then on,
    # for an organiser to look at (admin lists it as "failed").
    failed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = PendingMailQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("mail")
        verbose_name_plural = _("mail")
        indexes = [
            models.Index(
                fields=["retry_after"],
                name="pendingmail_unsent_idx",
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
            )
        ]

    def __str__(self):
        if self.registration_id is None:
            return str(self.get_kind_display())
        return _("%(kind)s for registration %(registration)s") % {
            "kind": self.get_kind_display(),
            "registration": self.registration_id,
        }

    @property
    def state(self) -> str:
        if self.sent_at:
            return "sent"
        if self.failed_at:
            return "failed"
        return "retrying" if self.attempts else "queued"
