"""Database constraints and model rules."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import make_registration, make_series, make_speaker, make_webinar
from webinars.models import Registration, Webinar


def _integrity_error(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_end_must_be_after_start(db):
    _integrity_error(lambda: make_webinar(duration=timedelta(0)))
    _integrity_error(lambda: make_webinar(duration=timedelta(minutes=-5)))


def test_capacity_must_be_positive(db):
    _integrity_error(lambda: make_webinar(capacity=0))
    assert make_webinar(capacity=None).capacity is None
    assert make_webinar(capacity=1).capacity == 1


def test_slugs_are_unique(db):
    make_webinar(slug="same")
    _integrity_error(lambda: make_webinar(slug="same"))
    make_series(slug="same")
    _integrity_error(lambda: make_series(slug="same"))
    make_speaker(slug="same")
    _integrity_error(lambda: make_speaker(slug="same"))


def test_time_zone_must_look_like_an_iana_name_in_the_database(db):
    _integrity_error(lambda: make_webinar(time_zone=""))
    _integrity_error(lambda: make_webinar(time_zone="not a zone; drop"))
    assert make_webinar(time_zone="America/Argentina/Buenos_Aires").time_zone


def test_time_zone_must_be_a_known_zone_in_full_clean(db):
    webinar = make_webinar()
    webinar.time_zone = "Mars/Olympus_Mons"

    with pytest.raises(ValidationError) as excinfo:
        webinar.full_clean()

    assert "time_zone" in excinfo.value.message_dict


def test_one_active_registration_per_email_any_case(db):
    webinar = make_webinar()
    make_registration(webinar, email="Ann@Example.org")

    _integrity_error(lambda: make_registration(webinar, email="ann@example.ORG"))


def test_cancelled_registration_does_not_block_a_new_one(db):
    webinar = make_webinar()
    make_registration(webinar, email="ann@example.org", status=Registration.Status.CANCELLED)

    again = make_registration(webinar, email="ann@example.org")

    assert again.status == Registration.Status.CONFIRMED


def test_same_email_may_register_for_two_webinars(db):
    make_registration(make_webinar(), email="ann@example.org")
    make_registration(make_webinar(), email="ann@example.org")

    assert Registration.objects.count() == 2


def test_registration_tokens_are_long_random_and_unique(db):
    webinar = make_webinar()
    tokens = {make_registration(webinar).token for _ in range(20)}

    assert len(tokens) == 20
    assert all(len(t) >= 43 for t in tokens)  # 32 bytes in URL-safe base64


def test_full_clean_accepts_a_contract_webinar_and_rejects_end_before_start(db):
    start = timezone.now() + timedelta(days=3)
    webinar = Webinar(
        title="Contract", slug="contract", start=start, end=start + timedelta(hours=1)
    )
    webinar.full_clean()
    webinar.save()
    bad = Webinar(title="Bad", slug="bad", start=start, end=start - timedelta(hours=1))

    with pytest.raises(ValidationError) as excinfo:
        bad.full_clean()

    assert "end" in excinfo.value.message_dict
    assert webinar.time_zone == "Europe/Brussels"
    assert webinar.is_published and webinar.status == "scheduled"


def test_querysets_published_upcoming_past(db):
    now = timezone.now()
    upcoming = make_webinar(start=now + timedelta(days=1))
    running = make_webinar(start=now - timedelta(minutes=30))
    past = make_webinar(start=now - timedelta(days=1))
    make_webinar(start=now + timedelta(days=2), is_published=False)

    assert list(Webinar.objects.published().upcoming()) == [running, upcoming]
    assert list(Webinar.objects.published().past()) == [past]


def test_str_and_absolute_urls(db):
    webinar = make_webinar(title="Hello", slug="hello", series=make_series(title="S", slug="s"))

    assert str(webinar) == "Hello"
    assert webinar.get_absolute_url() == "/webinars/hello/"
    assert webinar.series.get_absolute_url() == "/series/s/"
    assert str(make_speaker(name="Ann", affiliation="Uni")) == "Ann (Uni)"
