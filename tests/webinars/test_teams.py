"""Series managed by teams: a manager (staff, in no group) sees and changes only their series in
admin, every page, action, export, count and choice of it; the Organisers group and superusers
still see everything."""

import csv
import io
from functools import reduce
from operator import or_

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models import Q
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api.models import ApiToken
from hooks.models import WebhookDelivery, WebhookEndpoint
from privacy.models import HonouredRequest
from series.admin_scope import NOT_YOURS, SeriesScopedAdmin, SharedAcrossSeriesAdmin
from sso.models import Identity
from tests.factories import (
    add_speaker,
    make_registration,
    make_speaker,
    make_webinar,
    webinar_admin_form,
)
from tests.html import form_data
from tests.teams import build_teams
from webinars.models import PendingMail, Registration, SiteSettings, Webinar

pytestmark = pytest.mark.django_db

# Admins that belong to no series, and why a manager's view of them is right without scoping.
UNSCOPED = {
    get_user_model(): "accounts: administrators only (no organiser has a permission on them)",
    Group: "groups: administrators only",
    SiteSettings: "the site's identity: every staff member reads it, administrators change it",
    ApiToken: "each organiser's own tokens (tests/api/test_tokens.py); a token sees its series",
    WebhookEndpoint: "each organiser's own endpoints; deliveries carry only the owner's series",
    WebhookDelivery: "deliveries of the organiser's own endpoints (tests/hooks)",
    Identity: "single sign-on identities: administrators only",
    HonouredRequest: "no address kept; scoped by the series a request touched, privacy/admin.py",
}

# What the Organisers group may open, and so a manager too (in their series).
ORGANISERS_SEE = {
    "series.Series",
    "series.Organisation",
    "webinars.Webinar",
    "webinars.Speaker",
    "webinars.Registration",
    "webinars.RegistrantMessage",
    "afterwards.FollowUp",
    "afterwards.Feedback",
    "afterwards.WebinarRecord",
    "following.Follower",
}

# The registry is a private name of Django's admin site; tests may read it, the app may not.
REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.fixture
def teams():
    return build_teams()


@pytest.fixture
def alpha_client(client, teams):
    client.force_login(teams[0].manager)
    return client


