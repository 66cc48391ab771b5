"""Email addresses are stored the way mail will be sent, or refused with a clear message."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_series, make_webinar
from webinars.addresses import sendable_address
from webinars.models import PendingMail, Registration
from webinars.services import RegistrationError, registration_create

PERSON = {"name": "Ada Lovelace", "organisation": "", "consent": "on"}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ada@example.org", "ada@example.org"),
        ("  Ada@Example.ORG ", "Ada@example.org"),
        ("ada@bücher.de", "ada@xn--bcher-kva.de"),
        # "ü" typed as u + combining diaeresis: NFC first, then IDNA.
        (unicodedata.normalize("NFD", "ada@bücher.de"), "ada@xn--bcher-kva.de"),
        ("ada@ＥＸＡＭＰＬＥ.org", "ada@example.org"),
    ],
)
def test_sendable_address_normalises(typed, stored):
    assert sendable_address(typed) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("ada@exa\u2028mple.org", "invisible_characters"),
        ("ada@example\u2029.org", "invisible_characters"),
        ("a\u200bda@example.org", "invisible_characters"),
        ("ada@exam\u202eple.org", "invisible_characters"),
        ("ada@exam\u00a0ple.org", "invisible_characters"),
        ("adà@example.org", "non_ascii_local_part"),
        ('"ada lovelace"@example.org', "invalid"),
        ("ada@[127.0.0.1]", "invalid"),
        ("ada@localhost", "invalid"),
        ("ada@example", "invalid"),
        ("a" * 250 + "@example.org", "invalid"),
    ],
)
def test_sendable_address_refuses_what_mail_cannot_carry(typed, code):
    with pytest.raises(ValidationError) as refused:
        sendable_address(typed)

    assert refused.value.code == code


def test_register_form_refuses_a_line_separator_in_the_domain_and_stores_nothing(client, db):
    webinar = make_webinar(title="Copper")

    response = client.post(
        f"/webinars/{webinar.slug}/register/", {**PERSON, "email": "ada@exa\u2028mple.org"}
    )

    assert response.status_code == 200
    assert "invisible character or a line break" in response.content.decode()
    assert not Registration.objects.exists()
    assert not PendingMail.objects.exists()


def test_register_form_stores_the_idna_domain(client, db):
    webinar = make_webinar(title="Copper")

    response = client.post(
        f"/webinars/{webinar.slug}/register/", {**PERSON, "email": "Ada@Bücher.DE"}
    )

    assert response.status_code == 302
    assert Registration.objects.get().email == "Ada@xn--bcher-kva.de"


def test_series_register_form_refuses_an_invisible_character(client, db):
    series = make_series(title="Metals", slug="metals")
    make_webinar(series=series, title="Copper")

    response = client.post(
        "/series/metals/register/",
        {
            **PERSON,
            "email": "ada\u200b@example.org",
            "webinars": [series.webinars.get().pk],
        },
    )

    assert response.status_code == 200
    assert "invisible character or a line break" in response.content.decode()
    assert not Registration.objects.exists()


def test_registration_create_refuses_an_unsendable_address(db):
    webinar = make_webinar(title="Copper")

    with pytest.raises(RegistrationError) as refused:
        registration_create(
            webinars=[webinar], name="Ada", email="ada@exa\u2028mple.org", consent=True
        )

    assert refused.value.code == "email"
    assert not Registration.objects.exists()


def test_admin_refuses_a_series_notify_address_with_a_separator(organiser_client):
    series = make_series(title="Metals", slug="metals")

    response = organiser_client.post(
        f"/admin/series/series/{series.pk}/change/",
        {
            "title_en": "Metals",
            "slug": "metals",
            "description_en": "",
            "notify_email": "team@exa\u2028mple.org",
            "partners-TOTAL_FORMS": "0",
            "partners-INITIAL_FORMS": "0",
            "disclaimers-TOTAL_FORMS": "0",
            "disclaimers-INITIAL_FORMS": "0",
            "webinars-TOTAL_FORMS": "0",
            "webinars-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "invisible character or a line break" in response.content.decode()
    series.refresh_from_db()
    assert series.notify_email == ""
