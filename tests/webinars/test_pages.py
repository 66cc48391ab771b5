"""Public pages: what a visitor sees on the calendar, webinar and speaker pages (series pages:
tests/series)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from series.models import Series
from tests.factories import (
    add_speaker,
    brussels,
    make_disclaimer,
    make_organisation,
    make_registration,
    make_series,
    make_speaker,
    make_webinar,
)
from tests.html import text_of
from webinars.models import Webinar

WEBINAR_2 = "/webinars/artisanal-and-small-scale-mining/"


def test_webinar_2_page_shows_everything_of_the_seed_page(client, seed):
    response = client.get(WEBINAR_2)

    assert response.status_code == 200
    text = text_of(response)
    assert 'href="/"' in response.content.decode()
    assert "Back to the calendar" in text
    assert (
        "Towards a Responsible Supply Chain for Electronics: From Mining to Manufacturing" in text
    )
    assert (
        "organised by Make ICT Fair, in collaboration with Fair ICT Flanders and supported by "
        "KU Leuven SIM2" in text
    )
    assert "Webinar 2:" in text
    assert "Artisanal and Small-scale Mining as part of a Fair Global Supply Chain" in text
    assert "Thursday 1 October 2020, 10:00–11:30 CEST, Brussels time" in text
    assert '<time datetime="2020-10-01T10:00:00+02:00">' in response.content.decode()
    assert "Online event" in text
    for speaker in [
        "Prof Erik Smolders (KU Leuven)",
        "Boris Verbruggen (KU Leuven)",
        "Alberto Vázquez Ruiz (CATAPA)",
    ]:
        assert speaker in text
    assert "Moderator: Piet Wostyn (KU Leuven)" in text
    assert (
        "Webinar 1: Challenges in the Copper Supply Chain, Monday 28 September 2020, "
        "10:00–11:30 CEST, Brussels time" in text
    )
    assert (
        "Webinar 3: Trade Union Rights in the Global Electronics Industry: the Case of Indonesia, "
        "Friday 2 October 2020, 10:00–11:30 CEST, Brussels time" in text
    )
    assert "financial assistance of the European Union" in text
    assert "The Flemish Government cannot be held responsible" in text
    assert "ASM is actually very well integrated in the global metal supply chain" in text


def test_calendar_lists_the_three_seed_webinars_as_past(client, seed):
    response = client.get("/")

    past = [w.title for w in response.context["past"]]
    assert past == [
        "Trade Union Rights in the Global Electronics Industry: the Case of Indonesia",
        "Artisanal and Small-scale Mining as part of a Fair Global Supply Chain",
        "Challenges in the Copper Supply Chain",
    ]
    text = text_of(response)
    assert "Monday 28 September 2020, 10:00–11:30 CEST, Brussels time" in text
    assert "Towards a Responsible Supply Chain" in text
    assert "Erik Smolders" in text


def test_calendar_lists_upcoming_soonest_first_before_past(client, db):
    later = make_webinar(title="Later one", start=timezone.now() + timedelta(days=20))
    sooner = make_webinar(title="Sooner one", start=timezone.now() + timedelta(days=2))
    past = make_webinar(title="Old one", start=timezone.now() - timedelta(days=30))

    response = client.get("/")

    assert response.context["upcoming"] == [sooner, later]
    assert list(response.context["past"]) == [past]
    html = response.content.decode()
    assert html.index("Sooner one") < html.index("Later one") < html.index("Old one")


def test_calendar_filters_by_series_and_search(client, db):
    series = make_series(title="Mining talks", slug="mining")
    in_series = make_webinar(title="Copper", series=series)
    make_webinar(title="Unrelated")
    with_speaker = make_webinar(title="Other topic")
    add_speaker(with_speaker, make_speaker(name="Ada Lovelace"))

    by_series = client.get("/", {"series": "mining"})
    by_speaker = client.get("/", {"q": "lovelace"})
    combined = client.get("/", {"series": "mining", "q": "lovelace"})

    assert by_series.context["upcoming"] == [in_series]
    assert "in the series Mining talks" in text_of(by_series)
    assert by_speaker.context["upcoming"] == [with_speaker]
    assert combined.context["upcoming"] == []


def test_search_lists_a_webinar_once_whatever_matches(client, db):
    webinar = make_webinar(title="Ada and Ada", description="About Ada")
    add_speaker(webinar, make_speaker(name="Ada Lovelace"))
    add_speaker(webinar, make_speaker(name="Ada Yonath"), role="moderator")

    response = client.get("/", {"q": "ada"})

    assert response.context["upcoming"] == [webinar]
    assert not response.context["upcoming_page"].has_next


@pytest.mark.parametrize(
    "query",
    [
        {"series": "no-such-series"},
    ],
)
def test_calendar_unknown_series_is_404(client, db, query):
    assert client.get("/", query).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999"},
        {"q": "x" * 5000},
        {"q": "\x00\x01"},
        {"q": "<script>alert(1)</script>"},
        {"q": "%"},
    ],
)
def test_calendar_bad_query_strings_give_a_clean_page(client, seed, query):
    response = client.get("/", query)

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/webinars/nope/", "/series/nope/", "/speakers/nope/", "/webinars/%E2%98%83/", "/webinars/"],
)
def test_unknown_slugs_are_friendly_404s(client, seed, url):
    response = client.get(url)

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_unpublished_webinar_is_404_for_visitors_and_previewable_by_staff(client, admin_client, db):
    draft = make_webinar(title="Secret draft", is_published=False)

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Secret draft" not in client.get("/").content.decode()
    preview = admin_client.get(draft.get_absolute_url())
    assert preview.status_code == 200
    assert "Draft: not published" in preview.content.decode()


def test_cancelled_webinar_says_so_on_its_page_and_in_the_calendar(client, db):
    webinar = make_webinar(title="Called off", status=Webinar.Status.CANCELLED)

    page = text_of(client.get(webinar.get_absolute_url()))
    calendar = text_of(client.get("/"))

    assert "Cancelled. This webinar will not take place." in page
    assert "Called off" in calendar and "Cancelled" in calendar


def test_time_is_shown_in_the_webinars_zone_across_a_dst_change(client, db):
    # Brussels leaves summer time on 25 October 2026 (CEST -> CET).
    before = make_webinar(start=brussels(2026, 10, 24, 10, 0), time_zone="Europe/Brussels")
    after = make_webinar(start=brussels(2026, 10, 26, 10, 0), time_zone="Europe/Brussels")
    new_york = make_webinar(start=brussels(2026, 10, 26, 16, 0), time_zone="America/New_York")

    assert "Saturday 24 October 2026, 10:00–11:30 CEST, Brussels time" in text_of(
        client.get(before.get_absolute_url())
    )
    assert "Monday 26 October 2026, 10:00–11:30 CET, Brussels time" in text_of(
        client.get(after.get_absolute_url())
    )
    # 16:00 CET is 11:00 in New York, still on summer time (EDT) until 1 November.
    assert "Monday 26 October 2026, 11:00–12:30 EDT, New York time" in text_of(
        client.get(new_york.get_absolute_url())
    )


def test_webinar_spanning_midnight_shows_both_days(client, db):
    webinar = make_webinar(start=brussels(2026, 3, 1, 23, 30), duration=timedelta(hours=1))

    assert "Sunday 1 March 2026, 23:30 CET – Monday 2 March 2026, 00:30 CET" in text_of(
        client.get(webinar.get_absolute_url())
    )


def test_speaker_page_lists_their_webinars(client, seed):
    text = text_of(client.get("/speakers/piet-wostyn/"))

    assert "Piet Wostyn" in text and "KU Leuven" in text
    assert "Moderator at Artisanal and Small-scale Mining" in text


def test_description_markdown_is_sanitised(client, db):
    webinar = make_webinar(
        description=(
            "**Bold** [site](https://example.org) <script>alert(1)</script> "
            '<a href="javascript:alert(2)" onclick="x()">bad</a> <img src=x onerror=alert(3)>'
        )
    )

    html = client.get(webinar.get_absolute_url()).content.decode()

    assert "<strong>Bold</strong>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer">site</a>' in html
    assert "<script>alert" not in html
    assert "javascript:" not in html
    assert "onclick" not in html and "onerror" not in html


def test_healthz_answers_ok(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _series_with_webinars(n: int):
    """n upcoming and n past webinars with seats, each with a speaker and a moderator."""
    series = make_series(slug="big")
    make_organisation(series)
    make_disclaimer(series)
    now = timezone.now()
    webinars = []
    for i in range(-n, n):
        webinar = make_webinar(
            series=series, start=now + timedelta(days=i if i < 0 else i + 1), capacity=50
        )
        add_speaker(webinar)
        add_speaker(webinar, role="moderator")
        webinars.append(webinar)
    return webinars


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/?q=Webinar",
        "/series/big/",
        "WEBINAR",
        "/calendar.ics",
        "/series/big/calendar.ics",
        "/feed/",
    ],
)
def test_page_query_count_does_not_grow_with_webinars(client, db, url):
    webinars = _series_with_webinars(1)
    target = webinars[0].get_absolute_url() if url == "WEBINAR" else url
    one = _count_queries(client, target)

    Webinar.objects.all().delete()
    Series.objects.all().delete()
    webinars = _series_with_webinars(30)
    target = webinars[0].get_absolute_url() if url == "WEBINAR" else url
    thirty = _count_queries(client, target)

    assert one == thirty
    assert thirty <= 8


def test_calendar_link_from_webinar_page_reverses(client, seed):
    assert reverse("webinars:calendar") == "/"


def test_server_error_page_is_friendly_and_reveals_nothing(rf):
    from pages.views.system import server_error

    response = server_error(rf.get("/"))

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert "Traceback" not in html


def test_server_error_page_survives_a_missing_static_file(rf, monkeypatch, caplog):
    """After a deploy that skipped collectstatic, {% static %} raises: the 500 page still shows."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    from pages.views.system import server_error

    def missing(name, *args, **kwargs):
        raise ValueError(f"Missing staticfiles manifest entry for '{name}'")

    monkeypatch.setattr(staticfiles_storage, "url", missing)

    response = server_error(rf.get("/"))

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert "manifest" not in html
    assert "could not be rendered" in caplog.text