def request_for(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def rows_of(model_admin, series):
    """The rows of `model_admin`'s model that belong to `series`, by its own paths."""
    paths = model_admin.series_paths
    found = reduce(or_, (Q(**{path: series} if path else {"pk": series.pk}) for path in paths))
    return model_admin.model._default_manager.filter(found)


def url(model, name, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}", args=args)


def answer(response):
    return response.status_code, response.get("Location")


@pytest.mark.parametrize(
    "model_admin",
    [model_admin for _, model_admin in REGISTRY],
    ids=[model._meta.label for model, _ in REGISTRY],
)
def test_every_admin_limits_a_manager_to_their_series(model_admin, teams, alpha_client):
    """A new admin without scoping fails here: it must say which series its rows belong to
    (SeriesScopedAdmin), be shared by all series (SharedAcrossSeriesAdmin), or be listed in
    UNSCOPED with the reason it needs none."""
    alpha, beta = teams
    model = model_admin.model
    if model in UNSCOPED:
        assert not isinstance(model_admin, SeriesScopedAdmin)
        return
    if isinstance(model_admin, SharedAcrossSeriesAdmin):
        assert model_admin.appears_in, "say where the shared rows appear"
        return
    assert isinstance(model_admin, SeriesScopedAdmin), f"{model_admin} is not scoped by series"

    theirs = rows_of(model_admin, beta.series)
    ours = rows_of(model_admin, alpha.series)
    assert theirs.exists() and ours.exists(), "tests/teams.py makes a row of each kind"
    seen = model_admin.get_queryset(request_for(alpha.manager))
    assert set(seen.values_list("pk", flat=True)) == set(ours.values_list("pk", flat=True))

    listed = alpha_client.get(url(model, "changelist"))
    if model_admin.has_view_permission(request_for(alpha.manager)):
        assert listed.status_code == 200
        shown = {row.pk for row in listed.context["cl"].result_list}
        assert shown and not shown & set(theirs.values_list("pk", flat=True))
    else:
        assert listed.status_code == 403

    # Each of the other team's rows answers as a row that does not exist.
    other = theirs.first()
    for name in ("change", "delete", "history"):
        missing = answer(alpha_client.get(url(model, name, 0)))
        assert answer(alpha_client.get(url(model, name, other.pk))) == missing, name
        assert missing[0] in (302, 403, 404)
    posted = alpha_client.post(url(model, "change", other.pk), {})
    assert posted.status_code in (302, 403, 404)
    assert posted.status_code != 200


def test_a_manager_opens_their_own_rows(teams, alpha_client):
    alpha, _ = teams
    for obj in (alpha.series, alpha.upcoming, alpha.registration, alpha.rows["message"]):
        assert alpha_client.get(url(type(obj), "change", obj.pk)).status_code == 200


def test_the_index_lists_what_the_organisers_group_may_do(teams, alpha_client):
    page = alpha_client.get(reverse("admin:index")).content.decode()
    for model, _ in REGISTRY:
        if model._meta.label in ORGANISERS_SEE:
            assert url(model, "changelist") in page, model
    assert url(get_user_model(), "changelist") not in page
    assert "Alpha upcoming" in page and "Beta upcoming" not in page


def test_the_organisers_group_and_superusers_still_see_every_series(
    teams, organiser_client, admin_client
):
    for client in (organiser_client, admin_client):
        response = client.get(url(Registration, "changelist"))
        names = {r.name for r in response.context["cl"].result_list}
        assert {"Alpha person", "Beta person"} <= names
        page = client.get(reverse("admin:index")).content.decode()
        assert "Alpha upcoming" in page and "Beta upcoming" in page


def test_staff_who_manage_nothing_see_nothing(teams, client, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x", is_staff=True)
    client.force_login(nobody)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Alpha upcoming" not in page and url(Webinar, "changelist") not in page
    for model, _ in REGISTRY:
        if model is SiteSettings:
            continue
        assert client.get(url(model, "changelist")).status_code == 403, model


def test_actions_on_the_other_teams_ids_do_nothing(teams, alpha_client):
    alpha, beta = teams
    response = alpha_client.post(
        url(Registration, "changelist"),
        {"action": "cancel_registrations", "_selected_action": [beta.registration.pk]},
    )
    assert response.status_code == 302
    beta.registration.refresh_from_db()
    assert beta.registration.status == Registration.Status.CONFIRMED

    count = Webinar.objects.count()
    alpha_client.post(
        url(Webinar, "changelist"),
        {"action": "duplicate", "_selected_action": [beta.upcoming.pk]},
    )
    assert Webinar.objects.count() == count


def test_exports_hold_only_their_rows(teams, alpha_client):
    alpha, beta = teams
    response = alpha_client.post(
        url(Registration, "changelist"),
        {
            "action": "export_csv",
            "_selected_action": [alpha.registration.pk, beta.registration.pk],
        },
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert [row[2] for row in rows[1:]] == ["Alpha person"]
    own = reverse("admin:webinars_webinar_registrations_csv", args=[alpha.upcoming.pk])
    other = reverse("admin:webinars_webinar_registrations_csv", args=[beta.upcoming.pk])
    assert alpha_client.get(own).status_code == 200
    assert alpha_client.get(other).status_code == 404


def test_autocomplete_offers_only_their_series_and_webinars(teams, alpha_client):
    def found(model_name, field, app="webinars"):
        response = alpha_client.get(
            reverse("admin:autocomplete"),
            {"app_label": app, "model_name": model_name, "field_name": field, "term": ""},
        )
        return {item["text"] for item in response.json()["results"]}

    assert found("webinar", "series") == {"Alpha series"}
    assert found("registrantmessage", "webinar") == {"Alpha upcoming", "Alpha past"}
    assert found("followup", "webinar", app="afterwards") == {"Alpha upcoming", "Alpha past"}


def test_list_filters_name_only_their_series(teams, alpha_client):
    page = alpha_client.get(url(Registration, "changelist")).content.decode()
    assert "Alpha series" in page and "Beta series" not in page
    assert "Beta upcoming" not in page


def test_a_webinar_is_added_only_to_a_series_they_manage(teams, alpha_client):
    alpha, beta = teams
    add = url(Webinar, "add")
    for series in ("", str(beta.series.pk)):
        response = alpha_client.post(add, webinar_admin_form(series=series))
        assert response.status_code == 200
        assert str(NOT_YOURS) in response.context["adminform"].form.errors["series"]
    response = alpha_client.post(add, webinar_admin_form(series=str(alpha.series.pk)))
    assert response.status_code == 302
    assert Webinar.objects.get(slug="added-in-admin").series == alpha.series


def test_a_webinar_is_not_moved_into_another_teams_series(teams, alpha_client):
    alpha, beta = teams
    form = alpha_client.get(url(Webinar, "change", alpha.upcoming.pk)).context["adminform"].form
    assert set(form.fields["series"].queryset) == {alpha.series}


def test_the_next_webinar_link_reveals_nothing_of_another_series(teams, alpha_client):
    _, beta = teams
    form = alpha_client.get(url(Webinar, "add"), {"after": beta.upcoming.pk})
    assert form.context["adminform"].form.initial.get("series") is None


def test_managers_add_no_series_and_cannot_change_who_manages(teams, alpha_client, admin_client):
    alpha, beta = teams
    assert alpha_client.get(url(type(alpha.series), "add")).status_code == 403
    form = alpha_client.get(url(type(alpha.series), "change", alpha.series.pk))
    assert "managers" not in form.context["adminform"].form.fields
    form = admin_client.get(url(type(alpha.series), "change", alpha.series.pk))
    managers = form.context["adminform"].form.fields["managers"]
    assert set(managers.queryset) == {alpha.manager, beta.manager} | set(
        get_user_model().objects.filter(is_superuser=True)
    )


def test_speakers_are_shared_but_changed_only_by_their_own_team(teams, alpha_client):
    alpha, beta = teams
    both = make_speaker(name="Shared speaker")
    add_speaker(alpha.upcoming, both)
    add_speaker(beta.upcoming, both)
    listed = alpha_client.get(reverse("admin:webinars_speaker_changelist"))
    assert {"Alpha speaker", "Beta speaker", "Shared speaker"} <= {
        s.name for s in listed.context["cl"].result_list
    }
    change = reverse("admin:webinars_speaker_change", args=[alpha.rows["speaker"].pk])
    data = form_data(alpha_client.get(change), "speaker_form")
    assert alpha_client.post(change, {**data, "name": "Renamed"}).status_code == 302
    alpha.rows["speaker"].refresh_from_db()
    assert alpha.rows["speaker"].name == "Renamed"
    for other in (beta.rows["speaker"], both):
        page = alpha_client.get(reverse("admin:webinars_speaker_change", args=[other.pk]))
        assert page.status_code == 200
        assert not page.context["has_change_permission"]
        assert (
            alpha_client.post(
                reverse("admin:webinars_speaker_change", args=[other.pk]),
                {"name": "Renamed", "slug": other.slug},
            ).status_code
            == 403
        )


def test_the_outbox_lists_only_their_mail_when_the_group_may_read_it(teams, alpha_client):
    alpha, _ = teams
    organisers = Group.objects.get(name="Organisers")
    organisers.permissions.add(Permission.objects.get(codename="view_pendingmail"))
    response = alpha_client.get(url(PendingMail, "changelist"))
    assert [m.key for m in response.context["cl"].result_list] == ["Alpha-details"]


def test_main_changelists_take_a_bounded_number_of_queries(
    teams, alpha_client, django_assert_max_num_queries
):
    alpha, _ = teams
    for n in range(5):
        make_webinar(series=alpha.series, title=f"More {n}", slug=f"more-{n}")
    for model in (Webinar, Registration, type(alpha.series)):
        with CaptureQueriesContext(connection) as few:
            assert alpha_client.get(url(model, "changelist")).status_code == 200
        make_registration(make_webinar(series=alpha.series, title="Yet more"))
        with django_assert_max_num_queries(len(few)):
            assert alpha_client.get(url(model, "changelist")).status_code == 200
        assert len(few) <= 16, model


def test_a_manager_edits_only_their_own_teams_organisation(teams, alpha_client):
    alpha, beta = teams
    own = url(type(alpha.rows["organisation"]), "change", alpha.rows["organisation"].pk)
    data = form_data(alpha_client.get(own), "organisation_form")
    assert alpha_client.post(own, {**data, "name": "Alpha renamed"}).status_code == 302
    other = url(type(beta.rows["organisation"]), "change", beta.rows["organisation"].pk)
    assert alpha_client.post(other, {**data, "name": "Beta renamed"}).status_code == 403
    assert {o.name for o in type(alpha.rows["organisation"]).objects.all()} == {
        "Alpha renamed",
        "Beta organisation",
    }


def test_administrators_assign_managers_and_managers_cannot(teams, alpha_client, admin_client):
    alpha, beta = teams
    change = url(type(alpha.series), "change", alpha.series.pk)
    data = form_data(alpha_client.get(change), "series_form")
    assert alpha_client.post(change, {**data, "managers": [beta.manager.pk]}).status_code == 302
    assert list(alpha.series.managers.all()) == [alpha.manager]

    data = form_data(admin_client.get(change), "series_form")
    managers = [alpha.manager.pk, beta.manager.pk]
    assert admin_client.post(change, {**data, "managers": managers}).status_code == 302
    assert set(alpha.series.managers.all()) == {alpha.manager, beta.manager}
