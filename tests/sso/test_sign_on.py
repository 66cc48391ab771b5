"""Organisers sign in through a real OpenID provider on loopback (tests/oidc/provider.mjs)."""

from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from series.models import Series
from sso import discovery
from sso.models import Identity
from tests.html import text_of
from tests.sso.provider import claims, free_port, path_of, through_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha_and_beta(db):
    return (
        Series.objects.create(title="Alpha", slug="alpha", description="A"),
        Series.objects.create(title="Beta", slug="beta", description="B"),
    )


def start(client, next_url="/admin/"):
    response = client.get("/oidc/authenticate/", {"next": next_url})
    assert response.status_code == 302
    return response["Location"]


def sign_in(client, provider, account, next_url="/admin/"):
    back = through_provider(provider, start(client, next_url), account)
    return client.get(path_of(back))


def signed_in_user(client):
    return client.get("/admin/").wsgi_request.user


def test_an_organiser_signs_in_and_lands_in_admin_organising_every_series(client, provider):
    response = sign_in(client, provider, "organiser")

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    user = get_user_model().objects.get()
    assert user.username == "olga"
    assert user.email == "olga@example.org"
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Organisers"]
    assert not user.has_usable_password()
    assert Identity.objects.get().subject == "organiser"
    assert Identity.objects.get().issuer == provider.issuer


def test_the_sign_in_uses_pkce_with_s256_state_and_nonce(client, provider):
    query = parse_qs(urlsplit(start(client)).query)

    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["state"][0] and query["nonce"][0]
    assert query["scope"] == ["openid email profile groups"]


def test_a_series_group_makes_a_manager_of_that_series_only(client, provider, alpha_and_beta):
    sign_in(client, provider, "manager")

    user = signed_in_user(client)
    assert user.is_staff
    assert list(user.managed_series.values_list("slug", flat=True)) == ["alpha"]
    assert not user.groups.exists()


def test_a_person_whose_groups_allow_nothing_is_refused_and_gets_no_account(client, provider):
    response = sign_in(client, provider, "outsider")

    assert response.status_code == 403
    assert "does not give access to this site's administration" in unescape(text_of(response))
    assert "Test ID" in unescape(text_of(response))
    assert not get_user_model().objects.exists()
    assert not Identity.objects.exists()
    assert not signed_in_user(client).is_authenticated


def test_a_group_of_a_series_that_does_not_exist_allows_nothing(client, provider):
    provider.set_account("manager", claims(["series:gamma"]))

    assert sign_in(client, provider, "manager").status_code == 403
    assert not get_user_model().objects.exists()


def test_each_sign_in_gives_and_takes_away_what_the_groups_say(
    client, provider, alpha_and_beta, django_user_model
):
    provider.set_account("organiser", claims(["organisers", "series:alpha"]))
    sign_in(client, provider, "organiser")
    user = django_user_model.objects.get()
    assert user.groups.filter(name="Organisers").exists()
    assert list(user.managed_series.values_list("slug", flat=True)) == ["alpha"]

    provider.set_account("organiser", claims(["series:beta"], given_name="Olga"))
    second = Client()
    assert sign_in(second, provider, "organiser").status_code == 302
    user.refresh_from_db()
    assert not user.groups.exists()
    assert list(user.managed_series.values_list("slug", flat=True)) == ["beta"]
    assert user.first_name == "Olga"
    assert django_user_model.objects.count() == 1

    provider.set_account("organiser", claims(["canteen"]))
    third = Client()
    assert sign_in(third, provider, "organiser").status_code == 403
    user.refresh_from_db()
    assert not user.is_staff
    assert not user.managed_series.exists()
    assert not signed_in_user(third).is_authenticated
    # The session signed in before now belongs to an account without access.
    assert client.get("/admin/").status_code == 302


def test_an_existing_account_is_linked_by_an_address_the_provider_verified(
    client, provider, django_user_model
):
    existing = django_user_model.objects.create_user(
        "olga-local", email="OLGA@example.org", password="x", is_staff=True
    )

    sign_in(client, provider, "organiser")

    assert signed_in_user(client) == existing
    assert Identity.objects.get().user == existing
    assert existing.groups.filter(name="Organisers").exists()


def test_an_address_the_provider_did_not_verify_links_nothing(client, provider, django_user_model):
    existing = django_user_model.objects.create_user("olga", email="olga@example.org")
    provider.set_account(
        "organiser",
        claims(
            ["organisers"],
            email="olga@example.org",
            preferred_username="olga",
            email_verified=False,
        ),
    )

    sign_in(client, provider, "organiser")

    user = signed_in_user(client)
    assert user != existing
    assert user.username == "olga-2"
    assert not existing.groups.exists()


