"""schema.org JSON-LD, Open Graph, Twitter card and canonical link on the webinar page."""

import json
import re
from datetime import datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.factories import make_registration, make_webinar
from webinars import structured_data
from webinars.availability import registration_state, seats_state
from webinars.models import Webinar

SITE = "https://webinars.example.org"
WEBINAR_2 = "/webinars/artisanal-and-small-scale-mining/"
SECRET = "https://meet.example.org/secret-room-42"
SCHEMA = "https://schema.org/"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def json_ld(response) -> dict[str, dict]:
    """The page's JSON-LD blocks by @type."""
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    data = [json.loads(block) for block in blocks]
    return {item["@type"]: item for item in data}


def meta(response, attribute: str, name: str) -> str:
    match = re.search(rf'<meta {attribute}="{name}" content="([^"]*)">', response.content.decode())
    assert match, name
    return unescape(match.group(1))


def test_webinar_2_event_has_every_property(client, seed):
    response = client.get(WEBINAR_2)

    event = json_ld(response)["Event"]
    assert event["@context"] == "https://schema.org"
    assert event["name"] == "Artisanal and Small-scale Mining as part of a Fair Global Supply Chain"
    assert event["startDate"] == "2020-10-01T10:00:00+02:00"
    assert event["endDate"] == "2020-10-01T11:30:00+02:00"
    assert event["eventStatus"] == SCHEMA + "EventScheduled"
    assert event["eventAttendanceMode"] == SCHEMA + "OnlineEventAttendanceMode"
    assert event["location"] == {"@type": "VirtualLocation", "url": SITE + WEBINAR_2}
    assert event["url"] == SITE + WEBINAR_2
    assert event["description"].startswith("Artisanal and Small-scale Mining (ASM) represents")
    # No website of its own: the series page that presents it.
    assert event["organizer"] == [
        {
            "@type": "Organization",
            "name": "Make ICT Fair",
            "url": SITE + "/series/responsible-supply-chain-electronics/",
        }
    ]
    # Its own drawn picture, at a versioned address.
    assert re.fullmatch(
        re.escape(SITE + WEBINAR_2.rstrip("/")) + r"/cover\.png\?v=[0-9a-f]{16}", event["image"][0]
    )
    assert event["performer"] == [
        {
            "@type": "Person",
            "name": name,
            "url": f"{SITE}/speakers/{slug}/",
            "affiliation": {"@type": "Organization", "name": affiliation},
        }
        for name, slug, affiliation in [
            ("Prof Erik Smolders", "erik-smolders", "KU Leuven"),
            ("Boris Verbruggen", "boris-verbruggen", "KU Leuven"),
            ("Alberto Vázquez Ruiz", "alberto-vazquez-ruiz", "CATAPA"),
            ("Piet Wostyn", "piet-wostyn", "KU Leuven"),
        ]
    ]
    assert event["offers"] == {
        "@type": "Offer",
        "name": "Free registration",
        "price": "0",
        "priceCurrency": "EUR",
        "availability": SCHEMA + "Discontinued",  # 2020: registration is long closed
        "url": SITE + WEBINAR_2,
        "validFrom": "2020-09-01T08:00:00+00:00",
    }
    assert event["isAccessibleForFree"] is True
    assert event["inLanguage"] == "en-GB"
    assert event["superEvent"] == {
        "@type": "EventSeries",
        "name": "Towards a Responsible Supply Chain for Electronics: From Mining to Manufacturing",
        "url": f"{SITE}/series/responsible-supply-chain-electronics/",
    }


def test_webinar_2_breadcrumbs(client, seed):
    response = client.get(WEBINAR_2)

    crumbs = json_ld(response)["BreadcrumbList"]["itemListElement"]
    assert [(c["position"], c["name"], c["item"]) for c in crumbs] == [
        (1, "Calendar", f"{SITE}/"),
        (
            2,
            "Towards a Responsible Supply Chain for Electronics: From Mining to Manufacturing",
            f"{SITE}/series/responsible-supply-chain-electronics/",
        ),
        (
            3,
            "Artisanal and Small-scale Mining as part of a Fair Global Supply Chain",
            SITE + WEBINAR_2,
        ),
    ]


def test_webinar_2_open_graph_twitter_and_canonical(client, seed):
    response = client.get(WEBINAR_2)

    html = response.content.decode()
    title = "Artisanal and Small-scale Mining as part of a Fair Global Supply Chain"
    assert f'<link rel="canonical" href="{SITE}{WEBINAR_2}">' in html
    assert meta(response, "property", "og:type") == "website"
    assert meta(response, "property", "og:title") == title
    assert meta(response, "property", "og:url") == SITE + WEBINAR_2
    assert meta(response, "property", "og:site_name") == "Webinars"
    assert meta(response, "property", "og:locale") == "en_GB"
    assert meta(response, "property", "og:description").startswith(
        "Artisanal and Small-scale Mining (ASM) represents the majority"
    )
    assert len(meta(response, "property", "og:description")) <= 300
    assert meta(response, "name", "twitter:card") == "summary_large_image"
    assert meta(response, "name", "twitter:title") == title
    assert 'name="robots"' not in html


def test_cancelled_venue_webinar(client, db):
    webinar = make_webinar(status=Webinar.Status.CANCELLED, location="Aula Pieter De Somer, Leuven")

    event = json_ld(client.get(webinar.get_absolute_url()))["Event"]

    assert event["eventStatus"] == SCHEMA + "EventCancelled"
    assert event["eventAttendanceMode"] == SCHEMA + "OfflineEventAttendanceMode"
    assert event["location"] == {
        "@type": "Place",
        "name": "Aula Pieter De Somer, Leuven",
        "address": "Aula Pieter De Somer, Leuven",
    }
    assert event["offers"]["availability"] == SCHEMA + "Discontinued"
    assert event["organizer"] == [{"@type": "Organization", "name": "Webinars", "url": f"{SITE}/"}]
    assert "superEvent" not in event


