"""A run of webinars from one rule: dates, wall-clock times across DST, preview, drafts."""

import re
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import add_speaker, brussels, make_series, make_webinar
from tests.html import text_of
from webinars.models import Question, Webinar
from webinars.rules import recurrence

BRUSSELS = ZoneInfo("Europe/Brussels")


def test_weekly_run_keeps_ten_oclock_across_fall_back_and_spring_forward():
    # 2026-10-25 the clocks go back; 2027-03-28 they go forward.
    dates = recurrence.run_dates(date(2026, 10, 20), recurrence.WEEKLY, count=24)
    found = recurrence.occurrences(dates, time(10, 0), BRUSSELS, timedelta(minutes=90))

    assert {(o.start.hour, o.start.minute) for o in found} == {(10, 0)}
    assert [o.start.tzname() for o in found[:2]] == ["CEST", "CET"]
    assert [o.start.tzname() for o in found[-2:]] == ["CET", "CEST"]
    assert found[0].start.utcoffset() == timedelta(hours=2)
    assert found[1].start.utcoffset() == timedelta(hours=1)
    assert all(o.end - o.start == timedelta(minutes=90) for o in found)


def test_monthly_on_the_first_tuesday():
    dates = recurrence.run_dates(date(2026, 9, 1), recurrence.MONTHLY, count=4)

    assert dates == [date(2026, 9, 1), date(2026, 10, 6), date(2026, 11, 3), date(2026, 12, 1)]


def test_monthly_from_a_fifth_weekday_means_the_last_one():
    dates = recurrence.run_dates(date(2026, 9, 29), recurrence.MONTHLY, count=3)

    assert dates == [date(2026, 9, 29), date(2026, 10, 27), date(2026, 11, 24)]


def test_skipped_dates_are_left_out_and_not_counted():
    dates = recurrence.run_dates(
        date(2026, 12, 15),
        recurrence.WEEKLY,
        count=3,
        skip=[date(2026, 12, 22), date(2026, 12, 29)],
    )

    assert dates == [date(2026, 12, 15), date(2027, 1, 5), date(2027, 1, 12)]


def test_count_or_end_date_and_the_cap():
    every_other = recurrence.run_dates(
        date(2026, 7, 1), recurrence.FORTNIGHTLY, until=date(2026, 8, 12)
    )
    assert every_other == [
        date(2026, 7, 1),
        date(2026, 7, 15),
        date(2026, 7, 29),
        date(2026, 8, 12),
    ]
    # The count stops before the end date does.
    assert (
        len(
            recurrence.run_dates(
                date(2026, 7, 1), recurrence.WEEKLY, count=2, until=date(2027, 1, 1)
            )
        )
        == 2
    )
    assert (
        len(recurrence.run_dates(date(2026, 7, 1), recurrence.WEEKLY, until=date(2040, 1, 1)))
        == recurrence.MAX_RUN
    )


def test_a_time_the_clocks_skip_is_named():
    with pytest.raises(recurrence.SkippedTime) as raised:
        recurrence.occurrences(
            [date(2027, 3, 21), date(2027, 3, 28)], time(2, 30), BRUSSELS, timedelta(hours=1)
        )
    assert raised.value.day == date(2027, 3, 28)


# --- admin -------------------------------------------------------------------------------


@pytest.fixture
def series(db):
    series = make_series(title="Soil")
    template = make_webinar(
        series=series,
        number=4,
        title="Soil #4",
        start=brussels(2026, 5, 5, 10, 0),
        capacity=40,
        location="Room 5",
    )
    speaker = add_speaker(template)
    Question.objects.create(webinar=template, label="Your sector", kind="short_text")
    series.template, series.speaker = template, speaker
    return series


def run_data(**fields) -> dict:
    data = {
        "first_date": "2026-10-20",
        "start_time": "10:00",
        "time_zone": "Europe/Brussels",
        "duration": "90",
        "repeat": "weekly",
        "count": "3",
        "until": "",
        "skip": "",
        "title_pattern": "{series} #{n}",
        "template": "",
        "capacity": "",
    }
    data.update(fields)
    return data


def run_url(series) -> str:
    return reverse("admin:series_series_run", args=[series.pk])


def test_the_preview_lists_each_date_with_its_offset_and_saves_nothing(organiser_client, series):
    response = organiser_client.post(run_url(series), run_data())

    assert response.status_code == 200
    text = text_of(response)
    assert "Soil #5" in text and "Soil #7" in text
    assert "Tuesday 20 October 2026, 10:00–11:30 CEST" in text and "UTC+02:00" in text
    assert "Tuesday 27 October 2026, 10:00–11:30 CET" in text and "UTC+01:00" in text
    assert "Create these 3 drafts" in response.content.decode()
    assert Webinar.objects.count() == 1


