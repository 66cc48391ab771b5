"""One person, Ada, known to two series, and Carol and Bob beside her: what is Ada's must show,
nothing of theirs."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.utils import timezone

from afterwards.models import Feedback
from following.models import Follower
from tests.factories import make_registration, make_series, make_webinar
from tests.mail_worker import send_queued_mail
from webinars import mail
from webinars.models import Answer, PendingMail, Question, Registration

ADA = "ada@example.org"


@dataclass
class World:
    alpha: object
    beta: object
    alpha_past: object
    alpha_next: object
    beta_past: object
    beta_next: object
    ada_alpha_past: Registration
    ada_alpha_next: Registration
    ada_beta_past: Registration
    ada_beta_next: Registration
    bob_waiting: Registration
    carol_past: Registration


@pytest.fixture
def settings_queued(settings):
    # Requests only record mail; the worker passes in each test compose and send it.
    settings.MAIL_SEND_IMMEDIATELY = False
    return settings


@pytest.fixture
def worker():
    return send_queued_mail


@pytest.fixture
def world(db, settings_queued) -> World:
    now = timezone.now()
    alpha = make_series(title="Alpha minerals", slug="alpha")
    beta = make_series(title="Beta recycling", slug="beta")
    alpha_past = make_webinar(series=alpha, title="Alpha past", start=now - timedelta(days=20))
    alpha_next = make_webinar(
        series=alpha, title="Alpha next", start=now + timedelta(days=5), capacity=1
    )
    beta_past = make_webinar(series=beta, title="Beta past", start=now - timedelta(days=30))
    beta_next = make_webinar(series=beta, title="Beta next", start=now + timedelta(days=9))

    confirmed = Registration.Status.CONFIRMED
    ada = {"name": "Ada Lovelace", "email": ADA, "organisation": "Analytical Engines"}
    ada_alpha_past = make_registration(alpha_past, **ada, attended_at=now - timedelta(days=20))
    # Ada holds the one seat, Bob waits for it.
    ada_alpha_next = make_registration(alpha_next, **ada, status=confirmed)
    bob_waiting = make_registration(
        alpha_next, name="Bob Waits", email="bob@example.org", status="waitlisted"
    )
    ada_beta_past = make_registration(beta_past, **{**ada, "email": "Ada@Example.org"})
    ada_beta_next = make_registration(beta_next, **ada)
    carol_past = make_registration(
        alpha_past, name="Carol Other", email="carol@example.org", organisation="Elsewhere"
    )

    question = Question.objects.create(series=alpha, label="Your role", kind="short_text")
    Answer.objects.create(registration=ada_alpha_past, question=question, value="Mathematician")
    Answer.objects.create(registration=carol_past, question=question, value="Carol's secret role")
    Feedback.objects.create(registration=ada_alpha_past, rating=5, comment="Ada loved it")
    Feedback.objects.create(registration=ada_beta_past, rating=3, comment="Ada: too long")
    Feedback.objects.create(registration=carol_past, rating=2, comment="Carol's comment")

    followed = Follower.objects.create(series=alpha, email=ADA, confirmed_at=now)
    Follower.objects.create(series=beta, email=ADA, language="nl")
    Follower.objects.create(series=alpha, email="carol@example.org", confirmed_at=now)

    # Mail: sent details for the past ones, queued reminders for the coming ones.
    for registration in (ada_alpha_past, ada_beta_past, carol_past):
        mail.queue_details(registration)
    send_queued_mail()
    django_mail.outbox.clear()
    # The confirmation link she was sent before she followed.
    confirmation = mail.record(PendingMail.Kind.FOLLOW_CONFIRM, args={"follower": followed.pk})
    PendingMail.objects.filter(pk=confirmation.pk).update(sent_at=now)
    for registration in (ada_alpha_next, ada_beta_next):
        # Refused by the mail server once, waiting for its retry.
        reminder = mail.queue_reminder(registration, lead_minutes=60)
        PendingMail.objects.filter(pk=reminder.pk).update(
            attempts=1, retry_after=now + timedelta(days=1)
        )
    return World(
        alpha,
        beta,
        alpha_past,
        alpha_next,
        beta_past,
        beta_next,
        ada_alpha_past,
        ada_alpha_next,
        ada_beta_past,
        ada_beta_next,
        bob_waiting,
        carol_past,
    )


@pytest.fixture
def link(client, world, worker, mailoutbox):
    """The path of Ada's mailed link."""
    client.post("/privacy/my-data/", {"email": ADA})
    worker()
    [message] = [m for m in mailoutbox if m.to == [ADA]]
    mailoutbox.clear()
    return "/privacy/my-data/" + message.body.split("/privacy/my-data/")[1].split("/")[0] + "/"
