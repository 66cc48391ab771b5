"""A speaker of many webinars and a long series keep short public pages, with links to more."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import empty_cache, make_series, make_speaker
from tests.html import text_of
from webinars.models import Webinar, WebinarSpeaker

pytestmark = pytest.mark.django_db


def run_of(series, count: int, *, past: int) -> list[Webinar]:
    now = timezone.now()
    return Webinar.objects.bulk_create(
        Webinar(
            series=series,
            number=n + 1,
            title=f"Talk {n + 1}",
            slug=f"{series.slug}-talk-{n + 1}",
            start=now + timedelta(days=n - past, hours=1),
            end=now + timedelta(days=n - past, hours=2),
            time_zone="Europe/Brussels",
            is_published=True,
        )
        for n in range(count)
    )


def test_a_speakers_page_shows_every_upcoming_and_pages_the_past(client):
    speaker = make_speaker(slug="busy")
    webinars = run_of(make_series(slug="s"), 53, past=45)
    WebinarSpeaker.objects.bulk_create(WebinarSpeaker(webinar=w, speaker=speaker) for w in webinars)

    first = text_of(client.get("/speakers/busy/"))
    third = client.get("/speakers/busy/", {"page": "3"})
    beyond = client.get("/speakers/busy/", {"page": "99"})

    assert first.count("Speaker at") == 8 + 20
    assert "Talk 53" in first and "Talk 45" in first and "Talk 26" in first
    assert "Talk 25," not in first
    assert "Older" in first and "Newer" not in first
    # The last page: the five oldest, no upcoming ones repeated.
    assert text_of(third).count("Speaker at") == 5 and "Talk 1," in text_of(third)
    assert "Talk 53" not in text_of(third)
    assert text_of(beyond).count("Speaker at") == 5
    assert client.get("/speakers/busy/", {"page": "x"}).status_code == 200


def test_speaker_pages_cost_the_same_queries_with_more_webinars(client):
    speaker = make_speaker(slug="busy")
    counts = []
    for size in (10, 100):
        webinars = run_of(make_series(slug=f"s{size}"), size, past=size // 2)
        WebinarSpeaker.objects.bulk_create(
            WebinarSpeaker(webinar=w, speaker=speaker) for w in webinars
        )
        empty_cache()  # bulk_create tells the page cache nothing
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/speakers/busy/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_long_series_shows_five_webinars_either_side_with_links_to_the_rest(client):
    series = make_series(slug="long")
    webinars = run_of(series, 40, past=30)

    page = client.get(f"/webinars/{webinars[20].slug}/")

    text = text_of(page)
    listed = [n for n in range(1, 41) if f"Webinar {n}: Talk {n}," in text]
    assert listed == [16, 17, 18, 19, 20, 22, 23, 24, 25, 26]
    assert "Earlier webinars: see the whole series" in text
    assert "Later webinars: see the whole series" in text
    assert page.content.decode().count('href="/series/long/"') >= 3
    # Past, so it leads on to the next that takes place, beyond the five shown.
    assert "Next in this series" in text and "Webinar 31: Talk 31" in text


def test_the_first_webinar_of_a_short_series_lists_the_others_without_links_to_more(client):
    series = make_series(slug="short")
    webinars = run_of(series, 4, past=0)

    text = text_of(client.get(f"/webinars/{webinars[0].slug}/"))

    assert [n for n in range(1, 5) if f"Webinar {n}: Talk {n}," in text] == [2, 3, 4]
    assert "see the whole series" not in text
