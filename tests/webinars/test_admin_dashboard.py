"""The admin index's dashboard, who may change the site settings, the export on a webinar."""

import csv
import io
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.factories import brussels, make_registration, make_series, make_webinar
from tests.html import text_of
from webinars.models import Registration, SiteSettings


def test_admin_index_lists_upcoming_webinars_with_seats_waiting_and_new_this_week(
    organiser_client, django_assert_max_num_queries
):
    now = timezone.now()
    soon = make_webinar(
        title="Copper",
        series=make_series(title="Metals"),
        start=now + timedelta(days=2),
        time_zone="America/New_York",
        capacity=2,
        is_published=True,
    )
    make_registration(soon, status=Registration.Status.CONFIRMED, created=now - timedelta(days=9))
    make_registration(soon, status=Registration.Status.CONFIRMED)
    make_registration(soon, status=Registration.Status.WAITLISTED)
    make_registration(soon, status=Registration.Status.CANCELLED)
    make_webinar(title="Over already", start=now - timedelta(days=3))
    make_webinar(title="Later draft", start=now + timedelta(days=20), is_published=False)

    with django_assert_max_num_queries(12):
        response = organiser_client.get(reverse("admin:index"))

    text = text_of(response)
    assert "Upcoming webinars" in text
    assert "Over already" not in text
    assert text.index("Copper") < text.index("Later draft")
    assert "2 of 2 seats taken · 1 waiting · 2 new this week" in text
    assert "Later draft draft" in text
    # In the webinar's own zone, named.
    local = soon.start.astimezone(soon.tz)
    assert f"{local:%H:%M}" in text and "New York time" in text


def test_admin_index_says_when_nothing_is_coming(organiser_client):
    assert "No upcoming webinars." in text_of(organiser_client.get(reverse("admin:index")))


def test_organisers_see_the_site_settings_but_cannot_change_them(organiser_client, admin_client):
    record = SiteSettings.objects.create(site_name="Fair ICT")
    url = reverse("admin:webinars_sitesettings_change", args=[record.pk])

    seen = organiser_client.get(url)
    refused = organiser_client.post(url, {"site_name": "Hijacked"})

    assert seen.status_code == 200
    assert 'name="site_name"' not in seen.content.decode()
    assert "Fair ICT" in text_of(seen)
    assert refused.status_code == 403
    assert SiteSettings.objects.get().site_name == "Fair ICT"
    assert 'name="site_name"' in admin_client.get(url).content.decode()


def test_the_webinar_page_exports_its_registrations_named_after_it_in_its_zone(
    organiser_client,
):
    webinar = make_webinar(
        title="Copper & Co: the talk",
        start=brussels(2026, 7, 1, 10, 0),
        time_zone="Europe/Brussels",
    )
    make_registration(webinar, name="Ada", email="ada@example.org")
    other = make_webinar(title="Other")
    make_registration(other, name="Not me", email="not@example.org")

    page = organiser_client.get(reverse("admin:webinars_webinar_change", args=[webinar.pk]))
    export_url = reverse("admin:webinars_webinar_registrations_csv", args=[webinar.pk])
    response = organiser_client.get(export_url)

    assert f'href="{export_url}"' in page.content.decode()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="registrations-2026-07-01-copper-co-the-talk.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][1] == "webinar start (Europe/Brussels)"
    assert [row[2] for row in rows[1:]] == ["Ada"]
    assert rows[1][1] == "2026-07-01 10:00:00"


def test_the_export_refuses_staff_without_registration_rights(client, django_user_model):
    webinar = make_webinar()
    user = django_user_model.objects.create_user(username="s", password="p", is_staff=True)
    client.force_login(user)

    response = client.get(reverse("admin:webinars_webinar_registrations_csv", args=[webinar.pk]))

    # Staff who organise no series see no webinar: the export answers as for a missing one.
    assert response.status_code == 404
