"""The purge at volume: batches of bounded size, a few statements each, every row anonymised."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from afterwards.models import Feedback
from tests.factories import make_webinar
from webinars.models import Answer, Question, Registration
from webinars.services import registrations_purge
from webinars.signals import registrations_anonymised


def old_registrations(count: int) -> list[Registration]:
    webinar = make_webinar(start=timezone.now() - timedelta(days=100))
    return Registration.objects.bulk_create(
        Registration(webinar=webinar, name=f"R{n}", email=f"r{n}@example.org", organisation="O")
        for n in range(count)
    )


def test_a_thousand_rows_go_in_batches_of_a_hundred_and_all_are_anonymised(db):
    rows = old_registrations(1100)
    question = Question.objects.create(webinar=rows[0].webinar, label="Why?", kind="short_text")
    Answer.objects.bulk_create(Answer(registration=r, question=question, value="Me") for r in rows)
    Feedback.objects.bulk_create(Feedback(registration=r, rating=4, comment="I, Ada") for r in rows)
    old_tokens = {r.token for r in rows}
    batches = []

    def heard(sender, ids, **kwargs):
        batches.append(list(ids))

    registrations_anonymised.connect(heard, sender=Registration)
    try:
        with CaptureQueriesContext(connection) as captured:
            count = registrations_purge(older_than_days=90, batch_size=100)
    finally:
        registrations_anonymised.disconnect(heard, sender=Registration)

    assert count == 1100
    assert [len(batch) for batch in batches] == [100] * 11
    assert sorted(pk for batch in batches for pk in batch) == sorted(r.pk for r in rows)
    # The same statements for each batch (its ids, answers and unsent mail, the update, the
    # messages' log and keys, what the apps listening to registrations_anonymised forget, and
    # inside a test the transaction's savepoint); one last read finds nothing left; on
    # PostgreSQL, synchronous_commit turned off and back for the run.
    quick = 2 if connection.vendor == "postgresql" else 0
    per_batch, rest = divmod(len(captured) - 1 - quick, 11)
    assert rest == 0
    assert per_batch <= 14
    anonymised = Registration.objects.filter(anonymised_at__isnull=False)
    assert anonymised.count() == 1100
    assert set(anonymised.values_list("name", "organisation")) == {("", "")}
    emails = set(anonymised.values_list("email", flat=True))
    assert emails == {f"removed-{r.pk}@anonymised.invalid" for r in rows}
    tokens = set(anonymised.values_list("token", flat=True))
    assert len(tokens) == 1100
    assert not tokens & old_tokens
    assert all(len(token) == 32 for token in tokens)
    assert not Answer.objects.exists()
    assert set(Feedback.objects.values_list("rating", "comment")) == {(4, "")}
    assert registrations_purge(older_than_days=90, batch_size=100) == 0


def test_no_statement_carries_more_ids_than_a_batch(db):
    """What keeps SQLite's variable limit (32,766, or 999 on old builds) out of reach for any
    number of rows: every statement's parameters are bounded by the batch, not the table."""
    old_registrations(130)
    largest = []

    def watch(execute, sql, params, many, context):
        largest.append(len(params or ()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        assert registrations_purge(older_than_days=90, batch_size=20) == 130

    # The ids of one batch, and the update's own dozen values.
    assert max(largest) <= 20 + 15
