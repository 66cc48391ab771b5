"""Public pages run a fixed, small number of SQL queries, whatever the amount of data."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import add_speaker, empty_cache, make_series, make_speaker, make_webinar


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


SERIES = "responsible-supply-chain-electronics"
WEBINAR = "artisanal-and-small-scale-mining"
PUBLIC_PAGES = (
    "/",
    "/series/",
    "/?q=mining",
    f"/?series={SERIES}",
    "/calendar/2020/10/",
    f"/webinars/{WEBINAR}/",
    f"/webinars/{WEBINAR}/register/",
    f"/webinars/{WEBINAR}/register/thanks/",
    f"/webinars/{WEBINAR}/calendar.ics",
    f"/series/{SERIES}/",
    f"/series/{SERIES}/register/",
    f"/series/{SERIES}/register/thanks/",
    f"/series/{SERIES}/calendar.ics",
    "/speakers/erik-smolders/",
    "/calendar.ics",
    "/feed/",
    "/feed/atom/",
    "/sitemap.xml",
    "/robots.txt",
    "/privacy/",
    "/embed/",
    f"/embed/?series={SERIES}",
    f"/embed/series/{SERIES}/",
    f"/embed/series/{SERIES}/register/",
    f"/embed/series/{SERIES}/register/thanks/",
    f"/embed/webinars/{WEBINAR}/register/",
    f"/embed/webinars/{WEBINAR}/register/thanks/",
    "/api/",
    "/api/openapi.json",
    "/api/webinars",
    f"/api/webinars?series={SERIES}&when=past",
    f"/api/webinars/{WEBINAR}",
    "/api/series",
    f"/api/series/{SERIES}",
    "/api/speakers",
    "/api/speakers/erik-smolders",
)


def _queries_per_page(client) -> dict[str, int]:
    counts = {}
    for url in PUBLIC_PAGES:
        # Nothing stored: the page renders, and the clock's next moment is worked out too.
        empty_cache()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(ctx.captured_queries)
    return counts


def _sixty_more_upcoming() -> None:
    from series.models import Series
    from webinars.models import Speaker, Webinar

    series = Series.objects.get(slug=SERIES)
    seed_webinar = Webinar.objects.get(slug=WEBINAR)
    speakers = list(Speaker.objects.all())
    now = timezone.now()
    for i in range(60):
        webinar = make_webinar(
            series=series if i % 2 else None,
            number=10 + i,
            start=now + timedelta(days=1 + i, hours=i % 5),
            capacity=None if i % 3 else 20 + i,
            title=f"Mining, part {i}",
        )
        add_speaker(webinar, speakers[i % len(speakers)])
    # The seed webinar's own page lists its series' webinars: some of them now upcoming.
    assert seed_webinar.series_id == series.pk


def test_every_public_page_runs_at_most_six_queries_however_many_webinars(client, seed):
    with_seed = _queries_per_page(client)
    _sixty_more_upcoming()
    with_more = _queries_per_page(client)

    # The seed's webinars are from 2020, older than the site feed's year: alone, it is an empty
    # calendar, which reads no speakers or organisers.
    assert with_seed.pop("/calendar.ics") < with_more["/calendar.ics"]
    assert with_more == {"/calendar.ics": with_more["/calendar.ics"], **with_seed}
    over = {url: n for url, n in with_more.items() if n > 6}
    assert over == {}, over
