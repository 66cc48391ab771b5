"""Outgoing webhooks: the endpoints organisers register and each delivery to them.

A delivery is recorded in the transaction of the change it tells (hooks.recording), with its
payload as it was then, and sent later by the worker (hooks.sending). Each try is one
WebhookAttempt row: appended, never rewritten, so a retry under lock writes one small INSERT
rather than reading and rewriting a growing list, and admin lists them as they are. The number
of attempts per delivery is bounded by WEBHOOK_MAX_ATTEMPTS (until someone sends it again).
"""

import base64
import secrets

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from following.models import Follower
from hooks.validators import validate_endpoint_url, validate_events
from webinars.models import Registration

SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix of every secret, not a secret)
# Bytes shown only in errors and admin's lists: enough to recognise a receiver's answer.
EXCERPT_BYTES = 1000


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


class WebhookEndpoint(models.Model):
    url = models.URLField(_("URL"), max_length=500, validators=[validate_endpoint_url])
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list, validators=[validate_events])
    # Kept in the database because the site signs every delivery with it (HMAC needs the key
    # itself, a hash would not do); shown once, when the endpoint is made.
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("owner"),
        help_text=_("Deliveries carry only what this account may see in admin."),
    )
    active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # Since the first failure with no success after it; cleared by any success.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("switched off"), null=True, blank=True)
    disabled_reason = models.CharField(_("why it was switched off"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return self.url

    def wants(self, event: str) -> bool:
        return self.active and event in self.events


class DeliveryQuerySet(models.QuerySet):
    def due(self, now):
        return self.filter(
            state__in=[WebhookDelivery.State.QUEUED, WebhookDelivery.State.RETRYING],
            next_attempt_at__lte=now,
            endpoint__active=True,
        )


class WebhookDelivery(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RETRYING = "retrying", _("retrying")
        FAILED = "failed", _("failed")
        SENT = "sent", _("sent")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=50)
    # The webhook-id header: the same on every try, so a receiver can ignore a repeat.
    msg_id = models.CharField(max_length=40, unique=True, default=new_message_id)
    occurred_at = models.DateTimeField(_("happened"))
    data = models.JSONField(_("data"), default=dict, encoder=DjangoJSONEncoder)
    # What the payload is about, so that erasing or deleting it removes the delivery too.
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    follower = models.ForeignKey(
        Follower, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next try"), null=True, blank=True)
    last_status = models.PositiveIntegerField(_("last status"), null=True, blank=True)
    last_response = models.TextField(_("last response"), blank=True)
    created = models.DateTimeField(_("recorded"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    failed_at = models.DateTimeField(_("given up"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return f"{self.event} {self.msg_id}"

    def body(self) -> dict:
        return {"type": self.event, "timestamp": self.occurred_at, "data": self.data}


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField(_("time"))
    status = models.PositiveIntegerField(_("status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    response = models.TextField(_("response"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status or self.error}"
