"""What every meeting provider does for the site.

A provider is one object (registry.py lists them) with a `name` that is a
webinars.models.MeetingProvider value. The framework (meetings.services and meetings.jobs)
keeps the MeetingRoom row, records errors for admin, retries from the worker and sets
attendance and recordings; a provider only talks to its service. Every remote call raises
meetings.remote.ProviderError on failure, with a message for organisers.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound


class Participant(NamedTuple):
    """Someone to let in: a registrant (viewer) or a host (moderator)."""

    name: str
    user_id: str  # stable, never an address (meetings.identity)
    is_host: bool
    email: str = ""  # for providers that register people themselves (Zoom)
    registration: object = None  # the Registration, for registrants


@dataclass
class Report:
    """What a verified callback says; meetings.views acts on it, so providers write nothing."""

    webinar_pk: int
    kind: str
    # The provider's id of the room the call is about, checked against the room's, if it says.
    room_id: str = ""
    ended: bool = False
    # Provider user id -> first join (None: unknown), for the registrants who joined.
    joined: dict[str, datetime | None] = field(default_factory=dict)
    # Registration pk -> first join, for providers that match people by their own means.
    registrations: dict[int, datetime | None] = field(default_factory=dict)
    recording_url: str = ""
    # A recording is (or will be) ready: ask the provider for it (now, and from the worker).
    fetch_recording: bool = False
    fetch_now: bool = False


class Provider:
    name = ""
    label = ""
    # Providers that register each confirmed registrant with the service (Zoom): the worker
    # calls sync_registrants() after registrations change (jobs.on_registration_saved).
    registers_people = False

    def is_configured(self) -> bool:
        """Whether the environment sets it up; unconfigured providers are not offered."""
        raise NotImplementedError

    def ensure_room(self, room, webinar, now) -> None:
        """Make sure the remote room exists (idempotent), updating `room` (room_id, data,
        created_at); the caller saves it. Called before each join and by "create now"."""
        raise NotImplementedError

    def join_url(self, room, webinar, participant: Participant, now) -> str:
        """The address that lets this person in, after ensure_room()."""
        raise NotImplementedError

    def sync(self, room, webinar, now) -> None:
        """After an organiser's change (moved, renamed, cancelled): bring the remote meeting in
        line, ending it for a cancelled webinar. Run by the worker, retried on ProviderError."""

    def sync_registrants(self, room, webinar, now) -> None:
        """Add the confirmed registrants the service does not know yet and cancel those no
        longer confirmed. Run by the worker, retried on ProviderError."""

    def fetch_recording(self, room, webinar, now) -> str | None:
        """The recording's address once the provider has it, else None (asked again later)."""
        return None

    def read_callback(self, request: HttpRequest, kind: str, token: str) -> Report | HttpResponse:
        """A call from the provider to /meetings/callbacks/<name>/<kind>/<token>/ (or without
        the token, for a webhook the provider signs): verify it and say what it reports; a
        refusal, or an answer of the provider's own protocol, is an HttpResponse."""
        return HttpResponseNotFound("unknown callback")
