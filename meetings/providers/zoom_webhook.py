"""Zoom's webhook (event subscriptions), at /meetings/callbacks/zoom/webhook/.

Every call is signed: `x-zm-signature: v0=<hex HMAC-SHA256(ZOOM_WEBHOOK_SECRET,
"v0:<x-zm-request-timestamp>:<raw body>")>`, and the timestamp must be within five minutes of
now (a replayed call is refused). The URL validation Zoom makes (`endpoint.url_validation`) is
answered with the plainToken and its HMAC once the call itself is verified: answering an
unsigned one would let anyone have the site sign strings of their choice. Events the site uses:
`meeting.participant_joined` / `webinar.participant_joined` (attendance), `recording.completed`
(the recording), `meeting.ended` / `webinar.ended`. Others, and events about meetings this site
did not make, are acknowledged and ignored, so Zoom does not retry them.
"""

import hashlib
import hmac
import json
import re
from datetime import datetime

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import timezone

from meetings.models import MeetingRegistrant, MeetingRoom
from meetings.providers.base import Report
from webinars.models import MeetingProvider, Registration

# Zoom's calls older or newer than this are refused: they may be replays.
MAX_SKEW_SECONDS = 5 * 60
# Zoom's plainToken is a short random string; anything else is not Zoom's validation.
_PLAIN_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    message = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _unauthorised(reason: str) -> HttpResponse:
    return HttpResponse(reason, status=401, content_type="text/plain")


def _verified(request) -> HttpResponse | None:
    """None when the call is Zoom's, signed now; otherwise the refusal."""
    secret = settings.ZOOM_WEBHOOK_SECRET
    given = request.headers.get("x-zm-signature", "")
    timestamp = request.headers.get("x-zm-request-timestamp", "").strip()
    if not secret or not given or not timestamp.isdigit() or len(timestamp) > 12:
        return _unauthorised("missing or malformed signature")
    if abs(timezone.now().timestamp() - int(timestamp)) > MAX_SKEW_SECONDS:
        return _unauthorised("timestamp too old or too new")
    if not hmac.compare_digest(given.encode(), signature(secret, timestamp, request.body).encode()):
        return _unauthorised("bad signature")
    return None


def read(request) -> Report | HttpResponse:
    if request.method != "POST":
        return HttpResponse("POST only", status=405)
    refusal = _verified(request)
    if refusal is not None:
        return refusal
    try:
        event = json.loads(request.body)
        name = str(event["event"])
        payload = event.get("payload") or {}
        if not isinstance(payload, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest("expected Zoom's event JSON")
    if name == "endpoint.url_validation":
        plain = payload.get("plainToken")
        if not isinstance(plain, str) or not _PLAIN_TOKEN.match(plain):
            return HttpResponseBadRequest("bad plainToken")
        encrypted = hmac.new(
            settings.ZOOM_WEBHOOK_SECRET.encode(), plain.encode(), hashlib.sha256
        ).hexdigest()
        return JsonResponse({"plainToken": plain, "encryptedToken": encrypted})
    _group, _dot, action = name.partition(".")
    handler = EVENTS.get(action if _group in ("meeting", "webinar") else name)
    meeting = payload.get("object")
    if handler is None or not isinstance(meeting, dict):
        return HttpResponse("ignored")
    room = (
        MeetingRoom.objects.filter(provider=MeetingProvider.ZOOM, room_id=str(meeting.get("id")))
        .only("pk", "webinar_id", "room_id")
        .first()
    )
    if room is None:
        return HttpResponse("not a meeting of this site")
    try:
        return handler(room, meeting, name)
    except (ValueError, KeyError, TypeError, AttributeError):
        return HttpResponseBadRequest("unexpected fields in Zoom's event")


def _joined(room, meeting: dict, name: str) -> Report:
    person = meeting.get("participant") or {}
    registrant_id = str(person.get("registrant_id") or "")
    email = str(person.get("email") or "").strip()
    pk = None
    if registrant_id:
        pk = (
            MeetingRegistrant.objects.filter(
                room_id=room.room_id, remote_id=registrant_id
            ).values_list("registration_id", flat=True)
        ).first()
    if pk is None and email:
        pk = (
            Registration.objects.filter(
                webinar_id=room.webinar_id,
                email__iexact=email,
                status=Registration.Status.CONFIRMED,
            )
            .values_list("pk", flat=True)
            .first()
        )
    joined = {pk: _moment(person.get("join_time"))} if pk is not None else {}
    return Report(room.webinar_id, "participant_joined", room_id=room.room_id, registrations=joined)


def _recording(room, meeting: dict, name: str) -> Report:
    url = str(meeting.get("share_url") or "")
    if not url.startswith("https://"):
        files = meeting.get("recording_files") or []
        plays = [
            str(f.get("play_url") or "")
            for f in files
            if isinstance(f, dict) and f.get("file_type") in ("MP4", None)
        ]
        url = next((u for u in plays if u.startswith("https://")), "")
    return Report(room.webinar_id, "recording", room_id=room.room_id, recording_url=url[:2000])


def _ended(room, meeting: dict, name: str) -> Report:
    return Report(room.webinar_id, "ended", room_id=room.room_id, ended=True)


def _moment(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


# Actions of meeting.* and webinar.* events, and whole event names.
EVENTS = {
    "participant_joined": _joined,
    "ended": _ended,
    "recording.completed": _recording,
}