def test_server_error_pages_promise_nothing_about_what_was_saved(rf, monkeypatch):
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.utils import translation

    from pages.views.system import server_error

    with translation.override("nl"):
        dutch = server_error(rf.get("/nl/")).content.decode()
    english = server_error(rf.get("/")).content.decode()
    monkeypatch.setattr(staticfiles_storage, "url", lambda *a, **k: 1 / 0)
    bare = server_error(rf.get("/")).content.decode()

    for html in (english, bare):
        assert "safe" not in html
        assert "it may not have been saved: if no confirmation email arrives" in html
    assert "veilig" not in dutch
    assert "is het misschien niet bewaard: komt er geen bevestigingsmail" in dutch


def test_webinar_page_leads_from_the_top_to_the_form_and_offers_calendars_after_it(client, db):
    make_webinar(slug="open", capacity=None)

    html = client.get("/webinars/open/").content.decode()

    jump = html.index('<a class="button button--block" href="#registration">Register</a>')
    card = html.index('id="registration"')
    form = html.index('<form class="registration-form"')
    about = html.index('id="about-heading"')
    calendars = html.index('id="add-to-calendar-heading"')
    assert jump < about < card < form < calendars
    assert html[card : html.index("</section>", calendars)].count("webinar-time") == 1


def test_webinar_page_without_open_registration_has_no_register_button(client, db):
    make_webinar(slug="gone", start=timezone.now() - timedelta(days=3))

    html = client.get("/webinars/gone/").content.decode()

    assert 'href="#registration"' not in html
    assert "Took place on" in html


