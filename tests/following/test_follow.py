"""Following a series: double opt-in, one mail per new webinar, one-click unsubscribe."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from following.models import Follower
from following.services import follow_confirm
from tests.factories import add_webinar, make_series, make_webinar
from tests.html import text_of
from webinars import mail
from webinars.models import PendingMail
from webinars.services import webinar_publish, webinar_save


@pytest.fixture
def series(db):
    series = make_series(title="Soil science", slug="soil")
    make_webinar(series=series, title="First talk", start=timezone.now() + timedelta(days=3))
    return series


@pytest.fixture
def settings_queued(settings):
    # Requests only record mail; the worker pass in each test composes and sends it.
    settings.MAIL_SEND_IMMEDIATELY = False
    return settings


def follow(client, email="ada@example.org", slug="soil", **extra):
    return client.post(f"/series/{slug}/follow/", {"email": email, **extra})


def confirm(client, mailoutbox, worker) -> Follower:
    follow(client)
    worker()
    [message] = mailoutbox
    token = message.body.split("/follow/")[1].split("/")[0]
    client.post(f"/follow/{token}/")
    mailoutbox.clear()
    return Follower.objects.get(token=token)


def test_series_page_offers_the_form_without_javascript_or_cookies(client, series):
    response = client.get("/series/soil/")

    html = response.content.decode()
    assert 'action="/series/soil/follow/"' in html
    assert '<label for="id_follow_email">Your email address</label>' in html
    assert "Set-Cookie" not in response.headers


def test_asking_to_follow_mails_a_confirmation_and_nothing_else(
    client, series, settings_queued, mailoutbox, worker
):
    response = follow(client, email="  ada@EXAMPLE.org ")

    assert response.status_code == 302
    assert response["Location"] == "/series/soil/follow/sent/"
    follower = Follower.objects.get()
    assert (follower.email, follower.confirmed_at) == ("ada@example.org", None)
    assert mailoutbox == []

    assert worker().startswith("1 sent")
    [message] = mailoutbox
    assert message.to == ["ada@example.org"]
    assert message.subject == "Confirm that you want to follow Soil science"
    assert f"http://127.0.0.1:8000/follow/{follower.token}/" in message.body
    sent_page = client.get(response["Location"])
    assert "Check your inbox" in text_of(sent_page)


def test_the_confirmation_link_asks_first_and_confirms_only_on_post(
    client, series, settings_queued, mailoutbox, worker
):
    follow(client)
    worker()
    follower = Follower.objects.get()

    page = client.get(f"/follow/{follower.token}/")
    follower.refresh_from_db()
    assert follower.confirmed_at is None
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert "Yes, follow this series" in text_of(page)

    done = client.post(f"/follow/{follower.token}/")
    follower.refresh_from_db()
    assert done.status_code == 200
    assert follower.is_following
    assert "You follow this series" in text_of(done)


def test_known_and_new_addresses_get_the_same_answer(
    client, series, settings_queued, mailoutbox, worker
):
    confirm(client, mailoutbox, worker)

    known = follow(client, email="ada@example.org")
    new = follow(client, email="grace@example.org")

    assert (known.status_code, known["Location"]) == (new.status_code, new["Location"])
    assert client.get(known["Location"]).content == client.get(new["Location"]).content
    worker()
    # The one who follows already gets nothing more; the new address gets its link.
    assert [m.to for m in mailoutbox] == [["grace@example.org"]]


def test_repeated_requests_do_not_flood_an_inbox(
    client, series, settings_queued, mailoutbox, worker, _clock
):
    for _ in range(3):
        follow(client)
        worker()
    assert len(mailoutbox) == 1

    _clock.shift(timedelta(minutes=11))
    follow(client)
    worker()
    assert len(mailoutbox) == 2


def test_bad_input_is_a_clear_error_and_stores_nothing(client, series, settings_queued):
    bad = follow(client, email="not an address")
    empty = follow(client, email="")
    control = follow(client, email="ada@exa\u2028mple.org")

    for response in (bad, empty, control):
        assert response.status_code == 200
        assert "There is a problem" in text_of(response)
    assert 'value="not an address"' in bad.content.decode()
    assert Follower.objects.count() == 0


def test_bots_cross_site_posts_and_unknown_series_store_nothing(client, series, settings_queued):
    bot = follow(client, website="http://spam.example")
    foreign = Client(headers={"Origin": "https://evil.example"}).post(
        "/series/soil/follow/", {"email": "ada@example.org"}
    )
    unknown = follow(client, slug="no-such-series")
    hidden = make_series(slug="hidden")
    make_webinar(series=hidden, is_published=False)
    unpublished = follow(client, slug="hidden")

    assert bot.status_code == 302
    assert foreign.status_code == 403
    assert (unknown.status_code, unpublished.status_code) == (404, 404)
    assert Follower.objects.count() == 0


def test_a_new_webinar_is_mailed_once_to_confirmed_followers_only(
    client, series, settings_queued, mailoutbox, worker
):
    ada = confirm(client, mailoutbox, worker)
    follow(client, email="unconfirmed@example.org")
    worker()
    mailoutbox.clear()

    webinar = add_webinar(
        series=series, title="Second talk", start=timezone.now() + timedelta(days=20)
    )
    worker()
    # Unpublished and published again: still one mail.
    webinar.is_published = False
    webinar_save(webinar=webinar)
    webinar_publish(webinar=webinar)
    worker()

    [message] = mailoutbox
    assert message.to == [ada.email]
    assert message.subject == "New in Soil science: Second talk"
    assert "http://127.0.0.1:8000/webinars/" in message.body
    [notice] = PendingMail.objects.filter(kind="follow_notice")
    assert notice.key == f"follow-notice:{ada.pk}:{webinar.pk}"
    assert notice.args == {"follower": ada.pk, "webinar": webinar.pk}
    assert notice.sent_at is not None


def test_a_draft_is_news_when_it_is_published_not_before(
    client, series, settings_queued, mailoutbox, worker
):
    confirm(client, mailoutbox, worker)
    draft = add_webinar(
        series=series,
        title="Draft talk",
        start=timezone.now() + timedelta(days=20),
        is_published=False,
    )
    worker()
    assert mailoutbox == []

    webinar_publish(webinar=draft)
    worker()
    assert [m.subject for m in mailoutbox] == ["New in Soil science: Draft talk"]


def test_past_and_other_series_webinars_are_not_news(
    client, series, settings_queued, mailoutbox, worker
):
    confirm(client, mailoutbox, worker)
    add_webinar(series=series, title="Old", start=timezone.now() - timedelta(days=2))
    add_webinar(series=make_series(slug="other"), start=timezone.now() + timedelta(days=5))
    add_webinar(title="Stand-alone", start=timezone.now() + timedelta(days=5))
    worker()

    assert mailoutbox == []


def test_notices_carry_one_click_unsubscribe_that_works_without_origin(
    client, series, settings_queued, mailoutbox, worker
):
    follower = confirm(client, mailoutbox, worker)
    add_webinar(series=series, title="Second talk", start=timezone.now() + timedelta(days=20))
    worker()
    [message] = mailoutbox
    url = f"http://127.0.0.1:8000/follow/{follower.token}/unsubscribe/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in message.body

    # A link scanner's GET changes nothing.
    asked = client.get(f"/follow/{follower.token}/unsubscribe/")
    follower.refresh_from_db()
    assert follower.is_following and "Yes, stop" in text_of(asked)

    # RFC 8058: the mail provider POSTs from its own servers, with no Origin or Referer.
    one_click = Client().post(
        f"/follow/{follower.token}/unsubscribe/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    follower.refresh_from_db()
    assert one_click.status_code == 200
    assert follower.unsubscribed_at is not None

    mailoutbox.clear()
    add_webinar(series=series, title="Third talk", start=timezone.now() + timedelta(days=30))
    worker()
    assert mailoutbox == []


def test_an_unsubscribed_address_must_confirm_again(
    client, series, settings_queued, mailoutbox, worker, _clock
):
    follower = confirm(client, mailoutbox, worker)
    Client().post(f"/follow/{follower.token}/unsubscribe/")
    _clock.shift(timedelta(minutes=11))

    follow(client)
    follower.refresh_from_db()
    assert not follower.is_following
    worker()
    assert [m.subject for m in mailoutbox] == ["Confirm that you want to follow Soil science"]


def test_unknown_tokens_are_a_plain_404(client, db):
    assert client.get("/follow/" + "x" * 43 + "/").status_code == 404
    assert Client().post("/follow/" + "x" * 43 + "/unsubscribe/").status_code == 404


def test_two_workers_send_each_notice_once(client, series, settings_queued, mailoutbox, worker):
    confirm(client, mailoutbox, worker)
    mailoutbox.clear()
    add_webinar(series=series, title="Second talk", start=timezone.now() + timedelta(days=20))
    [notice] = PendingMail.objects.filter(kind="follow_notice")

    assert mail.deliver(notice.pk).outcome == "sent"
    assert mail.deliver(notice.pk).outcome == "taken"
    assert len(mailoutbox) == 1


def test_addresses_never_appear_on_public_pages(
    client, series, settings_queued, mailoutbox, worker
):
    confirm(client, mailoutbox, worker)
    for url in ("/", "/series/soil/", "/series/soil/calendar.ics", "/feed/", "/api/series/soil"):
        assert b"ada@example.org" not in client.get(url).content


def test_admin_lists_followers_with_counts_per_series(
    client, organiser_client, series, settings_queued, mailoutbox, worker
):
    confirm(client, mailoutbox, worker)
    follow(client, email="unconfirmed@example.org")

    series_list = organiser_client.get(reverse("admin:series_series_changelist"))
    followers = organiser_client.get(
        reverse("admin:following_follower_changelist") + "?state=following"
    )

    assert series_list.status_code == followers.status_code == 200
    assert (
        f'?series__id__exact={series.pk}&amp;state=following">1</a>' in series_list.content.decode()
    )
    text = text_of(followers)
    assert "ada@example.org" in text and "unconfirmed@example.org" not in text


def test_notice_arrives_over_smtp_with_its_list_headers(
    client, series, settings_queued, mailoutbox, worker, smtp
):
    follower = Follower.objects.create(series=series, email="ada@example.org")
    follow_confirm(follower=follower)
    add_webinar(series=series, title="Second talk", start=timezone.now() + timedelta(days=20))
    smtp.start()

    worker()

    [(recipients, message)] = smtp.inbox.messages
    assert recipients == [follower.email]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # A long header is folded after its name; unfolded, the value is the link.
    assert message["List-Unsubscribe"].strip() == (
        f"<http://127.0.0.1:8000/follow/{follower.token}/unsubscribe/>"
    )
    assert {p.get_content_type() for p in message.walk()} >= {"text/plain", "text/html"}


def test_a_dutch_followers_notice_links_to_the_dutch_pages(
    client, series, settings_queued, mailoutbox, worker
):
    follow(client, email="Ada@example.org")
    follower = Follower.objects.get()
    follower.language = "nl"
    follower.save()
    follow_confirm(follower=follower)
    add_webinar(series=series, title="Second talk", start=timezone.now() + timedelta(days=20))
    worker()
    [*_, notice] = mailoutbox
    url = f"http://127.0.0.1:8000/nl/follow/{follower.token}/unsubscribe/"

    assert notice.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert url in notice.body
    assert "http://127.0.0.1:8000/nl/webinars/" in notice.body
