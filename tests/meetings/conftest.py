"""A fake BigBlueButton for each test that wants one, and webinars that use it."""

from datetime import timedelta
from urllib.request import urlopen

import pytest
from django.utils import timezone

from tests import fake_zoom
from tests.factories import make_registration, make_webinar
from tests.fake_bbb import FakeBigBlueButton
from tests.fake_zoom import FakeZoom


@pytest.fixture
def bbb(settings):
    fake = FakeBigBlueButton().start()
    settings.BBB_API_URL = fake.api_url
    settings.BBB_SECRET = fake.secret
    settings.BBB_CHECKSUM = "sha1"
    settings.MEETING_TIMEOUT_SECONDS = 2
    yield fake
    fake.stop()


@pytest.fixture
def bbb_webinar(db, bbb):
    """Starts in ten minutes: its join window is open."""
    return make_webinar(
        slug="bbb-webinar",
        title="Cobalt supply chains",
        meeting_provider="bigbluebutton",
        start=timezone.now() + timedelta(minutes=10),
    )


@pytest.fixture
def confirmed(bbb_webinar):
    return make_registration(bbb_webinar, status="confirmed", name="Ada Lovelace")


def join_as_browser(url: str) -> bytes:
    """What a person's browser does with a join URL: open it at the provider."""
    with urlopen(url, timeout=5) as answer:  # noqa: S310 (the fake on 127.0.0.1)
        return answer.read()


@pytest.fixture
def zoom(settings):
    fake = FakeZoom().start()
    settings.ZOOM_ACCOUNT_ID = fake.account
    settings.ZOOM_CLIENT_ID = fake_zoom.CLIENT_ID
    settings.ZOOM_CLIENT_SECRET = fake_zoom.CLIENT_SECRET
    settings.ZOOM_WEBHOOK_SECRET = fake_zoom.WEBHOOK_SECRET
    settings.ZOOM_API_URL = f"{fake.url}/v2"
    settings.ZOOM_OAUTH_URL = f"{fake.url}/oauth/token"
    settings.ZOOM_USE_WEBINARS = False
    settings.MEETING_TIMEOUT_SECONDS = 2
    yield fake
    fake.stop()


@pytest.fixture
def zoom_webinar(db, zoom):
    """Starts in ten minutes: its join window is open."""
    return make_webinar(
        slug="zoom-webinar",
        title="Lithium refining",
        meeting_provider="zoom",
        start=timezone.now() + timedelta(minutes=10),
    )
