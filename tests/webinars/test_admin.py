"""Admin: every changelist and change form works for superusers and Organisers."""

import re
import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize_input

from tests.factories import (
    add_speaker,
    brussels,
    make_disclaimer,
    make_organisation,
    make_registration,
    make_series,
    make_webinar,
    webinar_admin_form,
)
from tests.html import form_data, text_of
from webinars.models import Webinar

MODELS = [
    ("series", "series"),
    ("series", "organisation"),
    ("webinars", "webinar"),
    ("webinars", "speaker"),
    ("webinars", "registration"),
]


@pytest.fixture
def content(db):
    series = make_series()
    org = make_organisation(series)
    make_disclaimer(series)
    webinar = make_webinar(series=series, capacity=3)
    speaker = add_speaker(webinar)
    registration = make_registration(webinar)
    make_registration(webinar, status="waitlisted")
    return {
        "series": series,
        "organisation": org,
        "webinar": webinar,
        "speaker": speaker,
        "registration": registration,
    }


@pytest.mark.parametrize(("app", "model"), MODELS)
@pytest.mark.parametrize("who", ["admin_client", "organiser_client"])
def test_changelist_and_change_form_open(request, content, app, model, who):
    client = request.getfixturevalue(who)
    obj = content[model]

    changelist = client.get(reverse(f"admin:{app}_{model}_changelist"))
    change = client.get(reverse(f"admin:{app}_{model}_change", args=[obj.pk]))

    assert changelist.status_code == 200
    assert change.status_code == 200


@pytest.mark.parametrize(
    "params",
    [{"when": "upcoming"}, {"when": "past"}, {"status__exact": "cancelled"}, {"q": "Webinar"}],
)
def test_webinar_changelist_filters_and_search(admin_client, content, params):
    response = admin_client.get(reverse("admin:webinars_webinar_changelist"), params)

    assert response.status_code == 200


def test_webinar_changelist_shows_counts_in_own_zone_without_per_row_queries(
    admin_client, content, django_assert_max_num_queries
):
    for _ in range(10):
        make_webinar(series=content["series"])

    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("admin:webinars_webinar_changelist"))

    html = response.content.decode()
    assert "1 / 3" in html  # confirmed / capacity of the webinar with registrations
    assert "CET" in html or "CEST" in html


