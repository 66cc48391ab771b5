"""A visitor asks for their data by address, gets a link by mail, reads and downloads it."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from privacy.models import AccessLink, HonouredRequest, address_hash
from tests.html import text_of
from tests.privacy.conftest import ADA
from webinars.models import PendingMail


def ask(client, email, path="/privacy/my-data/", **extra):
    return client.post(path, {"email": email, **extra})


@pytest.mark.parametrize(
    "path", ["/privacy/my-data/", "/nl/privacy/my-data/", "/fr/privacy/my-data/"]
)
def test_the_form_is_public_cookie_free_and_in_three_languages(client, db, path):
    response = client.get(path)

    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    html = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' not in html
    assert f'action="{path}"' in html
    assert 'name="email"' in html


def test_known_and_unknown_addresses_get_byte_identical_answers_and_equal_work(client, world):
    answers, queries = [], []
    for email in (ADA, "nobody@example.org"):
        with CaptureQueriesContext(connection) as captured:
            answers.append(ask(client, email))
        queries.append(len(captured))
    known, unknown = answers

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/privacy/my-data/sent/"
    assert known.content == unknown.content
    assert queries[0] == queries[1]
    assert "Set-Cookie" not in known.headers and "Set-Cookie" not in unknown.headers
    # The same row for either: what the mail says is decided later, by the worker.
    rows = PendingMail.objects.filter(kind=PendingMail.Kind.DATA_REQUEST).order_by("pk")
    assert [r.args for r in rows] == [
        {"email": ADA, "language": "en-gb"},
        {"email": "nobody@example.org", "language": "en-gb"},
    ]
    sent_page = client.get(known["Location"])
    assert sent_page.content == Client().get(unknown["Location"]).content
    assert "Check your inbox" in text_of(sent_page)
    assert "Set-Cookie" not in sent_page.headers


@pytest.mark.parametrize("email", [ADA, "nobody@example.org"])
def test_both_are_rate_limited_like_registration(client, world, settings, email):
    settings.REGISTRATION_RATE_LIMIT = 2
    assert [ask(client, email).status_code for _ in range(3)] == [302, 302, 429]
    assert PendingMail.objects.filter(kind=PendingMail.Kind.DATA_REQUEST).count() == 2


def test_a_post_from_another_site_is_refused_and_records_nothing(world):
    foreign = Client(headers={"Origin": "https://evil.example"})
    assert ask(foreign, ADA).status_code == 403
    assert not PendingMail.objects.filter(kind=PendingMail.Kind.DATA_REQUEST).exists()


def test_a_bad_address_is_a_form_error_with_what_was_typed(client, db):
    response = ask(client, "not an address")
    assert response.status_code == 200
    assert "Please enter a valid email address" in text_of(response)
    assert 'value="not an address"' in response.content.decode()


def test_the_known_address_gets_a_link_the_unknown_one_word_that_nothing_is_kept(
    client, world, worker, mailoutbox
):
    ask(client, ADA, path="/nl/privacy/my-data/")
    ask(client, "nobody@example.org")
    worker()

    by_address = {m.to[0]: m for m in mailoutbox}
    link_mail, nothing_mail = by_address[ADA], by_address["nobody@example.org"]
    # Ada asked from the Dutch page: her mail is Dutch, its link leads to the Dutch page.
    assert link_mail.subject == "Uw gegevens bij Webinars"
    assert "http://127.0.0.1:8000/nl/privacy/my-data/" in link_mail.body
    html, kind = link_mail.alternatives[0]
    assert kind == "text/html"
    url = (
        "http://127.0.0.1:8000/nl/privacy/my-data/"
        + link_mail.body.split("/nl/privacy/my-data/")[1].split("/")[0]
        + "/"
    )
    assert f'href="{url}"' in html and "Mijn gegevens bekijken" in html
    assert "Webinars" in link_mail.body.split("--")[-1]
    assert nothing_mail.subject == "Your data at Webinars"
    assert "We keep nothing about it" in nothing_mail.body
    assert "/privacy/my-data/" in nothing_mail.body and "my-data/sent" not in nothing_mail.body
    # Only a digest of the one link is stored.
    [stored] = AccessLink.objects.all()
    assert stored.email == ADA
    assert stored.digest not in link_mail.body


def test_asking_again_at_once_does_not_flood_the_inbox(client, world, worker, mailoutbox, _clock):
    ask(client, ADA)
    worker()
    ask(client, ADA)
    worker()
    assert len(mailoutbox) == 1
    _clock.shift(timedelta(minutes=11))
    ask(client, ADA)
    worker()
    assert len(mailoutbox) == 2


def test_the_link_lists_everything_kept_and_nothing_of_anyone_else(client, world, link):
    response = client.get(link)

    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    text = text_of(response)
    for shown in [
        "Alpha past",
        "Alpha next",
        "Beta past",
        "Beta next",
        "Alpha minerals",
        "Beta recycling",
        "Ada Lovelace",
        "Analytical Engines",
        "Your role",
        "Mathematician",
        "Ada loved it",
        "Ada: too long",
        "Registrations (4)",
        "Series followed (2)",
        "Reminder",
        "Erase all of it",
        "Download my data (JSON)",
    ]:
        assert shown in text, shown
    for hidden in ["Carol", "carol@", "Bob", "bob@", "Elsewhere"]:
        assert hidden not in response.content.decode(), hidden
    # Opening the link answered the request: recorded once, without the address.
    client.get(link)
    [record] = HonouredRequest.objects.all()
    assert (record.action, record.by_visitor) == ("access", True)
    assert record.address_hash == address_hash("ADA@example.org")
    assert ADA not in json.dumps([record.address_hash, record.counts])


def test_the_download_is_json_of_the_same_data(client, world, link):
    response = client.get(link + "my-data.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    data = json.loads(response.content)
    assert data["address"] == ADA
    assert [r["webinar"] for r in data["registrations"]] == [
        "Beta past",
        "Alpha past",
        "Alpha next",
        "Beta next",
    ]
    alpha_past = data["registrations"][1]
    assert alpha_past["series"] == "Alpha minerals"
    assert alpha_past["answers"] == [{"question": "Your role", "answer": "Mathematician"}]
    assert alpha_past["feedback"]["comment"] == "Ada loved it"
    assert alpha_past["attended"] is not None
    assert {f["series"] for f in data["follows"]} == {"Alpha minerals", "Beta recycling"}
    kinds = sorted(m["kind"] for m in data["mail"])
    assert kinds == ["data_request", "details", "details", "follow_confirm", "reminder", "reminder"]
    assert {m["state"] for m in data["mail"] if m["kind"] == "details"} == {"sent"}
    body = response.content.decode()
    for other in ["Carol", "carol@", "Bob", "bob@", "Elsewhere"]:
        assert other not in body


@pytest.mark.parametrize("shift", [timedelta(minutes=61), timedelta(days=3)])
def test_an_expired_link_gives_a_clear_page(client, world, link, _clock, shift):
    _clock.shift(shift)
    for address in (link, link + "my-data.json"):
        response = client.get(address)
        assert response.status_code == 404
        assert "This link does not work any more" in text_of(response)
        assert "Ask for a new link" in text_of(response)
    assert client.post(link + "erase/", {"confirm": "yes"}).status_code == 404


def test_a_tampered_link_gives_the_same_clear_page(client, world, link):
    tampered = link[:-3] + ("A" if link[-3] != "A" else "B") + "/"
    response = client.get(tampered)
    assert response.status_code == 404
    assert "This link does not work any more" in text_of(response)
    assert "Ada" not in response.content.decode()


@pytest.mark.parametrize(
    ("prefix", "heading", "organisers"),
    [
        ("", "See, download or erase your data", "Or write to the organisers"),
        ("/nl", "Uw gegevens bekijken, downloaden of wissen", "Of schrijf naar de organisatoren"),
        ("/fr", "Voir, télécharger ou effacer vos données", "Ou écrivez aux organisateurs"),
    ],
)
def test_the_privacy_notice_explains_both_ways(client, db, prefix, heading, organisers):
    notice = client.get(f"{prefix}/privacy/")

    text = text_of(notice)
    assert heading in text and organisers in text
    assert f'href="{prefix}/privacy/my-data/"' in notice.content.decode()
    ask_page = text_of(client.get(f"{prefix}/privacy/my-data/"))
    assert {"": "Mail me the link", "/nl": "Mail me de link", "/fr": "M’envoyer le lien"}[
        prefix
    ].replace("’", "'") in ask_page.replace("’", "'")
