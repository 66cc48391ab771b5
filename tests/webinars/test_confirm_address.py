"""Confirmed addresses: a registration is held, without a seat, until its address is confirmed
through a mailed link; holds expire, are purged, and a late link gets a clear page."""

import io
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.config.run_manage import run_manage
from tests.factories import make_registration, make_series, make_webinar
from tests.html import text_of
from tests.threads import run_together
from webinars import services
from webinars.models import RegistrantMessage, Registration

SECRET = "https://meet.example.com/PRIVATE-confirm-4711"


def held_webinar(**fields):
    fields.setdefault("title", "Lithium")
    fields.setdefault("confirm_email", True)
    fields.setdefault("join_url", SECRET)
    return make_webinar(**fields)


def register(client, webinar, email="ada@example.org"):
    return client.post(
        f"/webinars/{webinar.slug}/register/",
        {"name": "Ada", "email": email, "consent": "on"},
    )


def confirm_link(message) -> str:
    return re.search(r"http://[^\s]+/confirm-address/[^\s]+/", message.body).group(0)


def test_a_held_registration_takes_no_seat_and_mails_a_confirmation_link(client, db, flush_mail):
    series = make_series(notify_email="team@example.org")
    webinar = held_webinar(capacity=1, series=series)

    response = register(client, webinar)
    register(client, webinar, email="bob@example.org")

    thanks = text_of(client.get(response["Location"]))
    assert "Please confirm your address within 60 minutes" in thanks
    assert list(webinar.registrations.values_list("status", flat=True)) == ["pending"] * 2
    ada = webinar.registrations.get(email="ada@example.org")
    assert ada.hold_expires_at == ada.created + timedelta(minutes=60)
    outbox = flush_mail()
    # The organisers hear of it once the address is confirmed, not before.
    assert [(m.to, m.subject) for m in outbox] == [
        (["ada@example.org"], "Please confirm your address: Lithium"),
        (["bob@example.org"], "Please confirm your address: Lithium"),
    ]
    assert f"/webinars/{webinar.slug}/confirm-address/{ada.token}/" in outbox[0].body
    assert "PRIVATE-confirm" not in outbox[0].body
    assert "/join" not in outbox[0].body
    page = client.get(f"/registrations/{ada.token}/")
    assert "Address not confirmed yet" in text_of(page)
    assert b"PRIVATE-confirm" not in page.content


def test_confirming_asks_first_then_gives_the_seat_and_mails(client, db, flush_mail):
    series = make_series(notify_email="team@example.org")
    webinar = held_webinar(capacity=1, series=series)
    register(client, webinar)
    link = confirm_link(flush_mail()[0])
    path = link.removeprefix("http://127.0.0.1:8000")

    asked = client.get(path)
    confirmed = client.post(path)
    again = client.post(path)

    registration = Registration.objects.get()
    assert "Yes, this address is mine" in text_of(asked)
    assert (registration.status, registration.hold_expires_at) == ("confirmed", None)
    assert registration.email_confirmed_at is not None
    page = f"/registrations/{registration.token}/"
    assert confirmed["Location"] == f"{page}?confirmed=1"
    assert again["Location"] == page
    assert "Thank you: your address is confirmed." in text_of(client.get(confirmed["Location"]))
    outbox = flush_mail()
    assert sorted((m.to[0], m.subject) for m in outbox[1:]) == [
        ("ada@example.org", "Registered: Lithium"),
        ("team@example.org", "New registration: Lithium"),
    ]


def test_a_link_scanner_fetching_the_link_confirms_nothing(client, db, flush_mail):
    webinar = held_webinar()
    register(client, webinar)
    client.get(confirm_link(flush_mail()[0]).removeprefix("http://127.0.0.1:8000"))

    assert Registration.objects.get().is_held


def test_one_link_confirms_every_hold_of_the_address_from_a_series_form(client, db, flush_mail):
    series = make_series(slug="metals")
    webinars = [held_webinar(series=series, title=f"Part {n}") for n in (1, 2, 3)]
    stranger = make_registration(
        webinars[0], status="pending", hold_expires_at=timezone.now() + timedelta(minutes=5)
    )
    client.post(
        "/series/metals/register/",
        {
            "name": "Ada",
            "email": "ada@example.org",
            "consent": "on",
            "webinars": [w.pk for w in webinars],
        },
    )
    links = [confirm_link(m) for m in flush_mail()]

    client.post(links[1].removeprefix("http://127.0.0.1:8000"))

    assert len(links) == 3
    ada = Registration.objects.filter(email="ada@example.org")
    assert sorted(ada.values_list("webinar__title", "status")) == [
        ("Part 1", "confirmed"),
        ("Part 2", "confirmed"),
        ("Part 3", "confirmed"),
    ]
    stranger.refresh_from_db()
    assert stranger.is_held


