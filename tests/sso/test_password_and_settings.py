"""Password sign-in beside single sign-on, the sign-in page, and the settings an operator sets.

None of these needs the provider: a closed port stands for one that is down.
"""

from html import unescape

import pytest
from django.contrib.auth import authenticate

from sso import discovery
from sso.claims import NOTHING, access_from_claims, grant
from sso.models import Identity
from tests.config.run_manage import run_manage
from tests.html import text_of
from tests.sso.provider import free_port

pytestmark = pytest.mark.django_db

SIGN_IN_FORM = 'id="login-form"'


@pytest.fixture
def administrator(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", "admin-pass")


@pytest.fixture
def down(sso_settings):
    """Single sign-on configured, its provider not answering."""
    sso_settings.OIDC_ISSUER = f"http://127.0.0.1:{free_port()}"
    return sso_settings


def password_sign_in(client, username, password):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
    )


def test_without_settings_the_sign_in_page_is_admins_own(client, administrator):
    page = client.get("/admin/login/")

    assert page.status_code == 200
    assert SIGN_IN_FORM in page.content.decode()
    assert "Sign in with" not in page.content.decode()
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404
    assert password_sign_in(client, "admin", "admin-pass")["Location"] == "/admin/"


def test_with_single_sign_on_the_page_offers_it_and_keeps_passwords(client, down, administrator):
    page = client.get("/admin/login/?next=/admin/webinars/")

    html = page.content.decode()
    assert 'href="/oidc/authenticate/?next=%2Fadmin%2Fwebinars%2F"' in html
    assert "Sign in with Test ID" in html
    assert SIGN_IN_FORM in html
    assert password_sign_in(client, "admin", "admin-pass")["Location"] == "/admin/"


def test_the_page_names_single_sign_on_in_the_pages_language(client, down):
    down.OIDC_NAME = ""

    assert "Sign in with single sign-on" in text_of(client.get("/admin/login/"))
    assert "Aanmelden met eenmalige aanmelding" in text_of(client.get("/nl/admin/login/"))
    assert "Se connecter avec l’authentification unique" in unescape(
        text_of(client.get("/fr/admin/login/"))
    )


def test_oidc_only_refuses_every_password_administrators_included(client, down, administrator):
    down.OIDC_ONLY = True

    page = client.get("/admin/login/")
    assert SIGN_IN_FORM not in page.content.decode()
    assert "Sign in with Test ID" in page.content.decode()

    response = password_sign_in(client, "admin", "admin-pass")
    assert response.status_code == 200
    assert "Password sign-in is switched off on this site: sign in with Test ID." in unescape(
        text_of(response)
    )
    assert not client.get("/admin/").wsgi_request.user.is_authenticated
    assert authenticate(username="admin", password="admin-pass") is None


def test_a_provider_that_is_down_gets_a_clear_page_not_an_error(client, down):
    response = client.get("/oidc/authenticate/?next=/nl/admin/")

    assert response.status_code == 503
    assert "Test ID is op dit moment niet bereikbaar" in unescape(text_of(response))
    assert "sessionid" not in response.cookies


def test_signing_out_without_single_sign_on_is_admins_own(client, down, administrator):
    client.force_login(administrator)

    response = client.post("/admin/logout/")

    assert response.status_code == 200
    assert not client.get("/admin/").wsgi_request.user.is_authenticated


def test_a_callback_without_a_sign_in_is_refused_clearly(client, down):
    response = client.get("/oidc/callback/", {"code": "x", "state": "y"})

    assert response.status_code == 400
    assert discovery.cached_configuration() is None


def test_a_password_post_with_a_code_in_the_address_starts_no_token_exchange(
    client, down, administrator
):
    response = client.post(
        "/admin/login/?code=x&state=y", {"username": "admin", "password": "admin-pass"}
    )

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("setting", "claims", "expected"),
    [
        ("groups", {"groups": ["organisers"]}, {"organiser"}),
        ("groups", {"groups": "organisers"}, {"organiser"}),
        ("groups", {"groups": ["admins", "series:alpha"]}, {"admin", "series"}),
        ("realm_access.roles", {"realm_access": {"roles": ["staff"]}}, {"staff"}),
        ("roles", {"roles": [{"not": "a name"}, 3]}, set()),
        ("groups", {}, set()),
    ],
)
def test_the_claim_mapping(settings, setting, claims, expected):
    settings.OIDC_GROUPS_CLAIM = setting
    settings.OIDC_ORGANISER_GROUPS = ["organisers"]
    settings.OIDC_STAFF_GROUPS = ["staff"]
    settings.OIDC_ADMIN_GROUPS = ["admins"]
    settings.OIDC_SERIES_GROUP_PREFIX = "series:"

    access = access_from_claims(claims)

    found = {name for name in ("admin", "organiser", "staff") if getattr(access, name)}
    assert found | ({"series"} if access.series_slugs else set()) == expected


def test_administrators_follow_the_admin_groups_when_they_are_set(settings, administrator):
    settings.OIDC_ADMIN_GROUPS = []
    grant(administrator, NOTHING)
    assert administrator.is_superuser and administrator.is_staff

    settings.OIDC_ADMIN_GROUPS = ["admins"]
    grant(administrator, NOTHING)
    administrator.refresh_from_db()
    assert not administrator.is_superuser and not administrator.is_staff


BASE = {"DEBUG": "on"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"OIDC_ISSUER": "https://sso.example.org"},
            "single sign-on needs OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET together: "
            "OIDC_CLIENT_ID, OIDC_CLIENT_SECRET is not set.",
        ),
        (
            {"OIDC_ONLY": "on"},
            "OIDC_ONLY=on turns password sign-in off, but OIDC_ISSUER, OIDC_CLIENT_ID and "
            "OIDC_CLIENT_SECRET are not set: nobody could sign in.",
        ),
        (
            {"OIDC_ISSUER": "sso.example.org", "OIDC_CLIENT_ID": "a", "OIDC_CLIENT_SECRET": "b"},
            "OIDC_ISSUER=sso.example.org: give the provider's issuer URL, e.g. "
            "https://sso.example.org/realms/staff (its /.well-known/openid-configuration is read).",
        ),
    ],
)
def test_settings_that_cannot_work_stop_start_up_with_one_line(env, message):
    result = run_manage("check", **BASE, **env)

    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [message]


def test_start_up_does_not_reach_the_provider():
    # A provider that is down (a closed port) must not stop the site from starting.
    result = run_manage(
        "check",
        **BASE,
        OIDC_ISSUER=f"http://127.0.0.1:{free_port()}",
        OIDC_CLIENT_ID="webinars",
        OIDC_CLIENT_SECRET="secret",
        OIDC_ONLY="on",
    )

    assert result.returncode == 0, result.stderr


def test_administrators_see_the_identities_organisers_do_not(client, administrator, organiser):
    identity = Identity.objects.create(
        user=organiser, issuer="https://sso.example.org", subject="o1"
    )
    address = f"/admin/sso/identity/{identity.pk}/change/"

    client.force_login(administrator)
    assert "o1" in client.get("/admin/sso/identity/").content.decode()
    assert client.get(address).status_code == 200
    assert client.get("/admin/sso/identity/add/").status_code == 403

    client.force_login(organiser)
    assert client.get("/admin/sso/identity/").status_code == 403
