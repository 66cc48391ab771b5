"""Series pages: what a visitor sees, and what stays private until something is published."""

from datetime import timedelta

from django.utils import timezone

from tests.factories import (
    make_disclaimer,
    make_organisation,
    make_registration,
    make_series,
    make_webinar,
)
from tests.html import text_of


def test_series_page_shows_description_webinars_partners_and_disclaimers(client, seed):
    response = client.get("/series/responsible-supply-chain-electronics/")

    text = text_of(response)
    assert response.status_code == 200
    assert "Each webinar has two parts" in text
    assert [w.number for w in response.context["webinars"]] == [1, 2, 3]
    assert "in collaboration with Fair ICT Flanders" in text
    assert "The Flemish Government cannot be held responsible" in text


def test_series_page_lists_its_webinars_in_time_order_with_their_badges(client, db):
    series = make_series(title="Soil science", slug="soil")
    now = timezone.now()
    later = make_webinar(series=series, title="Later talk", start=now + timedelta(days=9))
    full = make_webinar(series=series, title="Full talk", start=now + timedelta(days=2), capacity=1)
    make_registration(full, status="confirmed")
    make_webinar(title="Another series' talk", start=now + timedelta(days=1))

    response = client.get("/series/soil/")

    assert [w.title for w in response.context["webinars"]] == ["Full talk", later.title]
    text = text_of(response)
    assert "Another series' talk" not in text
    assert "Full: waiting list" in text
    assert "Series: Soil science" not in text  # items on their own series page skip that line


def test_series_with_nothing_published_is_hidden_from_visitors_but_not_staff(
    client, admin_client, db
):
    series = make_series(slug="draft-series")
    make_webinar(series=series, is_published=False)

    assert client.get("/series/draft-series/").status_code == 404
    assert admin_client.get("/series/draft-series/").status_code == 200


def test_series_calendar_holds_only_its_published_webinars(client, db):
    series = make_series(slug="soil")
    make_organisation(series, name="Uni Leuven")
    make_disclaimer(series, text="Funded by the EU.")
    make_webinar(series=series, title="Roots")
    make_webinar(series=series, title="Secret draft", is_published=False)
    make_webinar(title="Elsewhere")

    response = client.get("/series/soil/calendar.ics")

    body = response.content.decode()
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert body.count("BEGIN:VEVENT") == 1
    assert "SUMMARY:Roots" in body
    assert "Secret draft" not in body and "Elsewhere" not in body


def test_series_page_marks_its_past_webinars_past(client, db):
    series = make_series(slug="mixed")
    make_webinar(series=series, title="Done", start=timezone.now() - timedelta(days=5))
    make_webinar(series=series, title="Coming", start=timezone.now() + timedelta(days=5))

    html = client.get("/series/mixed/").content.decode()

    assert html.count('<li class="webinar-item is-past">') == 1
    assert html.count('<strong class="badge badge--past">Past</strong>') == 1
    assert html.index("Done") < html.index("badge--past") < html.index("Coming")
