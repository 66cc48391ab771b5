"""Making API tokens and finding the one a request presents (`Authorization: Bearer <token>`).

A token is `wbt_` and 32 random bytes (base64url). It is found by its first characters (not
secret enough to matter alone, and kept readable for admin), then its SHA-256 digest is
compared in constant time. The last use is written at most once a minute, not on every request.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from api.models import ApiToken
from series.access import organised_series, organises_all_series, series_q
from series.models import Series

TOKEN_PREFIX = "wbt_"  # noqa: S105 (a marker that names the kind of secret)
SHOWN_LENGTH = 12  # the prefix and 8 random characters (48 bits): ApiToken.prefix
TOKEN_BYTES = 32
LAST_USE_EVERY = timedelta(minutes=1)
# Longer than any token this site makes: anything longer is refused before it is hashed.
MAX_LENGTH = 100
_UNSET = object()


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, user, name: str, series=(), can_write=False, expires_at=None):
    """A new token for `user`: (the row, the token itself, which is not kept anywhere)."""
    token = ApiToken(user=user, name=name, can_write=can_write, expires_at=expires_at)
    raw = issue(token)
    token.save()
    token.series.set(series)
    return token, raw


def issue(token: ApiToken) -> str:
    """Give an unsaved token its secret (its prefix and digest); returns the token itself."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    token.prefix = raw[:SHOWN_LENGTH]
    token.digest = digest_of(raw)
    return raw


def bearer(request) -> str | None:
    """The token of an `Authorization: Bearer` header, or None for none or another scheme."""
    scheme, _space, value = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def presented_token(request, now: datetime | None = None) -> ApiToken | None:
    """The usable token the request presents, or None; looked up once per request."""
    found = getattr(request, "_api_token", _UNSET)
    if found is _UNSET:
        found = find(bearer(request), now or timezone.now())
        request._api_token = found
    return found


def find(raw: str | None, now: datetime) -> ApiToken | None:
    if not raw or len(raw) > MAX_LENGTH or not raw.startswith(TOKEN_PREFIX):
        return None
    digest = digest_of(raw)
    candidates = (
        ApiToken.objects.usable(now)
        .filter(prefix=raw[:SHOWN_LENGTH])
        .select_related("user")
        .prefetch_related("series")
    )
    for token in candidates:
        if hmac.compare_digest(token.digest, digest):
            _note_use(token, now)
            return token
    return None


def _note_use(token: ApiToken, now: datetime) -> None:
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def scope_q(token: ApiToken, path: str = "series") -> Q:
    """Rows (whose series is reached by `path`) the token may see: those its user organises
    (series.access.series_q), within the token's series when it names any."""
    allowed = series_q(token.user, path)
    scope = [series.pk for series in token.series.all()]
    if scope:
        allowed &= Q(**{f"{path}__in": scope})
    return allowed


def scope_series(token: ApiToken):
    """The series the token may see: organised_series of its user, within its own series."""
    allowed = organised_series(token.user)
    scope = [series.pk for series in token.series.all()]
    return allowed.filter(pk__in=scope) if scope else allowed


def in_scope(token: ApiToken, series: Series | None) -> bool:
    """Whether the token may act on `series` (None: a webinar without a series)."""
    if series is None:
        return not token.series.all() and organises_all_series(token.user)
    return scope_series(token).filter(pk=series.pk).exists()
