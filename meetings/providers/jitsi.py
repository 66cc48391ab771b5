"""Jitsi Meet: a room whose unguessable name (160 random bits) is the webinar's secret.

The site calls nothing at Jitsi. Without an app secret, the room's address is only ever given to
confirmed registrants (and hosts) through their personal join link. With JITSI_APP_ID and
JITSI_APP_SECRET (a server with token authentication), each join address carries a short-lived
HS256 JWT as Jitsi's token authentication reads it: aud "jitsi", iss the app id, sub the
server's domain, room, exp, context.user (name, id) and the moderator flag for hosts.
"""

import base64
import json
import secrets
from datetime import timedelta
from urllib.parse import quote, urlsplit

import jwt
from django.conf import settings

from meetings.providers.base import Participant, Provider
from webinars.models import MeetingProvider

# A token lets its holder in until a little after the end, never longer than this.
TOKEN_AFTER_END = timedelta(minutes=15)
TOKEN_LONGEST = timedelta(hours=12)


def new_room_name() -> str:
    # Lower case only: Jitsi treats room names case-insensitively.
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").lower()


class Jitsi(Provider):
    name = MeetingProvider.JITSI.value
    label = "Jitsi Meet"

    def is_configured(self) -> bool:
        return bool(settings.JITSI_URL)

    def ensure_room(self, room, webinar, now) -> None:
        room.room_id = room.room_id or new_room_name()
        room.ended_at = None

    def join_url(self, room, webinar, participant: Participant, now) -> str:
        url = f"{settings.JITSI_URL}/{quote(room.room_id)}"
        if settings.JITSI_APP_ID and settings.JITSI_APP_SECRET:
            url += f"?jwt={self.token(room, webinar, participant, now)}"
        # The name is filled in for the person; the fragment (JSON values, as Jitsi reads its
        # config overrides) never reaches the server.
        return f"{url}#userInfo.displayName={quote(json.dumps(participant.name), safe='')}"

    def token(self, room, webinar, participant: Participant, now) -> str:
        expires = min(webinar.end + TOKEN_AFTER_END, now + TOKEN_LONGEST)
        claims = {
            "aud": "jitsi",
            "iss": settings.JITSI_APP_ID,
            "sub": urlsplit(settings.JITSI_URL).hostname or "",
            "room": room.room_id,
            "nbf": int((now - timedelta(minutes=1)).timestamp()),
            "exp": int(max(expires, now + timedelta(minutes=5)).timestamp()),
            "context": {
                "user": {
                    "name": participant.name,
                    "id": participant.user_id,
                    # Both spellings: Jitsi's token module reads this one, newer set-ups the
                    # top-level claim below.
                    "moderator": participant.is_host,
                },
            },
            "moderator": participant.is_host,
        }
        return jwt.encode(claims, settings.JITSI_APP_SECRET, algorithm="HS256")
