"""Rate limits count a client's network: one IPv6 connection (a /64) is one client."""

import pytest
from django.test import Client

from tests.config.run_manage import run_manage
from tests.factories import make_series, make_webinar
from webinars.models import Registration

ONE_64 = ["2001:db8:1:2::1", "2001:db8:1:2::beef", "2001:db8:1:2:ffff:ffff:ffff:fffe"]
OTHER_64 = "2001:db8:1:3::1"


def visitor(settings, **meta):
    return Client(headers={"Origin": settings.SITE_URL}, **meta)


def register(settings, webinar, n, **meta):
    return visitor(settings, **meta).post(
        f"/webinars/{webinar.slug}/register/",
        {"name": "Ada", "email": f"p{n}@example.org", "consent": "on"},
    )


@pytest.fixture
def webinar(db):
    return make_webinar(capacity=100)


def test_registrations_from_one_ipv6_64_share_one_limit(settings, webinar):
    settings.REGISTRATION_RATE_LIMIT = 2
    answers = [
        register(settings, webinar, n, REMOTE_ADDR=address) for n, address in enumerate(ONE_64)
    ]

    assert [r.status_code for r in answers] == [302, 302, 429]
    assert Registration.objects.count() == 2


def test_another_ipv6_64_has_its_own_limit(settings, webinar):
    settings.REGISTRATION_RATE_LIMIT = 2
    for n, address in enumerate(ONE_64[:2]):
        register(settings, webinar, n, REMOTE_ADDR=address)

    assert register(settings, webinar, 9, REMOTE_ADDR=OTHER_64).status_code == 302
    assert register(settings, webinar, 10, REMOTE_ADDR=ONE_64[2]).status_code == 429


def test_ipv4_clients_are_counted_per_address(settings, webinar):
    settings.REGISTRATION_RATE_LIMIT = 1
    assert register(settings, webinar, 1, REMOTE_ADDR="192.0.2.1").status_code == 302
    assert register(settings, webinar, 2, REMOTE_ADDR="192.0.2.2").status_code == 302
    assert register(settings, webinar, 3, REMOTE_ADDR="192.0.2.1").status_code == 429


def test_the_ipv6_prefix_is_configurable(settings, webinar):
    settings.REGISTRATION_RATE_LIMIT = 1
    settings.RATE_LIMIT_IPV6_PREFIX = 48
    assert register(settings, webinar, 1, REMOTE_ADDR="2001:db8:1:2::1").status_code == 302
    # Another /64, the same /48.
    assert register(settings, webinar, 2, REMOTE_ADDR="2001:db8:1:9::1").status_code == 429
    assert register(settings, webinar, 3, REMOTE_ADDR="2001:db8:2::1").status_code == 302


def test_forwarded_ipv6_addresses_are_counted_per_64(settings, webinar):
    settings.REGISTRATION_RATE_LIMIT = 2
    settings.RATE_LIMIT_PROXY_COUNT = 1
    answers = [
        # The proxy appends the address it saw; what the client wrote before it is not trusted.
        register(
            settings, webinar, n, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, {a}"
        )
        for n, a in enumerate(ONE_64)
    ]
    other = register(
        settings, webinar, 9, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"[{OTHER_64}]"
    )

    assert [r.status_code for r in answers] == [302, 302, 429]
    assert other.status_code == 302


def test_follow_requests_from_one_ipv6_64_share_the_limit(settings, db):
    settings.REGISTRATION_RATE_LIMIT = 2
    series = make_series(slug="soil")
    make_webinar(series=series)
    answers = [
        visitor(settings, REMOTE_ADDR=address).post(
            "/series/soil/follow/", {"email": f"f{n}@example.org"}
        )
        for n, address in enumerate(ONE_64)
    ]
    other = visitor(settings, REMOTE_ADDR=OTHER_64).post(
        "/series/soil/follow/", {"email": "g@example.org"}
    )

    assert [r.status_code for r in answers] == [302, 302, 429]
    assert other.status_code == 302


def test_api_reads_from_one_ipv6_64_share_the_limit(settings, webinar):
    settings.API_RATE_LIMIT = 2
    answers = [Client(REMOTE_ADDR=a).get("/api/webinars").status_code for a in ONE_64]

    assert answers == [200, 200, 429]
    assert Client(REMOTE_ADDR=OTHER_64).get("/api/webinars").status_code == 200
    # The IPv4 form of an IPv4 client's address counts as that address.
    Client(REMOTE_ADDR="192.0.2.7").get("/api/webinars")
    Client(REMOTE_ADDR="192.0.2.7").get("/api/webinars")
    assert Client(REMOTE_ADDR="::ffff:192.0.2.7").get("/api/webinars").status_code == 429


@pytest.mark.parametrize("value", ["0", "129", "sixty-four"])
def test_a_bad_ipv6_prefix_stops_start_up_with_one_line(value):
    result = run_manage("check", DEBUG="on", RATE_LIMIT_IPV6_PREFIX=value)

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"RATE_LIMIT_IPV6_PREFIX={value}"), lines
