"""Reminders to the minute: several per webinar (site, series, webinar), none whose moment
came before the registration, each at most once even with two workers, in both zones."""

from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from core.reminders import RemindersError, parse_reminders
from tests.config.run_manage import run_manage
from tests.factories import make_registration, make_series, make_webinar, webinar_admin_form
from tests.html import text_of
from tests.threads import run_together
from webinars.formatting import when
from webinars.models import Registration, ReminderSent
from webinars.services import reminders_send_due


@pytest.mark.parametrize(
    ("text", "leads"),
    [
        ("1d, 1h", (1440, 60)),
        ("1h,1d", (1440, 60)),
        (" 2d12h , 30m ", (3600, 30)),
        ("1h30m", (90,)),
        ("90m, 1h30m", (90,)),
        ("none", ()),
        ("", ()),
    ],
)
def test_reminders_are_read_from_text(text, leads):
    assert parse_reminders(text) == leads


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tomorrow", "tomorrow is not a lead time"),
        ("1d,,1h", "an empty item is not a lead time"),
        ("1.5h", "1.5h is not a lead time"),
        ("1h1d", "1h1d is not a lead time"),
        ("0m", "0m must be more than 0 minutes and at most 365 days"),
        ("400d", "400d must be more than 0 minutes"),
    ],
)
def test_bad_reminders_get_a_clear_error(text, message):
    with pytest.raises(RemindersError, match=message):
        parse_reminders(text)


def test_a_bad_reminders_setting_stops_start_up_with_one_line():
    result = run_manage("check", DEBUG="on", REMINDERS="1d, soon")

    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "REMINDERS='1d, soon': soon is not a lead time: write days, hours and minutes before "
        "the start like 1d, 1h or 1h30m, separated by commas (or 'none')."
    ]


def test_the_old_single_lead_setting_still_works():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.REMINDERS)",
        DEBUG="on",
        REMINDER_LEAD_HOURS="6",
    )

    assert result.stdout.strip().splitlines()[-1] == "6h", result.stderr


def mailed(flush_mail):
    return sorted((m.to[0], m.subject.split(",")[0]) for m in flush_mail())


def test_registrants_get_only_the_reminders_still_ahead_when_they_registered(db, flush_mail):
    start = timezone.now() + timedelta(days=4)
    webinar = make_webinar(title="Tin", start=start)
    for name, before in [
        ("early", timedelta(days=3)),
        ("day", timedelta(hours=5)),
        ("hour", timedelta(minutes=61)),
        ("late", timedelta(minutes=30)),
    ]:
        make_registration(webinar, email=f"{name}@example.org", created=start - before)
    make_registration(
        webinar, email="wait@example.org", status="waitlisted", created=start - timedelta(days=3)
    )

    # Run like cron, every few minutes, from well before the first reminder to the start.
    moments = [
        start - timedelta(days=2),
        start - timedelta(hours=23, minutes=58),
        start - timedelta(hours=10),
        start - timedelta(minutes=59),
        start - timedelta(minutes=58),
        start - timedelta(minutes=1),
    ]
    sent = [reminders_send_due(now=now) for now in moments]

    assert sent == [0, 1, 0, 3, 0, 0]
    rows = ReminderSent.objects.values_list("registration__email", "lead_minutes")
    assert sorted(rows) == [
        ("day@example.org", 60),
        ("early@example.org", 60),
        ("early@example.org", 1440),
        ("hour@example.org", 60),
    ]
    assert mailed(flush_mail) == [
        ("day@example.org", "Reminder: Tin"),
        ("early@example.org", "Reminder: Tin"),
        ("early@example.org", "Reminder: Tin"),
        ("hour@example.org", "Reminder: Tin"),
    ]


def test_after_a_worker_outage_only_the_nearest_due_reminder_is_mailed(db, flush_mail):
    start = timezone.now() + timedelta(days=4)
    webinar = make_webinar(start=start)
    registration = make_registration(webinar, created=start - timedelta(days=3))

    assert reminders_send_due(now=start - timedelta(minutes=20)) == 1

    assert list(registration.reminders_sent.values_list("lead_minutes", "mailed")) == [
        (1440, False),
        (60, True),
    ]
    assert len(flush_mail()) == 1
    assert reminders_send_due(now=start - timedelta(minutes=10)) == 0


