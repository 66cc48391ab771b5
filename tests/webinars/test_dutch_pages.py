"""The public pages in Dutch (under /nl/): the page's own words are Dutch, dates and time zones
read as a Belgian would write them, and the English of the same page does not leak through."""

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import make_registration, make_series, make_webinar
from tests.html import text_of
from webinars.formatting import when, zone_name
from webinars.models import Registration, Webinar

pytestmark = pytest.mark.django_db

WEBINAR_2 = "/nl/webinars/artisanal-and-small-scale-mining/"


def assert_dutch(text: str, dutch: list[str], english: list[str]):
    missing = [phrase for phrase in dutch if phrase not in text]
    leftover = [phrase for phrase in english if phrase in text]
    assert not missing, f"no Dutch {missing} in: {text[:2000]}"
    assert not leftover, f"English {leftover} left in: {text[:2000]}"


@pytest.fixture
def upcoming():
    series = make_series(title="Metals", slug="metals")
    return make_webinar(
        series=series,
        title="Copper supply",
        slug="copper",
        capacity=50,
        start=timezone.now() + timedelta(days=10),
    )


def test_seed_webinar_page_in_dutch(client, seed):
    text = text_of(client.get(WEBINAR_2))

    assert_dutch(
        text,
        [
            "Terug naar de kalender",
            "Deel van de webinarreeks",
            "Webinar 2:",
            "donderdag 1 oktober 2020, 10:00–11:30 CEST, Brusselse tijd",
            "Online evenement",
            "Over dit webinar",
            "Sprekers",
            "Moderator: Piet Wostyn (KU Leuven)",
            "Andere webinars van de reeks",
            "maandag 28 september 2020, 10:00–11:30 CEST, Brusselse tijd",
            "Aangeboden door",
        ],
        [
            "Back to the calendar",
            "Part of the webinar series",
            "Thursday",
            "October",
            "Brussels time",
            "Online event",
            "About this webinar",
            "Other webinars of the series",
        ],
    )


def test_calendar_in_dutch(client, seed, upcoming):
    text = text_of(client.get("/nl/"))

    assert_dutch(
        text,
        [
            "Webinarkalender",
            "Eerstvolgend",
            "Maandoverzicht",
            "Zoeken",
            "Alle reeksen",
            "Afgelopen webinars",
            "Abonneren",
            "Kalender",
            "Naar de inhoud",
            "Tijden staan in de eigen tijdzone van elk webinar; op webinarpagina's en in lijsten",
        ],
        ["Webinar calendar", "Past webinars", "Month view", "Skip to content", "Subscribe"],
    )


def test_open_webinar_shows_its_registration_form_in_dutch(client, upcoming):
    response = client.get("/nl/webinars/copper/")
    html = response.content.decode()
    text = text_of(response)

    assert_dutch(
        text,
        [
            "Inschrijving open.",
            "Ik ga akkoord met de privacyverklaring (wat we bijhouden, en hoe lang)",
            "De inschrijving sluit wanneer het webinar begint.",
            "Aan uw agenda toevoegen",
            "Agendabestand (.ics) voor Apple Agenda, Outlook en Thunderbird",
        ],
        ["Registration open", "I agree to the", "Add to your calendar", "Registration closes"],
    )
    assert ">Inschrijven</button>" in html
    assert ">Register<" not in html
    assert 'data-yours="Uw tijd: {time} ({zone})"' in html
    # The privacy link inside the translated sentence is still a link, to the Dutch page.
    assert '<a href="/nl/privacy/">privacyverklaring</a>' in html


def test_full_webinar_offers_the_dutch_waiting_list(client, upcoming):
    upcoming.capacity = 1
    upcoming.save()
    make_registration(upcoming, status=Registration.Status.CONFIRMED)

    text = text_of(client.get("/nl/webinars/copper/"))

    assert_dutch(text, ["Volzet: wachtlijst.", "Op de wachtlijst"], ["waiting list"])


def test_registration_page_in_dutch(client, upcoming):
    registration = make_registration(upcoming, status=Registration.Status.CONFIRMED)
    with translation.override("nl"):
        url = reverse("webinars:registration", kwargs={"token": registration.token})
    assert url.startswith("/nl/")

    text = text_of(client.get(url))

    assert_dutch(
        text,
        [
            "Uw inschrijving",
            "Wanneer",
            "Bevestigd: u hebt een plaats",
            "Kunt u niet komen?",
            "Mijn inschrijving annuleren",
            "Uw agenda",
        ],
        ["Your registration", "Confirmed: you have a seat", "Cannot attend?"],
    )


