"""The organisers' API: tokens of several scopes against series they may and may not see."""

import functools
import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from api.models import ApiToken
from api.tokens import token_create
from tests.factories import make_registration, make_series, make_webinar
from tests.mail_worker import send_queued_mail
from webinars.models import PendingMail, Registration, Webinar


@pytest.fixture
def world(db, django_user_model):
    """Series alpha and beta, a webinar without a series, and people who organise them."""
    alpha = make_series(title="Alpha", slug="alpha", notify_email="alpha-team@example.org")
    beta = make_series(title="Beta", slug="beta")
    wa = make_webinar(series=alpha, slug="wa", title="Copper", capacity=2)
    wb = make_webinar(series=beta, slug="wb", title="Cobalt")
    ws = make_webinar(slug="ws", title="Alone")
    everyone = django_user_model.objects.create_user(username="all", is_staff=True)
    everyone.groups.add(Group.objects.get(name="Organisers"))
    manager = django_user_model.objects.create_user(username="manager", is_staff=True)
    alpha.managers.add(manager)
    outsider = django_user_model.objects.create_user(username="outsider", is_staff=True)
    return {
        "alpha": alpha,
        "beta": beta,
        "wa": wa,
        "wb": wb,
        "ws": ws,
        "ra": make_registration(wa, email="ra@example.org"),
        "rb": make_registration(wb, email="rb@example.org"),
        "rs": make_registration(ws, email="rs@example.org"),
        "all": everyone,
        "manager": manager,
        "outsider": outsider,
    }


def raw_token(user, *, series=(), write=False, **fields) -> str:
    return token_create(user=user, name="test", series=series, can_write=write, **fields)[1]


@pytest.fixture
def tokens(world):
    """One token of each scope, by name: (token, the registrations it sees)."""
    return {
        "all": raw_token(world["all"], write=True),
        "manager": raw_token(world["manager"], write=True),
        "all-beta": raw_token(world["all"], series=[world["beta"]], write=True),
        "outsider": raw_token(world["outsider"], write=True),
        "reader": raw_token(world["all"]),
    }


SEES = {
    "all": {"ra", "rb", "rs"},
    "manager": {"ra"},
    "all-beta": {"rb"},
    "outsider": set(),
    "reader": {"ra", "rb", "rs"},
}


@functools.cache
def _openapi(schema: str) -> OpenAPI:
    # Reading the schema takes a second: once per schema text, not per test.
    return OpenAPI.from_dict(json.loads(schema))


@pytest.fixture
def call(client):
    """call(method, url, token, json=None) -> the response, checked against the served schema."""
    openapi = _openapi(client.get("/api/openapi.json").content.decode())

    def send(method, url, token=None, json=None, **headers):
        if token:
            headers["Authorization"] = f"Bearer {token}"
        kwargs = {"content_type": "application/json", "data": json} if json is not None else {}
        response = getattr(client, method)(url, headers=headers, **kwargs)
        assert "Set-Cookie" not in response
        openapi.validate_response(
            DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response)
        )
        return response

    return send


def ids(response) -> set[int]:
    return {item["id"] for item in response.json()["items"]}


# --- Who sees what ---


@pytest.mark.parametrize("who", SEES)
def test_the_list_holds_exactly_what_the_tokens_holder_organises_within_its_series(
    call, world, tokens, who
):
    response = call("get", "/api/registrations", tokens[who])

    assert response.status_code == 200
    assert ids(response) == {world[name].pk for name in SEES[who]}
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("who", SEES)
@pytest.mark.parametrize("name", ["ra", "rb", "rs"])
def test_a_registration_outside_the_scope_is_not_found_by_any_operation(
    call, world, tokens, who, name
):
    pk = world[name].pk
    visible = name in SEES[who]

    detail = call("get", f"/api/registrations/{pk}", tokens[who])
    assert detail.status_code == (200 if visible else 404)
    if who == "reader":
        return
    if not visible:
        assert detail.json() == {"detail": "Not found.", "errors": []}
        for action in ("cancel", "attended"):
            assert call("post", f"/api/registrations/{pk}/{action}", tokens[who]).status_code == 404
        assert Registration.objects.get(pk=pk).status == "confirmed"
        assert Registration.objects.get(pk=pk).attended_at is None