def test_series_and_webinar_reminders_override_the_site(db, settings, flush_mail):
    settings.REMINDERS = "1d"
    start = timezone.now() + timedelta(days=4)
    series = make_series(reminders="2h, 15m")
    by_series = make_webinar(series=series, start=start)
    own = make_webinar(series=series, start=start, reminders="30m")
    silent = make_webinar(start=start, reminders="none")
    site = make_webinar(start=start)
    early = start - timedelta(days=3)
    for webinar in (by_series, own, silent, site):
        make_registration(webinar, created=early)

    leads = {}
    for minutes in (1440, 120, 30, 15):
        reminders_send_due(now=start - timedelta(minutes=minutes))
    for row in ReminderSent.objects.select_related("registration"):
        leads.setdefault(row.registration.webinar_id, []).append(row.lead_minutes)

    assert leads == {by_series.pk: [120, 15], own.pk: [30], site.pk: [1440]}


def test_reminder_gives_the_time_in_both_zones_and_the_join_link(db, flush_mail):
    start = timezone.now() + timedelta(days=4)
    webinar = make_webinar(
        title="Gold", start=start, time_zone="Europe/Brussels", duration=timedelta(hours=1)
    )
    abroad = make_registration(
        webinar,
        email="ny@example.org",
        time_zone="America/New_York",
        created=start - timedelta(days=3),
    )
    make_registration(
        webinar,
        email="home@example.org",
        time_zone="Europe/Brussels",
        created=start - timedelta(days=3),
    )

    reminders_send_due(now=start - timedelta(minutes=50))

    by_to = {m.to[0]: m for m in flush_mail()}
    ny = start.astimezone(ZoneInfo("America/New_York"))
    message = by_to["ny@example.org"]
    # The registrant's own time leads; the webinar's follows.
    assert (
        f"Your time: {when(webinar, ny.tzinfo)} (America/New_York)\n"
        f"The webinar's time: {when(webinar)}"
    ) in message.body
    assert "(America/New_York)" in message.body
    assert "Your time:" in message.alternatives[0][0]
    assert f"/registrations/{abroad.token}/join" in message.body
    # Same zone as the webinar: said once.
    assert "Your time" not in by_to["home@example.org"].body


def test_a_registration_cancelled_meanwhile_gets_no_reminder(db, flush_mail):
    start = timezone.now() + timedelta(days=4)
    registration = make_registration(make_webinar(start=start), created=start - timedelta(days=3))
    Registration.objects.filter(pk=registration.pk).update(status="cancelled")

    assert reminders_send_due(now=start - timedelta(minutes=30)) == 0
    assert flush_mail() == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_once(flush_mail):
    start = timezone.now() + timedelta(days=4)
    webinar = make_webinar(start=start)
    for n in range(12):
        make_registration(webinar, email=f"p{n}@example.org", created=start - timedelta(days=3))
    now = start - timedelta(minutes=30)

    def worker():
        return reminders_send_due(now=now)

    results, errors = run_together(worker, worker)

    assert errors == []
    assert sum(results) == 12
    assert Counter(m.to[0] for m in flush_mail()) == {f"p{n}@example.org": 1 for n in range(12)}


def test_the_form_keeps_the_browser_zone_and_drops_an_unknown_one(client, db):
    webinar = make_webinar()
    url = f"/webinars/{webinar.slug}/register/"
    for email, zone in [
        ("a@example.org", "America/Argentina/Buenos_Aires"),
        ("b@example.org", "Mars/Olympus_Mons"),
        ("c@example.org", ""),
    ]:
        response = client.post(
            url, {"name": "P", "email": email, "consent": "on", "time_zone": zone}
        )
        assert response.status_code == 302

    assert dict(webinar.registrations.values_list("email", "time_zone")) == {
        "a@example.org": "America/Argentina/Buenos_Aires",
        "b@example.org": "",
        "c@example.org": "",
    }
    form = client.get(url).content.decode()
    assert '<input type="hidden" name="time_zone" id="id_time_zone">' in form
    assert "/static/js/time-zone-field" in form


def test_admin_refuses_bad_reminders_with_a_clear_message(admin_client, db):
    response = admin_client.post(
        reverse("admin:webinars_webinar_add"), webinar_admin_form(reminders="1d, tomorrow")
    )

    assert response.status_code == 200
    assert "tomorrow is not a lead time" in text_of(response)
