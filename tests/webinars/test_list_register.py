"""The "Register" button on the calendar's cards."""

import re
from datetime import timedelta

from django.utils import timezone

from tests.factories import make_registration, make_series, make_webinar


def register_links(content: bytes) -> list[tuple[str, str]]:
    """(href, accessible text) of each card's register button."""
    html = content.decode()
    found = re.findall(
        r'<p class="webinar-item__register"><a class="button" href="([^"]+)">(.*?)</a>', html
    )
    return [(href, re.sub(r"<[^>]+>", "", text)) for href, text in found]


def test_open_webinars_have_a_register_button_named_with_their_title(client, db):
    now = timezone.now()
    make_webinar(title="Copper", slug="copper", start=now + timedelta(days=3))
    full = make_webinar(title="Cobalt", slug="cobalt", start=now + timedelta(days=5), capacity=1)
    make_registration(full)
    make_webinar(title="Closed", slug="closed", start=now + timedelta(days=6),
                 registration_closes=now - timedelta(hours=1))  # fmt: skip
    make_webinar(title="Cancelled", slug="off", start=now + timedelta(days=7), status="cancelled")
    make_webinar(title="Over", slug="over", start=now - timedelta(days=7))

    links = register_links(client.get("/").content)

    assert links == [
        ("/webinars/copper/register/", "Register: Copper"),
        ("/webinars/cobalt/register/", "Join the waiting list: Cobalt"),
    ]


def test_series_page_cards_have_the_button_too(client, db):
    series = make_series(slug="metals")
    make_webinar(title="Copper", slug="copper", series=series)

    links = register_links(client.get("/series/metals/").content)

    assert links == [("/webinars/copper/register/", "Register: Copper")]