def test_a_missing_registration_is_404_and_an_id_out_of_range_422(call, tokens):
    assert call("get", "/api/registrations/999999", tokens["all"]).status_code == 404
    assert call("get", "/api/registrations/0", tokens["all"]).status_code == 422
    assert call("get", f"/api/registrations/{2**63}", tokens["all"]).status_code == 422
    assert call("get", "/api/registrations/abc", tokens["all"]).status_code == 422


def test_the_list_filters_by_webinar_status_and_changed_since(call, world, tokens, _clock):
    token = tokens["all"]
    later = make_registration(world["wa"], email="later@example.org", status="waitlisted")

    assert ids(call("get", "/api/registrations?webinar=wa", token)) == {world["ra"].pk, later.pk}
    assert ids(call("get", "/api/registrations?webinar=wb", token)) == {world["rb"].pk}
    assert ids(call("get", "/api/registrations?status=waitlisted", token)) == {later.pk}
    # The manager does not see beta: its slug lists nothing, as a slug that does not exist.
    assert ids(call("get", "/api/registrations?webinar=wb", tokens["manager"])) == set()
    assert ids(call("get", "/api/registrations?webinar=nothing", token)) == set()

    _clock.shift(timedelta(hours=1))
    moment = timezone.now()
    Registration.objects.get(pk=world["rb"].pk).save()
    changed = call("get", "/api/registrations", token)
    assert len(changed.json()["items"]) == 4
    since = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert ids(call("get", f"/api/registrations?changed_since={since}", token)) == {world["rb"].pk}
    assert call("get", "/api/registrations?status=gone", token).status_code == 422
    assert call("get", "/api/registrations?changed_since=yesterday", token).status_code == 422


def test_the_list_pages_like_the_public_lists(call, world, tokens):
    for n in range(3):
        make_registration(world["wa"], email=f"p{n}@example.org", status="waitlisted")

    first = call("get", "/api/registrations?page_size=2&webinar=wa", tokens["all"]).json()
    second = call("get", first["next"].removeprefix("http://127.0.0.1:8000"), tokens["all"])

    assert first["next"].endswith("/api/registrations?page=2&page_size=2&webinar=wa")
    assert len(first["items"]) == 2
    assert second.json()["next"] is None
    assert len(second.json()["items"]) == 2


def _queries(client, token) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/registrations", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["all", "manager", "all-beta"])
def test_the_list_reads_a_fixed_number_of_queries_however_many_items(client, world, tokens, who):
    _queries(client, tokens[who])  # the first use of a token writes its last use
    one = _queries(client, tokens[who])
    for n in range(20):
        for webinar in ("wa", "wb", "ws"):
            make_registration(world[webinar], email=f"p{n}@example.org", status="waitlisted")

    assert _queries(client, tokens[who]) == one
    assert one <= 5


# --- Who is let in ---


def test_without_a_token_the_answer_is_401_with_a_bearer_challenge(call, world):
    response = call("get", "/api/registrations")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "detail": "Send a token: Authorization: Bearer <token>.",
        "errors": [],
    }
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("case", ["unknown", "revoked", "expired", "inactive-user"])
def test_an_unknown_revoked_or_expired_token_is_401(call, world, case):
    token, raw = token_create(
        user=world["all"], name="t", expires_at=timezone.now() + timedelta(days=1)
    )
    assert call("get", "/api/registrations", raw).status_code == 200
    if case == "unknown":
        raw = raw[:-4] + ("AAAA" if not raw.endswith("AAAA") else "BBBB")
    elif case == "revoked":
        ApiToken.objects.update(revoked_at=timezone.now())
    elif case == "expired":
        ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    else:
        world["all"].__class__.objects.filter(username="all").update(is_active=False)

    for method, url in [
        ("get", "/api/registrations"),
        ("get", f"/api/registrations/{world['ra'].pk}"),
        ("post", f"/api/registrations/{world['ra'].pk}/cancel"),
    ]:
        response = call(method, url, raw)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'
        assert response.json()["detail"] == "The token is unknown, revoked or expired."


