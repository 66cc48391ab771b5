"""Messages organisers write to registrants, and who they went to."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from series.models import Series
from webinars.models.registrations import Registration
from webinars.models.webinar import Webinar


class RegistrantMessage(models.Model):
    """A message an organiser writes to the registrants of a webinar or of a whole series."""

    # Who may get it, by registration status (cancelled ones only when chosen).
    AUDIENCES = ("pending", "confirmed", "waitlisted", "cancelled")

    webinar = models.ForeignKey(
        Webinar,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        help_text=_("Write to this webinar's registrants, or choose a series instead."),
    )
    series = models.ForeignKey(
        Series,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="registrant_messages",
        help_text=_("Write to the registrants of every webinar of the series (once each)."),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(
        _("message"),
        help_text=_(
            "Plain text. Each message starts with a greeting by name and ends with the webinar's "
            "details and a link to the registrant's own page."
        ),
    )
    to_confirmed = models.BooleanField(_("confirmed"), default=True)
    to_waitlisted = models.BooleanField(_("on the waiting list"), default=False)
    to_pending = models.BooleanField(_("awaiting approval"), default=False)
    to_cancelled = models.BooleanField(
        _("cancelled"), default=False, help_text=_("Only if you mean to write to them too.")
    )
    to_attended = models.BooleanField(
        _("attended"),
        default=False,
        help_text=_("Those who joined or were marked as attended, whatever else is ticked."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    created = models.DateTimeField(_("written at"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True, editable=False)
    # Set while the mail worker queues a send to many people in batches; cleared when done.
    sending_since = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("message to registrants")
        verbose_name_plural = _("messages to registrants")
        constraints = [
            models.CheckConstraint(
                condition=Q(series__isnull=True, webinar__isnull=False)
                | Q(series__isnull=False, webinar__isnull=True),
                name="message_to_series_or_webinar",
            ),
        ]

    def __str__(self):
        return self.subject

    def clean(self):
        super().clean()
        if bool(self.webinar_id) == bool(self.series_id):
            raise ValidationError(
                _("Choose either a webinar or a series."), code="webinar_or_series"
            )
        if not self.statuses and not self.to_attended:
            raise ValidationError(_("Choose at least one group of registrants."), code="nobody")

    @property
    def statuses(self) -> list[str]:
        return [status for status in self.AUDIENCES if getattr(self, f"to_{status}")]


class MessageDelivery(models.Model):
    """The log of a message: who it was queued for, and when. One row per address and message,
    so nobody gets the same message twice, however often it is sent."""

    message = models.ForeignKey(
        RegistrantMessage, on_delete=models.CASCADE, related_name="deliveries"
    )
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="message_deliveries"
    )
    # In lower case: one message per person, whatever case they typed it in.
    email = models.EmailField(_("email"), max_length=254)
    status = models.CharField(_("status then"), max_length=20, choices=Registration.Status)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)

    class Meta:
        ordering = ["queued_at", "pk"]
        verbose_name = _("message sent")
        verbose_name_plural = _("messages sent")
        constraints = [
            models.UniqueConstraint(fields=["message", "email"], name="unique_message_per_address")
        ]

    def __str__(self):
        return f"{self.message} → {self.email}"
