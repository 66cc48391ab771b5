"""Mail to followers: the confirmation link, and one notice per new webinar.

Both are composed into django-mailer's queue by the worker (`send_queued_mail`), so a failing
message is retried there like any other; a follower's request only records what is due.
"""

import logging
from collections import Counter
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from mailer.models import PRIORITY_MEDIUM, Message

from following.models import Follower, FollowNotice
from webinars.formatting import absolute_url, page_url, when
from webinars.language import offered_language
from webinars.mail.compose import compose
from webinars.mail.worker import queue_claimed, send_queue
from webinars.models import Webinar

logger = logging.getLogger(__name__)


def follower_links(follower: Follower) -> dict[str, str]:
    kwargs = {"token": follower.token}
    return {
        "confirm_url": absolute_url(reverse("following:confirm", kwargs=kwargs)),
        "unsubscribe_url": absolute_url(reverse("following:unsubscribe", kwargs=kwargs)),
        "series_url": absolute_url(follower.series.get_absolute_url()),
    }


def confirmation_message(follower: Follower) -> EmailMultiAlternatives:
    with translation.override(offered_language(follower.language)):
        return compose(
            "follow_confirm",
            subject=_("Confirm that you want to follow %(series)s") % {"series": follower.series},
            to=follower.email,
            context={"follower": follower, "series": follower.series, **follower_links(follower)},
        )


def notice_message(notice: FollowNotice) -> EmailMultiAlternatives:
    follower, webinar = notice.follower, notice.webinar
    links = follower_links(follower)
    with translation.override(offered_language(follower.language)):
        message = compose(
            "follow_new_webinar",
            subject=_("New in %(series)s: %(title)s")
            % {"series": follower.series, "title": webinar.title},
            to=follower.email,
            context={
                "follower": follower,
                "series": follower.series,
                "webinar": webinar,
                "when": when(webinar),
                "webinar_url": page_url(webinar),
                **links,
            },
        )
    # RFC 2369 and RFC 8058: mail clients show their own unsubscribe button, and a single POST
    # to the link (no page, no sign-in) unsubscribes.
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    message.extra_headers.update(
        {
            "List-Id": f"<{follower.series.slug}.series.{host}>",
            "List-Unsubscribe": f"<{links['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    )
    return message


def _queue(message: EmailMultiAlternatives) -> Message:
    queued = Message(email=message, priority=PRIORITY_MEDIUM)
    queued.save()
    return queued


def queue_confirmation(pk: int, now: datetime | None = None) -> Message | None:
    """Compose the confirmation follower pk asked for, unless one went out moments ago.

    The request is claimed by clearing it, so two workers never both mail it. A link mailed
    less than REGISTRATION_RESEND_MINUTES ago is still fresh: repeated requests within that
    time send nothing more, so the form cannot be used to flood someone's inbox.
    """
    now = now or timezone.now()
    fresh_since = now - timedelta(minutes=settings.REGISTRATION_RESEND_MINUTES)
    try:
        with transaction.atomic():
            follower = (
                Follower.objects.select_related("series")
                .filter(pk=pk, confirmation_requested_at__isnull=False)
                .first()
            )
            if follower is None:
                return None
            claim = Follower.objects.filter(
                pk=pk, confirmation_requested_at=follower.confirmation_requested_at
            )
            recent = (
                follower.confirmation_mailed_at and follower.confirmation_mailed_at > fresh_since
            )
            if recent or follower.is_following:
                claim.update(confirmation_requested_at=None)
                return None
            if not claim.update(confirmation_requested_at=None, confirmation_mailed_at=now):
                return None
            return _queue(confirmation_message(follower))
    except Exception:  # noqa: BLE001 (the visitor can ask again; other mail goes on)
        logger.exception("Composing the follow confirmation for follower %s failed", pk)
        Follower.objects.filter(pk=pk).update(confirmation_requested_at=None)
        return None


def send_confirmation_now(pk: int) -> None:
    queued = queue_confirmation(pk)
    if queued is None:
        return
    try:
        send_queue(Message.objects.filter(pk=queued.pk))
    except Exception:  # noqa: BLE001 (the queued row stays; the worker retries it)
        logger.exception("Immediate send failed; message %s stays queued", queued.pk)


def _due_notices():
    # A notice waits while its webinar is unpublished; it goes if the webinar is published again.
    return FollowNotice.objects.filter(
        queued_at__isnull=True,
        attempts__lt=settings.MAIL_MAX_ATTEMPTS,
        webinar__is_published=True,
    )


def queue_notice(pk: int, now: datetime) -> str:
    """Compose one new-webinar notice: "queued", "skipped" (no longer news), "taken" or "failed"."""

    def compose(pk):
        notice = FollowNotice.objects.select_related("follower__series", "webinar__series").get(
            pk=pk
        )
        webinar = notice.webinar
        if (
            not notice.follower.is_following
            or webinar.status != Webinar.Status.SCHEDULED
            or webinar.start <= now
        ):
            return None
        return notice_message(notice)

    return queue_claimed(FollowNotice, pk, now, compose)


def deliver_due(now: datetime | None = None) -> Counter:
    """One worker pass over followers' mail; counts by outcome."""
    now = now or timezone.now()
    counts = Counter()
    requested = Follower.objects.filter(confirmation_requested_at__isnull=False)
    for pk in requested.order_by("pk").values_list("pk", flat=True):
        counts["queued" if queue_confirmation(pk, now) else "dropped"] += 1
    for pk in _due_notices().order_by("pk").values_list("pk", flat=True):
        counts[queue_notice(pk, now)] += 1
    return counts
