"""Organisers' pages cost the same number of queries with ten times the data."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from afterwards.models import Feedback
from tests.factories import make_series, make_speaker
from webinars.admin.filters import NEARBY_CHOICES
from webinars.models import Registration, Webinar, WebinarSpeaker

pytestmark = pytest.mark.django_db
BUDGET = 15


def fill(count: int, tag: str) -> Webinar:
    """`count` webinars (half past, half to come) in two series, each with two registrations,
    a speaker, and feedback on the past ones; returns one past webinar."""
    now = timezone.now()
    series = [make_series(title=f"{tag} A"), make_series(title=f"{tag} B")]
    webinars = Webinar.objects.bulk_create(
        Webinar(
            series=series[n % 2],
            number=n + 1,
            title=f"{tag} talk {n}",
            slug=f"{tag}-talk-{n}",
            start=now + timedelta(days=n - count // 2, hours=1),
            end=now + timedelta(days=n - count // 2, hours=2),
            time_zone="Europe/Brussels",
            is_published=True,
        )
        for n in range(count)
    )
    speaker = make_speaker(name=f"{tag} speaker")
    WebinarSpeaker.objects.bulk_create(WebinarSpeaker(webinar=w, speaker=speaker) for w in webinars)
    registrations = Registration.objects.bulk_create(
        Registration(
            webinar=w,
            name=f"Person {i}",
            email=f"{tag}-{w.pk}-{i}@example.org",
            status=Registration.Status.CONFIRMED,
        )
        for w in webinars
        for i in range(2)
    )
    Feedback.objects.bulk_create(
        Feedback(registration=r, rating=4) for r in registrations if r.webinar.start < now
    )
    return next(w for w in webinars if w.start < now)


PAGES = [
    ("admin:index", {}),
    ("admin:webinars_webinar_changelist", {}),
    ("admin:webinars_registration_changelist", {}),
    ("admin:webinars_registration_changelist", {"q": "small"}),
    ("admin:afterwards_feedback_changelist", {}),
    ("admin:webinars_speaker_changelist", {}),
    ("admin:afterwards_webinarrecord_changelist", {}),
]


def page_queries(client, name: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name), params)
    assert response.status_code == 200, (name, response.status_code)
    return len(queries)


@pytest.mark.parametrize(("name", "params"), PAGES)
def test_organisers_lists_cost_the_same_at_20_and_200_webinars(organiser_client, name, params):
    organiser_client.get(reverse(name), params)  # content types and settings, read once
    fill(20, "small")
    small = page_queries(organiser_client, name, params)
    fill(180, "large")
    large = page_queries(organiser_client, name, params)

    assert large == small
    assert large <= BUDGET


def test_one_webinars_registrations_and_feedback_cost_the_same_too(organiser_client):
    chosen = fill(20, "small")
    organiser_client.get(reverse("admin:index"))
    pages = [
        ("admin:webinars_registration_changelist", {"webinar__id__exact": chosen.pk, "q": "Per"}),
        ("admin:afterwards_feedback_changelist", {"registration__webinar__id__exact": chosen.pk}),
    ]
    small = [page_queries(organiser_client, *page) for page in pages]
    fill(180, "large")
    large = [page_queries(organiser_client, *page) for page in pages]

    assert large == small
    assert max(large) <= BUDGET


def test_the_webinar_filter_names_the_chosen_one_and_a_few_others(organiser_client):
    chosen = fill(200, "many")
    url = reverse("admin:webinars_registration_changelist")

    response = organiser_client.get(url, {"webinar__id__exact": chosen.pk})

    html = response.content.decode()
    spec = next(s for s in response.context["cl"].filter_specs if s.title == "webinar")
    assert [pk for pk, _ in spec.lookup_choices][0] == str(chosen.pk)
    assert len(spec.lookup_choices) == 1 + NEARBY_CHOICES
    assert "Another webinar: find it in the webinar list" in html
    assert len(response.context["cl"].result_list) == 2


@pytest.mark.parametrize("value", ["abc", "9" * 30, "-1"])
def test_a_bad_webinar_filter_value_lists_nothing_and_never_fails(organiser_client, value):
    fill(4, "few")
    for name, key in [
        ("admin:webinars_registration_changelist", "webinar__id__exact"),
        ("admin:afterwards_feedback_changelist", "registration__webinar__id__exact"),
    ]:
        response = organiser_client.get(reverse(name), {key: value})
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == 0


def test_address_search_is_a_prefix_names_only_within_one_webinar(organiser_client):
    chosen = fill(4, "few")
    url = reverse("admin:webinars_registration_changelist")

    by_address = organiser_client.get(url, {"q": f"FEW-{chosen.pk}-1"}).context["cl"].result_list
    inside = organiser_client.get(url, {"q": "example.org"}).context["cl"].result_list
    by_name = organiser_client.get(url, {"q": "Person 1"}).context["cl"].result_list
    in_one = organiser_client.get(url, {"q": "Person 1", "webinar__id__exact": chosen.pk})

    assert [r.email for r in by_address] == [f"few-{chosen.pk}-1@example.org"]
    assert list(inside) == [] and list(by_name) == []
    assert [r.name for r in in_one.context["cl"].result_list] == ["Person 1"]
