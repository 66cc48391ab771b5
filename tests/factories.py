"""Small factories for tests: real rows, sensible defaults, override anything."""

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from series.models import FundingDisclaimer, Organisation, Series, SeriesOrganisation
from webinars.models import Registration, Speaker, Webinar, WebinarSpeaker
from webinars.services import webinar_save

_seq = itertools.count(1)


def make_series(**fields) -> Series:
    n = next(_seq)
    fields.setdefault("title", f"Series {n}")
    fields.setdefault("slug", f"series-{n}")
    return Series.objects.create(**fields)


def make_organisation(
    series: Series | None = None, role: str = "organiser", **fields
) -> Organisation:
    n = next(_seq)
    fields.setdefault("name", f"Organisation {n}")
    org = Organisation.objects.create(**fields)
    if series is not None:
        SeriesOrganisation.objects.create(series=series, organisation=org, role=role)
    return org


def make_disclaimer(series: Series, **fields) -> FundingDisclaimer:
    fields.setdefault("funder", "Funder")
    fields.setdefault("text", "Funded with care.")
    return FundingDisclaimer.objects.create(series=series, **fields)


def make_speaker(**fields) -> Speaker:
    n = next(_seq)
    fields.setdefault("name", f"Speaker {n}")
    fields.setdefault("slug", f"speaker-{n}")
    fields.setdefault("affiliation", "University")
    return Speaker.objects.create(**fields)


def _webinar(*, start: datetime | None, duration: timedelta, **fields) -> Webinar:
    n = next(_seq)
    start = start or timezone.now() + timedelta(days=7)
    fields.setdefault("title", f"Webinar {n}")
    fields.setdefault("slug", f"webinar-{n}")
    fields.setdefault("time_zone", "Europe/Brussels")
    fields.setdefault("end", start + duration)
    return Webinar(start=start, **fields)


def make_webinar(
    *, start: datetime | None = None, duration=timedelta(minutes=90), **fields
) -> Webinar:
    """A webinar row, saved through the ORM: nobody is told about it."""
    webinar = _webinar(start=start, duration=duration, **fields)
    webinar.save(force_insert=True)
    return webinar


def add_webinar(
    *, start: datetime | None = None, duration=timedelta(minutes=90), **fields
) -> Webinar:
    """A webinar an organiser adds (services.webinar_save, as admin does): if it is published,
    the followers of its series are told."""
    webinar = _webinar(start=start, duration=duration, **fields)
    webinar_save(webinar=webinar)
    return webinar


def add_speaker(webinar: Webinar, speaker: Speaker | None = None, role="speaker", order=0):
    speaker = speaker or make_speaker()
    WebinarSpeaker.objects.create(webinar=webinar, speaker=speaker, role=role, order=order)
    return speaker


def make_registration(webinar: Webinar, **fields) -> Registration:
    n = next(_seq)
    fields.setdefault("name", f"Person {n}")
    fields.setdefault("email", f"person{n}@example.org")
    return Registration.objects.create(webinar=webinar, **fields)


def brussels(*args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo("Europe/Brussels"))


def webinar_admin_form(**fields) -> dict:
    """POST data of the admin's webinar form: a complete, valid form, overridden by fields."""
    data = {
        "series": "",
        "number": "",
        "title_en": "Added in admin",
        "slug": "added-in-admin",
        "description_en": "",
        "start_0": "2031-05-02",
        "start_1": "10:00:00",
        "end_0": "2031-05-02",
        "end_1": "11:00:00",
        "time_zone": "Europe/Brussels",
        "capacity": "",
        "registration_closes_0": "",
        "registration_closes_1": "",
        "status": "scheduled",
        "is_published": "on",
        "location": "",
        "event_url": "",
        "join_url": "",
        "webinar_speakers-TOTAL_FORMS": "0",
        "webinar_speakers-INITIAL_FORMS": "0",
        "materials-TOTAL_FORMS": "0",
        "materials-INITIAL_FORMS": "0",
        "recording_url": "",
        "recording_audience": "public",
        "summary": "",
        "summary_audience": "public",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
    }
    data.update(fields)
    return data


def empty_cache() -> None:
    """An empty cache, as after a restart, except that the site settings are read already.

    A running site reads them once per cache lifetime, not per page; query counts are the
    pages' own.
    """
    from django.core.cache import cache

    from webinars.models import SITE_SETTINGS_CACHE_KEY, SiteSettings, known_site_settings_version

    cache.clear()
    version = known_site_settings_version()
    if version is not None:
        stored = {"version": version, "settings": SiteSettings()}
        cache.set(SITE_SETTINGS_CACHE_KEY, stored, None)
