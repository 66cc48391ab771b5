"""Following a series: ask, confirm, unsubscribe, and the notices a new webinar starts."""

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from following.models import Follower
from following.signals import follower_confirmed, follower_unsubscribed
from series.models import Series
from webinars.mail import record, record_many
from webinars.models import PendingMail, Webinar
from webinars.services import normalise_email


def follow_request(*, series: Series, email: str, now: datetime | None = None) -> Follower:
    """Record a request to follow and have a confirmation link mailed.

    A new address and a known one take the same path (one row written, one mail recorded), so
    neither the answer nor its timing tells a visitor whether someone follows already. An
    address that unsubscribed must confirm again.
    """
    now = now or timezone.now()
    email = normalise_email(email)
    language = translation.get_language() or settings.LANGUAGE_CODE
    with transaction.atomic():
        follower = Follower.objects.select_for_update().filter(series=series, email=email).first()
        if follower is None:
            try:
                with transaction.atomic():
                    follower = Follower.objects.create(
                        series=series, email=email, language=language
                    )
            except IntegrityError:
                # Two requests for one address at once: the other one created it.
                follower = Follower.objects.select_for_update().get(series=series, email=email)
        if follower.unsubscribed_at is not None:
            follower.unsubscribed_at = None
            follower.confirmed_at = None
        follower.language = language
        follower.save(update_fields=["unsubscribed_at", "confirmed_at", "language"])
        # Recorded for a known address too; composing drops what is not needed (following
        # already, or a link mailed moments ago), after the answer.
        record(PendingMail.Kind.FOLLOW_CONFIRM, args={"follower": follower.pk}, now=now)
    return follower


def follow_confirm(*, follower: Follower, now: datetime | None = None) -> bool:
    """Start following (again harmless); True if this call confirmed it."""
    now = now or timezone.now()
    with transaction.atomic():
        confirmed = Follower.objects.filter(pk=follower.pk, confirmed_at__isnull=True).update(
            confirmed_at=now, unsubscribed_at=None
        )
        follower.refresh_from_db(fields=["confirmed_at", "unsubscribed_at"])
        if confirmed:
            follower_confirmed.send(sender=Follower, follower=follower, now=now)
    return bool(confirmed)


def follow_stop(*, follower: Follower, now: datetime | None = None) -> None:
    """Unsubscribe; mail already queued for this follower is not composed any more."""
    now = now or timezone.now()
    with transaction.atomic():
        stopped = Follower.objects.filter(pk=follower.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=now
        )
        follower.refresh_from_db(fields=["unsubscribed_at"])
        if stopped:
            follower_unsubscribed.send(sender=Follower, follower=follower, now=now)


def webinar_published(*, webinar: Webinar, now: datetime | None = None) -> None:
    """Record a new-webinar mail for each follower of its series; the worker sends them.

    Only a webinar still ahead and scheduled is news. The key keeps a webinar that is
    unpublished and published again from mailing anyone twice.
    """
    now = now or timezone.now()
    if not (webinar.series_id and webinar.is_published and not webinar.is_cancelled):
        return
    if webinar.start <= now:
        return
    followers = Follower.objects.following().filter(series_id=webinar.series_id)
    record_many(
        PendingMail.Kind.FOLLOW_NOTICE,
        [
            (f"follow-notice:{pk}:{webinar.pk}", {"follower": pk, "webinar": webinar.pk}, None)
            for pk in followers.values_list("pk", flat=True)
        ],
        now=now,
    )


def on_webinar_published(sender, *, webinar: Webinar, now: datetime, **kwargs) -> None:
    """Receiver of webinars.signals.webinar_published (connected in FollowingConfig.ready)."""
    webinar_published(webinar=webinar, now=now)
