"""Django's Redis cache, failing fast: a Redis that hangs or is down costs a request at most one
short timeout, and the requests after it none.

Every caller of the cache already carries on without it (pages render, saves and
registrations go through); what a frozen Redis took away was time: each call waited for the
operating system to give up. Here each call waits at most CACHE_SOCKET_TIMEOUT (settings), and
after a failure every call in this process fails at once for CACHE_RETRY_SECONDS, after which
one call tries Redis again.
"""

import functools
import time

from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# Per process and Redis address, shared by the threads' cache objects: monotonic time until
# which Redis is skipped.
_skip_until: dict[str, float] = {}


class CacheSkipped(RedisConnectionError):
    """Redis failed a moment ago: not asked again until CACHE_RETRY_SECONDS have passed."""


def _guarded(method):
    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        address = self._fail_fast_address
        if time.monotonic() < _skip_until.get(address, 0.0):
            raise CacheSkipped(f"Redis at {address} failed recently; skipped")
        try:
            return method(self, *args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError, OSError):
            _skip_until[address] = time.monotonic() + settings.CACHE_RETRY_SECONDS
            raise

    return guarded


class FailFastRedisCache(RedisCache):
    """RedisCache whose calls fail at once while Redis is known to be failing (see above)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        # The LOCATION setting as Django hands every cache backend its own (a string of
        # comma-separated addresses, or a list of them).
        self._fail_fast_address = server if isinstance(server, str) else ",".join(server)


for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(FailFastRedisCache, _name, _guarded(getattr(RedisCache, _name)))
