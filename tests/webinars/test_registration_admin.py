"""Admin for registrations: counts, search, CSV export, cancel with promotion, capacity raise."""

import csv
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import brussels, make_registration, make_webinar
from tests.html import text_of
from webinars.models import Registration

CHANGELIST = "admin:webinars_registration_changelist"


@pytest.fixture
def full_webinar(db):
    webinar = make_webinar(title="Copper", capacity=2, start=timezone.now() + timedelta(days=5))
    people = [
        make_registration(webinar, name=f"P{n}", email=f"p{n}@example.org", status=status)
        for n, status in enumerate(["confirmed", "confirmed", "waitlisted", "waitlisted"], 1)
    ]
    return webinar, people


@pytest.mark.parametrize("who", ["admin_client", "organiser_client"])
def test_cancel_action_frees_seat_promotes_and_mails(request, full_webinar, flush_mail, who):
    client = request.getfixturevalue(who)
    webinar, people = full_webinar

    response = client.post(
        reverse(CHANGELIST),
        {"action": "cancel_registrations", "_selected_action": [people[0].pk]},
        follow=True,
    )

    assert "1 registration cancelled; the registrant was told by email." in text_of(response)
    assert list(webinar.registrations.values_list("name", "status")) == [
        ("P1", "cancelled"),
        ("P2", "confirmed"),
        ("P3", "confirmed"),
        ("P4", "waitlisted"),
    ]
    outbox = flush_mail()
    assert [(m.to, m.subject) for m in outbox] == [
        (["p1@example.org"], "Registration cancelled: Copper"),
        (["p3@example.org"], "A seat is yours: Copper"),
    ]
    assert "The organisers have cancelled your registration" in outbox[0].body


def test_changelist_shows_status_counts_for_a_webinar(admin_client, full_webinar):
    webinar, _ = full_webinar
    make_registration(make_webinar(), status="confirmed")  # another webinar: not counted

    response = admin_client.get(reverse(CHANGELIST), {"webinar__id__exact": webinar.pk})

    assert "Confirmed: 2 · On the waiting list: 2 · Cancelled: 0 (in this list)" in text_of(
        response
    )


def test_changelist_search_by_email_and_name(admin_client, full_webinar):
    response = admin_client.get(reverse(CHANGELIST), {"q": "p3@example"})
    by_name = admin_client.get(reverse(CHANGELIST), {"q": "P4"})

    assert [r.name for r in response.context["cl"].result_list] == ["P3"]
    assert [r.name for r in by_name.context["cl"].result_list] == ["P4"]


def test_csv_export_has_header_bom_and_neutralised_formulas(admin_client, db):
    webinar = make_webinar(title="=Copper", start=brussels(2030, 10, 1, 10, 0))
    make_registration(
        webinar,
        name='=HYPERLINK("http://evil.example")',
        email="ada@example.org",
        organisation="+SUM(A1)",
    )
    make_registration(webinar, name="Zoë Ünïcode", email="z@example.org", organisation="-1")
    make_registration(webinar, name="@cmd", email="c@example.org", organisation="\tTab")

    response = admin_client.post(
        reverse(CHANGELIST),
        {
            "action": "export_csv",
            "_selected_action": list(Registration.objects.values_list("pk", flat=True)),
        },
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="registrations.csv"'
    body = response.getvalue().decode("utf-8")
    assert body.startswith("\ufeff")
    lines = body.lstrip("\ufeff").splitlines()
    # Every cell quoted: a reader splitting on another separator still sees whole cells.
    assert lines[0] == (
        '"webinar","webinar start (UTC)","name","email","organisation","status",'
        '"registered at (UTC)","consent at (UTC)","promoted at (UTC)","cancelled at (UTC)"'
    )
    rows = list(csv.reader(lines))
    assert rows[1][:6] == [
        "'=Copper",
        "2030-10-01 08:00:00",
        '\'=HYPERLINK("http://evil.example")',
        "ada@example.org",
        "'+SUM(A1)",
        "confirmed",
    ]
    assert rows[2][:5] == ["'=Copper", "2030-10-01 08:00:00", "Zoë Ünïcode", "z@example.org", "'-1"]
    assert rows[3][:5] == ["'=Copper", "2030-10-01 08:00:00", "'@cmd", "c@example.org", "'\tTab"]
    assert len(rows) == 4


@pytest.mark.parametrize(
    ("organisation", "exported"),
    [
        ("Org;=2+2", "Org;'=2+2"),
        ("Org; +cmd", "Org; '+cmd"),
        ("Org|@SUM(1)", "Org|'@SUM(1)"),
        ("Org,-1", "Org,'-1"),
        (" =1+1", "' =1+1"),
        ("Org - the best", "Org - the best"),
        ("ada@example.org", "ada@example.org"),
    ],
)
def test_csv_export_neutralises_formulas_after_a_separator(
    admin_client, db, organisation, exported
):
    webinar = make_webinar(title="Copper")
    make_registration(webinar, name="Ada", email="ada@example.org", organisation=organisation)

    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "export_csv", "_selected_action": [Registration.objects.get().pk]},
    )

    line = response.getvalue().decode("utf-8").lstrip("\ufeff").splitlines()[1]
    assert f',"{exported}",' in line
    for separator in ",;|":
        # Whatever a spreadsheet splits on, no cell it makes starts a formula.
        cells = [c.strip().strip('"') for c in line.split(separator)]
        assert not any(c.startswith(("=", "+", "@")) for c in cells), cells


