"""Names the site gives the people and rooms it sends to a provider, and the signed tokens in
the callback addresses it gives the provider. All derived from SECRET_KEY with a salt of their
own, so none can be guessed from what visitors see (ids, slugs, calendar UIDs)."""

import hashlib
import hmac
import re

from django.conf import settings
from django.core import signing

_USER_ID = re.compile(r"^r(\d{1,18})-([0-9a-f]{16})$")


def _mac(purpose: str, value: str, length: int) -> str:
    key = hashlib.sha256(f"meetings:{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:length]


def registrant_user_id(registration_pk: int) -> str:
    """A registrant's stable id at the provider: not their address, and a provider's report
    that names it leads back to them (registrant_from_user_id) and to no one else."""
    return f"r{registration_pk}-{_mac('user', str(registration_pk), 16)}"


def registrant_from_user_id(user_id: str) -> int | None:
    """The registration pk a provider's user id names, None for anything the site did not give."""
    match = _USER_ID.match(user_id or "")
    if not match or not hmac.compare_digest(match[2], _mac("user", match[1], 16)):
        return None
    return int(match[1])


def host_user_id(key: str) -> str:
    """A host's stable id (an organiser's account, a speaker), never taken for a registrant."""
    return f"h-{_mac('host', key, 20)}"


def room_key(webinar_uid) -> str:
    """A room id derived from the webinar's calendar UID: stable (creating it twice makes one
    meeting) yet unguessable, since the UID itself is public in calendar files."""
    return _mac("room", str(webinar_uid), 32)


def room_password(room_id: str, role: str) -> str:
    """The room's password for a role (BigBlueButton before 2.4 tells roles apart by it)."""
    return _mac(f"password:{role}", room_id, 24)


_CALLBACK_SALT = "meetings.callback"


def callback_token(webinar_pk: int, provider: str) -> str:
    """Goes in the callback addresses the site gives a provider: only it and the site know it."""
    return signing.Signer(salt=f"{_CALLBACK_SALT}:{provider}").sign(str(webinar_pk))


def webinar_from_callback_token(token: str, provider: str) -> int | None:
    try:
        value = signing.Signer(salt=f"{_CALLBACK_SALT}:{provider}").unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None
