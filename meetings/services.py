"""The meeting framework's writes: rooms, personal join URLs, what providers report back.

Providers talk to their service; everything the site keeps about it is written here: the room
row, the error organisers see in admin, attendance and the recording.
"""

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from meetings import identity
from meetings.models import MeetingRoom
from meetings.providers.base import Participant, Provider
from meetings.registry import provider_for
from meetings.remote import ProviderError
from webinars.models import Audience, MeetingProvider, Registration, Webinar
from webinars.services import registration_record_attendance

logger = logging.getLogger(__name__)


class MeetingUnavailable(Exception):
    """The room could not be opened now (the provider is down, slow or not set up)."""


def uses_provider(webinar: Webinar) -> bool:
    return webinar.meeting_provider != MeetingProvider.MANUAL


def room_for(webinar: Webinar) -> MeetingRoom:
    """The webinar's room row, made on first use; a webinar switched to another provider gets
    a fresh one (the old provider's room is left as it is)."""
    room = MeetingRoom.objects.filter(webinar=webinar).first()
    if room is None:
        try:
            with transaction.atomic():
                room = MeetingRoom.objects.create(
                    webinar=webinar, provider=webinar.meeting_provider
                )
        except IntegrityError:
            # Two first joins at once: the other one made it.
            room = MeetingRoom.objects.get(webinar=webinar)
    if room.provider != webinar.meeting_provider:
        room.provider = webinar.meeting_provider
        room.room_id, room.data, room.created_at, room.ended_at = "", {}, None, None
        room.save()
    return room


def note_error(room: MeetingRoom, error: Exception, now: datetime | None = None) -> None:
    """Keep the provider's failure where organisers see it (the webinar's admin page)."""
    now = now or timezone.now()
    logger.warning("Meeting %s (%s): %s", room.webinar_id, room.provider, error)
    room.last_error, room.last_error_at = str(error)[:2000], now
    MeetingRoom.objects.filter(pk=room.pk).update(last_error=room.last_error, last_error_at=now)


def _provider(webinar: Webinar) -> Provider:
    provider = provider_for(webinar.meeting_provider)
    if provider is None:
        raise ProviderError(f"{webinar.meeting_provider} is not set up on this site")
    return provider


def room_ready(webinar: Webinar, now: datetime | None = None) -> tuple[Provider, MeetingRoom]:
    """Create or check the remote room now (idempotent); ProviderError, also noted, if not."""
    now = now or timezone.now()
    room = room_for(webinar)
    try:
        provider = _provider(webinar)
        provider.ensure_room(room, webinar, now)
    except ProviderError as error:
        note_error(room, error, now)
        raise
    room.created_at = room.created_at or now
    room.save(update_fields=["room_id", "data", "created_at", "ended_at"])
    return provider, room


def _join(webinar: Webinar, participant: Participant, now: datetime) -> str:
    try:
        provider, room = room_ready(webinar, now)
    except ProviderError as error:
        raise MeetingUnavailable(str(error)) from error
    try:
        return provider.join_url(room, webinar, participant, now)
    except ProviderError as error:
        note_error(room, error, now)
        raise MeetingUnavailable(str(error)) from error


def registrant_join_url(registration: Registration, now: datetime | None = None) -> str:
    """A confirmed registrant's personal address into the room (the caller checks the status
    and the join window); MeetingUnavailable when the provider cannot open it now."""
    now = now or timezone.now()
    participant = Participant(
        name=registration.name or registration.email.partition("@")[0],
        user_id=identity.registrant_user_id(registration.pk),
        is_host=False,
        email=registration.email,
        registration=registration,
    )
    return _join(registration.webinar, participant, now)


def host_join_url(webinar: Webinar, *, name: str, key: str, now: datetime | None = None) -> str:
    """A host's (moderator's) address into the room; `key` names the host stably."""
    now = now or timezone.now()
    participant = Participant(name=name, user_id=identity.host_user_id(key), is_host=True)
    return _join(webinar, participant, now)


def callback_received(webinar: Webinar, kind: str, now: datetime | None = None) -> MeetingRoom:
    now = now or timezone.now()
    room = room_for(webinar)
    room.last_callback, room.last_callback_at = kind[:40], now
    room.save(update_fields=["last_callback", "last_callback_at"])
    return room


def meeting_ended(webinar: Webinar, now: datetime | None = None) -> None:
    now = now or timezone.now()
    MeetingRoom.objects.filter(webinar=webinar, ended_at__isnull=True).update(ended_at=now)


def attendance_received(
    webinar: Webinar,
    joined: dict[str, datetime | None],
    now: datetime | None = None,
    registrations: dict[int, datetime | None] | None = None,
) -> int:
    """Mark as attended the registrants of this webinar among the provider's user ids
    (`joined`: user id -> first join, or None) and `registrations` (pk -> first join); unknown
    ids and other webinars' registrants are ignored, and a registrant already marked keeps
    their first time. Returns how many this call marked."""
    now = now or timezone.now()
    pks = {identity.registrant_from_user_id(user_id): at for user_id, at in joined.items()}
    pks.pop(None, None)
    pks.update(registrations or {})
    marked = 0
    for registration in Registration.objects.filter(webinar=webinar, pk__in=pks):
        marked += registration_record_attendance(
            registration=registration, now=pks[registration.pk] or now
        )
    MeetingRoom.objects.filter(webinar=webinar).update(attendance_received_at=now)
    return marked


def recording_received(webinar: Webinar, url: str, now: datetime | None = None) -> bool:
    """Give the webinar its recording, for registrants only until an organiser makes it public;
    a recording an organiser already set is kept. True if the webinar's recording was set."""
    now = now or timezone.now()
    room = room_for(webinar)
    room.data = {**room.data, "recording_url": url}
    room.recording_received_at = now
    room.save(update_fields=["data", "recording_received_at"])
    webinar.refresh_from_db(fields=["recording_url", "recording_audience"])
    if webinar.recording_url:
        return webinar.recording_url == url
    webinar.recording_url, webinar.recording_audience = url, Audience.REGISTRANTS
    webinar.save(update_fields=["recording_url", "recording_audience"])
    return True
