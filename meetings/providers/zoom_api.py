"""Zoom's REST API through a Server-to-Server OAuth app.

The access token comes from `ZOOM_OAUTH_URL?grant_type=account_credentials&account_id=...`
with HTTP Basic client id and secret, and lives about an hour (`expires_in`). It is kept in the
cache (keyed by account, dropped a minute before it expires), never in the database or a page;
a 401 from the API (revoked, rotated) fetches a fresh one once and repeats the call.
"""

import base64
import hashlib
import json
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache

from meetings import remote

# Dropped this long before Zoom says it expires, so no call carries a token about to lapse.
TOKEN_MARGIN_SECONDS = 60
WHAT = "Zoom"


def token_cache_key() -> str:
    account = f"{settings.ZOOM_ACCOUNT_ID}:{settings.ZOOM_CLIENT_ID}"
    return f"meetings:zoom:token:{hashlib.sha256(account.encode()).hexdigest()[:24]}"


def _new_token() -> str:
    query = urlencode({"grant_type": "account_credentials", "account_id": settings.ZOOM_ACCOUNT_ID})
    pair = f"{settings.ZOOM_CLIENT_ID}:{settings.ZOOM_CLIENT_SECRET}".encode()
    answer = remote.call(
        f"{settings.ZOOM_OAUTH_URL}?{query}",
        method="POST",
        data=b"",
        headers={"Authorization": f"Basic {base64.b64encode(pair).decode('ascii')}"},
        what="Zoom's sign-in (OAuth)",
    )
    try:
        body = json.loads(answer.body)
        token, lifetime = str(body["access_token"]), int(body.get("expires_in", 3600))
    except (ValueError, KeyError, TypeError) as error:
        raise remote.ProviderError("Zoom's sign-in (OAuth) answered without a token") from error
    if lifetime > TOKEN_MARGIN_SECONDS:
        cache.set(token_cache_key(), token, lifetime - TOKEN_MARGIN_SECONDS)
    return token


def _token() -> str:
    return cache.get(token_cache_key()) or _new_token()


def request(method: str, path: str, payload: dict | None = None) -> dict:
    """Zoom's JSON answer to one call ({} for 204), ProviderError otherwise (its `status` says
    which, e.g. 404 for a meeting that is gone)."""
    data = None if payload is None else json.dumps(payload).encode()
    for attempt in (1, 2):
        headers = {"Authorization": f"Bearer {_token()}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        try:
            answer = remote.call(
                f"{settings.ZOOM_API_URL}{path}",
                method=method,
                data=data,
                headers=headers,
                what=WHAT,
            )
            break
        except remote.ProviderError as error:
            if error.status != 401 or attempt == 2:
                raise
            cache.delete(token_cache_key())
    if not answer.body.strip():
        return {}
    try:
        body = json.loads(answer.body)
    except ValueError as error:
        raise remote.ProviderError(f"Zoom's answer to {method} is not JSON") from error
    if not isinstance(body, dict):
        raise remote.ProviderError(f"Zoom's answer to {method} is not an object")
    return body