def test_seats_taken_meanwhile_put_a_confirmed_address_on_the_waiting_list(db, flush_mail):
    webinar = held_webinar(capacity=1)
    held = make_registration(
        webinar, status="pending", hold_expires_at=timezone.now() + timedelta(minutes=30)
    )
    make_registration(webinar, status="confirmed")

    outcome = services.registration_confirm_address(registration=held)

    assert (outcome.outcome, outcome.registration.status) == ("confirmed", "waitlisted")
    assert [m.subject for m in flush_mail()] == ["Waiting list: Lithium"]


def test_on_an_approval_webinar_a_confirmed_address_goes_to_the_organisers(db, flush_mail):
    webinar = held_webinar(requires_approval=True)
    held = make_registration(
        webinar, status="pending", hold_expires_at=timezone.now() + timedelta(minutes=30)
    )
    # Not approvable while the address is unconfirmed.
    assert services.registrations_approve(registrations=[held]).skipped == 1

    services.registration_confirm_address(registration=held)

    held.refresh_from_db()
    assert (held.status, held.hold_expires_at) == ("pending", None)
    assert [m.subject for m in flush_mail()] == ["Registration received: Lithium"]
    assert services.registrations_approve(registrations=[held]).confirmed == 1


def test_an_address_confirmed_after_its_hold_expired_gets_a_clear_page(client, db, _clock):
    webinar = held_webinar()
    register(client, webinar)
    registration = Registration.objects.get()
    path = f"/webinars/{webinar.slug}/confirm-address/{registration.token}/"
    _clock.shift(timedelta(minutes=61))

    late_get = client.get(path)
    late_post = client.post(path)
    call_command("purge_unconfirmed", stdout=io.StringIO())
    after_purge = client.post(path)

    for response in (late_get, late_post, after_purge):
        assert response.status_code == 410
        page = text_of(response)
        assert "This link has expired" in page
        assert "the time is up: we did not keep it, and no seat was held" in page
        assert f'href="/webinars/{webinar.slug}/register/"' in response.content.decode()
    assert not Registration.objects.exists()


def test_purging_deletes_only_expired_holds(db):
    webinar = held_webinar()
    now = timezone.now()
    make_registration(webinar, status="pending", hold_expires_at=now - timedelta(minutes=1))
    kept = make_registration(webinar, status="pending", hold_expires_at=now + timedelta(minutes=5))
    approval = make_registration(webinar, status="pending")
    out = io.StringIO()

    call_command("purge_unconfirmed", stdout=out)

    assert out.getvalue() == "1 unconfirmed registration deleted\n"
    assert set(Registration.objects.all()) == {kept, approval}


def test_registering_again_after_the_hold_expired_starts_a_new_hold(client, db, _clock, flush_mail):
    webinar = held_webinar()
    register(client, webinar)
    old = Registration.objects.get()
    assert len(flush_mail()) == 1
    _clock.shift(timedelta(minutes=90))

    register(client, webinar, email="ADA@example.org")

    new = Registration.objects.get()
    assert new.pk != old.pk
    assert new.is_held
    assert new.hold_expires_at > timezone.now()
    assert len(flush_mail()) == 2


def test_the_site_wide_setting_holds_every_registration(client, db, settings, flush_mail):
    settings.REGISTRATION_CONFIRM_EMAIL = True
    webinar = make_webinar(title="Tin")

    register(client, webinar)

    assert Registration.objects.get().is_held
    assert [m.subject for m in flush_mail()] == ["Please confirm your address: Tin"]


def test_holds_get_no_messages_from_the_organisers(db, flush_mail):
    webinar = held_webinar()
    make_registration(
        webinar, status="pending", hold_expires_at=timezone.now() + timedelta(minutes=30)
    )
    make_registration(webinar, status="pending", email="approval@example.org")
    message = RegistrantMessage.objects.create(
        webinar=webinar, subject="Hi", body="Hello.", to_confirmed=False, to_pending=True
    )

    assert services.message_send(message=message) == 1
    assert [m.to for m in flush_mail()] == [["approval@example.org"]]


def test_a_bad_hold_setting_stops_start_up_with_one_line():
    result = run_manage("check", DEBUG="on", REGISTRATION_HOLD_MINUTES="0")

    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "REGISTRATION_HOLD_MINUTES=0: give the minutes a registrant has to confirm their "
        "address, from 1 to 10080 (a week)."
    ]


@pytest.mark.django_db(transaction=True)
def test_addresses_confirmed_at_once_never_exceed_the_seats(flush_mail):
    webinar = held_webinar(capacity=4)
    until = timezone.now() + timedelta(minutes=30)
    holds = [make_registration(webinar, status="pending", hold_expires_at=until) for _ in range(10)]

    def confirmer(registration):
        return lambda: services.registration_confirm_address(registration=registration).outcome

    results, errors = run_together(*(confirmer(r) for r in holds))

    assert errors == []
    assert results == ["confirmed"] * 10
    assert Counter(webinar.registrations.values_list("status", flat=True)) == {
        "confirmed": 4,
        "waitlisted": 6,
    }
    assert Counter(m.subject for m in flush_mail()) == {
        "Registered: Lithium": 4,
        "Waiting list: Lithium": 6,
    }
