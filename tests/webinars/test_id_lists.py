"""Queries that take lists of ids take bounded ones, whatever the selection."""

from django.db import connection

from tests.factories import make_webinar
from webinars import mail
from webinars.mail import outbox
from webinars.models import PendingMail, Registration
from webinars.services import approval, registrations_approve


def watch_parameters():
    largest = []

    def watch(execute, sql, params, many, context):
        largest.append(len(params or ()))
        return execute(sql, params, many, context)

    return largest, connection.execute_wrapper(watch)


def test_approving_a_large_selection_goes_in_bounded_batches(db, monkeypatch, settings):
    settings.MAIL_SEND_IMMEDIATELY = False
    monkeypatch.setattr(approval, "APPROVAL_BATCH_SIZE", 5)
    webinar = make_webinar(capacity=8, requires_approval=True)
    Registration.objects.bulk_create(
        Registration(webinar=webinar, name=f"R{n}", email=f"r{n}@example.org", status="pending")
        for n in range(12)
    )
    largest, watching = watch_parameters()

    with watching:
        outcome = registrations_approve(registrations=list(Registration.objects.all()))

    assert (outcome.confirmed, outcome.waitlisted) == (8, 4)
    assert webinar.registrations.confirmed().count() == 8
    assert max(largest) <= 5 + 10


def test_recording_many_messages_looks_keys_up_in_bounded_batches(db, monkeypatch):
    monkeypatch.setattr(outbox, "RECORD_BATCH_SIZE", 7)
    rows = [(f"test:{n}", {"n": n}, None) for n in range(30)]
    largest, watching = watch_parameters()

    with watching:
        assert mail.record_many(PendingMail.Kind.RAW, rows) == 30
    assert mail.record_many(PendingMail.Kind.RAW, rows) == 0

    # 7 keys looked up, 7 rows of 11 columns inserted, at a time.
    assert max(largest) <= 7 * 11
    assert PendingMail.objects.count() == 30
