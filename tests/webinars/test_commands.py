"""Management commands: reminders and purging once per registration, the set-up commands
that `make run` repeats without undoing edits."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_registration, make_webinar
from webinars.models import Registration, Webinar


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_send_reminders_mails_confirmed_registrants_once(db, flush_mail):
    soon = make_webinar(title="Copper", start=timezone.now() + timedelta(hours=5))
    later = make_webinar(title="Tin", start=timezone.now() + timedelta(days=3))
    early = timezone.now() - timedelta(days=2)  # before every reminder's moment
    ada = make_registration(soon, email="ada@example.org", created=early)
    make_registration(soon, email="wait@example.org", status="waitlisted", created=early)
    make_registration(soon, email="gone@example.org", status="cancelled", created=early)
    make_registration(later, email="bob@example.org", created=early)

    first = run("send_reminders")
    second = run("send_reminders")

    assert (first, second) == ("1 reminder queued\n", "0 reminders queued\n")
    outbox = flush_mail()
    assert [m.to for m in outbox] == [["ada@example.org"]]
    assert outbox[0].subject.startswith("Reminder: Copper, ")
    assert f"/registrations/{ada.token}/join" in outbox[0].body
    ada.refresh_from_db()
    assert ada.reminder_sent_at is not None


def test_send_reminders_lead_time_is_configurable(db, settings, flush_mail):
    webinar = make_webinar(start=timezone.now() + timedelta(hours=30))
    make_registration(webinar, email="ada@example.org", created=timezone.now() - timedelta(days=5))

    assert run("send_reminders") == "0 reminders queued\n"
    settings.REMINDERS = "2d"
    assert run("send_reminders") == "1 reminder queued\n"
    assert run("send_reminders", "--hours", "72") == "0 reminders queued\n"


def test_send_reminders_skips_started_and_cancelled_webinars(db):
    make_registration(make_webinar(start=timezone.now() - timedelta(minutes=5)))
    make_registration(make_webinar(start=timezone.now() + timedelta(hours=2), status="cancelled"))

    assert run("send_reminders") == "0 reminders queued\n"


@pytest.mark.parametrize("hours", ["0", "-3", "100000"])
def test_send_reminders_rejects_bad_lead_time(db, hours):
    with pytest.raises(CommandError, match="--hours must be between 1 and 8760"):
        run("send_reminders", "--hours", hours)


def test_purge_registrations_anonymises_after_retention(db, client):
    old = make_webinar(start=timezone.now() - timedelta(days=100))
    recent = make_webinar(start=timezone.now() - timedelta(days=10))
    gone = make_registration(old, name="Ada", email="ada@example.org", organisation="AE")
    kept = make_registration(recent, name="Bob", email="bob@example.org")
    old_token = gone.token

    output = run("purge_registrations")

    assert output == "1 registration anonymised\n"
    gone.refresh_from_db()
    kept.refresh_from_db()
    assert (gone.name, gone.email, gone.organisation) == (
        "",
        f"removed-{gone.pk}@anonymised.invalid",
        "",
    )
    assert gone.anonymised_at is not None
    assert gone.status == "confirmed"  # counts stay
    assert gone.token != old_token
    assert client.get(f"/registrations/{old_token}/").status_code == 404
    assert (kept.name, kept.email) == ("Bob", "bob@example.org")
    assert run("purge_registrations") == "0 registrations anonymised\n"


def test_purge_registrations_days_option(db):
    webinar = make_webinar(start=timezone.now() - timedelta(days=10))
    make_registration(webinar)

    assert run("purge_registrations", "--days", "30") == "0 registrations anonymised\n"
    assert run("purge_registrations", "--days", "5") == "1 registration anonymised\n"
    assert Registration.objects.filter(anonymised_at__isnull=False).count() == 1


def test_purge_registrations_rejects_negative_days(db):
    with pytest.raises(CommandError, match="--days must be 0 or more"):
        run("purge_registrations", "--days", "-1")


def test_load_seed_fills_an_empty_database_once_and_keeps_edits(db):
    assert run("load_seed") == "Seed content loaded.\n"
    seed = Webinar.objects.filter(series__slug="responsible-supply-chain-electronics")
    assert seed.count() == 3
    edited = seed.first()
    edited.title = "Edited by an organiser"
    edited.save()

    again = run("load_seed")

    assert again == "Content is already there: the seed is not loaded again.\n"
    edited.refresh_from_db()
    assert edited.title == "Edited by an organiser"
    assert seed.count() == 3


def test_load_demo_keeps_edits_and_moves_ended_webinars_forward(db, _clock):
    run("load_demo")
    edited = Webinar.objects.get(slug="demo-getting-started")
    edited.title = "My own title"
    edited.save()

    run("load_demo")
    edited.refresh_from_db()
    assert edited.title == "My own title"

    _clock.shift(timedelta(days=60))
    run("load_demo")
    edited.refresh_from_db()
    assert edited.title == "My own title"
    assert Webinar.objects.filter(series__slug="demo-series").upcoming().count() == 3


def test_create_demo_organiser_prints_a_password_that_signs_in_once(db, settings, client):
    settings.DEBUG = True

    first = run("create_demo_organiser")
    second = run("create_demo_organiser")

    password = re.search(r"password: (\S+)", first).group(1)
    assert "username: demo-organiser" in first
    assert password not in second
    assert "as demo-organiser" in second
    assert client.login(username="demo-organiser", password=password)
    response = client.get(reverse("admin:webinars_webinar_add"))
    assert response.status_code == 200


def test_create_demo_organiser_creates_nothing_without_debug(db, settings, django_user_model):
    settings.DEBUG = False
    err = io.StringIO()

    call_command("create_demo_organiser", stdout=io.StringIO(), stderr=err)

    assert err.getvalue() == "DEBUG is off: no demo organiser is created.\n"
    assert not django_user_model.objects.filter(username="demo-organiser").exists()