@pytest.mark.parametrize(
    "header", ["Bearer", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 5000, "Bearer wbt_\u00e9"]
)
def test_malformed_authorization_headers_are_401_never_500(client, world, header):
    response = client.get("/api/registrations", headers={"Authorization": header})

    assert response.status_code == 401


def test_a_token_expires_at_its_moment(call, world, _clock):
    raw = raw_token(world["all"], expires_at=timezone.now() + timedelta(hours=1))
    assert call("get", "/api/registrations", raw).status_code == 200

    _clock.shift(timedelta(hours=1))

    assert call("get", "/api/registrations", raw).status_code == 401


def test_a_read_only_token_may_not_write(call, world, tokens):
    ra = world["ra"]
    body = {"webinar": "wa", "name": "Ada", "email": "ada@example.org"}
    answers = [
        call("post", "/api/registrations", tokens["reader"], json=body),
        call("post", f"/api/registrations/{ra.pk}/cancel", tokens["reader"]),
        call("post", f"/api/registrations/{ra.pk}/attended", tokens["reader"]),
        call("post", "/api/webinars", tokens["reader"], json=_new_webinar()),
        call("patch", "/api/webinars/wa", tokens["reader"], json={"title": "Renamed"}),
    ]

    assert [r.status_code for r in answers] == [403] * 5
    assert answers[0].json() == {"detail": "This token may only read.", "errors": []}
    assert Registration.objects.count() == 3
    assert Webinar.objects.get(slug="wa").title == "Copper"
    assert not PendingMail.objects.exists()


def test_last_use_is_written_at_most_once_a_minute(client, world, _clock):
    token, raw = token_create(user=world["all"], name="t")
    headers = {"Authorization": f"Bearer {raw}"}
    client.get("/api/registrations", headers=headers)
    first = ApiToken.objects.get().last_used_at

    with CaptureQueriesContext(connection) as ctx:
        client.get("/api/registrations", headers=headers)
    assert not any(q["sql"].startswith("UPDATE") for q in ctx.captured_queries)
    assert ApiToken.objects.get().last_used_at == first

    _clock.shift(timedelta(seconds=61))
    client.get("/api/registrations", headers=headers)
    assert ApiToken.objects.get().last_used_at > first


def test_each_token_has_its_own_request_budget(call, client, world, tokens, settings):
    settings.API_TOKEN_RATE_LIMIT = 2
    settings.API_RATE_LIMIT = 100

    answers = [call("get", "/api/registrations", tokens["all"]) for _ in range(3)]

    assert [r.status_code for r in answers] == [200, 200, 429]
    assert answers[2]["Retry-After"] == str(settings.API_RATE_WINDOW)
    assert answers[2].json()["detail"].startswith("Too many requests")
    # Writes count too; another token, and the public reads of the same client, are apart.
    assert call("post", "/api/webinars", tokens["all"], json=_new_webinar()).status_code == 429
    assert call("get", "/api/registrations", tokens["manager"]).status_code == 200
    assert client.get("/api/webinars").status_code == 200


# --- Never cached ---


def test_answers_are_never_stored_by_the_page_cache(client, world, tokens, settings):
    assert settings.PAGE_CACHE_SECONDS > 0
    url = "/api/registrations"

    first = client.get(url, headers={"Authorization": f"Bearer {tokens['all']}"})
    other = client.get(url, headers={"Authorization": f"Bearer {tokens['manager']}"})
    anonymous = client.get(url)
    again = client.get(url, headers={"Authorization": f"Bearer {tokens['all']}"})

    assert len(first.json()["items"]) == 3
    assert len(other.json()["items"]) == 1
    assert anonymous.status_code == 401
    assert again.json() == first.json()
    for response in (first, other, anonymous, again):
        assert "X-Page-Cache" not in response
        assert "ETag" not in response
        assert response["Cache-Control"] == "private, no-store"


def test_the_public_reads_stay_public_and_cached(client, world, tokens):
    client.get("/api/webinars")
    cached = client.get("/api/webinars", headers={"Authorization": f"Bearer {tokens['all']}"})

    assert cached["X-Page-Cache"] == "hit"
    assert "public" in cached["Cache-Control"]


# --- The schema ---


