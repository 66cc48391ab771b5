"""Requests for one's own data: the mailed link, the record of an answer, and erasure."""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from following.models import Follower
from following.services import followers_forget
from privacy.models import AccessLink, HonouredRequest, address_hash, token_digest
from privacy.selectors import Kept, kept_for, registrations_of, sees_everything
from series.access import organises_all_series
from webinars.mail import record
from webinars.models import PendingMail
from webinars.services import registrations_erase

# How long a mailed link opens the data.
LINK_LIFETIME = timedelta(hours=1)


def _tidy_before(now: datetime) -> datetime:
    # Sent links are forgotten once they could be neither used nor count for the resend limit.
    return now - max(LINK_LIFETIME, timedelta(minutes=settings.REGISTRATION_RESEND_MINUTES))


def data_request(*, email: str, language: str, now: datetime | None = None) -> None:
    """Have a link to the data kept for `email` mailed (or word that nothing is kept).

    Every address takes the same path: the same rows deleted and one mail recorded, whether
    anything is kept or not; the worker decides what the mail says, after the answer. So
    neither the answer nor its timing tells whether an address is known.
    """
    now = now or timezone.now()
    with transaction.atomic():
        AccessLink.objects.filter(expires_at__lte=now).delete()
        PendingMail.objects.filter(
            Q(sent_at__isnull=False) | Q(failed_at__isnull=False),
            kind=PendingMail.Kind.DATA_REQUEST,
            created__lt=_tidy_before(now),
        ).delete()
        record(
            PendingMail.Kind.DATA_REQUEST,
            args={"email": email.strip().lower(), "language": language},
            now=now,
        )


def link_create(*, email: str, language: str, now: datetime | None = None) -> str:
    """A new link's token (stored only as its digest), valid for LINK_LIFETIME."""
    now = now or timezone.now()
    token = secrets.token_urlsafe(32)
    AccessLink.objects.create(
        digest=token_digest(token),
        email=email,
        language=language,
        created=now,
        expires_at=now + LINK_LIFETIME,
    )
    return token


def link_for(token: str, *, now: datetime | None = None) -> AccessLink | None:
    """The link a token opens, None if unknown or expired."""
    now = now or timezone.now()
    return AccessLink.objects.filter(digest=token_digest(token), expires_at__gt=now).first()


def _record(email, kept, action, *, acted_by, now, **extra) -> HonouredRequest:
    honoured = HonouredRequest.objects.create(
        address_hash=address_hash(email),
        action=action,
        created=now,
        acted_by=acted_by,
        by_visitor=acted_by is None,
        counts={**kept.counts(), **extra},
    )
    honoured.series.set(kept.series())
    return honoured


def access_record(*, email: str, kept: Kept, acted_by=None, now=None) -> HonouredRequest:
    """Note that the data kept for an address was given (shown through a link, or downloaded
    by an organiser for a written request)."""
    return _record(
        email, kept, HonouredRequest.Action.ACCESS, acted_by=acted_by, now=now or timezone.now()
    )


def link_opened(*, link: AccessLink, kept: Kept, now: datetime | None = None) -> None:
    """The first opening of a link answers the request: recorded once per link."""
    now = now or timezone.now()
    if AccessLink.objects.filter(pk=link.pk, opened_at__isnull=True).update(opened_at=now):
        access_record(email=link.email, kept=kept, now=now)


def data_erase(*, email: str, scope=None, acted_by=None, now=None) -> HonouredRequest:
    """Erase what is kept for `email` (within the series `scope` organises, if given).

    Registrations go through webinars (upcoming ones cancelled, so the waiting list moves up,
    then all anonymised: the figures keep their counts, feedback keeps its rating and loses its
    comment); follows end and are deleted with their mail; links and link mail go. What stays
    is a record with the address's keyed hash, when, who, and how much was erased.
    """
    now = now or timezone.now()
    kept = kept_for(email, scope)
    comments = sum(bool(r.kept_feedback and r.kept_feedback.comment) for r in kept.registrations)
    erased = registrations_erase(registrations=registrations_of(email, scope), now=now)
    followers_forget(followers=Follower.objects.filter(pk__in=[f.pk for f in kept.follows]))
    if sees_everything(scope):
        lower = email.strip().lower()
        PendingMail.objects.filter(kind=PendingMail.Kind.DATA_REQUEST, args__email=lower).delete()
        AccessLink.objects.filter(email__iexact=lower).delete()
    return _record(
        email,
        kept,
        HonouredRequest.Action.ERASURE,
        acted_by=acted_by,
        now=now,
        cancelled=erased.cancelled,
        anonymised=erased.anonymised,
        feedback_comments=comments,
    )


def earlier_requests(email: str, scope=None):
    """Earlier answered requests for this address: everyone's for the person and for those who
    organise every series; for a series' organisers, those about their series or their own."""
    found = HonouredRequest.objects.filter(address_hash=address_hash(email)).select_related(
        "acted_by"
    )
    if scope is not None and not organises_all_series(scope):
        found = found.filter(Q(series__managers=scope) | Q(acted_by=scope)).distinct()
    return found
