"""What an organiser can save always renders: dates within bounds, titles safe for every format."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.factories import make_series, make_webinar, webinar_admin_form
from webinars.mail.kinds import details_message
from webinars.models import Webinar
from webinars.text import one_line, xml_safe

UNSAFE = "Metals\nand\u2028mining\x0bfor\x1call\x01"


def test_one_line_folds_every_line_break_and_drops_what_xml_cannot_carry():
    assert one_line(UNSAFE) == "Metals and mining for all"
    assert one_line("  a\r\n\tb\u2029c\x85d\x0ce ") == "a b c d e"


def test_xml_safe_keeps_line_breaks_and_drops_controls():
    assert xml_safe("a\nb\x0bc\x00d\ufffe") == "a\nbcd"


def test_series_feed_with_a_line_break_in_the_series_title_answers(client, db):
    series = make_series(title="Metals\nand mining", slug="metals", description="One\x0btwo")
    make_webinar(series=series, title="Copper\u2028ore")

    response = client.get("/series/metals/calendar.ics")

    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Metals and mining"
    assert str(calendar["DESCRIPTION"]) == "One\ntwo"
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Copper ore"
    assert [str(c) for c in event["CATEGORIES"].cats] == ["Metals and mining"]


@pytest.mark.parametrize("path", ["/feed/", "/feed/atom/"])
def test_news_feeds_with_control_characters_in_titles_are_valid_xml(client, db, path):
    series = make_series(title="Metals\x0bSeries", slug="metals")
    make_webinar(series=series, title=UNSAFE, description="Para\x01graph")

    response = client.get(path)

    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 (our own output)
    titles = [el.text for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "title"]
    assert any(t and t.startswith("Metals and mining for all (") for t in titles)


def test_site_calendar_with_unsafe_titles_answers(client, db):
    make_webinar(title=UNSAFE, location="Room\n1")

    response = client.get("/calendar.ics")

    assert response.status_code == 200
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Metals and mining for all"
    assert str(event["LOCATION"]) == "Room 1"


def test_mail_subject_of_a_title_with_separators_is_one_line(db):
    webinar = make_webinar(title="Copper\u2028ore\x0bday")
    registration = webinar.registrations.create(name="Ada", email="ada@example.org")

    message = details_message(registration)

    assert message.subject == "Registered: Copper ore day"
    assert "\n" not in message.message()["Subject"]


@pytest.mark.parametrize(
    "moment",
    [datetime(1, 1, 1, 10, tzinfo=UTC), datetime(9999, 12, 1, 10, tzinfo=UTC)],
    ids=["year-1", "year-9999"],
)
def test_webinar_far_outside_the_years_is_refused_by_full_clean(db, moment):
    webinar = Webinar(title="Typo", slug="typo", start=moment, end=moment.replace(hour=11))

    with pytest.raises(ValidationError) as refused:
        webinar.full_clean()

    assert refused.value.message_dict["start"] == ["Please enter a date between 1990 and 2099."]
    assert refused.value.message_dict["end"] == ["Please enter a date between 1990 and 2099."]


@pytest.mark.parametrize(
    "moment",
    [datetime(1, 1, 1, 10, tzinfo=UTC), datetime(9999, 12, 1, 10, tzinfo=UTC)],
    ids=["year-1", "year-9999"],
)
def test_webinar_far_outside_the_years_is_refused_by_the_database(db, moment):
    with pytest.raises(IntegrityError), transaction.atomic():
        Webinar.objects.create(title="Typo", slug="typo", start=moment, end=moment.replace(hour=11))


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-01", "1989-06-01", "2100-01-02"])
def test_admin_refuses_a_webinar_date_outside_the_years_with_a_clear_error(organiser_client, date):
    data = webinar_admin_form(start_0=date, end_0=date)

    response = organiser_client.post(reverse("admin:webinars_webinar_add"), data)

    assert response.status_code == 200
    assert response.content.decode().count("Please enter a date between 1990 and 2099.") == 2
    assert not Webinar.objects.exists()


def test_admin_accepts_the_edges_of_the_years(organiser_client):
    data = webinar_admin_form(
        start_0="1990-01-02", end_0="1990-01-02", time_zone="UTC", slug="early"
    )

    response = organiser_client.post(reverse("admin:webinars_webinar_add"), data)

    assert response.status_code == 302
    assert Webinar.objects.get().start == datetime(1990, 1, 2, 10, tzinfo=UTC)
