"""A series' admin page lists its webinars with links, in the same queries at any length."""

import re
import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import add_speaker, make_registration, make_series, make_webinar
from tests.html import text_of
from webinars.admin.series_webinars import PAST_SHOWN, UPCOMING_SHOWN
from webinars.models import Webinar

pytestmark = pytest.mark.django_db


def many_webinars(series, count: int) -> None:
    """Half of them past, half to come, a day apart."""
    now = timezone.now()
    Webinar.objects.bulk_create(
        Webinar(
            series=series,
            number=n + 1,
            title=f"Talk {n + 1}",
            slug=f"talk-{series.pk}-{n + 1}",
            start=now + timedelta(days=n - count // 2, hours=1),
            end=now + timedelta(days=n - count // 2, hours=2),
            time_zone="Europe/Brussels",
        )
        for n in range(count)
    )


def queries_for(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_series_page_lists_webinars_in_the_same_queries_at_40_and_400(organiser_client):
    small, large = make_series(title="Small"), make_series(title="Large")
    many_webinars(small, 40)
    many_webinars(large, 400)
    # The first change page reads what later ones find cached (content types).
    organiser_client.get(reverse("admin:series_series_change", args=[small.pk]))

    small_count, _ = queries_for(
        organiser_client, reverse("admin:series_series_change", args=[small.pk])
    )
    large_count, html = queries_for(
        organiser_client, reverse("admin:series_series_change", args=[large.pk])
    )

    assert large_count == small_count
    assert large_count <= 25
    # Read-only rows: no webinar form is sent back with the series.
    assert 'name="webinars-' not in html
    assert html.count("/duplicate/") == UPCOMING_SHOWN + PAST_SHOWN
    assert f"?series__id__exact={large.pk}" in html


def test_series_page_row_links_and_shows_the_start_in_the_webinars_zone(organiser_client):
    series = make_series()
    new_york = zoneinfo.ZoneInfo("America/New_York")
    webinar = make_webinar(
        series=series,
        number=3,
        title="Copper",
        start=datetime(2026, 12, 2, 11, 0, tzinfo=new_york),
        duration=timedelta(hours=1),
        time_zone="America/New_York",
        capacity=30,
        is_published=False,
    )
    make_registration(webinar)
    url = reverse("admin:series_series_change", args=[series.pk])

    html = organiser_client.get(url).content.decode()
    text = text_of(organiser_client.get(url))

    assert reverse("admin:webinars_webinar_change", args=[webinar.pk]) + '">Copper</a>' in html
    assert "11:00–12:00 EST" in text and "America/New_York" in text
    assert "draft" in text and "1 / 30 · 0" in text
    assert f'/admin/webinars/webinar/add/?series={series.pk}">Add a webinar to this series' in html
    assert reverse("admin:series_series_run", args=[series.pk]) in html


def test_duplicate_link_asks_then_copies_with_speakers(organiser_client):
    series = make_series()
    webinar = make_webinar(series=series, title="Copper")
    speaker = add_speaker(webinar)
    url = reverse("admin:webinars_webinar_duplicate", args=[webinar.pk])

    page = organiser_client.get(url)
    assert page.status_code == 200 and Webinar.objects.count() == 1
    assert "Make the copy" in page.content.decode()

    response = organiser_client.post(url)

    copy = Webinar.objects.exclude(pk=webinar.pk).get()
    assert response["Location"] == reverse("admin:webinars_webinar_change", args=[copy.pk])
    assert (copy.is_published, [ws.speaker for ws in copy.webinar_speakers.all()]) == (
        False,
        [speaker],
    )


def test_series_page_saves_without_webinar_rows(organiser_client):
    series = make_series(title="Mining", slug="mining")
    make_webinar(series=series, title="Kept as it was")
    url = reverse("admin:series_series_change", args=[series.pk])
    html = organiser_client.get(url).content.decode()
    assert not re.search(r'name="webinars-TOTAL_FORMS"', html)
