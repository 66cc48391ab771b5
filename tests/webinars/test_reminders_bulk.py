"""Reminders recorded in bulk: a fixed number of queries however many are due, and a handful
when nothing is."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_webinar
from webinars.models import PendingMail, Registration, ReminderSent, Webinar
from webinars.services import messages, reminders_send_due


def due_soon(count: int):
    webinar = make_webinar(start=timezone.now() + timedelta(minutes=30), reminders="1d, 1h")
    Registration.objects.bulk_create(
        Registration(
            webinar=webinar,
            name=f"R{n}",
            email=f"r{n}@example.org",
            created=timezone.now() - timedelta(days=3),
        )
        for n in range(count)
    )
    return webinar


def queries_to_remind(count: int) -> int:
    due_soon(count)
    with CaptureQueriesContext(connection) as captured:
        assert reminders_send_due() == count
    return len(captured)


def test_queries_do_not_grow_with_the_registrations_due(db, settings):
    settings.REMINDERS = "1d, 1h"

    ten = queries_to_remind(10)
    Webinar.objects.update(status=Webinar.Status.CANCELLED)
    sixty = queries_to_remind(60)

    assert ten == sixty
    # One reminder mailed per registration (the nearest), both leads recorded.
    assert PendingMail.objects.filter(kind="reminder").count() == 70
    assert ReminderSent.objects.filter(mailed=True).count() == 70
    assert ReminderSent.objects.count() == 140


def test_a_second_run_with_nothing_due_costs_a_handful_of_queries(db, settings):
    settings.REMINDERS = "1d, 1h"
    due_soon(50)
    assert reminders_send_due() == 50

    with CaptureQueriesContext(connection) as captured:
        assert reminders_send_due() == 0

    # The leads of upcoming webinars and series, the webinars in the window, one query for
    # the one webinar that finds nobody left.
    assert len(captured) <= 4 + 2  # and, inside a test, the batch's savepoint and release


def test_batches_resume_where_they_were_and_queue_each_reminder_once(db, settings, monkeypatch):
    settings.REMINDERS = "1h"
    monkeypatch.setattr(messages, "REMINDER_BATCH_SIZE", 7)
    webinar = due_soon(30)

    assert reminders_send_due() == 30
    assert reminders_send_due() == 0
    keys = set(PendingMail.objects.values_list("key", flat=True))
    assert keys == {
        f"reminder:{pk}:60" for pk in webinar.registrations.values_list("pk", flat=True)
    }
    record = PendingMail.objects.first()
    assert (record.status, record.args) == ("confirmed", {"lead_minutes": 60})