def test_registration_status_is_read_only_in_the_change_form(admin_client, full_webinar):
    _, people = full_webinar

    response = admin_client.get(reverse("admin:webinars_registration_change", args=[people[0].pk]))

    form = response.context["adminform"].form
    assert "status" not in form.fields
    assert "webinar" not in form.fields
    assert admin_client.get(reverse("admin:webinars_registration_add")).status_code == 403


def test_capacity_raise_in_admin_promotes_as_many_as_fit(admin_client, full_webinar, flush_mail):
    webinar, _ = full_webinar
    url = reverse("admin:webinars_webinar_change", args=[webinar.pk])
    form = admin_client.get(url).context["adminform"].form
    start, end = webinar.local_start, webinar.local_end
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.pop("cover_image", None)  # an empty upload field, not a value to post
    data.update(
        {
            "series": "",
            "number": "",
            "start_0": f"{start:%Y-%m-%d}",
            "start_1": f"{start:%H:%M:%S}",
            "end_0": f"{end:%Y-%m-%d}",
            "end_1": f"{end:%H:%M:%S}",
            "capacity": "5",
            "registration_closes_0": "",
            "registration_closes_1": "",
            "is_published": "on",
            "webinar_speakers-TOTAL_FORMS": "0",
            "webinar_speakers-INITIAL_FORMS": "0",
            "materials-TOTAL_FORMS": "0",
            "materials-INITIAL_FORMS": "0",
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302, text_of(response)[:2000]
    assert webinar.registrations.waitlisted().count() == 0
    assert sorted(m.to[0] for m in flush_mail()) == ["p3@example.org", "p4@example.org"]


def test_webinar_changelist_links_to_its_registrations(admin_client, full_webinar):
    webinar, _ = full_webinar

    response = admin_client.get(reverse("admin:webinars_webinar_changelist"))

    expected = reverse(CHANGELIST) + f"?webinar__id__exact={webinar.pk}"
    assert f'href="{expected}"' in response.content.decode()
    assert "2 / 2" in text_of(response)


def test_csv_export_for_excel_splits_on_semicolons_and_stays_safe(admin_client, db):
    webinar = make_webinar(title="Koper, zink", start=brussels(2030, 10, 1, 10, 0))
    make_registration(webinar, name="Zoë", email="z@example.org", organisation="=1+1;x")

    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "export_csv_semicolon", "_selected_action": [Registration.objects.get().pk]},
    )

    assert response["Content-Disposition"] == 'attachment; filename="registrations-excel.csv"'
    body = response.getvalue().decode("utf-8")
    assert body.startswith("\ufeff") and "sep=" not in body
    rows = list(csv.reader(body.lstrip("\ufeff").splitlines(), delimiter=";"))
    assert rows[0][:3] == ["webinar", "webinar start (UTC)", "name"]
    assert rows[1][:5] == ["Koper, zink", "2030-10-01 08:00:00", "Zoë", "z@example.org", "'=1+1;x"]


def test_a_webinars_export_for_excel_uses_semicolons_in_its_zone(admin_client, db):
    webinar = make_webinar(title="Copper", start=brussels(2030, 10, 1, 10, 0))
    make_registration(webinar, name="Ada", email="ada@example.org")
    change = admin_client.get(reverse("admin:webinars_webinar_change", args=[webinar.pk]))
    export = reverse("admin:webinars_webinar_registrations_csv", args=[webinar.pk])
    assert f'href="{export}?sep=semicolon"' in change.content.decode()

    response = admin_client.get(export, {"sep": "semicolon"})

    assert response["Content-Disposition"].endswith('-copper-excel.csv"')
    lines = response.getvalue().decode("utf-8").lstrip("\ufeff").splitlines()
    assert lines[1].startswith('"Copper";"2030-10-01 10:00:00";"Ada"')
