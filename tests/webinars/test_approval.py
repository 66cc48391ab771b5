"""Webinars that require approval: pending registrations take no seat and never see the join
link; organisers approve (a seat, or the waiting list when the seats went) or decline."""

from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_registration, make_webinar
from tests.html import text_of
from tests.threads import run_together
from webinars import services
from webinars.models import Registration

SECRET = "https://meet.example.com/PRIVATE-approval-4711"
CHANGELIST = "admin:webinars_registration_changelist"


def approval_webinar(**fields):
    fields.setdefault("title", "Cobalt")
    fields.setdefault("requires_approval", True)
    fields.setdefault("join_url", SECRET)
    return make_webinar(**fields)


def register(client, webinar, n=1):
    return client.post(
        f"/webinars/{webinar.slug}/register/",
        {"name": f"Person {n}", "email": f"person{n}@example.org", "consent": "on"},
    )


def approve(client, *registrations):
    return client.post(
        reverse(CHANGELIST),
        {"action": "approve_registrations", "_selected_action": [r.pk for r in registrations]},
        follow=True,
    )


def test_registration_for_an_approval_webinar_is_pending_and_takes_no_seat(client, db, flush_mail):
    webinar = approval_webinar(capacity=1)

    for n in (1, 2, 3):
        response = register(client, webinar, n)
        assert response.status_code == 302

    thanks = text_of(client.get(response["Location"]))
    assert "The organisers review every registration for this webinar" in thanks

    assert list(webinar.registrations.values_list("status", flat=True)) == ["pending"] * 3
    outbox = flush_mail()
    assert [m.subject for m in outbox] == ["Registration received: Cobalt"] * 3
    message = outbox[0]
    assert "We will let you know by email whether you have a seat" in message.body
    assert "/join" not in message.body
    assert "/join" not in message.alternatives[0][0]
    assert not message.attachments  # no calendar invitation before a seat is certain
    # The public page still offers seats: pending registrations hold none.
    assert "Register" in text_of(client.get(webinar.get_absolute_url()))


def test_pending_page_join_link_and_feed_never_carry_the_join_link(client, db, _clock):
    webinar = approval_webinar(start=timezone.now() + timedelta(minutes=5))
    pending = make_registration(webinar, status="pending")

    page = client.get(f"/registrations/{pending.token}/")
    join = client.get(f"/registrations/{pending.token}/join")
    feed = b"".join(client.get(f"/registrations/{pending.token}/calendar.ics"))

    assert "Awaiting the organisers' approval" in text_of(page)
    assert "the join link comes with the approval" in text_of(page)
    assert f"/registrations/{pending.token}/join" not in page.content.decode()
    assert join.status_code == 200  # the "not yet" page, not a redirect to the meeting
    for body in (page.content, join.content, feed):
        assert b"PRIVATE-approval" not in body


def test_approving_confirms_while_seats_last_then_waitlists_and_mails(admin_client, db, flush_mail):
    webinar = approval_webinar(capacity=2)
    make_registration(webinar, name="Already", email="already@example.org", status="confirmed")
    first, second, third = (
        make_registration(webinar, name=f"P{n}", email=f"p{n}@example.org", status="pending")
        for n in (1, 2, 3)
    )

    response = approve(admin_client, third, first, second)

    assert (
        "1 approved with a seat, 2 approved onto the waiting list (no seat left); "
        "each was told by email."
    ) in text_of(response)
    # Oldest first: the earliest request gets the seat that was left.
    assert list(webinar.registrations.values_list("name", "status")) == [
        ("Already", "confirmed"),
        ("P1", "confirmed"),
        ("P2", "waitlisted"),
        ("P3", "waitlisted"),
    ]
    outbox = flush_mail()
    assert sorted((m.to[0], m.subject) for m in outbox) == [
        ("p1@example.org", "Approved: Cobalt"),
        ("p2@example.org", "Waiting list: Cobalt"),
        ("p3@example.org", "Waiting list: Cobalt"),
    ]
    approved = next(m for m in outbox if m.to == ["p1@example.org"])
    assert "the organisers approved your registration" in approved.body
    assert f"/registrations/{first.token}/join" in approved.body
    waiting = next(m for m in outbox if m.to == ["p2@example.org"])
    assert "but the seats went meanwhile" in waiting.body
    assert "/join" not in waiting.body


