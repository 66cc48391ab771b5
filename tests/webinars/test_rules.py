"""The domain's rules at their boundaries, and every place that shows them agreeing.

A webinar is over at and after its end instant; one microsecond before it, it is live.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from core.timezones import is_ambiguous, skipped_readings, wall_time_readings
from tests.factories import make_registration, make_webinar
from webinars import services
from webinars.availability import seats_state
from webinars.models import Registration, Webinar
from webinars.rules import join, phase, registration, seats

BRUSSELS = ZoneInfo("Europe/Brussels")
TICK = timedelta(microseconds=1)
# (offset from the end instant, whether the webinar is over then)
AT_THE_END = [
    pytest.param(-TICK, False, id="a-microsecond-before"),
    pytest.param(timedelta(0), True, id="at-the-end"),
]


@pytest.fixture
def ended(db):
    """A published webinar that started 90 minutes ago: its end is the suite's now."""
    now = timezone.now()
    return make_webinar(
        title="Boundary talk",
        start=now - timedelta(minutes=90),
        join_url="https://meet.example.org/boundary",
    )


def _wall(*args) -> datetime:
    """A naive wall time, as the admin's form reads it."""
    return datetime(*args, tzinfo=BRUSSELS).replace(tzinfo=None)


def _at(clock, instant: datetime) -> datetime:
    clock.move_to(instant, tick=False)
    return instant


@pytest.mark.parametrize(("offset", "over"), AT_THE_END)
def test_phase_at_the_end_instant_agrees_in_python_and_sql(ended, offset, over):
    now = ended.end + offset

    assert phase.is_over(ended, now) is over
    assert phase.is_live(ended, now) is not over
    assert phase.phase(ended, now) == (phase.OVER if over else phase.LIVE)
    assert list(Webinar.objects.past(now)) == ([ended] if over else [])
    assert list(Webinar.objects.upcoming(now)) == ([] if over else [ended])
    assert list(Webinar.objects.live(now)) == ([] if over else [ended])


def test_phase_upcoming_until_the_start_instant(ended):
    assert phase.phase(ended, ended.start - TICK) == phase.UPCOMING
    assert phase.phase(ended, ended.start) == phase.LIVE
    assert list(Webinar.objects.live(ended.start - TICK)) == []
    assert list(Webinar.objects.live(ended.start)) == [ended]


@pytest.mark.parametrize(("offset", "over"), AT_THE_END)
def test_webinar_page_shows_the_recap_from_the_end_instant(client, ended, _clock, offset, over):
    _at(_clock, ended.end + offset)

    response = client.get(ended.get_absolute_url())

    html = response.content.decode()
    assert response.context["is_over"] is over
    assert ("webinar__layout--past" in html) is over
    assert ('id="recap-heading"' in html) is over


@pytest.mark.parametrize(("offset", "over"), AT_THE_END)
def test_calendar_lists_it_as_past_from_the_end_instant(client, ended, _clock, offset, over):
    _at(_clock, ended.end + offset)

    response = client.get("/")

    assert [w.pk for w in response.context["past"]] == ([ended.pk] if over else [])
    assert [w.pk for w in response.context["upcoming"]] == ([] if over else [ended.pk])
    html = response.content.decode()
    # The list badge: "Past" once over; before, the registration state (closed at the start).
    assert ('<strong class="badge badge--past">Past</strong>' in html) is over
    assert ('<strong class="badge badge--closed">Registration closed</strong>' in html) is not over


@pytest.mark.parametrize(("offset", "over"), AT_THE_END)
def test_api_when_past_includes_it_from_the_end_instant(client, ended, _clock, offset, over):
    _at(_clock, ended.end + offset)

    past = [item["slug"] for item in client.get("/api/webinars?when=past").json()["items"]]
    upcoming = [item["slug"] for item in client.get("/api/webinars?when=upcoming").json()["items"]]

    assert past == ([ended.slug] if over else [])
    assert upcoming == ([] if over else [ended.slug])


@pytest.mark.parametrize(("offset", "over"), AT_THE_END)
def test_admin_when_filter_counts_it_past_from_the_end_instant(
    organiser_client, ended, _clock, offset, over
):
    _at(_clock, ended.end + offset)
    url = reverse("admin:webinars_webinar_changelist")

    past = organiser_client.get(url, {"when": "past"}).context["cl"].result_list
    upcoming = organiser_client.get(url, {"when": "upcoming"}).context["cl"].result_list

    assert [w.pk for w in past] == ([ended.pk] if over else [])
    assert [w.pk for w in upcoming] == ([] if over else [ended.pk])


def test_registration_at_the_end_instant_is_refused_as_taken_place(ended):
    with pytest.raises(services.RegistrationError) as refused:
        services.registration_create(
            webinars=[ended], name="Ada", email="ada@example.org", consent=True, now=ended.end
        )

    assert refused.value.code == registration.OVER
    assert refused.value.messages == [
        "Boundary talk has already taken place, so registration is closed."
    ]
    assert not Registration.objects.exists()


def test_registration_a_microsecond_before_the_end_is_closed_not_past(ended):
    with pytest.raises(services.RegistrationError) as refused:
        services.registration_create(
            webinars=[ended],
            name="Ada",
            email="ada@example.org",
            consent=True,
            now=ended.end - TICK,
        )

    assert refused.value.code == registration.CLOSED


