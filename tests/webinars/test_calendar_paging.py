"""The calendar lists upcoming webinars in pages, so a busy site's front page stays small."""

from datetime import timedelta

from django.utils import timezone

from tests.factories import make_webinar
from tests.html import text_of


def test_calendar_shows_upcoming_webinars_twenty_at_a_time(client, db):
    now = timezone.now()
    for day in range(1, 26):
        make_webinar(title=f"Upcoming day {day:02d}", start=now + timedelta(days=day))

    first = client.get("/")
    second = client.get("/?upcoming=2")

    first_text, second_text = text_of(first), text_of(second)
    assert [f"Upcoming day {d:02d}" in first_text for d in range(1, 26)] == [True] * 20 + [
        False
    ] * 5
    assert [f"Upcoming day {d:02d}" in second_text for d in range(1, 26)] == [False] * 20 + [
        True
    ] * 5
    assert "Page 1" in first_text and "Page 2" in second_text
    assert '<a href="?upcoming=2" rel="next">Later</a>' in first.content.decode()
    assert '<a href="?upcoming=1" rel="prev">Sooner</a>' in second.content.decode()


def test_calendar_upcoming_page_out_of_range_shows_the_last_page(client, db):
    make_webinar(title="Only one")

    response = client.get("/?upcoming=99")

    assert response.status_code == 200
    assert "Only one" in text_of(response)


def test_calendar_page_numbers_that_are_not_pages_show_a_page(client, db):
    make_webinar(title="Only one")

    for number in ("99999999999999999999999", "-3", "0", "", "abc", "1e5", "9" * 5000):
        response = client.get("/", {"upcoming": number, "page": number})

        assert response.status_code == 200, number
        assert "Only one" in text_of(response)