def test_month_privacy_series_and_not_found_pages_in_dutch(client, upcoming):
    local = upcoming.local_start
    month_response = client.get(f"/nl/calendar/{local.year:04d}/{local.month:02d}/")
    month = text_of(month_response)
    privacy = text_of(client.get("/nl/privacy/"))
    series = text_of(client.get("/nl/series/metals/"))
    missing = client.get("/nl/no-such-page/")

    dutch_months = "januari februari maart april mei juni juli augustus september oktober "
    dutch_months += "november december"
    month_name = dutch_months.split()[local.month - 1]
    assert_dutch(
        month,
        [f"Webinars in {month_name} {local.year}", "1 webinar in", "Terug naar de kalender"],
        ["Back to the calendar", "January", "June", "December", "Monday"],
    )
    assert '<abbr title="maandag">ma</abbr>' in month_response.content.decode()
    assert_dutch(
        privacy,
        ["Privacyverklaring", "Geen cookies, geen tracking", "Hoe lang we die bewaren"],
        ["Privacy notice", "No cookies"],
    )
    assert_dutch(series, ["Webinars", "Terug naar de kalender"], ["Back to the calendar"])
    assert missing.status_code == 404
    assert_dutch(text_of(missing), ["Pagina niet gevonden"], ["Page not found"])


def test_dutch_time_zone_names():
    with translation.override("nl"):
        assert zone_name(ZoneInfo("Europe/Brussels")) == "Brusselse tijd"
        assert zone_name(ZoneInfo("America/New_York")) == "tijd in New York"
        # A zone without a name of its own: the pattern with the zone's city.
        assert zone_name(ZoneInfo("Asia/Jakarta")) == "tijd in Jakarta"
        assert zone_name(ZoneInfo("UTC")) == "UTC"
    with translation.override("en"):
        assert zone_name(ZoneInfo("Europe/Brussels")) == "Brussels time"
        assert zone_name(ZoneInfo("Asia/Jakarta")) == "Jakarta time"


def test_dutch_date_text_reads_naturally():
    webinar = make_webinar(
        start=datetime(2020, 10, 1, 8, 0, tzinfo=UTC),
        duration=timedelta(minutes=90),
    )
    with translation.override("nl"):
        assert when(webinar) == "donderdag 1 oktober 2020, 10:00–11:30 CEST, Brusselse tijd"


def test_embedded_list_and_follow_form_in_dutch(client, upcoming):
    embed = client.get("/nl/embed/")
    follow = client.get("/nl/series/metals/follow/")

    assert embed.status_code == 200
    assert_dutch(
        text_of(embed),
        ["Copper supply", "Brusselse tijd"],
        ["Brussels time", "Register"],
    )
    assert "(opent in een nieuw tabblad)" in embed.content.decode()
    assert follow.status_code == 200
    assert_dutch(
        text_of(follow),
        ["Uw e-mailadres", "Deze reeks volgen"],
        ["Your email address", "Follow this series"],
    )


def test_feed_in_dutch(client, upcoming):
    upcoming.status = Webinar.Status.CANCELLED
    upcoming.save()

    feed = client.get("/nl/feed/").content.decode()

    assert "<title>Webinars: nieuwe webinars</title>" in feed
    assert "<title>Geannuleerd: Copper supply (" in feed
    assert "Brusselse tijd" in feed
    assert "new webinars" not in feed


def test_seed_pages_in_dutch_have_no_english_content_left(client, seed):
    webinar = text_of(client.get(WEBINAR_2))
    series = text_of(client.get("/nl/series/responsible-supply-chain-electronics/"))

    assert_dutch(
        webinar,
        [
            "Ambachtelijke en kleinschalige mijnbouw als deel van een eerlijke",
            "Dit webinar stelt één casestudy van ASM voor",
            "Naar een verantwoorde toeleveringsketen voor elektronica",
            "met de financiële steun van de Europese Unie",
        ],
        [
            "Artisanal and Small-scale Mining as part",
            "represents the majority of the workforce",
            "This webinar presents one case study",
            "Towards a Responsible Supply Chain",
            "financial assistance of the European Union",
            "cannot be held responsible",
        ],
    )
    assert_dutch(
        series,
        ["Een reeks van drie webinars", "Uitdagingen in de toeleveringsketen van koper"],
        ["A series of three webinars", "Challenges in the Copper Supply Chain", "Trade Union"],
    )


def test_demo_pages_in_dutch_have_no_english_content_left(client, db):
    call_command("load_demo", stdout=io.StringIO())

    text = text_of(client.get("/nl/webinars/demo-getting-started/"))

    assert_dutch(
        text,
        ["Demo: Aan de slag met webinars", "Een demowebinar.", "Voorbeeldorganisatie"],
        ["Getting started", "A demo webinar.", "Example Organisation", "Demo series"],
    )
