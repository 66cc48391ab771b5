"""BigBlueButton, through its documented API: every call signed with a checksum,
hash(callName + queryString + sharedSecret), SHA-1 by default (BBB_CHECKSUM=sha256).

Calls the site makes: `create` (idempotent, before each join and by "create now"), `join` URLs
signed per person (never called by the site: the person's browser opens them), `isMeetingRunning`
and `end` (after a move or a cancellation), `getRecordings` (once a recording is ready).
BigBlueButton calls back: `meta_endCallbackUrl` (GET, when the meeting ends),
`meta_analytics-callback-url` (POST JSON with a Bearer JWT signed with the shared secret: who
joined) and `meta_bbb-recording-ready-url` (POST `signed_parameters`, an HS256 JWT signed with
the shared secret). Each callback address carries a token signed with SECRET_KEY.
"""

import hashlib
import json
import math
import xml.etree.ElementTree as ET  # noqa: S405 (answers of the configured server, expat's limits)
from datetime import datetime
from urllib.parse import urlencode

import jwt
from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.urls import reverse
from django.utils.translation import gettext as _

from meetings import identity, remote
from meetings.providers.base import Participant, Provider, Report
from webinars.models import MeetingProvider

NAME = MeetingProvider.BIGBLUEBUTTON.value
# After the end, minutes the meeting may run over before BigBlueButton ends it.
OVERRUN_MINUTES = 30
# BigBlueButton keeps names between 2 and 64 characters.
NAME_MAX = 64


def checksum(call: str, query: str, secret: str, algorithm: str = "sha1") -> str:
    return hashlib.new(algorithm, f"{call}{query}{secret}".encode()).hexdigest()


def signed_url(call: str, params: dict) -> str:
    query = urlencode(params)
    check = checksum(call, query, settings.BBB_SECRET, settings.BBB_CHECKSUM)
    return f"{settings.BBB_API_URL.rstrip('/')}/{call}?{query}&checksum={check}"


def _callback_url(kind: str, token: str) -> str:
    path = reverse("meetings:callback", kwargs={"provider": NAME, "kind": kind, "token": token})
    return f"{settings.SITE_URL}{path}"


def _password(room, role: str) -> str:
    return identity.room_password(room.room_id, role)


def _text(node, path: str) -> str:
    found = node.find(path)
    return (found.text or "").strip() if found is not None else ""


