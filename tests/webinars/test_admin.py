"""Admin: every changelist and change form works for superusers and Organisers."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.factories import (
    add_speaker,
    make_disclaimer,
    make_organisation,
    make_registration,
    make_series,
    make_webinar,
    webinar_admin_form,
)
from tests.html import text_of
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

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "is not a known time zone" in response.content.decode()


def post_webinar(client, **fields):
    return client.post(reverse("admin:webinars_webinar_add"), webinar_admin_form(**fields))


def test_admin_asks_which_of_the_two_times_a_fall_back_night_repeats(organiser_client, content):
    # Brussels falls back on 26 October 2031: 02:30 happens at 00:30 and at 01:30 UTC.
    response = post_webinar(
        organiser_client, start_0="2031-10-26", start_1="02:30:00", end_0="2031-10-26"
    )

    assert response.status_code == 200
    page = text_of(response)
    assert "2031-10-26 02:30 happens twice in Europe/Brussels" in page
    assert "26 October 2031, 02:30 CEST (00:30 UTC)" in page
    assert "26 October 2031, 02:30 CET (01:30 UTC)" in page
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


def test_admin_refuses_a_time_the_clocks_skip(organiser_client, content):
    # Brussels springs forward on 30 March 2031: there is no 02:30 that night.
    response = post_webinar(
        organiser_client, start_0="2031-03-30", start_1="02:30:00", end_0="2031-03-30"
    )

    assert response.status_code == 200
    page = text_of(response)
    assert "2031-03-30 02:30 does not exist in Europe/Brussels" in page
    assert "30 March 2031, 01:30 CET (00:30 UTC)" in page
    assert "30 March 2031, 03:30 CEST (01:30 UTC)" in page
    assert not Webinar.objects.filter(slug="added-in-admin").exists()


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
