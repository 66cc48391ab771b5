"""The designed mail: what each part says and links to, in English and in Dutch."""

from django.utils import translation

from tests.factories import brussels, make_registration, make_series, make_webinar
from webinars.mail.kinds import cancelled_message, details_message, reminder_message
from webinars.models import Registration, SiteSettings

Status = Registration.Status


def html_of(message) -> str:
    return message.alternatives[0][0]


def confirmed(db, **fields):
    SiteSettings.objects.create(
        site_name="Fair ICT Webinars", accent_colour="#ffd700", contact_email="hi@example.org"
    )
    webinar = make_webinar(
        series=make_series(title="Responsible electronics"),
        title="Copper",
        start=brussels(2037, 10, 1, 10, 0),
        join_url="https://meet.example.com/secret-room",
        **fields,
    )
    return make_registration(webinar, email="ada@example.org", status=Status.CONFIRMED)


def test_confirmation_has_brand_series_join_button_calendar_buttons_and_cancel_link(db):
    registration = confirmed(db)

    message = details_message(registration)
    html, text = html_of(message), message.body

    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<meta name="color-scheme" content="light dark">' in html
    assert "@media (prefers-color-scheme: dark)" in html
    assert "Fair ICT Webinars" in html and "Responsible electronics" in html
    # The gold accent is too faint on white: mail uses the readable shade pages use.
    light = SiteSettings.current().light.accent
    assert light != "#ffd700" and f"background: {light};" in html
    token = registration.token
    assert f'href="http://127.0.0.1:8000/registrations/{token}/join"' in html
    assert ">Join the webinar</a>" in html
    assert "Opens Thursday 1 October 2037, 09:30 CEST, 30 minutes before the start." in html
    assert "calendar.google.com" in html and "outlook.live.com" in html
    assert f'href="http://127.0.0.1:8000/webinars/{registration.webinar.slug}/calendar.ics"' in html
    assert f'href="http://127.0.0.1:8000/registrations/{token}/cancel/"' in html
    assert "The organisers of Responsible electronics" in html
    assert "secret-room" not in html + text
    # The text part says the same, in the same order, without blank-line gaps.
    assert text.index("JOIN THE WEBINAR") < text.index("ADD TO YOUR CALENDAR")
    assert f"Cancel your registration: http://127.0.0.1:8000/registrations/{token}/cancel/" in text
    assert "Kind regards,\nThe organisers of Responsible electronics" in text
    assert "\n\n\n" not in text


def test_waiting_list_and_cancelled_mails_have_no_join_button(db):
    registration = confirmed(db)
    registration.status = Status.WAITLISTED

    waiting = details_message(registration)
    registration.status = Status.CANCELLED
    cancelled = cancelled_message(registration)

    assert "Join the webinar" not in html_of(waiting) + waiting.body
    assert "Add to your calendar" in html_of(waiting)
    assert "Join the webinar" not in html_of(cancelled)
    assert "Add to your calendar" not in html_of(cancelled)
    assert "/cancel/" not in html_of(cancelled) + cancelled.body
    assert ">Register again</a>" in html_of(cancelled)


def test_an_in_person_webinar_has_no_join_button(db):
    registration = confirmed(db, location="Ravensteingalerij 27, Brussels")
    registration.webinar.join_url = ""

    message = details_message(registration)

    assert "Join the webinar" not in html_of(message)
    assert "Ravensteingalerij 27, Brussels" in html_of(message)


def test_mail_in_dutch_is_dutch(db):
    registration = confirmed(db)

    with translation.override("nl"):
        message = details_message(registration)
        reminder = reminder_message(registration)

    html = html_of(message)
    assert '<html lang="nl">' in html
    assert "U bent ingeschreven" in html
    assert ">Aan het webinar deelnemen</a>" in html
    assert "Aan uw agenda toevoegen" in html
    assert "Uw inschrijving annuleren" in html
    assert "Met vriendelijke groeten," in message.body
    assert "You are registered" not in html + message.body
    assert reminder.subject.startswith("Herinnering: Copper")


def test_the_join_time_is_said_in_the_webinars_own_zone(db):
    registration = confirmed(db, time_zone="America/New_York")

    message = details_message(registration)

    # 10:00 in Brussels is 04:00 in New York; the link opens half an hour earlier.
    assert "Opens Thursday 1 October 2037, 03:30 EDT, 30 minutes before" in html_of(message)
