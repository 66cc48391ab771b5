"""Sending recorded deliveries: the worker's pass, never a visitor's request.

`send_queued_mail` runs `run_pass` at the start of each of its passes (registered with
webinars.mail.register_due_recorder in HooksConfig.ready), so operators keep one worker. Each
delivery is claimed as the mail is (webinars.mail.claim: on PostgreSQL its row, SELECT ... FOR
UPDATE SKIP LOCKED; on SQLite an flock() on WEBHOOK_LOCK_FILE), so two workers never send one
twice and a killed worker leaves no lock behind. A failed try is retried after RETRY_DELAYS,
given up after WEBHOOK_MAX_ATTEMPTS; an endpoint failing for WEBHOOK_DISABLE_AFTER_DAYS is
switched off and its owner told by mail, through the outbox.
"""

import logging
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hooks import recording, sending
from hooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webinars.formatting import absolute_url
from webinars.mail import claim, claimable, queue_composed
from webinars.mail.compose import compose

logger = logging.getLogger(__name__)

# 1 min, 5 min, 30 min, 2 h, 6 h, 12 h, then a day between tries.
RETRY_DELAYS = [60, 300, 1800, 7200, 21600, 43200, 86400]
# Deliveries tried per pass at most: the mail of the same pass waits for them.
BATCH_SIZE = 100
State = WebhookDelivery.State


def retry_delay(attempts: int) -> timedelta:
    """The wait after the attempts-th failed try (1 for the first)."""
    return timedelta(seconds=RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1])


def run_pass(now: datetime) -> Counter:
    """One pass; a webhook's trouble never stops the mail that follows it in the worker."""
    try:
        counts = deliver_due(now)
        switch_off_failing(now)
        purge_old(now)
    except Exception:
        logger.exception("The webhook pass failed; the mail goes on")
        return Counter()
    return counts


def deliver_due(now: datetime | None = None) -> Counter:
    """Try each due delivery, oldest first; after a failure, an endpoint's other deliveries wait
    for the next pass (a receiver that is down costs one timeout per pass, not one each)."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.due(now).order_by("next_attempt_at", "pk")
    counts, failing = Counter(), set()
    for pk, endpoint_id in due.values_list("pk", "endpoint_id")[:BATCH_SIZE]:
        if endpoint_id in failing:
            counts["deferred"] += 1
            continue
        outcome = deliver(pk, now=now)
        counts[outcome] += 1
        if outcome in (State.RETRYING, State.FAILED):
            failing.add(endpoint_id)
    return counts


def deliver(pk: int, *, now: datetime | None = None) -> str:
    """Send delivery pk if it is still to send: its new state, or "taken"."""
    now = now or timezone.now()
    with claim(0, settings.WEBHOOK_LOCK_FILE) as held:
        if not held:
            return "taken"
        rows = WebhookDelivery.objects.select_related("endpoint").filter(
            pk=pk, state__in=[State.QUEUED, State.RETRYING], endpoint__active=True
        )
        delivery = claimable(rows).first()
        if delivery is None:
            return "taken"
        endpoint = delivery.endpoint
        body = sending.body_bytes(delivery.body())
        # The try's own time, which receivers check against theirs (5 minutes' tolerance).
        headers = sending.signed_headers(endpoint.secret, delivery.msg_id, timezone.now(), body)
        answer = sending.post(endpoint.url, headers, body)
        return _note(delivery, answer, now)


def _note(delivery: WebhookDelivery, answer: sending.Answer, now: datetime) -> str:
    WebhookAttempt.objects.create(
        delivery=delivery,
        at=now,
        status=answer.status,
        error=answer.error,
        duration_ms=answer.duration_ms,
        response=answer.excerpt,
    )
    attempts = delivery.attempts + 1
    fields = {
        "attempts": attempts,
        "last_status": answer.status,
        "last_response": answer.excerpt if answer.status is not None else answer.error,
    }
    endpoint = WebhookEndpoint.objects.filter(pk=delivery.endpoint_id)
    if answer.ok:
        state = State.SENT
        fields.update(sent_at=now, next_attempt_at=None)
        endpoint.filter(failing_since__isnull=False).update(failing_since=None)
    else:
        if attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            state = State.FAILED
            fields.update(failed_at=now, next_attempt_at=None)
        else:
            state = State.RETRYING
            fields["next_attempt_at"] = now + retry_delay(attempts)
        endpoint.filter(failing_since__isnull=True).update(failing_since=now)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(state=state, **fields)
    return state


def switch_off_failing(now: datetime) -> int:
    """Switch off the endpoints that have failed, with no success, for too long; each owner
    gets one mail saying so."""
    cutoff = now - timedelta(days=settings.WEBHOOK_DISABLE_AFTER_DAYS)
    switched = 0
    failing = WebhookEndpoint.objects.filter(active=True, failing_since__lte=cutoff)
    for endpoint in failing.select_related("owner"):
        reason = f"every delivery failed since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC"
        with transaction.atomic():
            done = WebhookEndpoint.objects.filter(pk=endpoint.pk, active=True).update(
                active=False, disabled_at=now, disabled_reason=reason
            )
            if done:
                recording.forget_endpoints()
            if done and endpoint.owner.email:
                queue_composed(switched_off_message(endpoint))
        switched += done
    return switched


def switched_off_message(endpoint: WebhookEndpoint) -> EmailMultiAlternatives:
    """The mail to an endpoint's owner, in the site's mail layout (text and HTML)."""
    return compose(
        "webhook_switched_off",
        subject=_("Webhook switched off: %(url)s") % {"url": endpoint.url[:150]},
        to=endpoint.owner.email,
        context={
            "endpoint": endpoint,
            "since": f"{endpoint.failing_since:%Y-%m-%d %H:%M}",
            "admin_url": absolute_url(
                reverse("admin:hooks_webhookendpoint_change", args=[endpoint.pk])
            ),
        },
    )


def purge_old(now: datetime) -> int:
    """Forget deliveries that are done (sent or given up) after WEBHOOK_RETENTION_DAYS: their
    payloads carry names and addresses."""
    cutoff = now - timedelta(days=settings.WEBHOOK_RETENTION_DAYS)
    deleted, _ = WebhookDelivery.objects.filter(
        state__in=[State.SENT, State.FAILED], created__lt=cutoff
    ).delete()
    return deleted