def test_full_webinar_page_button_says_waiting_list(client, db):
    webinar = make_webinar(slug="full", capacity=1)
    make_registration(webinar)

    html = client.get("/webinars/full/").content.decode()

    assert 'href="#registration">Join the waiting list</a>' in html


def test_calendar_leads_with_the_next_webinar_that_takes_place(client, db):
    now = timezone.now()
    make_webinar(title="Called off", start=now + timedelta(days=1), status="cancelled")
    soonest = make_webinar(title="Soonest", start=now + timedelta(days=2))
    later = make_webinar(title="Later one", start=now + timedelta(days=9))

    response = client.get("/")

    assert response.context["next_up"] == soonest
    html = response.content.decode()
    next_up = html[html.index('id="next-up-heading"') : html.index('id="upcoming-heading"')]
    assert "Soonest" in next_up and "Later one" not in next_up
    assert [w.title for w in response.context["upcoming_after_next"]] == ["Called off", later.title]
    assert html.index("Soonest") < html.index('class="filters"')


def test_calendar_has_no_next_up_when_filtered(client, db):
    make_webinar(title="Soonest", start=timezone.now() + timedelta(days=2))

    response = client.get("/", {"q": "Soon"})

    assert response.context["next_up"] is None
    assert 'id="next-up-heading"' not in response.content.decode()


def test_calendar_folds_past_webinars_and_marks_them_past(client, db):
    make_webinar(title="Ahead", start=timezone.now() + timedelta(days=2))
    make_webinar(title="Gone", start=timezone.now() - timedelta(days=2))

    html = client.get("/").content.decode()
    searched = client.get("/", {"q": "o"}).content.decode()

    assert '<details>\n  <summary><h2 id="past-heading">Past webinars</h2></summary>' in html
    past = html[html.index('id="past-heading"') :]
    assert '<li class="webinar-item is-past">' in past
    assert '<strong class="badge badge--past">Past</strong>' in past
    assert "<details open>" in searched


def test_calendar_opens_past_webinars_when_nothing_is_upcoming(client, db):
    make_webinar(title="Gone", start=timezone.now() - timedelta(days=2))

    html = client.get("/").content.decode()

    assert "<details open>" in html
    assert "No upcoming webinars." in text_of(client.get("/"))


def test_not_found_page_offers_search_and_the_next_webinars(client, db):
    now = timezone.now()
    make_webinar(title="Gone already", start=now - timedelta(days=1))
    make_webinar(title="Draft one", start=now + timedelta(days=1), is_published=False)
    for days in (5, 2, 9, 7):
        make_webinar(title=f"In {days} days", start=now + timedelta(days=days))

    response = client.get("/webinars/no-such-webinar/")

    assert response.status_code == 404
    html = response.content.decode()
    assert '<form class="filters filters--search" method="get" action="/" role="search">' in html
    assert '<input type="search" id="id_q" name="q" maxlength="200">' in html
    titles = re.findall(r'class="webinar-item__title"><a href="[^"]+">([^<]+)</a>', html)
    assert titles == ["In 2 days", "In 5 days", "In 7 days"]


def test_not_found_page_query_count_is_fixed(client, db, django_assert_max_num_queries):
    for days in range(1, 6):
        add_speaker(make_webinar(start=timezone.now() + timedelta(days=days)))

    with django_assert_max_num_queries(2):
        response = client.get("/no-such-page/")

    assert response.status_code == 404
