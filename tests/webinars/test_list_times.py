"""List cards carry what localtime.js needs to lead with the visitor's day, and the footers
say what the pages do with time zones."""

from datetime import UTC, datetime

from tests.factories import make_webinar
from tests.html import text_of


def test_date_blocks_carry_the_start_for_the_visitors_day(client, db):
    make_webinar(
        slug="late",
        start=datetime(2099, 6, 10, 0, 30, tzinfo=UTC),
        time_zone="Europe/Brussels",
    )

    html = client.get("/").content.decode()
    embed = client.get("/embed/").content.decode()

    block = '<p class="date-block" aria-hidden="true" data-start="2099-06-10T02:30:00+02:00">'
    assert block in html
    assert block in embed


def test_footers_no_longer_say_every_time_is_in_the_webinars_zone(client, db):
    make_webinar(slug="copper")

    for path in ("/", "/webinars/copper/", "/embed/"):
        text = text_of(client.get(path))
        assert "Times are shown in each webinar's own time zone." not in text, path
        assert "your browser adds your own where it differs" in text, path
