"""A frozen Redis (SIGSTOP: connections accepted, nothing answered) slows requests a little,
never stalls them: short socket timeouts, then Redis skipped for a moment."""

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
from redis.exceptions import TimeoutError as RedisTimeoutError

from tests.factories import make_webinar
from webinars import cache_backends
from webinars.models import Registration

# They time real waits: alone, not beside other tests (tests/conftest.py).
pytestmark = [
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
    pytest.mark.serial,
]


# The ports this suite's own servers may take (kept apart from other services on the machine).
PORTS = range(
    int(os.environ.get("TEST_PORT_FIRST", 18100)), int(os.environ.get("TEST_PORT_LAST", 18199)) + 1
)


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port for redis-server")


@pytest.fixture
def frozen_redis(settings, tmp_path):
    """A redis-server of the test's own, the cache pointed at it; .freeze() / .thaw() it."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 (a fixed local tool)
        [  # noqa: S607 (redis-server is found on PATH on purpose)
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    settings.CACHE_RETRY_SECONDS = 0.5
    settings.CACHES = {
        "default": {
            "BACKEND": "webinars.cache_backends.FailFastRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "frozen-test",
            "OPTIONS": {
                "socket_timeout": 0.25,
                "socket_connect_timeout": 0.25,
                "retry_on_timeout": False,
            },
        }
    }

    class Redis:
        def freeze(self):
            os.kill(process.pid, signal.SIGSTOP)

        def thaw(self):
            os.kill(process.pid, signal.SIGCONT)

    try:
        yield Redis()
    finally:
        os.kill(process.pid, signal.SIGCONT)
        process.terminate()
        process.wait(timeout=10)
        cache_backends._skip_until.clear()


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_requests_answer_quickly_while_redis_is_frozen(client, db, frozen_redis, settings):
    webinar = make_webinar(title="Copper", capacity=100)
    assert client.get("/")["X-Page-Cache"] == "miss"
    assert client.get("/")["X-Page-Cache"] == "hit"

    frozen_redis.freeze()
    timings = []
    for n in range(5):
        for path in ["/", f"/webinars/{webinar.slug}/", f"/webinars/{webinar.slug}/register/"]:
            response, seconds = _timed(lambda p=path: client.get(p))
            assert response.status_code == 200
            assert "X-Page-Cache" not in response  # rendered, not stored
            timings.append(seconds)
        response, seconds = _timed(
            lambda n=n: client.post(
                f"/webinars/{webinar.slug}/register/",
                {"name": "Ada", "email": f"ada{n}@example.org", "consent": "on"},
            )
        )
        assert response.status_code == 302
        timings.append(seconds)

    # The first call waits one socket timeout; the calls after it skip Redis at once.
    assert max(timings) < 1.0, timings
    assert sum(timings) < 3.0, timings
    assert Registration.objects.count() == 5

    frozen_redis.thaw()
    time.sleep(settings.CACHE_RETRY_SECONDS + 0.1)
    # Back to Redis: the copy stored before the freeze is still current (no seat state moved).
    assert client.get("/")["X-Page-Cache"] == "hit"


def test_after_a_failure_the_cache_skips_redis_without_waiting(db, frozen_redis):
    from django.core.cache import cache

    cache.set("k", "v")
    frozen_redis.freeze()

    _, first = _timed(lambda: pytest.raises(RedisTimeoutError, cache.get, "k"))
    _, second = _timed(lambda: pytest.raises(cache_backends.CacheSkipped, cache.get, "k"))

    assert 0.2 < first < 0.9
    assert second < 0.05