@pytest.mark.parametrize(
    ("capacity", "confirmed", "availability"),
    [(None, 3, "InStock"), (50, 3, "InStock"), (8, 6, "LimitedAvailability"), (3, 3, "SoldOut")],
)
def test_offer_availability_follows_the_seats(client, db, capacity, confirmed, availability):
    webinar = make_webinar(capacity=capacity, start=timezone.now() + timedelta(days=3))
    for _ in range(confirmed):
        make_registration(webinar)
    make_registration(webinar, status="waitlisted")

    event = json_ld(client.get(webinar.get_absolute_url()))["Event"]

    assert event["offers"]["availability"] == SCHEMA + availability
    if capacity:
        assert event["maximumAttendeeCapacity"] == capacity


@pytest.mark.parametrize(
    ("capacity", "confirmed", "state", "availability"),
    [
        (None, 300, "open", "InStock"),
        (100, 89, "open", "InStock"),
        (100, 90, "few", "LimitedAvailability"),  # 10 left: a tenth of the seats
        (100, 92, "few", "LimitedAvailability"),
        (8, 5, "open", "InStock"),  # 3 left: more than the 2 that small webinars count as few
        (8, 6, "few", "LimitedAvailability"),
        (40, 40, "full", "SoldOut"),
    ],
)
def test_offer_availability_is_the_registration_state(db, capacity, confirmed, state, availability):
    # The badges' rule (webinars.availability) decides, so search results say what the page says.
    webinar = make_webinar(capacity=capacity, start=timezone.now() + timedelta(days=3))
    webinar.confirmed_count = confirmed  # as list and page queries annotate it

    assert seats_state(capacity, confirmed).code == state
    assert registration_state(webinar).code == state
    assert structured_data.availability(webinar) == SCHEMA + availability


def test_dates_carry_the_webinars_own_offset(client, db):
    webinar = make_webinar(
        start=datetime(2026, 1, 15, 23, 30, tzinfo=ZoneInfo("America/New_York")),
        time_zone="America/New_York",
    )

    event = json_ld(client.get(webinar.get_absolute_url()))["Event"]

    assert event["startDate"] == "2026-01-15T23:30:00-05:00"
    assert event["endDate"] == "2026-01-16T01:00:00-05:00"


def test_markup_in_titles_cannot_break_out_of_the_script(client, db):
    title = '</script><script>alert("x")</script> & <!-- more'
    webinar = make_webinar(title=title, description="Text </script> <b>bold</b>")

    response = client.get(webinar.get_absolute_url())

    html = response.content.decode()
    # 2 JSON-LD, localtime.js, share.js, time-zone-field.js (the form's)
    assert html.count("</script>") == html.count("<script") == 5
    assert json_ld(response)["Event"]["name"] == title
    assert "\\u003C/script\\u003E" in html
    assert meta(response, "property", "og:title") == title


def test_join_url_is_never_in_page_meta(client, db):
    webinar = make_webinar(join_url=SECRET)

    response = client.get(webinar.get_absolute_url())

    assert "secret-room" not in response.content.decode()


def test_draft_preview_is_not_indexed(client, admin_user, db):
    webinar = make_webinar(is_published=False)
    client.force_login(admin_user)

    response = client.get(webinar.get_absolute_url())

    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_a_moved_webinar_is_rescheduled_with_its_previous_start(client, db):
    webinar = make_webinar(
        start=datetime(2031, 3, 3, 10, tzinfo=ZoneInfo("Europe/Brussels")), capacity=None
    )
    assert json_ld(client.get(webinar.get_absolute_url()))["Event"]["eventStatus"] == (
        SCHEMA + "EventScheduled"
    )

    webinar.start += timedelta(days=7)
    webinar.end += timedelta(days=7)
    webinar.save()

    event = json_ld(client.get(webinar.get_absolute_url()))["Event"]
    assert event["eventStatus"] == SCHEMA + "EventRescheduled"
    assert event["previousStartDate"] == "2031-03-03T10:00:00+01:00"
    assert event["startDate"] == "2031-03-10T10:00:00+01:00"


def test_a_webinar_without_speakers_names_its_organisers_as_performer(client, db):
    webinar = make_webinar()

    event = json_ld(client.get(webinar.get_absolute_url()))["Event"]

    site = {"@type": "Organization", "name": "Webinars", "url": SITE + "/"}
    assert event["performer"] == [site]
    assert event["organizer"] == [site]
    assert event["image"][0].startswith(SITE + webinar.get_absolute_url() + "cover.png?v=")


def test_open_graph_locale_follows_the_page_language(client, seed):
    english = client.get(WEBINAR_2)
    dutch = client.get("/nl" + WEBINAR_2)

    assert dutch.status_code == 200
    assert meta(english, "property", "og:locale") == "en_GB"
    assert meta(dutch, "property", "og:locale") == "nl_NL"
    assert '<html lang="nl"' in dutch.content.decode()


def test_every_site_language_has_an_open_graph_locale(settings):
    for code, _name in settings.LANGUAGES:
        assert re.fullmatch(r"[a-z]{2}_[A-Z]{2}", structured_data.OPEN_GRAPH_LOCALES[code])
