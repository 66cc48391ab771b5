"""Public pages run a fixed, small number of SQL queries, whatever the amount of data."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import add_speaker, make_series, make_speaker, make_webinar


def _speaker_page_queries(client, appearances: int) -> int:
    speaker = make_speaker()
    now = timezone.now()
    for i in range(appearances):
        series = make_series()
        webinar = make_webinar(series=series, start=now + timedelta(days=i - appearances // 2))
        add_speaker(webinar, speaker, role="moderator" if i % 3 == 0 else "speaker")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(speaker.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count(' at <a href="/webinars/') == appearances
    return len(ctx.captured_queries)


def test_speaker_page_query_count_does_not_grow_with_appearances(client, db):
    one = _speaker_page_queries(client, 1)
    thirty = _speaker_page_queries(client, 30)

    assert one == thirty
    assert thirty <= 8
