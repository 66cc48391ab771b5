"""API tokens: made in admin by each staff member (shown once), revoked there, or by command."""

import hashlib
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.tokens import token_create
from tests.factories import make_registration, make_series, make_webinar

CHANGELIST = reverse("admin:api_apitoken_changelist")
ADD = reverse("admin:api_apitoken_add")


@pytest.fixture
def alpha(db):
    series = make_series(title="Alpha", slug="alpha")
    make_registration(make_webinar(series=series, slug="wa"), email="ra@example.org")
    return series


@pytest.fixture
def beta(db):
    series = make_series(title="Beta", slug="beta")
    make_registration(make_webinar(series=series, slug="wb"), email="rb@example.org")
    return series


@pytest.fixture
def manager(db, django_user_model, alpha):
    user = django_user_model.objects.create_user(username="manager", is_staff=True)
    alpha.managers.add(user)
    return user


def emails(client, token: str) -> set[str]:
    response = client.get("/api/registrations", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    return {item["email"] for item in response.json()["items"]}


def _secret(response) -> str:
    html = response.content.decode()
    start = html.index('value="wbt_') + len('value="')
    return html[start : html.index('"', start)]


def test_a_series_manager_makes_a_token_that_is_shown_once(client, manager, alpha, beta):
    client.force_login(manager)

    response = client.post(ADD, {"name": "CRM", "series": [alpha.pk], "can_write": "on"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = _secret(response)
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.can_write) == (manager, "CRM", True)
    assert list(token.series.all()) == [alpha]
    # Only its digest is kept, and its first characters to tell it apart.
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix) and len(secret) >= 40
    listed = client.get(CHANGELIST).content.decode()
    assert f"{token.prefix}..." in listed
    assert secret not in listed
    assert (
        secret
        not in client.get(reverse("admin:api_apitoken_change", args=[token.pk])).content.decode()
    )
    client.logout()
    assert emails(client, secret) == {"ra@example.org"}


def test_a_manager_may_only_scope_a_token_to_series_they_organise(client, manager, beta):
    client.force_login(manager)

    response = client.post(ADD, {"name": "CRM", "series": [beta.pk]})

    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_organisers_see_only_their_own_tokens_and_superusers_everyone(
    client, admin_client, manager, organiser
):
    token_create(user=manager, name="Manager's token")
    token_create(user=organiser, name="Organiser's token")

    client.force_login(manager)
    own = client.get(CHANGELIST).content.decode()
    everyone = admin_client.get(CHANGELIST).content.decode()

    assert "Manager&#x27;s token" in own
    assert "Organiser&#x27;s token" not in own
    assert "Manager&#x27;s token" in everyone and "Organiser&#x27;s token" in everyone
    other = ApiToken.objects.get(user=organiser)
    assert client.get(reverse("admin:api_apitoken_change", args=[other.pk])).status_code == 302


def test_the_list_shows_last_use_and_revoking_shuts_the_token_out(client, manager, alpha):
    token, secret = token_create(user=manager, name="CRM")
    emails(client, secret)
    client.force_login(manager)

    listed = client.get(CHANGELIST).content.decode()
    response = client.post(
        CHANGELIST, {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )

    assert ApiToken.objects.get().last_used_at is not None
    assert "every series you organise" in listed
    assert "1 token revoked." in response.content.decode()
    assert ApiToken.objects.get().revoked_at is not None
    client.logout()
    bad = client.get("/api/registrations", headers={"Authorization": f"Bearer {secret}"})
    assert bad.status_code == 401


def test_organisers_cannot_delete_tokens_only_revoke_them(client, manager):
    token, _secret = token_create(user=manager, name="CRM")
    client.force_login(manager)

    response = client.get(reverse("admin:api_apitoken_delete", args=[token.pk]))

    assert response.status_code == 403


# --- manage.py create_api_token ---


def create(*args) -> str:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    assert "shown once" in err.getvalue()
    return out.getvalue().strip()


def test_the_command_prints_a_token_scoped_as_asked(client, organiser, alpha, beta, _clock):
    secret = create("organiser", "--series", "beta", "--write", "--expires", "2", "--name", "Zap")

    token = ApiToken.objects.get()
    assert secret.startswith("wbt_") and "\n" not in secret
    assert (token.name, token.can_write, token.user) == ("Zap", True, organiser)
    assert token.expires_at == pytest.approx(
        timezone.now() + timedelta(days=2), abs=timedelta(seconds=5)
    )
    assert emails(client, secret) == {"rb@example.org"}
    read_only = create("organiser")
    assert emails(client, read_only) == {"ra@example.org", "rb@example.org"}
    assert (
        ApiToken.objects.get(digest=hashlib.sha256(read_only.encode()).hexdigest()).can_write
        is False
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody"], "No user is called 'nobody'."),
        (["manager", "--series", "nothing"], "No series has the slug 'nothing'."),
        (["manager", "--series", "beta"], "manager does not organise the series 'beta'."),
        (["manager", "--expires", "0"], "--expires takes a number of days from 1 to 36500."),
        (["visitor"], "visitor organises no series: the token would see nothing."),
    ],
)
def test_the_command_refuses_clearly(db, manager, beta, django_user_model, args, message):
    django_user_model.objects.create_user(username="visitor")

    with pytest.raises(CommandError, match=message.replace(".", r"\.")):
        create(*args)
    assert not ApiToken.objects.exists()