def test_the_schema_lists_the_bearer_scheme_and_the_organisers_operations(client, db):
    schema = client.get("/api/openapi.json").json()

    assert schema["components"]["securitySchemes"] == {
        "TokenAuth": {"type": "http", "scheme": "bearer"}
    }
    operations = {
        (path, method): item
        for path, methods in schema["paths"].items()
        for method, item in methods.items()
    }
    private = {key for key, item in operations.items() if item.get("security")}
    assert private == {
        ("/api/registrations", "get"),
        ("/api/registrations", "post"),
        ("/api/registrations/{registration_id}", "get"),
        ("/api/registrations/{registration_id}/cancel", "post"),
        ("/api/registrations/{registration_id}/attended", "post"),
        ("/api/webinars", "post"),
        ("/api/webinars/{slug}", "patch"),
    }
    for key in private:
        assert operations[key]["security"] == [{"TokenAuth": []}]
        assert {"401", "403", "404", "422", "429"} <= set(operations[key]["responses"])
    assert operations[("/api/webinars", "get")].get("security") is None


def _new_webinar(**fields) -> dict:
    return {
        "series": "alpha",
        "title": "Lithium",
        "start": "2026-07-01T08:00:00Z",
        "end": "2026-07-01T09:30:00Z",
        **fields,
    }


def flushed(mailoutbox) -> list[tuple[list[str], str]]:
    send_queued_mail()
    return [(message.to, message.subject) for message in mailoutbox]


# --- Registering, cancelling, attendance ---


def register(call, token, email, webinar="wa", **fields):
    body = {"webinar": webinar, "name": "Ada Lovelace", "email": email, **fields}
    return call("post", "/api/registrations", token, json=body)


def test_registering_follows_the_forms_rules_capacity_waiting_list_and_mail(
    call, world, tokens, mailoutbox
):
    # wa has two seats and one registration (ra) already.
    second = register(call, tokens["manager"], "second@example.org", organisation="KU Leuven")
    third = register(call, tokens["manager"], "Third@Example.org")

    assert second.status_code == third.status_code == 201
    assert second.json()["status"] == "confirmed"
    assert second.json()["organisation"] == "KU Leuven"
    assert third.json()["status"] == "waitlisted"
    assert third.json()["email"] == "Third@example.org"
    assert set(second.json()) == {
        "id", "webinar", "name", "email", "organisation", "status", "language", "created",
        "updated", "cancelled_at", "attended_at",
    }  # fmt: skip
    assert "token" not in third.content.decode()
    # The registrant's mail and the series' notice, as the form sends them.
    assert flushed(mailoutbox) == [
        (["second@example.org"], "Registered: Copper"),
        (["alpha-team@example.org"], "New registration: Copper"),
        (["Third@example.org"], "Waiting list: Copper"),
        (["alpha-team@example.org"], "New registration: Copper"),
    ]


def test_the_same_address_again_creates_nothing_and_resends_the_details(
    call, world, tokens, _clock, settings
):
    first = register(call, tokens["all"], "ada@example.org")
    _clock.shift(timedelta(minutes=settings.REGISTRATION_RESEND_MINUTES + 1))
    again = register(call, tokens["all"], "ADA@example.org")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Registration.objects.filter(email__iexact="ada@example.org").count() == 1
    assert PendingMail.objects.filter(registration_id=first.json()["id"]).count() >= 2


def test_registering_the_same_way_as_the_form_records_the_same_mail(call, client, world, tokens):
    form = client.post(
        "/webinars/wb/register/",
        {"name": "Form Person", "email": "form@example.org", "consent": "on"},
    )
    api = register(call, tokens["all"], "api@example.org", webinar="wb")

    assert form.status_code == 302
    assert api.status_code == 201
    kinds = {
        email: sorted(
            PendingMail.objects.filter(registration__email=email).values_list("kind", flat=True)
        )
        for email in ("form@example.org", "api@example.org")
    }
    assert kinds["form@example.org"] == kinds["api@example.org"] != []


def test_registering_for_a_webinar_that_needs_approval_waits_for_the_organisers(
    call, world, tokens
):
    Webinar.objects.filter(slug="wa").update(requires_approval=True)

    response = register(call, tokens["all"], "pending@example.org")

    assert response.json()["status"] == "pending"


