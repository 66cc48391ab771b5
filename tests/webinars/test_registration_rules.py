"""registration_create / registration_cancel: capacity, waiting list, duplicates, refusals."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_registration, make_series, make_webinar
from webinars.models import PendingMail, Registration
from webinars.services import (
    RegistrationError,
    registration_cancel,
    registration_create,
    webinar_fill_seats,
    webinar_save,
)


def register(webinar, email, name="Ada Lovelace", **kwargs):
    return registration_create(webinars=[webinar], name=name, email=email, consent=True, **kwargs)[
        0
    ].registration


def statuses(webinar):
    return list(webinar.registrations.order_by("created", "pk").values_list("email", "status"))


def test_registration_create_capacity_two_four_people_two_confirmed_two_waiting(db):
    webinar = make_webinar(capacity=2)

    for n in range(1, 5):
        register(webinar, f"p{n}@example.org")

    assert statuses(webinar) == [
        ("p1@example.org", "confirmed"),
        ("p2@example.org", "confirmed"),
        ("p3@example.org", "waitlisted"),
        ("p4@example.org", "waitlisted"),
    ]


def test_registration_create_mails_details_with_status(db, flush_mail):
    webinar = make_webinar(capacity=1, title="Copper")

    register(webinar, "first@example.org")
    register(webinar, "second@example.org")
    outbox = flush_mail()

    assert [(m.to, m.subject) for m in outbox] == [
        (["first@example.org"], "Registered: Copper"),
        (["second@example.org"], "Waiting list: Copper"),
    ]
    assert PendingMail.objects.unsent().count() == 0


def test_registration_cancel_promotes_oldest_waiting_and_mails_them(db, flush_mail):
    webinar = make_webinar(capacity=2, title="Copper")
    first = register(webinar, "p1@example.org")
    register(webinar, "p2@example.org")
    register(webinar, "p3@example.org")
    register(webinar, "p4@example.org")
    flush_mail().clear()

    assert registration_cancel(registration=first) is True
    outbox = flush_mail()

    assert statuses(webinar) == [
        ("p1@example.org", "cancelled"),
        ("p2@example.org", "confirmed"),
        ("p3@example.org", "confirmed"),
        ("p4@example.org", "waitlisted"),
    ]
    assert [(m.to, m.subject) for m in outbox] == [
        (["p1@example.org"], "Registration cancelled: Copper"),
        (["p3@example.org"], "A seat is yours: Copper"),
    ]
    promoted = Registration.objects.get(email="p3@example.org")
    assert promoted.promoted_at is not None
    assert f"/registrations/{promoted.token}/join" in outbox[1].body


def test_registration_cancel_twice_changes_nothing_the_second_time(db, flush_mail):
    webinar = make_webinar(capacity=1)
    first = register(webinar, "p1@example.org")
    register(webinar, "p2@example.org")
    registration_cancel(registration=first)
    flush_mail().clear()

    assert registration_cancel(registration=first) is False
    assert flush_mail() == []


def test_registration_cancel_of_waiting_registrant_promotes_nobody(db):
    webinar = make_webinar(capacity=1)
    register(webinar, "p1@example.org")
    waiting = register(webinar, "p2@example.org")
    register(webinar, "p3@example.org")

    registration_cancel(registration=waiting)

    assert statuses(webinar) == [
        ("p1@example.org", "confirmed"),
        ("p2@example.org", "cancelled"),
        ("p3@example.org", "waitlisted"),
    ]


@pytest.mark.parametrize("email", ["Ada@Example.org", "ADA@EXAMPLE.ORG", " ada@example.ORG "])
def test_registration_create_duplicate_in_any_case_creates_no_row(db, email):
    webinar = make_webinar()
    original = register(webinar, "ada@example.org")

    again = register(webinar, email)

    assert again.pk == original.pk
    assert Registration.objects.count() == 1


@pytest.mark.parametrize("email", ["Zoe@zoë.example.org", "zoe@ZOË.Example.org"])
def test_registration_create_repeated_non_ascii_address_is_a_duplicate_not_an_error(db, email):
    # The duplicate check lowers both sides in the database, as the unique constraint does; the
    # domain is stored in its IDNA form, so both spellings are one address.
    webinar = make_webinar()
    original = register(webinar, email)

    again = register(webinar, email)

    assert again.pk == original.pk
    assert Registration.objects.count() == 1


def test_registration_create_duplicate_resends_details_once_per_interval(db, flush_mail):
    webinar = make_webinar(title="Copper")
    start = timezone.now()
    register(webinar, "ada@example.org", now=start)

    register(webinar, "ADA@example.org", now=start + timedelta(minutes=1))
    register(webinar, "ada@example.org", now=start + timedelta(minutes=2))
    register(webinar, "ada@example.org", now=start + timedelta(minutes=15))

    assert [m.subject for m in flush_mail()] == ["Registered: Copper"] * 2


def test_registration_create_after_cancelling_registers_again(db):
    webinar = make_webinar(capacity=5)
    first = register(webinar, "ada@example.org")
    registration_cancel(registration=first)

    again = register(webinar, "ada@example.org")

    assert again.pk != first.pk
    assert again.status == "confirmed"


@pytest.mark.parametrize(
    ("fields", "code", "message"),
    [
        (
            {"status": "cancelled"},
            "cancelled",
            "Closed talk has been cancelled, so registration is closed.",
        ),
        (
            {"start": timezone.now() - timedelta(days=2)},
            "past",
            "Closed talk has already taken place, so registration is closed.",
        ),
        (
            {"start": timezone.now() - timedelta(minutes=10)},
            "closed",
            "Registration for Closed talk has closed.",
        ),
        (
            {"registration_closes": timezone.now() - timedelta(hours=1)},
            "closed",
            "Registration for Closed talk has closed.",
        ),
        ({"is_published": False}, "unavailable", "Closed talk is not open for registration."),
    ],
)
def test_registration_create_refuses_when_not_open(db, fields, code, message):
    webinar = make_webinar(title="Closed talk", **fields)

    with pytest.raises(RegistrationError) as error:
        register(webinar, "ada@example.org")

    assert error.value.code == code
    assert error.value.messages == [message]
    assert Registration.objects.count() == 0
    assert PendingMail.objects.sent().count() == 0


def test_registration_create_without_consent_is_refused(db):
    webinar = make_webinar()

    with pytest.raises(RegistrationError) as error:
        registration_create(webinars=[webinar], name="Ada", email="a@example.org", consent=False)

    assert error.value.code == "consent"
    assert Registration.objects.count() == 0


def test_registration_create_several_webinars_is_all_or_nothing(db):
    series = make_series()
    open_one = make_webinar(series=series)
    closed = make_webinar(series=series, status="cancelled", title="Gone")

    with pytest.raises(RegistrationError):
        registration_create(
            webinars=[open_one, closed], name="Ada", email="a@example.org", consent=True
        )

    assert Registration.objects.count() == 0
    assert PendingMail.objects.sent().count() == 0


def test_registration_create_notifies_the_series_organisers(db, flush_mail):
    series = make_series(notify_email="team@example.org")
    webinar = make_webinar(series=series, capacity=10, title="Copper")

    register(webinar, "ada@example.org", name="Ada Lovelace", organisation="Analytical")
    outbox = flush_mail()

    notice = next(m for m in outbox if m.to == ["team@example.org"])
    assert notice.subject == "New registration: Copper"
    assert "Name: Ada Lovelace" in notice.body
    assert "Email: ada@example.org" in notice.body
    assert "Organisation: Analytical" in notice.body
    assert "Now 1 confirmed of 10 seats, 0 waiting." in notice.body


def test_capacity_raise_by_an_organiser_promotes_as_many_as_fit(db, flush_mail):
    webinar = make_webinar(capacity=1, title="Copper")
    for n in range(1, 6):
        register(webinar, f"p{n}@example.org")
    flush_mail().clear()

    webinar.capacity = 3
    webinar_save(webinar=webinar)

    assert statuses(webinar) == [
        ("p1@example.org", "confirmed"),
        ("p2@example.org", "confirmed"),
        ("p3@example.org", "confirmed"),
        ("p4@example.org", "waitlisted"),
        ("p5@example.org", "waitlisted"),
    ]
    assert [(m.to, m.subject) for m in flush_mail()] == [
        (["p2@example.org"], "A seat is yours: Copper"),
        (["p3@example.org"], "A seat is yours: Copper"),
    ]


def test_capacity_removed_promotes_everybody(db):
    webinar = make_webinar(capacity=1)
    for n in range(1, 4):
        register(webinar, f"p{n}@example.org")

    webinar.capacity = None
    webinar_save(webinar=webinar)

    assert webinar.registrations.waitlisted().count() == 0
    assert webinar.registrations.confirmed().count() == 3


def test_webinar_fill_seats_promotes_nobody_once_started(db):
    webinar = make_webinar(capacity=1, start=timezone.now() - timedelta(minutes=5))
    make_registration(webinar, status="waitlisted")

    assert webinar_fill_seats(webinar=webinar) == []
    assert webinar.registrations.waitlisted().count() == 1


@pytest.mark.parametrize(
    "capacity, before, after, moves",
    [
        (None, 0, 1, False),  # no seat limit: always "open"
        (100, 0, 1, False),  # plenty left
        (100, 89, 90, True),  # ten left of 100: "few seats left" from now on
        (100, 90, 91, False),
        (100, 99, 100, True),  # the last seat: "full"
        (100, 100, 99, True),  # a cancellation frees one
        (2, 0, 1, False),  # two seats are "few" from the start
        (2, 1, 2, True),
    ],
)
def test_badge_changes_only_where_lists_read_differently(capacity, before, after, moves):
    from webinars.availability import badge_changes

    assert badge_changes(capacity, before, after) is moves