def test_organiser_can_add_a_webinar_with_speakers(organiser_client, content):
    speaker = content["speaker"]
    data = webinar_admin_form(
        series=content["series"].pk,
        number=7,
        description="Hello",
        **{
            "webinar_speakers-TOTAL_FORMS": "1",
            "webinar_speakers-0-speaker": speaker.pk,
            "webinar_speakers-0-role": "moderator",
            "webinar_speakers-0-order": "0",
        },
    )

    response = organiser_client.post(reverse("admin:webinars_webinar_add"), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    page = organiser_client.get("/webinars/added-in-admin/")
    assert page.status_code == 200
    assert f"Moderator: {speaker.name} ({speaker.affiliation})" in text_of(page)


def test_organiser_cannot_manage_users_or_delete_registrations(organiser_client, content):
    assert organiser_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    registration = content["registration"]
    delete = reverse("admin:webinars_registration_delete", args=[registration.pk])
    assert organiser_client.get(delete).status_code == 403


def test_admin_rejects_unknown_time_zone_with_a_message(admin_client, content):
    webinar = content["webinar"]
    url = reverse("admin:webinars_webinar_change", args=[webinar.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "series": webinar.series_id,
            "start_0": "2031-05-02",
            "start_1": "10:00:00",
            "end_0": "2031-05-02",
            "end_1": "11:00:00",
            "time_zone": "Nowhere/Special",
            "capacity": "3",
            "registration_closes_0": "",
            "registration_closes_1": "",
            "number": "",
            "webinar_speakers-TOTAL_FORMS": "0",
            "webinar_speakers-INITIAL_FORMS": "0",
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
        }
    )
    data.pop("is_published", None)
    data.pop("cover_image", None)  # an empty upload field, not a value to post

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "is not a known time zone" in response.content.decode()


def post_webinar(client, **fields):
    return client.post(reverse("admin:webinars_webinar_add"), webinar_admin_form(**fields))


def assert_asks_which_brussels_fall_back_0230(page):
    # Brussels falls back on 26 October 2031: 02:30 happens at 00:30 and at 01:30 UTC.
    assert "2031-10-26 02:30 happens twice in Europe/Brussels" in page
    assert "26 October 2031, 02:30 CEST (00:30 UTC)" in page
    assert "26 October 2031, 02:30 CET (01:30 UTC)" in page


def assert_refuses_brussels_spring_forward_0230(page):
    # Brussels springs forward on 30 March 2031: there is no 02:30 that night.
    assert "2031-03-30 02:30 does not exist in Europe/Brussels" in page
    assert "30 March 2031, 01:30 CET (00:30 UTC)" in page
    assert "30 March 2031, 03:30 CEST (01:30 UTC)" in page


def test_admin_asks_which_of_the_two_times_a_fall_back_night_repeats(organiser_client, content):
    # Brussels falls back on 26 October 2031: 02:30 happens at 00:30 and at 01:30 UTC.
    response = post_webinar(
        organiser_client, start_0="2031-10-26", start_1="02:30:00", end_0="2031-10-26"
    )

    assert response.status_code == 200
    page = text_of(response)
    assert_asks_which_brussels_fall_back_0230(page)
    assert not Webinar.objects.filter(slug="added-in-admin").exists()

    response = post_webinar(
        organiser_client,
        start_0="2031-10-26",
        start_1="02:30:00",
        start_occurrence="second",
        end_0="2031-10-26",
        end_1="04:00:00",
    )

    assert response.status_code == 302, text_of(response)[:2000]
    webinar = Webinar.objects.get(slug="added-in-admin")
    assert webinar.start == datetime(2031, 10, 26, 1, 30, tzinfo=UTC)
    assert webinar.end == datetime(2031, 10, 26, 3, 0, tzinfo=UTC)
    # Opened again, the form keeps saying which 02:30 it is, so saving it again keeps it.
    url = reverse("admin:webinars_webinar_change", args=[webinar.pk])
    form = organiser_client.get(url).context["adminform"].form
    assert form.initial["start_occurrence"] == "second"
    assert form.initial.get("end_occurrence") is None


@pytest.mark.parametrize(
    "skipped",
    [
        {"start_0": "2031-03-30", "start_1": "02:30:00", "end_0": "2031-03-30"},
        # The closing time is read in the webinar's zone too, with the same explanation.
        {"registration_closes_0": "2031-03-30", "registration_closes_1": "02:30:00"},
    ],
    ids=["start", "registration_closes"],
)
def test_admin_refuses_a_time_the_clocks_skip(organiser_client, content, skipped):
    response = post_webinar(organiser_client, **skipped)

    assert response.status_code == 200
    page = text_of(response)
    assert_refuses_brussels_spring_forward_0230(page)
    assert not Webinar.objects.filter(slug="added-in-admin").exists()


def test_admin_asks_which_repeated_closing_time_is_meant(organiser_client, content):
    # The closing time is typed in the webinar's zone like the start: 02:30 on the Brussels
    # fall-back night names two instants, so the form asks instead of Django's generic error.
    closes = {"registration_closes_0": "2031-10-26", "registration_closes_1": "02:30:00"}
    response = post_webinar(organiser_client, start_0="2031-11-02", end_0="2031-11-02", **closes)

    assert response.status_code == 200
    page = text_of(response)
    assert_asks_which_brussels_fall_back_0230(page)
    assert not Webinar.objects.filter(slug="added-in-admin").exists()

    response = post_webinar(
        organiser_client,
        start_0="2031-11-02",
        end_0="2031-11-02",
        registration_closes_occurrence="first",
        **closes,
    )

    assert response.status_code == 302, text_of(response)[:2000]
    webinar = Webinar.objects.get(slug="added-in-admin")
    assert webinar.registration_closes == datetime(2031, 10, 26, 0, 30, tzinfo=UTC)
    url = reverse("admin:webinars_webinar_change", args=[webinar.pk])
    form = organiser_client.get(url).context["adminform"].form
    assert form.initial["registration_closes_occurrence"] == "first"


def test_admin_takes_an_ordinary_time_on_a_dst_night_without_asking(organiser_client, content):
    response = post_webinar(
        organiser_client,
        start_0="2031-10-26",
        start_1="04:00:00",
        end_0="2031-10-26",
        end_1="05:00:00",
        time_zone="America/New_York",
    )

    assert response.status_code == 302
    webinar = Webinar.objects.get(slug="added-in-admin")
    assert webinar.start == datetime(2031, 10, 26, 8, 0, tzinfo=UTC)


def test_webinar_changelist_lists_upcoming_soonest_first_then_past_latest_first(admin_client):
    now = timezone.now()
    later = make_webinar(title="Later", start=now + timedelta(days=20))
    old = make_webinar(title="Old", start=now - timedelta(days=300))
    soon = make_webinar(title="Soon", start=now + timedelta(days=2))
    recent = make_webinar(title="Recent", start=now - timedelta(days=3))

    response = admin_client.get(reverse("admin:webinars_webinar_changelist"))

    assert list(response.context["cl"].result_list) == [soon, later, recent, old]


def test_webinar_changelist_has_few_columns_with_seats_and_waiting(admin_client, content):
    response = admin_client.get(reverse("admin:webinars_webinar_changelist"))

    headers = [str(h["text"]).capitalize() for h in response.context["result_headers"]]
    assert headers[1:] == [
        "Webinar",
        "Start (own zone)",
        "State",
        "Confirmed / capacity",
        "Waiting",
    ]
    html = response.content.decode()
    webinar = content["webinar"]
    assert f'>{webinar.title}</a><br><span class="quiet">{content["series"].title}</span>' in html
    assert f'/admin/webinars/registrantmessage/add/?webinar={webinar.pk}">write to them</a>' in html
    assert "1 / 3</a>" in html


def test_new_webinar_form_starts_as_a_draft(admin_client):
    response = admin_client.get(reverse("admin:webinars_webinar_add"))

    assert response.context["adminform"].form["is_published"].value() is False
    assert form_data(response, "webinar_form").get("is_published") is None


def test_webinar_form_offers_time_zones_as_a_choice(admin_client, content):
    url = reverse("admin:webinars_webinar_change", args=[content["webinar"].pk])

    field = admin_client.get(url).context["adminform"].form.fields["time_zone"]

    assert ("America/New_York", "America/New York") in field.choices
    assert "Nowhere/Special" not in dict(field.choices)


def test_webinar_end_can_come_from_a_duration(admin_client):
    data = webinar_admin_form(end_0="", end_1="", duration="90")

    response = admin_client.post(reverse("admin:webinars_webinar_add"), data)

    assert response.status_code == 302, response.context["errors"]
    webinar = Webinar.objects.get(slug="added-in-admin")
    assert (webinar.start, webinar.end) == (
        brussels(2031, 5, 2, 10, 0),
        brussels(2031, 5, 2, 11, 30),
    )


def test_webinar_without_end_or_duration_gets_a_message(admin_client):
    data = webinar_admin_form(end_0="", end_1="", duration="")

    response = admin_client.post(reverse("admin:webinars_webinar_add"), data)

    assert response.status_code == 200
    assert "Give the end, or pick a duration." in text_of(response)
    assert not Webinar.objects.exists()


def test_webinar_form_asks_the_zone_before_the_times(admin_client):
    form = admin_client.get(reverse("admin:webinars_webinar_add")).content.decode()

    assert form.index('name="time_zone"') < form.index('name="start_0"')
    assert form.index('name="duration"') < form.index('name="end_0"')


def test_duplicate_makes_a_draft_copy_with_speakers(admin_client, content):
    webinar = content["webinar"]
    webinar.registration_closes = webinar.start - timedelta(days=1)
    webinar.save()
    url = reverse("admin:webinars_webinar_changelist")

    response = admin_client.post(url, {"action": "duplicate", "_selected_action": [webinar.pk]})

    copy = Webinar.objects.exclude(pk=webinar.pk).get()
    assert response["Location"] == reverse("admin:webinars_webinar_change", args=[copy.pk])
    assert (copy.title, copy.slug, copy.is_published) == (
        webinar.title,
        f"{webinar.slug}-copy",
        False,
    )
    assert (copy.start, copy.end, copy.series, copy.capacity) == (
        webinar.start,
        webinar.end,
        webinar.series,
        webinar.capacity,
    )
    assert copy.uid != webinar.uid and copy.sequence == 0 and copy.registration_closes is None
    assert [ws.speaker for ws in copy.webinar_speakers.all()] == [content["speaker"]]
    assert copy.registrations.count() == 0
    admin_client.post(url, {"action": "duplicate", "_selected_action": [webinar.pk]})
    assert Webinar.objects.filter(slug=f"{webinar.slug}-copy-2").exists()


def test_add_next_webinar_prefills_from_the_last_of_the_series(admin_client):
    series = make_series()
    new_york = zoneinfo.ZoneInfo("America/New_York")
    # A week later crosses the end of daylight saving time: still 11:00 in New York.
    last = make_webinar(
        series=series,
        number=4,
        start=datetime(2026, 10, 29, 11, 0, tzinfo=new_york),
        duration=timedelta(hours=1),
        time_zone="America/New_York",
        capacity=40,
        location="Room 5",
    )
    speaker = add_speaker(last, role="moderator")
    series_page = admin_client.get(reverse("admin:series_series_change", args=[series.pk]))
    link = re.search(
        r'href="(/admin/webinars/webinar/add/\?[^"]+)">Add the next webinar',
        (series_page.content.decode()),
    )

    response = admin_client.get(link.group(1).replace("&amp;", "&"))

    data = form_data(response, "webinar_form")
    assert (data["series"], data["number"], data["time_zone"]) == (
        str(series.pk),
        "5",
        "America/New_York",
    )
    assert (data["start_0"], data["start_1"]) == (localize_input(date(2026, 11, 5)), "11:00:00")
    assert (data["duration"], data["capacity"], data["location"]) == ("60", "40", "Room 5")
    assert (data["webinar_speakers-0-speaker"], data["webinar_speakers-0-role"]) == (
        str(speaker.pk),
        "moderator",
    )
    assert data.get("is_published") is None