def test_confirm_creates_numbered_drafts_with_the_templates_speakers_and_questions(
    organiser_client, series
):
    data = run_data(template=str(series.template.pk))
    preview = organiser_client.post(run_url(series), data)
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', preview.content.decode()).group(1)

    response = organiser_client.post(run_url(series), {**data, "digest": digest, "_confirm": "1"})

    assert response.status_code == 302
    made = list(Webinar.objects.exclude(pk=series.template.pk).order_by("start"))
    assert [(w.number, w.title, w.is_published) for w in made] == [
        (5, "Soil #5", False),
        (6, "Soil #6", False),
        (7, "Soil #7", False),
    ]
    assert [w.local_start.strftime("%H:%M %Z") for w in made] == [
        "10:00 CEST",
        "10:00 CET",
        "10:00 CET",
    ]
    assert all(w.end - w.start == timedelta(minutes=90) for w in made)
    for webinar in made:
        assert [ws.speaker for ws in webinar.webinar_speakers.all()] == [series.speaker]
        assert [q.label for q in webinar.questions.all()] == ["Your sector"]
        assert (webinar.capacity, webinar.location) == (40, "Room 5")
    assert len({w.slug for w in made}) == 3 and len({w.uid for w in made}) == 3


def test_confirm_after_a_change_shows_the_preview_again(organiser_client, series):
    preview = organiser_client.post(run_url(series), run_data())
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', preview.content.decode()).group(1)

    response = organiser_client.post(
        run_url(series), {**run_data(count="5"), "digest": digest, "_confirm": "1"}
    )

    assert response.status_code == 200
    assert "The settings changed since the last preview" in text_of(response)
    assert Webinar.objects.count() == 1


def test_bare_drafts_without_a_template_take_the_capacity_given(organiser_client, series):
    data = run_data(count="", until="2026-11-03", repeat="fortnightly", capacity="25")
    preview = organiser_client.post(run_url(series), data)
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', preview.content.decode()).group(1)

    organiser_client.post(run_url(series), {**data, "digest": digest, "_confirm": "1"})

    made = Webinar.objects.exclude(pk=series.template.pk).order_by("start")
    assert [(w.local_start.date(), w.capacity) for w in made] == [
        (date(2026, 10, 20), 25),
        (date(2026, 11, 3), 25),
    ]
    assert not made[0].webinar_speakers.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"count": "", "until": ""}, "Give how many webinars, or the last date."),
        ({"count": "", "until": "2026-01-01"}, "The last date comes before the first."),
        ({"count": "500"}, "Ensure this value is less than or equal to 100."),
        ({"skip": "next tuesday"}, "“next” is not a date: write each as YYYY-MM-DD."),
        ({"title_pattern": "{title} {n}"}, "Use only {series}, {n} and {date} between braces."),
        ({"title_pattern": "{n"}, "Use only {series}, {n} and {date} between braces."),
        ({"first_date": "2027-03-28", "start_time": "02:30"}, "02:30 does not exist on 2027-03-28"),
        ({"time_zone": "Nowhere/Special"}, "Nowhere/Special is not a known time zone"),
        ({"first_date": "yesterday"}, "Enter a valid date."),
        ({"template": "999999"}, "Select a valid choice."),
    ],
)
def test_bad_input_gets_form_errors(organiser_client, series, fields, message):
    response = organiser_client.post(run_url(series), {**run_data(**fields), "_confirm": "1"})

    assert response.status_code == 200
    assert message in text_of(response)
    assert Webinar.objects.count() == 1


def test_a_manager_adds_runs_only_to_their_own_series(client, django_user_model, series):
    other = make_series(title="Other")
    manager = django_user_model.objects.create_user("m", password="x", is_staff=True)
    series.managers.add(manager)
    client.force_login(manager)

    assert client.get(run_url(series)).status_code == 200
    assert client.get(run_url(other)).status_code == 404
    assert client.post(run_url(other), run_data()).status_code == 404
    assert Webinar.objects.count() == 1


def test_staff_organising_no_series_is_refused(client, django_user_model, series):
    user = django_user_model.objects.create_user("s", password="x", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename="view_series"))
    client.force_login(user)

    assert client.get(run_url(series)).status_code == 404
