"""The follow-up mail and feedback: once per person, through the outbox; feedback by token."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from afterwards.models import Feedback, FollowUp, Material
from tests.factories import make_registration, make_webinar
from tests.html import text_of
from webinars.models import PendingMail


@pytest.fixture
def webinar(db, media, settings):
    settings.MAIL_SEND_IMMEDIATELY = False
    webinar = make_webinar(
        title="Copper",
        start=timezone.now() - timedelta(hours=3),
        recording_url="https://vimeo.com/76979871",
        recording_audience="registrants",
    )
    Material.objects.create(
        webinar=webinar, title="Slides", file=ContentFile(b"%PDF", name="slides.pdf")
    )
    return webinar


@pytest.fixture
def people(webinar):
    return {
        "ada": make_registration(
            webinar, email="ada@example.org", status="confirmed", attended_at=webinar.start
        ),
        "linus": make_registration(webinar, email="linus@example.org", status="confirmed"),
        "waiting": make_registration(webinar, email="wait@example.org", status="waitlisted"),
        "gone": make_registration(webinar, email="gone@example.org", status="cancelled"),
    }


def follow_up(webinar, **fields):
    return FollowUp.objects.create(
        webinar=webinar,
        subject="Thank you for Copper",
        attendees_text="Thanks for joining us.",
        absentees_text="Sorry we missed you.",
        **fields,
    )


def test_attendees_and_absentees_get_their_own_words_once(webinar, people, mailoutbox, worker):
    follow_up(webinar, send_at=timezone.now())

    worker()
    worker()

    by_address = {m.to[0]: m for m in mailoutbox}
    assert set(by_address) == {"ada@example.org", "linus@example.org"}
    assert "Thanks for joining us." in by_address["ada@example.org"].body
    assert "Sorry we missed you." in by_address["linus@example.org"].body
    ada = by_address["ada@example.org"].body
    token = people["ada"].token
    assert "https://vimeo.com/76979871" in ada
    assert f"/registrations/{token}/materials/" in ada
    assert f"/registrations/{token}/feedback/" in ada
    assert PendingMail.objects.filter(kind="follow_up").count() == 2


def test_nothing_goes_before_the_scheduled_moment(webinar, people, mailoutbox, worker, _clock):
    follow_up(webinar, send_at=timezone.now() + timedelta(hours=10))

    worker()
    assert mailoutbox == []
    _clock.shift(timedelta(hours=10, minutes=1))
    worker()
    assert len(mailoutbox) == 2


def test_with_the_mail_server_down_the_follow_up_waits_and_goes_later(
    webinar, people, smtp, worker, settings, _clock
):
    follow_up(webinar, send_at=timezone.now())

    first = worker()  # nothing listens on the port
    assert first.startswith("0 sent, 2 waiting to retry")
    smtp.start()
    _clock.shift(timedelta(seconds=settings.MAIL_RETRY_BASE_SECONDS * 2 + 1))
    worker()

    assert sorted(to[0] for to, _ in smtp.inbox.messages) == [
        "ada@example.org",
        "linus@example.org",
    ]
    worker()
    assert len(smtp.inbox.messages) == 2


def test_admin_previews_tests_and_sends(organiser, organiser_client, webinar, people, mailoutbox):
    organiser.email = "organiser@example.org"
    organiser.save()
    item = follow_up(webinar)
    changelist = reverse("admin:afterwards_followup_changelist")

    page = organiser_client.get(reverse("admin:afterwards_followup_change", args=[item.pk]))
    assert "To attendees" in text_of(page) and "Sorry we missed you." in text_of(page)

    organiser_client.post(changelist, {"action": "send_test", "_selected_action": [item.pk]})
    assert [m.to for m in mailoutbox] == [["organiser@example.org"]] * 2
    assert all(m.subject == "[Test] Thank you for Copper" for m in mailoutbox)
    assert PendingMail.objects.filter(kind="follow_up").count() == 0

    organiser_client.post(changelist, {"action": "send_now", "_selected_action": [item.pk]})
    item.refresh_from_db()
    assert item.send_at is not None


def test_a_follow_up_is_recorded_once_however_often_send_now_runs(
    organiser_client, webinar, people, mailoutbox, worker
):
    item = follow_up(webinar)
    changelist = reverse("admin:afterwards_followup_changelist")

    for _ in range(3):
        organiser_client.post(changelist, {"action": "send_now", "_selected_action": [item.pk]})
        worker()
    worker()

    records = PendingMail.objects.filter(kind="follow_up").order_by("key")
    assert [r.key for r in records] == sorted(
        f"follow-up:{item.pk}:{people[name].pk}" for name in ("ada", "linus")
    )
    assert all(r.sent_at is not None for r in records)
    assert sorted(m.to[0] for m in mailoutbox) == ["ada@example.org", "linus@example.org"]
    listing = organiser_client.get(changelist).content.decode()
    assert '<td class="field-sent">2</td>' in listing


def test_a_follow_up_cannot_be_sent_before_the_webinar_ends(organiser_client, db):
    ahead = make_webinar(start=timezone.now() + timedelta(days=2))
    item = follow_up(ahead)

    organiser_client.post(
        reverse("admin:afterwards_followup_changelist"),
        {"action": "send_now", "_selected_action": [item.pk]},
    )

    item.refresh_from_db()
    assert item.send_at is None


def test_feedback_by_token_is_editable_until_it_closes(webinar, people, settings, _clock):
    url = f"/registrations/{people['ada'].token}/feedback/"
    browser = Client(headers={"Origin": settings.SITE_URL})

    page = browser.get(url)
    assert "How was the webinar?" in text_of(page)
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    saved = browser.post(url, {"rating": "4", "comment": "Clear and useful."})
    assert "your feedback is saved" in text_of(saved)
    browser.post(url, {"rating": "5", "comment": "Even better on reflection."})
    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.comment) == (5, "Even better on reflection.")

    _clock.shift(timedelta(days=settings.FEEDBACK_DAYS, hours=1))
    closed = browser.post(url, {"rating": "1"})
    feedback.refresh_from_db()
    assert "Feedback for this webinar is closed." in text_of(closed)
    assert feedback.rating == 5


def test_bad_feedback_is_refused_and_stores_nothing(webinar, people, settings):
    url = f"/registrations/{people['ada'].token}/feedback/"
    browser = Client(headers={"Origin": settings.SITE_URL})

    for data in ({"rating": "7"}, {"rating": ""}, {"rating": "4", "comment": "x" * 5000}):
        response = browser.post(url, data)
        assert response.status_code == 200
        assert "There is a problem" in text_of(response)
    assert Feedback.objects.count() == 0
    foreign = Client(headers={"Origin": "https://evil.example"}).post(url, {"rating": "1"})
    assert foreign.status_code == 403


def test_feedback_is_for_confirmed_registrants_after_the_webinar(db, people, webinar, settings):
    assert Client().get(f"/registrations/{people['waiting'].token}/feedback/").status_code == 404
    ahead = make_registration(
        make_webinar(start=timezone.now() + timedelta(days=1)), status="confirmed"
    )
    response = Client().get(f"/registrations/{ahead.token}/feedback/")
    assert "once the webinar is over" in text_of(response)


def test_feedback_in_admin_with_its_average_and_csv(organiser_client, webinar, people):
    Feedback.objects.create(registration=people["ada"], rating=5, comment="=cmd|' /C calc'!A0")
    Feedback.objects.create(registration=people["linus"], rating=2)

    listing = organiser_client.get(
        reverse("admin:afterwards_feedback_changelist"),
        {"registration__webinar__id__exact": webinar.pk},
    )
    everything = organiser_client.get(reverse("admin:afterwards_feedback_changelist"))
    export = organiser_client.post(
        reverse("admin:afterwards_feedback_changelist"),
        {
            "action": "export_feedback",
            "_selected_action": list(Feedback.objects.values_list("pk", flat=True)),
        },
    )

    assert listing.context["feedback_summary"] == {"average": 3.5, "count": 2}
    # Over every webinar's feedback the average would read the whole table.
    assert "feedback_summary" not in everything.context_data
    assert "Average rating of the feedback listed: 3.5 out of 5 (2 answers)." in text_of(listing)
    body = export.getvalue().decode()
    assert "'=cmd" in body and "Copper" in body


def test_absentees_are_not_thanked_for_joining(webinar, people, mailoutbox, worker):
    follow_up(webinar, send_at=timezone.now())

    worker()

    by_address = {m.to[0]: m for m in mailoutbox}
    absent, present = by_address["linus@example.org"], by_address["ada@example.org"]
    assert "Thank you for joining us" not in absent.body
    assert "Thank you for joining us" not in absent.alternatives[0][0]
    assert absent.body.startswith("Sorry we missed you")
    assert present.body.startswith("Thank you for joining us")


def test_a_follow_up_is_tested_and_sent_from_its_own_page(
    organiser_client, organiser, webinar, people, mailoutbox, worker
):
    item = follow_up(webinar)
    url = reverse("admin:afterwards_followup_change", args=[item.pk])
    page = organiser_client.get(url).content.decode()
    assert 'name="_send_test"' in page and 'name="_send_now"' in page
    data = {
        "webinar": webinar.pk,
        "subject": item.subject,
        "attendees_text": item.attendees_text,
        "absentees_text": item.absentees_text,
        "send_at_0": "",
        "send_at_1": "",
    }

    refused = organiser_client.post(url, {**data, "_send_test": "1"}, follow=True)
    assert "Your account has no email address" in text_of(refused)
    assert 'href="/admin/account/"' in refused.content.decode()
    organiser.email = "olga@example.org"
    organiser.save()
    organiser_client.post(url, {**data, "_send_test": "1"})
    assert [m.to for m in mailoutbox] == [["olga@example.org"]] * 2
    organiser_client.post(url, {**data, "_send_now": "1"})
    worker()

    item.refresh_from_db()
    assert item.send_at is not None
    assert sorted(m.to[0] for m in mailoutbox[2:]) == ["ada@example.org", "linus@example.org"]