def test_a_second_sign_in_finds_the_account_by_subject_not_by_address(client, provider):
    sign_in(client, provider, "organiser")
    provider.set_account("organiser", claims(["organisers"], email="olga@new.example.org"))
    sign_in(Client(), provider, "organiser")

    user = get_user_model().objects.get()
    assert user.email == "olga@new.example.org"


def test_a_tampered_state_is_refused(client, provider):
    back = through_provider(provider, start(client), "organiser")
    parts = urlsplit(back)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query["state"] = "forged-" + query["state"]

    response = client.get(f"{parts.path}?{urlencode(query)}")

    assert response.status_code == 400
    assert "could not be completed" in unescape(text_of(response))
    assert not signed_in_user(client).is_authenticated
    assert not get_user_model().objects.exists()


def test_a_tampered_nonce_is_refused(client, provider):
    authorize = urlsplit(start(client))
    query = {key: values[0] for key, values in parse_qs(authorize.query).items()}
    query["nonce"] = "forged-nonce"
    back = through_provider(
        provider, authorize._replace(query=urlencode(query)).geturl(), "organiser"
    )

    response = client.get(path_of(back))

    assert response.status_code == 400
    assert not signed_in_user(client).is_authenticated
    assert not get_user_model().objects.exists()


def test_a_tampered_code_challenge_fails_the_token_exchange(client, provider):
    authorize = urlsplit(start(client))
    query = {key: values[0] for key, values in parse_qs(authorize.query).items()}
    query["code_challenge"] = "A" * 43
    back = through_provider(
        provider, authorize._replace(query=urlencode(query)).geturl(), "organiser"
    )

    response = client.get(path_of(back))

    assert response.status_code == 400
    assert not get_user_model().objects.exists()


def test_a_callback_used_twice_or_in_another_browser_is_refused(client, provider):
    back = through_provider(provider, start(client), "organiser")
    assert Client().get(path_of(back)).status_code == 400
    assert client.get(path_of(back)).status_code == 302
    assert client.get(path_of(back)).status_code == 400


def test_the_provider_saying_no_ends_on_a_clear_page(client, provider):
    state = parse_qs(urlsplit(start(client)).query)["state"][0]

    response = client.get("/oidc/callback/", {"error": "access_denied", "state": state})

    assert response.status_code == 400
    assert "Please start again" in unescape(text_of(response))


def test_a_provider_that_went_away_after_the_redirect_gets_a_clear_page(client, provider, settings):
    back = through_provider(provider, start(client), "organiser")
    discovery.forget()
    settings.OIDC_ISSUER = f"http://127.0.0.1:{free_port()}"

    response = client.get(path_of(back))

    assert response.status_code == 503
    assert "Test ID cannot be reached" in unescape(text_of(response))


def test_signing_out_ends_the_providers_session_too(client, provider):
    sign_in(client, provider, "organiser")

    response = client.post("/admin/logout/")

    assert response.status_code == 302
    end = urlsplit(response["Location"])
    assert f"{end.scheme}://{end.netloc}{end.path}" == f"{provider.issuer}/session/end"
    query = parse_qs(end.query)
    assert query["post_logout_redirect_uri"] == ["http://127.0.0.1:8000/admin/login/"]
    assert query["id_token_hint"][0].count(".") == 2
    assert not signed_in_user(client).is_authenticated


def test_a_sign_in_started_from_dutch_admin_returns_there(client, provider):
    response = sign_in(client, provider, "organiser", next_url="/nl/admin/")

    assert response["Location"] == "/nl/admin/"


def test_an_outside_next_address_is_not_followed(client, provider):
    response = sign_in(client, provider, "organiser", next_url="https://elsewhere.example.org/")

    assert response["Location"] == "/admin/"


def test_public_pages_stay_cookie_free_with_single_sign_on(client, provider, seed):
    sign_in(client, provider, "organiser")
    for path in ("/", "/nl/", "/calendar.ics"):
        response = Client().get(path)
        assert response.status_code == 200, path
        assert not response.cookies, path


def test_an_account_switched_off_in_admin_loses_its_session_and_cannot_sign_in(client, provider):
    sign_in(client, provider, "organiser")
    get_user_model().objects.update(is_active=False)

    assert client.get("/admin/").status_code == 302
    assert sign_in(Client(), provider, "organiser").status_code == 403
