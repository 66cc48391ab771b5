"""After the webinar, per team: a series' manager sees and acts on the figures, attendance,
follow-ups, feedback and materials of their own series only."""

import csv
import io

import pytest
from django.urls import reverse

from afterwards.models import FollowUp
from series.admin_scope import NOT_YOURS
from tests.teams import build_teams

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams():
    return build_teams()


@pytest.fixture
def alpha_client(client, teams):
    client.force_login(teams[0].manager)
    return client


def test_figures_count_only_their_series(teams, alpha_client):
    alpha, _ = teams
    response = alpha_client.get(reverse("admin:afterwards_webinarrecord_changelist"))
    assert {w.title for w in response.context["cl"].result_list} == {"Alpha upcoming", "Alpha past"}
    totals = response.context["totals"]
    assert (totals.registered, totals.joined) == (2, 1)
    assert b"Beta series" not in response.content


def test_attendance_of_another_teams_webinar_is_not_found(teams, alpha_client):
    _, beta = teams
    page = reverse("admin:afterwards_webinarrecord_change", args=[beta.past.pk])
    assert alpha_client.get(page).status_code == 404
    attendance = reverse("admin:afterwards_webinarrecord_attendance", args=[beta.past.pk])
    response = alpha_client.post(attendance, {"step": "manual", "attended": []})
    assert response.status_code == 404
    beta.past_registration.refresh_from_db()
    assert beta.past_registration.attended_at is not None


def test_attendance_of_their_own_webinar_is_saved(teams, alpha_client):
    alpha, _ = teams
    attendance = reverse("admin:afterwards_webinarrecord_attendance", args=[alpha.past.pk])
    response = alpha_client.post(attendance, {"step": "manual", "attended": []})
    assert response.status_code == 302
    alpha.past_registration.refresh_from_db()
    assert alpha.past_registration.attended_at is None


def test_sending_another_teams_follow_up_does_nothing(teams, alpha_client):
    _, beta = teams
    alpha_client.post(
        reverse("admin:afterwards_followup_changelist"),
        {"action": "send_now", "_selected_action": [beta.rows["follow_up"].pk]},
    )
    assert FollowUp.objects.get(pk=beta.rows["follow_up"].pk).send_at is None


def test_a_follow_up_is_written_only_for_their_webinars(teams, alpha_client):
    alpha, beta = teams
    add = reverse("admin:afterwards_followup_add")
    data = {"subject": "Thanks", "attendees_text": ".", "absentees_text": "."}
    alpha.rows["follow_up"].delete()
    response = alpha_client.post(add, {**data, "webinar": beta.upcoming.pk})
    assert response.context["adminform"].form.errors["webinar"] == [str(NOT_YOURS)]
    assert alpha_client.post(add, {**data, "webinar": alpha.past.pk}).status_code == 302


def test_the_feedback_export_holds_only_their_feedback(teams, alpha_client):
    alpha, beta = teams
    response = alpha_client.post(
        reverse("admin:afterwards_feedback_changelist"),
        {
            "action": "export_feedback",
            "_selected_action": [alpha.rows["feedback"].pk, beta.rows["feedback"].pk],
        },
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert [row[3] for row in rows[1:]] == ["Alpha comment"]


def test_materials_are_edited_on_their_webinars_page(teams, alpha_client):
    alpha, _ = teams
    page = alpha_client.get(reverse("admin:webinars_webinar_change", args=[alpha.past.pk]))
    formsets = {f.formset.prefix: f for f in page.context["inline_admin_formsets"]}
    assert formsets["materials"].has_add_permission
    assert [m.title for m in formsets["materials"].formset.queryset] == ["Alpha slides"]
