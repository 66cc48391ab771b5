"""Each series' own sender name, reply-to address and organisers' notice addresses, used by
every mail about it; the address mail comes from stays the site's (SPF, DKIM)."""

import email
import email.policy

import pytest
from django.urls import reverse

from afterwards.mail import follow_up_message
from afterwards.models import FollowUp
from following.mail import confirmation_message, notice_message
from following.models import Follower
from tests.factories import make_registration, make_series, make_webinar
from tests.html import form_data
from webinars.mail.kinds import (
    cancelled_message,
    details_message,
    organiser_notice_message,
    reminder_message,
)
from webinars.models import Registration
from webinars.services import registration_create

pytestmark = pytest.mark.django_db

SITE_ADDRESS = "webinars@example.org"


@pytest.fixture
def own_sender():
    return make_series(
        title="Alpha",
        sender_name="Alpha team, Ghent",
        reply_to="replies@alpha.example.org",
        notify_email="lead@alpha.example.org",
        notify_also="desk@alpha.example.org\nlead@alpha.example.org\nboard@alpha.example.org",
    )


def read(message):
    """The message as the recipient's mail program reads it."""
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def test_registration_mail_comes_from_the_series_name_and_replies_go_to_it(own_sender, flush_mail):
    webinar = make_webinar(series=own_sender, title="Copper")
    registration_create(webinars=[webinar], name="Ada", email="ada@example.org", consent=True)

    details, notice = sorted(flush_mail(), key=lambda m: m.to != ["ada@example.org"])

    for message in (details, notice):
        sender = read(message)["From"].addresses[0]
        assert (sender.display_name, sender.addr_spec) == ("Alpha team, Ghent", SITE_ADDRESS)
        assert read(message)["Reply-To"] == "replies@alpha.example.org"
    # Every notice address once, the old single field first.
    assert notice.to == [
        "lead@alpha.example.org",
        "desk@alpha.example.org",
        "board@alpha.example.org",
    ]


def test_every_kind_of_mail_about_the_series_uses_its_sender(own_sender):
    webinar = make_webinar(series=own_sender, title="Copper")
    registration = make_registration(webinar, email="ada@example.org")
    registration.status = Registration.Status.CANCELLED
    follower = Follower.objects.create(series=own_sender, email="f@example.org")
    follow_up = FollowUp.objects.create(
        webinar=webinar, subject="Thanks", attendees_text=".", absentees_text="."
    )
    messages = [
        details_message(registration),
        reminder_message(registration),
        cancelled_message(registration),
        organiser_notice_message(registration),
        confirmation_message(follower),
        notice_message(follower, webinar),
        follow_up_message(follow_up, registration, attended=True),
    ]
    for message in messages:
        assert message.from_email == f'"Alpha team, Ghent" <{SITE_ADDRESS}>'
        assert message.reply_to == ["replies@alpha.example.org"]


def test_mail_about_a_series_without_its_own_sender_comes_from_the_site(settings):
    plain = make_webinar(series=make_series(), title="Plain")
    alone = make_webinar(series=None, title="Alone")
    for webinar in (plain, alone):
        message = details_message(make_registration(webinar))
        assert message.from_email == settings.DEFAULT_FROM_EMAIL
        assert message.reply_to == []
        assert "Reply-To" not in read(message)


def test_a_sender_name_with_quotes_accents_and_a_line_break_reads_back_as_typed():
    series = make_series(sender_name='Équipe "Cuivre"\nLiège')
    message = details_message(make_registration(make_webinar(series=series)))
    sender = read(message)["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == ('Équipe "Cuivre" Liège', SITE_ADDRESS)


def test_series_admin_checks_each_notice_address(admin_client, own_sender):
    url = reverse("admin:series_series_change", args=[own_sender.pk])
    data = form_data(admin_client.get(url), "series_form")

    data["notify_also"] = "desk@alpha.example.org, not an address; ok@Example.ORG"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["notify_also"]
    assert errors == ["These are not addresses mail can be sent to: not an address."]

    data["notify_also"] = "desk@alpha.example.org; ok@Example.ORG"
    assert admin_client.post(url, data).status_code == 302
    own_sender.refresh_from_db()
    assert own_sender.notify_also == "desk@alpha.example.org\nok@example.org"
