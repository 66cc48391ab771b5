"""The month grid at /calendar/<yyyy>/<mm>/."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_series, make_webinar
from tests.html import text_of
from webinars.models import Webinar

NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")


def day_of(response, day: int) -> list[str]:
    """Titles the grid shows on that day of the month."""
    for week in response.context["weeks"]:
        for cell in week:
            if cell.in_month and cell.date.day == day:
                return [w.title for w in cell.webinars]
    raise AssertionError(f"day {day} not in the grid")


def test_webinar_at_23_30_in_new_york_is_on_its_own_day(client, db, settings):
    settings.TIME_ZONE = "Europe/Brussels"
    make_webinar(
        title="Late in New York",
        start=datetime(2026, 1, 15, 23, 30, tzinfo=NEW_YORK),  # 16 January, 04:30 UTC
        time_zone="America/New_York",
    )

    response = client.get("/calendar/2026/01/")

    assert response.status_code == 200
    assert day_of(response, 15) == ["Late in New York"]
    assert day_of(response, 16) == []
    html = response.content.decode()
    cell = re.search(r'<td class="month-grid__day has-webinars[^"]*">(.*?)</td>', html, re.S).group(
        1
    )
    assert 'Thursday </span><span class="month-grid__number">15<' in cell
    assert '<time datetime="2026-01-15T23:30:00-05:00">23:30–01:00 EST</time>' in cell
    assert "Late in New York</a>" in cell


def test_webinar_early_in_tokyo_belongs_to_the_next_month(client, db):
    make_webinar(
        title="Early in Tokyo",
        start=datetime(2026, 2, 1, 0, 30, tzinfo=TOKYO),  # 31 January, 15:30 UTC
        time_zone="Asia/Tokyo",
    )

    january = client.get("/calendar/2026/01/")
    february = client.get("/calendar/2026/02/")

    assert day_of(january, 31) == []
    assert "No webinars in January 2026." in text_of(january)
    assert day_of(february, 1) == ["Early in Tokyo"]
    assert "1 webinar in February 2026." in text_of(february)


@pytest.mark.parametrize(("year", "days"), [("2024", 29), ("2023", 28), ("2000", 29), ("1900", 28)])
def test_february_of_leap_and_common_years(client, db, year, days):
    response = client.get(f"/calendar/{year}/02/")

    assert response.status_code == 200
    in_month = [cell.date for week in response.context["weeks"] for cell in week if cell.in_month]
    assert in_month[0] == date(int(year), 2, 1)
    assert in_month[-1] == date(int(year), 2, days)
    assert len(in_month) == days
    assert all(len(week) == 7 for week in response.context["weeks"])
    assert f"<caption>February {year}</caption>" in response.content.decode()


def test_grid_is_an_accessible_table_with_month_links(client, db):
    response = client.get("/calendar/2020/10/")

    html = response.content.decode()
    assert "<h1>Webinars in October 2020</h1>" in html
    assert '<table class="month-grid">' in html
    assert "<caption>October 2020</caption>" in html
    assert html.count('<th scope="col">') == 7
    assert '<th scope="col"><abbr title="Monday">Mon</abbr></th>' in html
    assert '<a href="/calendar/2020/09/" rel="prev">Previous month: September 2020</a>' in html
    assert '<a href="/calendar/2020/11/" rel="next">Next month: November 2020</a>' in html
    assert '<link rel="stylesheet" href="/static/css/calendar.css">' in html
    # October 2020 starts on a Thursday: the first row opens with three empty cells.
    first_row = response.context["weeks"][0]
    assert [cell.date for cell in first_row] == [None, None, None] + [
        date(2020, 10, day) for day in range(1, 5)
    ]
    assert html.count('<td class="month-grid__day is-outside">') == 3 + 1  # 1 at the end


def test_grid_shows_the_seed_webinars_and_wraps_the_year(client, seed):
    response = client.get("/calendar/2020/10/")
    december = client.get("/calendar/2020/12/")

    assert day_of(response, 1) == [
        "Artisanal and Small-scale Mining as part of a Fair Global Supply Chain"
    ]
    assert day_of(response, 2) == [
        "Trade Union Rights in the Global Electronics Industry: the Case of Indonesia"
    ]
    assert "2 webinars in October 2020." in text_of(response)
    assert '<a href="/calendar/2021/01/" rel="next">Next month: January 2021</a>' in (
        december.content.decode()
    )


def test_grid_hides_unpublished_and_marks_cancelled(client, db):
    start = datetime(2026, 5, 5, 10, tzinfo=ZoneInfo("Europe/Brussels"))
    make_webinar(title="Draft", start=start, is_published=False)
    make_webinar(title="Called off", start=start, status=Webinar.Status.CANCELLED)

    response = client.get("/calendar/2026/05/")

    assert day_of(response, 5) == ["Called off"]
    assert "Draft" not in text_of(response)
    assert "Called off Cancelled" in text_of(response)


@pytest.mark.parametrize(
    "path",
    [
        "/calendar/2020/13/",
        "/calendar/2020/00/",
        "/calendar/0000/05/",
        "/calendar/99999/01/",
        "/calendar/2020/1/",
        "/calendar/abcd/01/",
        "/calendar/2020/-1/",
    ],
)
def test_invalid_months_are_404(client, db, path):
    assert client.get(path).status_code == 404


def test_first_and_last_possible_months_have_no_link_beyond(client, db):
    first = client.get("/calendar/0001/01/")
    last = client.get("/calendar/9999/12/")

    assert first.status_code == last.status_code == 200
    assert first.context["previous"] is None
    assert 'rel="prev"' not in first.content.decode()
    assert last.context["next"] is None
    assert 'rel="next"' not in last.content.decode()


def test_calendar_without_month_shows_this_month(client, db):
    today = timezone.localdate()

    response = client.get("/calendar/")

    assert response.status_code == 302
    assert response["Location"] == f"/calendar/{today.year:04d}/{today.month:02d}/"


def test_calendar_page_links_to_this_months_grid(client, db):
    today = timezone.localdate()

    response = client.get("/")

    assert f'<a href="/calendar/{today.year:04d}/{today.month:02d}/">Month view</a>' in (
        response.content.decode()
    )


def test_today_is_marked(client, db):
    today = timezone.localdate()

    response = client.get(f"/calendar/{today.year:04d}/{today.month:02d}/")

    assert response.content.decode().count('aria-current="date"') == 1


def test_month_query_count_does_not_grow_with_webinars(client, db):
    counts = []
    for size in (1, 30):
        Webinar.objects.all().delete()
        series = make_series()
        start = datetime(2026, 6, 1, 9, tzinfo=ZoneInfo("Europe/Brussels"))
        for n in range(size):
            make_webinar(series=series, start=start + timedelta(hours=n * 20))
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/calendar/2026/06/")
        assert response.context["count"] == size
        counts.append(len(queries))

    # The month's webinars, and the first month after it that has any.
    assert counts[0] == counts[1] == 2


def test_month_marks_past_days_and_today_in_words(client, db):
    today = timezone.localdate()

    response = client.get(f"/calendar/{today.year:04d}/{today.month:02d}/")

    days = [d for week in response.context["weeks"] for d in week if d.in_month]
    assert [d.date for d in days if d.is_past] == [d.date for d in days if d.date < today]
    html = response.content.decode()
    assert html.count('<strong class="month-grid__today">Today</strong>') == 1
    assert html.count(" is-past") == today.day - 1


def test_month_jumps_over_empty_months_to_the_next_webinars_and_back_to_today(client, db):
    make_webinar(
        title="Far ahead", start=datetime(2027, 3, 1, 0, 30, tzinfo=TOKYO), time_zone="Asia/Tokyo"
    )
    make_webinar(title="Also ahead", start=datetime(2027, 5, 4, 10, tzinfo=NEW_YORK))

    text = text_of(client.get("/calendar/2026/01/"))
    this_month = timezone.localdate().strftime("%B %Y")

    # 1 March 00:30 in Tokyo is still February in UTC: placed in March, like the grid does.
    assert "Next month: February 2026" in text
    assert "Next webinars: March 2027" in text
    assert f"Back to today: {this_month}" in text


def test_month_offers_no_jump_when_the_next_month_has_webinars(client, db):
    today = timezone.localdate()
    following = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    # Mid next month, whatever the day today: the next month has webinars.
    make_webinar(
        start=datetime(
            following.year, following.month, 15, 12, tzinfo=timezone.get_current_timezone()
        )
    )

    text = text_of(client.get(f"/calendar/{today.year:04d}/{today.month:02d}/"))

    assert "Next webinars" not in text
    assert "Back to today" not in text
    assert f"Next month: {following:%B %Y}" in text