class BigBlueButton(Provider):
    name = NAME
    label = "BigBlueButton"

    def is_configured(self) -> bool:
        return bool(settings.BBB_API_URL and settings.BBB_SECRET)

    def _call(self, call: str, params: dict, *, harmless: tuple[str, ...] = ()) -> ET.Element:
        answer = remote.call(signed_url(call, params), what="BigBlueButton")
        try:
            root = ET.fromstring(answer.body)  # noqa: S314 (see the import)
        except ET.ParseError as error:
            raise remote.ProviderError(f"BigBlueButton's answer to {call} is not XML") from error
        if _text(root, "returncode") != "SUCCESS":
            key = _text(root, "messageKey")
            if key and key in harmless:
                return root
            message = _text(root, "message")
            raise remote.ProviderError(f"BigBlueButton refused {call}: {key} {message}".strip())
        return root

    def create_params(self, room, webinar, now: datetime) -> dict:
        token = identity.callback_token(webinar.pk, NAME)
        minutes = math.ceil((webinar.end - now).total_seconds() / 60) + OVERRUN_MINUTES
        title = (webinar.title or "").strip()[:NAME_MAX].ljust(2, ".")
        return {
            "name": title,
            "meetingID": room.room_id,
            # Servers before 2.4 tell roles apart by these; newer ones read `role` on join.
            "attendeePW": _password(room, "VIEWER"),
            "moderatorPW": _password(room, "MODERATOR"),
            "duration": str(max(minutes, OVERRUN_MINUTES)),
            "welcome": _("Welcome to %(title)s.") % {"title": webinar.title},
            "record": "true",
            "autoStartRecording": "false",
            "allowStartStopRecording": "true",
            # Kept for the analytics callback, which reads the meeting's events.
            "meetingKeepEvents": "true",
            "logoutURL": f"{settings.SITE_URL}{webinar.get_absolute_url()}",
            "meta_endCallbackUrl": _callback_url("ended", token),
            "meta_analytics-callback-url": _callback_url("analytics", token),
            "meta_bbb-recording-ready-url": _callback_url("recording", token),
        }

    def ensure_room(self, room, webinar, now) -> None:
        room.room_id = room.room_id or identity.room_key(webinar.uid)
        self._call("create", self.create_params(room, webinar, now))
        room.ended_at = None

    def join_url(self, room, webinar, participant: Participant, now) -> str:
        role = "MODERATOR" if participant.is_host else "VIEWER"
        return signed_url(
            "join",
            {
                "fullName": participant.name[:NAME_MAX].ljust(2, "."),
                "meetingID": room.room_id,
                "role": role,
                "password": _password(room, role),
                "userID": participant.user_id,
                "redirect": "true",
            },
        )

    def sync(self, room, webinar, now) -> None:
        if not room.room_id or room.created_at is None:
            return  # never created: the next join creates it with the webinar as it is now
        if webinar.is_cancelled:
            self._call("end", {"meetingID": room.room_id}, harmless=("notFound",))
            room.ended_at = now
            return
        running = self._call("isMeetingRunning", {"meetingID": room.room_id})
        if _text(running, "running") != "true":
            # Created ahead with the old time or title: ended now, the next join creates it anew.
            self._call("end", {"meetingID": room.room_id}, harmless=("notFound",))
            room.created_at = None

    def fetch_recording(self, room, webinar, now) -> str | None:
        if not room.room_id:
            return None
        root = self._call("getRecordings", {"meetingID": room.room_id})
        best = None
        for recording in root.iter("recording"):
            if _text(recording, "published") != "true" or _text(recording, "meetingID") not in (
                "",
                room.room_id,
            ):
                continue
            formats = {
                _text(f, "type"): _text(f, "url")
                for f in recording.iter("format")
                if _text(f, "url")
            }
            url = (
                formats.get("video")
                or formats.get("presentation")
                or next(iter(formats.values()), "")
            )
            started = _text(recording, "startTime")
            if url and (best is None or started > best[0]):
                best = (started, url)
        return best[1] if best else None

    def read_callback(self, request, kind: str, token: str) -> Report | HttpResponse:
        webinar_pk = identity.webinar_from_callback_token(token, NAME)
        if webinar_pk is None:
            return HttpResponseForbidden("bad token")
        if kind == "ended":
            return Report(
                webinar_pk,
                kind,
                room_id=request.GET.get("meetingID", "")[:200],
                ended=True,
                fetch_recording=request.GET.get("recordingmarks") == "true",
            )
        if request.method != "POST":
            return HttpResponse("POST only", status=405)
        if kind == "recording":
            return self._recording_ready(request, webinar_pk)
        if kind == "analytics":
            return self._analytics(request, webinar_pk)
        return super().read_callback(request, kind, token)

    def _recording_ready(self, request, webinar_pk: int) -> Report | HttpResponse:
        try:
            claims = jwt.decode(
                request.POST.get("signed_parameters", ""),
                settings.BBB_SECRET,
                algorithms=["HS256"],
                options={"require": ["meeting_id"]},
            )
        except jwt.PyJWTError:
            # BigBlueButton reads a 401 as "the shared secret does not match".
            return HttpResponse("bad signed_parameters", status=401)
        return Report(
            webinar_pk,
            "recording",
            room_id=str(claims["meeting_id"])[:200],
            fetch_recording=True,
            fetch_now=True,
        )

    def _analytics(self, request, webinar_pk: int) -> Report | HttpResponse:
        bearer = request.headers.get("Authorization", "")
        if bearer:
            # BigBlueButton signs an expiry with the shared secret (HS512); the token in the
            # address already says the call is BigBlueButton's, this checks it once more.
            try:
                jwt.decode(
                    bearer.removeprefix("Bearer ").strip(),
                    settings.BBB_SECRET,
                    algorithms=["HS512", "HS384", "HS256"],
                    options={"require": ["exp"]},
                )
            except jwt.PyJWTError:
                return HttpResponse("bad bearer token", status=401)
        try:
            payload = json.loads(request.body)
            attendees = payload["data"]["attendees"]
            room_id = str(payload.get("meeting_id", ""))[:200]
            joined = {
                str(person["ext_user_id"]): _first_join(person.get("joins"))
                for person in attendees
                if isinstance(person, dict) and person.get("ext_user_id")
            }
        except (ValueError, KeyError, TypeError):
            return HttpResponseBadRequest("expected BigBlueButton's analytics JSON")
        return Report(webinar_pk, "analytics", room_id=room_id, joined=joined)


def _first_join(joins) -> datetime | None:
    moments = []
    for value in joins if isinstance(joins, list) else []:
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            if moment.tzinfo is not None:
                moments.append(moment)
    return min(moments) if moments else None