@pytest.mark.parametrize(("offset", "over"), AT_THE_END)
def test_join_link_closes_at_the_end_instant(client, ended, _clock, offset, over):
    person = make_registration(ended)
    _at(_clock, ended.end + offset)

    page = client.get(reverse("webinars:registration", kwargs={"token": person.token}))

    assert page.context["join_open"] is not over
    assert page.context["is_over"] is over
    assert page.context["can_cancel"] is not over
    assert join.is_open(ended, ended.end + offset) is not over


def test_join_window_opens_join_window_minutes_before_the_start(ended, settings):
    settings.JOIN_WINDOW_MINUTES = 30
    opens = ended.start - timedelta(minutes=30)

    assert join.opens(ended) == opens
    assert not join.is_open(ended, opens - TICK)
    assert join.is_open(ended, opens)


def test_registration_closes_at_its_closing_time_in_python_and_sql(db):
    start = timezone.now() + timedelta(days=2)
    closes = start - timedelta(days=1)
    webinar = make_webinar(start=start, registration_closes=closes)
    later = make_webinar(start=start, registration_closes=start + timedelta(hours=1))

    assert registration.closes_at(webinar) == webinar.closes_at == closes
    assert registration.closes_at(later) == start
    for now, expected in ((closes - TICK, {webinar, later}), (closes, {later}), (start, set())):
        assert set(Webinar.objects.open_for_registration(now)) == expected
        assert {w for w in (webinar, later) if registration.is_open(w, now)} == expected


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"is_published": False}, registration.UNPUBLISHED),
        ({"status": Webinar.Status.CANCELLED}, registration.CANCELLED),
        ({}, None),
    ],
)
def test_registration_refusal_gives_its_reason(db, fields, code):
    webinar = make_webinar(**fields)
    now = timezone.now()

    assert registration.refusal(webinar, now) == code
    assert (webinar in Webinar.objects.open_for_registration(now)) is (code is None)


def test_last_seat_confirms_then_the_waiting_list_and_full_everywhere(client, db):
    webinar = make_webinar(capacity=2)
    make_registration(webinar, status=Registration.Status.CONFIRMED)

    [last] = services.registration_create(
        webinars=[webinar], name="Last", email="last@example.org", consent=True
    )
    [after] = services.registration_create(
        webinars=[webinar], name="After", email="after@example.org", consent=True
    )

    assert last.registration.status == Registration.Status.CONFIRMED
    assert after.registration.status == Registration.Status.WAITLISTED
    page = client.get(webinar.get_absolute_url()).content.decode()
    assert "Full: waiting list" in page
    detail = client.get(f"/api/webinars/{webinar.slug}").json()
    assert detail["registration"]["state"] == "full"


def test_cancellation_promotes_the_oldest_waiting(db):
    now = timezone.now()
    webinar = make_webinar(capacity=1)
    seated = make_registration(webinar, status=Registration.Status.CONFIRMED)
    # Created in the other order than their primary keys: the oldest is the one that waited.
    newer = make_registration(webinar, status=Registration.Status.WAITLISTED)
    older = make_registration(webinar, status=Registration.Status.WAITLISTED)
    Registration.objects.filter(pk=newer.pk).update(created=now - timedelta(hours=1))
    Registration.objects.filter(pk=older.pk).update(created=now - timedelta(hours=2))

    services.registration_cancel(registration=seated, now=now)

    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert statuses == {
        seated.pk: Registration.Status.CANCELLED,
        older.pk: Registration.Status.CONFIRMED,
        newer.pk: Registration.Status.WAITLISTED,
    }


@pytest.mark.parametrize(
    ("capacity", "confirmed", "left", "full", "few", "code"),
    [
        (None, 500, None, False, False, "open"),
        (2, 1, 1, False, True, "few"),
        (2, 2, 0, True, False, "full"),
        (2, 3, 0, True, False, "full"),
        (100, 89, 11, False, False, "open"),
        (100, 90, 10, False, True, "few"),
        (10, 7, 3, False, False, "open"),
        (10, 8, 2, False, True, "few"),
    ],
)
def test_seats_rules(capacity, confirmed, left, full, few, code):
    assert seats.seats_left(capacity, confirmed) == left
    assert seats.is_full(capacity, confirmed) is full
    assert seats.few_left(capacity, confirmed) is few
    assert seats.promotion_limit(capacity, confirmed) == left
    assert seats_state(capacity, confirmed).code == code


def test_waiting_list_stops_moving_at_the_start(ended):
    assert seats.waiting_list_moves(ended, ended.start - TICK)
    assert not seats.waiting_list_moves(ended, ended.start)


@pytest.mark.parametrize(
    ("wall", "count"),
    [
        (_wall(2026, 10, 25, 2, 30), 2),  # the clocks go back: the hour happens twice
        (_wall(2026, 3, 29, 2, 30), 0),  # the clocks go forward: the hour is skipped
        (_wall(2026, 6, 10, 2, 30), 1),
    ],
)
def test_wall_time_readings_around_daylight_saving(wall, count):
    readings = wall_time_readings(wall, BRUSSELS)

    assert len(readings) == count
    assert readings == sorted(readings)
    assert all(r.astimezone(BRUSSELS).replace(tzinfo=None) == wall for r in readings)
    assert is_ambiguous(wall.replace(tzinfo=BRUSSELS)) is (count != 1)


def test_skipped_readings_are_an_hour_apart_earlier_first():
    earlier, later = skipped_readings(_wall(2026, 3, 29, 2, 30), BRUSSELS)

    assert later - earlier == timedelta(hours=1)
    assert earlier.astimezone(BRUSSELS).hour == 1
    assert later.astimezone(BRUSSELS).hour == 3