def test_registering_where_addresses_are_confirmed_holds_the_registration(call, world, tokens):
    Webinar.objects.filter(slug="wa").update(confirm_email=True)

    response = register(call, tokens["all"], "held@example.org")

    held = Registration.objects.get(pk=response.json()["id"])
    assert (held.status, held.is_held) == ("pending", True)
    assert PendingMail.objects.filter(registration=held).exists()


def test_registration_mail_is_written_in_the_language_asked(call, world, tokens):
    response = register(call, tokens["all"], "nl@example.org", language="nl")

    assert response.json()["language"] == "nl"
    assert register(call, tokens["all"], "x@example.org", language="de").status_code == 422


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"webinar": "nothing"}, "webinar"),
        ({"email": "not an address"}, "email"),
        ({"email": "a@b"}, "email"),
        ({"name": "   "}, "name"),
        ({"webinar": "past"}, "webinar"),
        ({"webinar": "draft"}, "webinar"),
        ({"webinar": "called-off"}, "webinar"),
    ],
)
def test_bad_or_refused_registrations_are_422_and_store_nothing(call, world, tokens, body, where):
    alpha = world["alpha"]
    make_webinar(series=alpha, slug="past", start=timezone.now() - timedelta(days=2))
    make_webinar(series=alpha, slug="draft", is_published=False)
    make_webinar(series=alpha, slug="called-off", status="cancelled")
    before = Registration.objects.count()

    response = register(call, tokens["all"], **{"email": "ok@example.org", **body})

    assert response.status_code == 422
    assert response.json()["detail"] == "Invalid parameters."
    assert response.json()["errors"][0].startswith(f"{where}: ")
    assert Registration.objects.count() == before
    assert not PendingMail.objects.exists()


def test_a_body_that_is_not_json_is_422(client, world, tokens):
    response = client.post(
        "/api/registrations",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {tokens['all']}"},
    )

    assert response.status_code == 422
    assert set(response.json()) == {"detail", "errors"}


@pytest.mark.parametrize(
    ("who", "webinar"), [("manager", "wb"), ("manager", "ws"), ("all-beta", "wa")]
)
def test_registering_outside_the_tokens_series_is_403(call, world, tokens, who, webinar):
    response = register(call, tokens[who], "someone@example.org", webinar=webinar)

    assert response.status_code == 403
    assert response.json()["errors"] == []
    assert not Registration.objects.filter(email="someone@example.org").exists()


def test_cancelling_frees_the_seat_for_the_oldest_waiting_registrant(
    call, world, tokens, mailoutbox
):
    ra = world["ra"]
    register(call, tokens["all"], "seat@example.org")
    waiting = register(call, tokens["all"], "waiting@example.org").json()
    mailoutbox.clear()
    send_queued_mail()
    mailoutbox.clear()

    response = call("post", f"/api/registrations/{ra.pk}/cancel", tokens["manager"])
    again = call("post", f"/api/registrations/{ra.pk}/cancel", tokens["manager"])

    assert response.status_code == again.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancelled_at"] is not None
    assert Registration.objects.get(pk=waiting["id"]).status == "confirmed"
    assert sorted(flushed(mailoutbox)) == [
        ([ra.email], "Registration cancelled: Copper"),
        (["waiting@example.org"], "A seat is yours: Copper"),
    ]


def test_attendance_is_noted_once_for_confirmed_registrants(call, world, tokens, _clock):
    ra = world["ra"]
    first = call("post", f"/api/registrations/{ra.pk}/attended", tokens["all"])
    _clock.shift(timedelta(hours=1))
    again = call("post", f"/api/registrations/{ra.pk}/attended", tokens["all"])
    waiting = make_registration(world["wa"], email="w@example.org", status="waitlisted")

    assert first.status_code == again.status_code == 200
    assert first.json()["attended_at"] is not None
    assert again.json()["attended_at"] == first.json()["attended_at"]
    refused = call("post", f"/api/registrations/{waiting.pk}/attended", tokens["all"])
    assert refused.status_code == 422
    assert Registration.objects.get(pk=waiting.pk).attended_at is None


# --- Webinars ---


