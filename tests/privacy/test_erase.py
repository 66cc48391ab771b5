"""Erasing one's data through the mailed link: the waiting list moves up, the figures keep
their counts, and only a keyed hash of the address remains."""

import json
from dataclasses import asdict

from django.test import Client
from django.utils import timezone

from afterwards import figures
from afterwards.models import Feedback
from following.models import Follower
from privacy.models import AccessLink, HonouredRequest, address_hash
from tests.html import text_of
from tests.privacy.conftest import ADA
from webinars.models import Answer, PendingMail, Registration, Webinar

S = Registration.Status


def totals(**filters):
    return asdict(
        figures.totals(figures.with_figures(Webinar.objects.filter(**filters)), timezone.now())
    )


def erase(client, link):
    return client.post(link + "erase/", {"confirm": "yes"})


def test_the_erase_button_asks_first_and_changes_nothing(client, world, link):
    page = client.post(link + "erase/")

    assert page.status_code == 200
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert "Set-Cookie" not in page.headers
    text = text_of(page)
    assert "Erase your data?" in text
    assert "4 registrations" in text
    assert 'name="confirm" value="yes"' in page.content.decode()
    assert Registration.objects.for_address(ADA).count() == 4
    assert client.get(link + "erase/").status_code == 405


def test_erasing_cancels_what_is_ahead_and_anonymises_the_past(
    client, world, link, worker, mailoutbox
):
    past_before = totals(end__lt=timezone.now())
    everything_before = totals()

    response = erase(client, link)

    assert response.status_code == 302
    assert response["Location"] == "/privacy/my-data/erased/"
    assert "Your data is erased" in text_of(client.get(response["Location"]))
    w = world
    for registration in (w.ada_alpha_past, w.ada_beta_past, w.ada_alpha_next, w.ada_beta_next):
        registration.refresh_from_db()
        assert registration.anonymised_at is not None
        assert (registration.name, registration.organisation) == ("", "")
        assert registration.email.endswith("@anonymised.invalid")
    # Past registrations keep their status and attendance; the coming ones are cancelled.
    assert (w.ada_alpha_past.status, w.ada_beta_past.status) == (S.CONFIRMED, S.CONFIRMED)
    assert w.ada_alpha_past.attended_at is not None
    assert (w.ada_alpha_next.status, w.ada_beta_next.status) == (S.CANCELLED, S.CANCELLED)
    assert not Registration.objects.for_address(ADA).exists()

    # Bob had been waiting for Ada's seat: he has it now, and his mail says so.
    w.bob_waiting.refresh_from_db()
    assert w.bob_waiting.status == S.CONFIRMED
    assert PendingMail.objects.filter(registration=w.bob_waiting, kind="promoted").exists()
    worker()
    assert [m.to for m in mailoutbox] == [["bob@example.org"]]
    assert mailoutbox[0].subject == "A seat is yours: Alpha next"

    # The figures of past webinars are as they were; overall only the moves of the coming
    # webinar show (Ada's seat cancelled, Bob's taken).
    assert totals(end__lt=timezone.now()) == past_before
    after = totals()
    assert after["registered"] == everything_before["registered"]
    assert after["cancelled"] == everything_before["cancelled"] + 2
    assert after["waiting"] == everything_before["waiting"] - 1

    # Ratings stay, comments go; Carol's feedback and answer are untouched.
    assert sorted(Feedback.objects.values_list("rating", "comment")) == [
        (2, "Carol's comment"),
        (3, ""),
        (5, ""),
    ]
    assert list(Answer.objects.values_list("value", flat=True)) == ["Carol's secret role"]
    # Follows end: Ada's rows are gone, Carol still follows.
    assert list(Follower.objects.values_list("email", flat=True)) == ["carol@example.org"]
    # Nothing waits to be sent to Ada; nothing of the outbox names her any more.
    assert (
        not PendingMail.objects.unsent()
        .filter(registration__in=[w.ada_alpha_next, w.ada_beta_next])
        .exists()
    )
    assert not PendingMail.objects.filter(kind__in=["data_request", "follow_confirm"]).exists()
    assert ADA not in json.dumps(list(PendingMail.objects.values("key", "args")))
    assert not AccessLink.objects.exists()
    # The link is spent.
    assert client.get(link).status_code == 404


def test_the_honoured_request_is_kept_without_the_address_and_recognised_again(
    client, world, link, worker, mailoutbox
):
    erase(client, link)

    record = HonouredRequest.objects.get(action="erasure")
    assert record.by_visitor and record.acted_by is None
    assert record.address_hash == address_hash(ADA)
    assert record.counts == {
        "registrations": 4,
        "answers": 1,
        "feedback": 2,
        "feedback_comments": 2,
        "follows": 2,
        "mail": 6,
        "cancelled": 2,
        "anonymised": 4,
    }
    assert set(record.series.values_list("slug", flat=True)) == {"alpha", "beta"}
    stored = json.dumps(list(HonouredRequest.objects.values()), default=str)
    assert "ada" not in stored.lower().replace(record.address_hash, "")

    # Ada registers again; the next link she asks for recognises the earlier erasure.
    Registration.objects.create(webinar=world.beta_next, name="Ada", email=ADA)
    client.post("/privacy/my-data/", {"email": ADA})
    worker()
    [message] = [m for m in mailoutbox if m.to == [ADA]]
    again = "/privacy/my-data/" + message.body.split("/privacy/my-data/")[1].split("/")[0] + "/"
    text = text_of(client.get(again))
    assert "Data of this address was erased before" in text
    assert "Registrations (1)" in text


def test_an_erase_posted_from_another_site_is_refused(world, link):
    foreign = Client(headers={"Origin": "https://evil.example"})
    assert foreign.post(link + "erase/", {"confirm": "yes"}).status_code == 403
    assert Registration.objects.for_address(ADA).count() == 4