def test_a_seat_freed_after_approval_goes_to_the_approved_waiting_registrant(db, flush_mail):
    webinar = approval_webinar(capacity=1)
    seated, waiting = (make_registration(webinar, status="pending") for _ in range(2))
    services.registrations_approve(registrations=[seated, waiting])

    services.registration_cancel(registration=seated)

    waiting.refresh_from_db()
    assert waiting.status == "confirmed"


def test_declining_cancels_and_mails_a_polite_notice(admin_client, db, flush_mail):
    webinar = approval_webinar()
    pending = make_registration(webinar, email="p@example.org", status="pending")

    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "decline_registrations", "_selected_action": [pending.pk]},
        follow=True,
    )

    assert "1 registration declined; the registrant was told by email." in text_of(response)
    pending.refresh_from_db()
    assert pending.status == "cancelled"
    assert pending.declined_at is not None
    [message] = flush_mail()
    assert message.subject == "Your registration: Cobalt"
    assert "could not offer you a place" in message.body
    assert "Declined by the organisers" in text_of(
        admin_client.get(f"/registrations/{pending.token}/")
    )


def test_approve_and_decline_leave_registrations_no_longer_pending_alone(
    admin_client, db, flush_mail
):
    webinar = approval_webinar(capacity=5)
    confirmed = make_registration(webinar, status="confirmed")
    cancelled = make_registration(webinar, status="cancelled")

    response = approve(admin_client, confirmed, cancelled)

    assert "2 registrations were left as they were" in text_of(response)
    assert sorted(webinar.registrations.values_list("status", flat=True)) == [
        "cancelled",
        "confirmed",
    ]
    assert flush_mail() == []


def test_nothing_is_approved_for_a_cancelled_webinar(db, flush_mail):
    webinar = approval_webinar(status="cancelled")
    pending = make_registration(webinar, status="pending")

    outcome = services.registrations_approve(registrations=[pending])

    assert outcome == services.ApprovalOutcome(skipped=1)
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_webinar_changelist_links_to_the_registrations_awaiting_approval(admin_client, db):
    webinar = approval_webinar()
    make_registration(webinar, status="pending")
    make_registration(webinar, status="pending")

    response = admin_client.get(reverse("admin:webinars_webinar_changelist"))

    assert (
        f'?webinar__id__exact={webinar.pk}&amp;status__exact=pending">2 awaiting approval</a>'
        in response.content.decode()
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_and_registrations_never_exceed_capacity(flush_mail):
    """Two organisers approve overlapping selections while people keep registering for the
    webinar and one confirmed registrant cancels: the seats are never exceeded, and each
    registration is approved (and mailed) once."""
    webinar = approval_webinar(capacity=5)
    leaving = make_registration(webinar, status="confirmed")
    pending = [make_registration(webinar, status="pending") for _ in range(16)]

    def register_more():
        for n in range(4):
            services.registration_create(
                webinars=[webinar], name="Late", email=f"late{n}@example.org", consent=True
            )

    jobs = [
        lambda: services.registrations_approve(registrations=pending[:12]),
        lambda: services.registrations_approve(registrations=pending[4:]),
        lambda: services.registrations_approve(registrations=pending[::-1]),
        lambda: services.registration_cancel(registration=leaving),
        register_more,
    ]
    _, errors = run_together(*jobs)

    assert errors == []
    statuses = Counter(
        Registration.objects.filter(pk__in=[r.pk for r in pending]).values_list("status", flat=True)
    )
    assert statuses == {"confirmed": 5, "waitlisted": 11}
    assert webinar.registrations.confirmed().count() == 5
    assert webinar.registrations.pending().count() == 4  # the late ones wait for approval
    subjects = Counter(m.subject for m in flush_mail())
    # The cancellation may come before the approvals (a seat more for them) or after (it
    # promotes the first approved waiting registrant): either way one mail per decision.
    assert subjects["Approved: Cobalt"] + subjects["Waiting list: Cobalt"] == 16
    assert subjects["Approved: Cobalt"] + subjects["A seat is yours: Cobalt"] == 5
    assert subjects["Registration received: Cobalt"] == 4
    assert subjects["Registration cancelled: Cobalt"] == 1