def test_a_new_webinar_is_a_draft_in_the_series_named(call, world, tokens):
    response = call("post", "/api/webinars", tokens["manager"], json=_new_webinar(capacity=30))

    assert response.status_code == 201
    body = response.json()
    assert (body["slug"], body["series"]["slug"], body["title"]) == ("lithium", "alpha", "Lithium")
    webinar = Webinar.objects.get(slug="lithium")
    assert webinar.is_published is False
    assert webinar.capacity == 30
    assert webinar.time_zone == "Europe/Brussels"
    # A draft: not on the public API.
    assert call("get", "/api/webinars/lithium").status_code == 404


@pytest.mark.parametrize(
    ("who", "fields", "status"),
    [
        ("manager", {"series": "beta"}, 403),
        ("manager", {"series": None}, 403),
        ("all-beta", {"series": "alpha"}, 403),
        ("all-beta", {"series": None}, 403),
        ("all", {"series": None}, 201),
        ("all", {"series": "nothing"}, 422),
        ("all", {"end": "2026-07-01T07:00:00Z"}, 422),
        ("all", {"slug": "wa"}, 422),
        ("all", {"time_zone": "Mars/Olympus"}, 422),
        ("all", {"start": "2026-07-01T08:00:00"}, 422),
        ("all", {"event_url": "not a url"}, 422),
        ("all", {"title": "!!!"}, 422),
    ],
)
def test_new_webinars_outside_the_scope_are_403_and_bad_ones_422(
    call, world, tokens, who, fields, status
):
    before = Webinar.objects.count()

    response = call("post", "/api/webinars", tokens[who], json=_new_webinar(**fields))

    assert response.status_code == status, response.json()
    assert Webinar.objects.count() == before + (status == 201)


def test_changing_a_webinar_tells_the_same_people_as_admin(call, world, tokens, mailoutbox):
    response = call("patch", "/api/webinars/wa", tokens["manager"], json={"status": "cancelled"})

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert flushed(mailoutbox) == [([world["ra"].email], "Cancelled: Copper")]


def test_raising_the_capacity_promotes_waiting_registrants(call, world, tokens):
    Webinar.objects.filter(slug="wa").update(capacity=1)
    waiting = make_registration(world["wa"], email="w@example.org", status="waitlisted")

    response = call("patch", "/api/webinars/wa", tokens["all"], json={"capacity": 2})

    assert response.status_code == 200
    assert Registration.objects.get(pk=waiting.pk).status == "confirmed"


def test_only_the_fields_given_change(call, world, tokens):
    call("patch", "/api/webinars/wa", tokens["all"], json={"description": "New *words*."})
    call("patch", "/api/webinars/wa", tokens["all"], json={"location": None})

    webinar = Webinar.objects.get(slug="wa")
    assert (webinar.title, webinar.description, webinar.capacity) == ("Copper", "New *words*.", 2)
    assert webinar.location == ""


@pytest.mark.parametrize(
    ("who", "slug", "fields", "status"),
    [
        ("manager", "wb", {"title": "Mine now"}, 404),
        ("manager", "ws", {"title": "Mine now"}, 404),
        ("all-beta", "wa", {"title": "Mine now"}, 404),
        ("all", "nothing", {"title": "Mine now"}, 404),
        ("manager", "wa", {"series": "beta"}, 403),
        ("manager", "wa", {"series": None}, 403),
        ("manager", "wa", {"title": None}, 422),
        ("manager", "wa", {"capacity": 0}, 422),
        ("manager", "wa", {"status": "postponed"}, 422),
    ],
)
def test_changes_outside_the_scope_are_404_or_403_and_bad_ones_422(
    call, world, tokens, who, slug, fields, status
):
    response = call("patch", f"/api/webinars/{slug}", tokens[who], json=fields)

    assert response.status_code == status
    assert set(Webinar.objects.values_list("title", flat=True)) == {"Copper", "Cobalt", "Alone"}
    assert Webinar.objects.get(slug="wa").series == world["alpha"]


def test_publishing_a_draft_made_through_the_api(call, world, tokens):
    call("post", "/api/webinars", tokens["all"], json=_new_webinar())

    response = call("patch", "/api/webinars/lithium", tokens["all"], json={"is_published": True})

    assert response.status_code == 200
    assert call("get", "/api/webinars/lithium").status_code == 200
