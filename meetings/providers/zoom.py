"""Zoom, through its REST API (zoom_api.py) and its signed webhooks (zoom_webhook.py).

Each webinar gets a Zoom meeting with registration (or a Zoom webinar, ZOOM_USE_WEBINARS),
made by the worker once the organiser chooses Zoom, patched when the webinar moves or is
renamed, deleted when it is cancelled. Each confirmed registrant is added as a Zoom registrant
by the worker; their own join address is kept in a MeetingRegistrant row and their personal
link on the site redirects to it (added there and then, with the framework's timeout, when the
worker has not come to them yet). Hosts get the meeting's start_url, asked afresh each time
since Zoom lets it expire. Zoom sends no mail of its own to registrants: the site does.
"""

import math
from datetime import UTC

from django.conf import settings

from meetings.models import MeetingRegistrant
from meetings.providers import zoom_api, zoom_webhook
from meetings.providers.base import Participant, Provider
from meetings.remote import ProviderError
from webinars.models import MeetingProvider, Registration

NAME = MeetingProvider.ZOOM.value
# Zoom keeps topics up to 200 characters, names up to 64.
TOPIC_MAX = 200
NAME_MAX = 64
# Zoom's registrants/status call takes at most this many registrants at once.
CANCEL_BATCH = 30


def _kind() -> str:
    return "webinars" if settings.ZOOM_USE_WEBINARS else "meetings"


def meeting_fields(webinar) -> dict:
    """What the remote meeting says about the webinar: compared with what was last sent, so a
    move or a new title is patched and nothing else is."""
    minutes = math.ceil((webinar.end - webinar.start).total_seconds() / 60)
    return {
        "topic": (webinar.title or "").strip()[:TOPIC_MAX] or "Webinar",
        "start_time": webinar.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration": max(minutes, 1),
        "timezone": webinar.time_zone,
    }


def _names(registration) -> dict:
    name = (registration.name or "").strip()
    first, _space, last = name.rpartition(" ") if " " in name else (name, "", "")
    first = first or registration.email.partition("@")[0]
    return {"first_name": first[:NAME_MAX], "last_name": last[:NAME_MAX]}


class Zoom(Provider):
    name = NAME
    label = "Zoom"
    registers_people = True

    def is_configured(self) -> bool:
        return bool(
            settings.ZOOM_ACCOUNT_ID and settings.ZOOM_CLIENT_ID and settings.ZOOM_CLIENT_SECRET
        )

    def _path(self, room, tail: str = "") -> str:
        return f"/{room.data.get('kind', 'meetings')}/{room.room_id}{tail}"

    def _create(self, room, webinar, now) -> None:
        kind = _kind()
        fields = meeting_fields(webinar)
        settings_ = {
            # 0: registrants are approved at once, so the site can add them; the site has
            # approved them already if the series asks for it.
            "approval_type": 0,
            "registration_type": 1,
            "registrants_email_notification": False,
            "registrants_confirmation_email": False,
            "close_registration": False,
        }
        body = {**fields, "type": 5 if kind == "webinars" else 2, "settings": settings_}
        answer = zoom_api.request("POST", f"/users/me/{kind}", body)
        if not answer.get("id"):
            raise ProviderError("Zoom made no meeting (no id in its answer)")
        room.room_id = str(answer["id"])
        room.data = {"kind": kind, "sent": fields}
        room.created_at, room.ended_at = now, None

    def _exists(self, room) -> bool:
        return bool(room.room_id) and not room.data.get("deleted")

    def ensure_room(self, room, webinar, now) -> None:
        # Made by the worker as a rule; a registrant who arrives first makes it there and then.
        if not self._exists(room):
            self._create(room, webinar, now)

    def sync(self, room, webinar, now) -> None:
        if webinar.is_cancelled:
            if self._exists(room):
                self._delete(room)
                room.ended_at = now
            return
        if not self._exists(room):
            self._create(room, webinar, now)
        else:
            fields = meeting_fields(webinar)
            if fields != room.data.get("sent"):
                zoom_api.request("PATCH", self._path(room), fields)
                room.data = {**room.data, "sent": fields}
        self.sync_registrants(room, webinar, now)

    def _delete(self, room) -> None:
        try:
            zoom_api.request("DELETE", self._path(room))
        except ProviderError as error:
            if error.status != 404:  # gone already (deleted at Zoom by hand)
                raise
        room.data = {**room.data, "deleted": True}

    def sync_registrants(self, room, webinar, now) -> None:
        if webinar.is_cancelled or room.data.get("deleted"):
            return
        self.ensure_room(room, webinar, now)
        known = {
            row.registration_id: row
            for row in MeetingRegistrant.objects.filter(registration__webinar=webinar)
        }
        confirmed = Registration.objects.filter(
            webinar=webinar, status=Registration.Status.CONFIRMED
        ).order_by("pk")
        for registration in confirmed:
            if not _current(known.pop(registration.pk, None), room):
                self.add_registrant(room, registration, now)
        # Whoever is left was registered at Zoom and is confirmed no more.
        leaving = [row for row in known.values() if _current(row, room)]
        for start in range(0, len(leaving), CANCEL_BATCH):
            batch = leaving[start : start + CANCEL_BATCH]
            people = [
                {"id": row.remote_id, "email": row.registration.email}
                for row in MeetingRegistrant.objects.filter(
                    pk__in=[r.pk for r in batch]
                ).select_related("registration")
            ]
            zoom_api.request(
                "PUT",
                self._path(room, "/registrants/status"),
                {"action": "cancel", "registrants": people},
            )
            MeetingRegistrant.objects.filter(pk__in=[r.pk for r in batch]).update(cancelled_at=now)

    def add_registrant(self, room, registration, now) -> MeetingRegistrant:
        body = {"email": registration.email, **_names(registration)}
        answer = zoom_api.request("POST", self._path(room, "/registrants"), body)
        join_url = str(answer.get("join_url") or "")
        if not join_url.startswith("https://") and not join_url.startswith("http://"):
            raise ProviderError("Zoom gave the registrant no join address")
        row, _created = MeetingRegistrant.objects.update_or_create(
            registration=registration,
            defaults={
                "room_id": room.room_id,
                "remote_id": str(answer.get("registrant_id") or answer.get("id") or ""),
                "join_url": join_url,
                "added_at": now,
                "cancelled_at": None,
            },
        )
        return row

    def join_url(self, room, webinar, participant: Participant, now) -> str:
        if participant.is_host:
            start_url = str(zoom_api.request("GET", self._path(room)).get("start_url") or "")
            if not start_url.startswith("https://") and not start_url.startswith("http://"):
                raise ProviderError("Zoom gave no host address for the meeting")
            return start_url
        registration = participant.registration
        row = MeetingRegistrant.objects.filter(registration=registration).first()
        if not _current(row, room):
            row = self.add_registrant(room, registration, now)
        return row.join_url

    def read_callback(self, request, kind: str, token: str):
        if kind != "webhook" or token:
            return super().read_callback(request, kind, token)
        return zoom_webhook.read(request)


def _current(row: MeetingRegistrant | None, room) -> bool:
    """Registered with the room's meeting as it is now, and not cancelled there."""
    return row is not None and row.room_id == room.room_id and row.cancelled_at is None
