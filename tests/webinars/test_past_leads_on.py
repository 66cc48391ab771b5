"""A past webinar's page leads on: the next webinar of its series and following the series."""

from datetime import timedelta

from django.utils import timezone

from tests.factories import make_series, make_webinar
from tests.html import text_of


def past_and_series():
    now = timezone.now()
    series = make_series(slug="metals", title="Metals")
    past = make_webinar(series=series, slug="past", start=now - timedelta(days=14))
    return now, series, past


def test_a_past_webinar_page_shows_the_next_webinar_of_its_series(client, db):
    now, series, _ = past_and_series()
    make_webinar(series=series, slug="off", title="Off", start=now + timedelta(days=3),
                 status="cancelled")  # fmt: skip
    make_webinar(series=series, slug="next", title="Nickel", start=now + timedelta(days=7))
    make_webinar(series=series, slug="later", title="Zinc", start=now + timedelta(days=30))

    html = client.get("/webinars/past/").content.decode()
    section = html.split('<section class="webinar__next"', 1)[1].split("</section>", 1)[0]

    assert '<a href="/webinars/next/">Nickel</a>' in section
    assert "Zinc" not in section and "Off" not in section


def test_a_past_webinar_page_offers_to_follow_the_series(client, db):
    past_and_series()

    response = client.get("/webinars/past/")

    assert b'action="/series/metals/follow/"' in response.content
    assert "No next webinar is scheduled yet." in text_of(response)


def test_an_upcoming_webinar_page_does_not_lead_on(client, db):
    now, series, _ = past_and_series()
    make_webinar(series=series, slug="next", start=now + timedelta(days=7))

    response = client.get("/webinars/next/")

    assert b"webinar__next" not in response.content
    assert b'action="/series/metals/follow/"' not in response.content


def test_the_lead_on_is_in_dutch_and_french(client, db):
    past_and_series()

    assert "Volgende in deze reeks" in text_of(client.get("/nl/webinars/past/"))
    assert "Prochain webinaire de la série" in text_of(client.get("/fr/webinars/past/"))
