"""A plain save keeps derived data right and tells nobody; an organiser's action (admin, the
series' webinar rows, services.webinar_save) mails the people it concerns."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from following.models import Follower
from following.services import follow_confirm
from tests.factories import make_registration, make_series, make_webinar
from tests.html import form_data
from webinars.models import PendingMail, Registration, Webinar


@pytest.fixture
def followed(db):
    series = make_series(title="Soil science", slug="soil")
    follow_confirm(follower=Follower.objects.create(series=series, email="fan@example.org"))
    return series


@pytest.fixture
def webinar(db):
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=5)
    webinar = make_webinar(title="Copper", capacity=1, start=start)
    make_registration(webinar, email="seated@example.org")
    make_registration(webinar, email="waiting@example.org", status="waitlisted")
    return webinar


def status_of(webinar, email):
    return webinar.registrations.get(email=email).status


def assert_nobody_told(flush_mail):
    assert PendingMail.objects.count() == 0
    assert flush_mail() == []


def test_orm_save_moving_the_start_mails_nobody_but_updates_the_calendar_data(webinar, flush_mail):
    before = webinar.start
    webinar.start += timedelta(hours=1)
    webinar.end += timedelta(hours=1)

    webinar.save()

    assert_nobody_told(flush_mail)
    saved = Webinar.objects.get(pk=webinar.pk)
    assert (saved.sequence, saved.previous_start) == (1, before)


def test_orm_save_cancelling_mails_nobody_but_bumps_the_sequence(webinar, flush_mail):
    webinar.status = Webinar.Status.CANCELLED

    webinar.save()

    assert_nobody_told(flush_mail)
    assert Webinar.objects.get(pk=webinar.pk).sequence == 1


def test_orm_save_raising_the_capacity_promotes_and_mails_nobody(webinar, flush_mail):
    webinar.capacity = 5

    webinar.save()

    assert_nobody_told(flush_mail)
    assert status_of(webinar, "waiting@example.org") == Registration.Status.WAITLISTED


def test_orm_save_publishing_a_draft_of_a_followed_series_tells_no_follower(followed, flush_mail):
    draft = make_webinar(series=followed, is_published=False)
    draft.is_published = True

    draft.save()
    make_webinar(series=followed, title="Created published")

    assert_nobody_told(flush_mail)
    assert Webinar.objects.get(pk=draft.pk).is_published


def change_form(client, webinar) -> tuple[str, dict]:
    url = reverse("admin:webinars_webinar_change", args=[webinar.pk])
    return url, form_data(client.get(url), "webinar_form")


def test_admin_moving_the_start_mails_registrants_the_new_time(admin_client, webinar, flush_mail):
    before = webinar.start
    url, data = change_form(admin_client, webinar)
    later = webinar.local_start + timedelta(hours=1)
    end = later + timedelta(hours=1)
    data.update(
        start_0=f"{later:%Y-%m-%d}",
        start_1=f"{later:%H:%M:%S}",
        duration="",
        end_0=f"{end:%Y-%m-%d}",
        end_1=f"{end:%H:%M:%S}",
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert sorted((m.to[0], m.subject) for m in flush_mail()) == [
        ("seated@example.org", "New time: Copper"),
        ("waiting@example.org", "New time: Copper"),
    ]
    webinar.refresh_from_db()
    assert (webinar.start, webinar.sequence, webinar.previous_start) == (
        before + timedelta(hours=1),
        1,
        before,
    )


def test_admin_cancelling_mails_registrants(admin_client, webinar, flush_mail):
    url, data = change_form(admin_client, webinar)
    data["status"] = "cancelled"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert sorted((m.to[0], m.subject) for m in flush_mail()) == [
        ("seated@example.org", "Cancelled: Copper"),
        ("waiting@example.org", "Cancelled: Copper"),
    ]


def test_admin_raising_the_capacity_promotes_and_mails_the_waiting_person(
    admin_client, webinar, flush_mail
):
    url, data = change_form(admin_client, webinar)
    data["capacity"] = "2"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert status_of(webinar, "waiting@example.org") == Registration.Status.CONFIRMED
    assert [(m.to, m.subject) for m in flush_mail()] == [
        (["waiting@example.org"], "A seat is yours: Copper"),
    ]


def test_admin_publishing_a_draft_tells_the_followers(admin_client, followed, flush_mail):
    draft = make_webinar(series=followed, title="Draft talk", is_published=False)
    url, data = change_form(admin_client, draft)
    data["is_published"] = "on"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    [notice] = PendingMail.objects.filter(kind=PendingMail.Kind.FOLLOW_NOTICE)
    assert notice.key.endswith(f":{draft.pk}")
    assert [(m.to, m.subject) for m in flush_mail()] == [
        (["fan@example.org"], "New in Soil science: Draft talk"),
    ]


def test_admin_duplicate_makes_a_draft_and_tells_nobody(admin_client, followed, flush_mail):
    webinar = make_webinar(series=followed, title="Copper")
    make_registration(webinar)

    admin_client.post(
        reverse("admin:webinars_webinar_changelist"),
        {"action": "duplicate", "_selected_action": [webinar.pk]},
    )

    assert Webinar.objects.filter(is_published=False).count() == 1
    assert_nobody_told(flush_mail)
