"""Requests as a careless client or an attacker sends them: a clear answer, never a 500."""

import pytest

from tests.factories import make_registration, make_series, make_webinar
from webinars.models import Registration

FORM = "application/x-www-form-urlencoded"


def _post(client, path, body: bytes, charset: str):
    return client.generic("POST", path, body, content_type=f"{FORM}; charset={charset}")


@pytest.mark.parametrize(
    ("charset", "encoded_name"),
    [
        ("utf8", b"Ad%C3%A9"),
        ("UTF8", b"Ad%C3%A9"),
        ('"utf-8"', b"Ad%C3%A9"),
        ("iso-8859-1", b"Ad%E9"),
        ("latin1", b"Ad%E9"),
        ("windows-1252", b"Ad\xe9"),
    ],
)
def test_register_post_in_another_charset_is_read_correctly(client, db, charset, encoded_name):
    webinar = make_webinar()
    body = b"name=" + encoded_name + b"&email=ada%40example.org&consent=on"

    response = _post(client, f"/webinars/{webinar.slug}/register/", body, charset)

    assert response.status_code == 302
    assert Registration.objects.get().name == "Adé"


def test_register_post_in_an_unknown_charset_gets_a_clear_400(client, db):
    webinar = make_webinar()

    response = _post(
        client,
        f"/webinars/{webinar.slug}/register/",
        b"name=Ada&email=ada%40example.org&consent=on",
        "x-no-such-charset",
    )

    assert response.status_code == 400
    assert "This form could not be read" in response.content.decode()
    assert "x-no-such-charset" in response.content.decode()
    assert not Registration.objects.exists()


def test_register_post_in_another_charset_with_too_many_fields_gets_a_clear_400(
    client, db, settings
):
    webinar = make_webinar()
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    body = b"name=Ad%E9&email=ada%40example.org&consent=on" + b"&x=1" * 5

    response = _post(client, f"/webinars/{webinar.slug}/register/", body, "latin1")

    assert response.status_code == 400
    assert "This form could not be read" in response.content.decode()
    assert not Registration.objects.exists()


@pytest.mark.parametrize("charset", ["utf8", "latin1", "iso-8859-1"])
def test_admin_login_in_another_charset_signs_in(client, organiser, charset):
    response = _post(
        client,
        "/admin/login/?next=/admin/",
        b"username=organiser&password=organiser-pass&next=/admin/",
        charset,
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_admin_login_in_an_unknown_charset_gets_a_clear_400(client, organiser):
    response = _post(
        client, "/admin/login/", b"username=organiser&password=organiser-pass", "bogus"
    )

    assert response.status_code == 400
    assert "This form could not be read" in response.content.decode()


@pytest.mark.parametrize(
    "webinar_id", [str(2**63), "99999999999999999999999999", "-1", "0", "1e3", " "]
)
def test_series_registration_with_an_id_out_of_range_is_a_form_error(client, db, webinar_id):
    series = make_series(title="Metals", slug="metals")
    make_webinar(series=series)

    response = client.post(
        "/series/metals/register/",
        {"name": "Ada", "email": "ada@example.org", "consent": "on", "webinars": [webinar_id]},
    )

    assert response.status_code == 200
    assert "Choose among the webinars listed." in response.content.decode()
    assert not Registration.objects.exists()


@pytest.mark.parametrize("consent", ["off", "0", "no", "false", "yes", "1", ""])
def test_consent_is_given_only_by_the_value_the_checkbox_sends(client, db, consent):
    webinar = make_webinar()

    response = client.post(
        f"/webinars/{webinar.slug}/register/",
        {"name": "Ada", "email": "ada@example.org", "consent": consent},
    )

    assert response.status_code == 200
    assert "Please agree to the privacy notice to register." in response.content.decode()
    assert not Registration.objects.exists()


def test_consent_on_registers(client, db):
    webinar = make_webinar()

    response = client.post(
        f"/webinars/{webinar.slug}/register/",
        {"name": "Ada", "email": "ada@example.org", "consent": "on"},
    )

    assert response.status_code == 302
    assert Registration.objects.get().consent_at is not None


def test_head_answers_wherever_get_does_on_registration_pages(client, db):
    series = make_series(title="Metals", slug="metals")
    webinar = make_webinar(series=series)
    registration = make_registration(webinar, name="Ada", email="ada@example.org")
    token = registration.token
    paths = [
        f"/webinars/{webinar.slug}/register/",
        f"/webinars/{webinar.slug}/register/thanks/",
        "/series/metals/register/",
        "/series/metals/register/thanks/",
        f"/registrations/{token}/",
        f"/registrations/{token}/cancel/",
        f"/registrations/{token}/join",
        f"/registrations/{token}/calendar.ics",
    ]

    for path in paths:
        get, head = client.get(path), client.head(path)
        assert (path, head.status_code) == (path, get.status_code)
        assert head.status_code == 200
        assert head.content == b""


def test_tracking_and_unknown_parameters_share_the_page_cache_entry(client, db):
    make_webinar(title="Copper")

    first = client.get("/")
    tagged = [client.get(f"/?utm_source=mail{n}&fbclid={n}") for n in range(20)]
    unknown = client.get("/?whatever=1")
    searched = client.get("/?q=copper")

    assert first["X-Page-Cache"] == "miss"
    assert {r["X-Page-Cache"] for r in tagged} == {"hit"}
    assert unknown["X-Page-Cache"] == "hit"
    assert searched["X-Page-Cache"] == "miss"


def test_api_lists_ignore_tracking_parameters_in_key_and_links(client, db):
    for n in range(3):
        make_webinar(title=f"Copper {n}", slug=f"copper-{n}")

    first = client.get("/api/webinars?page_size=1")
    tagged = client.get("/api/webinars?page_size=1&utm_source=newsletter")
    other_size = client.get("/api/webinars?page_size=2")

    assert first["X-Page-Cache"] == "miss"
    assert tagged["X-Page-Cache"] == "hit"
    assert other_size["X-Page-Cache"] == "miss"
    assert "utm_source" not in first.json()["next"]
    assert first.json()["next"].endswith("?page=2&page_size=1")
