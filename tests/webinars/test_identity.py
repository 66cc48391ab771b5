"""The organisers' site name, saved in admin or anywhere else, reaches every place the site
names itself, cached pages, feeds and calendars included."""

import json
import re
from html import unescape

import icalendar
import pytest
from django.urls import reverse

from tests.factories import make_registration, make_series, make_webinar
from tests.html import form_data
from tests.webinars.test_feeds import xml_of
from webinars.mail.kinds import details_message
from webinars.models import Registration, SiteSettings

ATOM = "{http://www.w3.org/2005/Atom}"
NEW_NAME = "Fair ICT Webinars"


def _rename_through_the_orm(admin_client):
    SiteSettings.objects.create(site_name=NEW_NAME)


def _rename_in_admin(admin_client):
    add = reverse("admin:webinars_sitesettings_add")
    data = form_data(admin_client.get(add), "sitesettings_form")
    data.update(site_name=NEW_NAME)
    assert admin_client.post(add, data).status_code == 302


@pytest.fixture
def pages(db, settings):
    # Without a display name in the sender the calendars' organiser falls back to the site.
    settings.DEFAULT_FROM_EMAIL = "webinars@example.org"
    series = make_series(slug="copper")
    make_webinar(slug="in-series", series=series)
    alone = make_webinar(slug="alone", title="Alone")
    return {
        "calendar": "/",
        "webinar": alone.get_absolute_url(),
        "rss": "/feed/",
        "atom": "/feed/atom/",
        "site_ical": "/calendar.ics",
        "series_ical": reverse("series:ical", kwargs={"slug": series.slug}),
    }


def _title(response) -> str:
    return unescape(re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)[1])


def _names(client, pages) -> dict:
    webinar_page = client.get(pages["webinar"])
    html = webinar_page.content.decode()
    [event] = [
        data
        for data in map(json.loads, re.findall(r'ld\+json">(.*?)</script>', html, re.S))
        if data["@type"] == "Event"
    ]
    rss = xml_of(client.get(pages["rss"]))
    atom = xml_of(client.get(pages["atom"]))
    site_calendar = icalendar.Calendar.from_ical(client.get(pages["site_ical"]).content)
    series_calendar = icalendar.Calendar.from_ical(client.get(pages["series_ical"]).content)
    return {
        "calendar title": _title(client.get(pages["calendar"])).rsplit(" · ", 1)[1],
        "webinar title": _title(webinar_page),
        "og:site_name": unescape(re.search(r'og:site_name" content="([^"]*)"', html)[1]),
        "organizer": [org["name"] for org in event["organizer"]],
        "rss title": rss.findtext("channel/title"),
        "atom title": atom.findtext(f"{ATOM}title"),
        "atom author": atom.findtext(f"{ATOM}author/{ATOM}name"),
        "site calendar": (str(site_calendar["X-WR-CALNAME"]), str(site_calendar["NAME"])),
        "site calendar organiser": {
            str(e["ORGANIZER"].params["CN"]) for e in site_calendar.walk("VEVENT")
        },
        "series calendar organiser": {
            str(e["ORGANIZER"].params["CN"]) for e in series_calendar.walk("VEVENT")
        },
    }


def _expected(name: str) -> dict:
    return {
        "calendar title": name,
        "webinar title": f"Alone · {name}",
        "og:site_name": name,
        "organizer": [name],
        "rss title": f"{name}: new webinars",
        "atom title": f"{name}: new webinars",
        "atom author": name,
        "site calendar": (name, name),
        "site calendar organiser": {name},
        "series calendar organiser": {name},
    }


@pytest.mark.parametrize("rename", [_rename_through_the_orm, _rename_in_admin])
def test_a_new_site_name_reaches_pages_feeds_and_calendars_at_once(
    client, admin_client, pages, rename
):
    assert _names(client, pages) == _expected("Webinars")
    # Every one of them is now a stored copy.
    assert {client.get(path)["X-Page-Cache"] for path in pages.values()} == {"hit"}

    rename(admin_client)

    assert _names(client, pages) == _expected(NEW_NAME)


@pytest.mark.parametrize("rename", [_rename_through_the_orm, _rename_in_admin])
def test_a_new_site_name_signs_the_registration_confirmation(admin_client, db, rename):
    registration = make_registration(make_webinar(), status=Registration.Status.CONFIRMED)

    rename(admin_client)
    message = details_message(registration)

    assert f"The {NEW_NAME} team" in message.body
    html = message.alternatives[0][0]
    assert f"The {NEW_NAME} team" in html
    assert f'<span style="vertical-align: middle;">{NEW_NAME}</span>' in html
