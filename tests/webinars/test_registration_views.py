"""The registration pages as a visitor uses them: forms, thanks, own page, join, feed, cancel."""

import re
from datetime import timedelta

import icalendar
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import brussels, make_registration, make_series, make_webinar
from tests.html import text_of
from webinars.models import PendingMail, Registration
from webinars.services import registration_create

VALID = {
    "name": "Ada Lovelace",
    "email": "ada@example.org",
    "organisation": "Analytical Engines",
    "consent": "on",
}


def register_url(webinar):
    return f"/webinars/{webinar.slug}/register/"


def test_register_get_shows_the_form_with_privacy_link(client, db):
    webinar = make_webinar(title="Copper", capacity=50)

    response = client.get(register_url(webinar))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Register: Copper" in text_of(response)
    assert html.count("<h1>") == 1
    assert '<label for="id_name">Name</label>' in html
    assert '<label for="id_email">Email</label>' in html
    assert 'href="/privacy/"' in html
    assert "csrfmiddlewaretoken" not in html  # the same bytes for every visitor
    assert "<div hidden>" in html


def test_register_post_creates_registration_and_redirects_to_thanks(client, db, flush_mail):
    webinar = make_webinar(title="Copper")

    response = client.post(register_url(webinar), VALID)

    assert response.status_code == 302
    assert (
        response["Location"]
        == f"/webinars/{webinar.slug}/register/thanks/?to=a%E2%80%A6%40example.org"
    )
    registration = Registration.objects.get()
    assert (registration.name, registration.email, registration.organisation) == (
        "Ada Lovelace",
        "ada@example.org",
        "Analytical Engines",
    )
    assert registration.status == "confirmed"
    assert registration.consent_at is not None
    assert [m.to for m in flush_mail()] == [["ada@example.org"]]


def test_thanks_page_is_the_same_for_new_and_repeated_registration(client, db):
    webinar = make_webinar(title="Copper", capacity=1)
    make_registration(webinar, email="ada@example.org")  # the seat is taken by Ada already

    repeated = client.post(register_url(webinar), VALID)
    # Another address that masks alike: the page depends on what was typed, never on the rows.
    new = client.post(register_url(webinar), {**VALID, "email": "amy@example.org"})
    first = client.get(repeated["Location"])
    other = client.get(new["Location"])

    assert (repeated.status_code, repeated["Location"]) == (new.status_code, new["Location"])
    assert repeated.content == new.content
    assert first.content == other.content
    assert "We have received your registration for Copper." in text_of(first)
    assert "waiting list" in text_of(first)  # both words always, never the actual status
    assert "/registrations/" not in first.content.decode()
    assert Registration.objects.count() == 2


def test_thanks_page_shows_the_webinar_its_calendars_and_what_the_mail_holds(client, db):
    webinar = make_webinar(
        title="Copper", number=2, start=brussels(2031, 5, 2, 10, 0), duration=timedelta(hours=1)
    )

    response = client.post(register_url(webinar), VALID)
    thanks = client.get(response["Location"])

    text = text_of(thanks)
    html = thanks.content.decode()
    assert "Webinar 2: Copper" in text
    assert '<time datetime="2031-05-02T10:00:00+02:00">' in html
    assert f'href="/webinars/{webinar.slug}/calendar.ics"' in html
    assert "calendar.google.com" in html
    assert "What our email tells you" in text
    assert "Your join link opens 30 minutes before the start." in text
    assert "A link to your own registration page" in text


def test_thanks_page_suggests_fix_for_domain_typo_without_blocking(client, db):
    webinar = make_webinar()

    response = client.post(register_url(webinar), {**VALID, "email": "ada@gmial.com"})
    thanks = client.get(response["Location"])

    assert response["Location"].endswith(
        "/register/thanks/?to=a%E2%80%A6%40gmial.com&domain=gmial.com"
    )
    assert Registration.objects.get().email == "ada@gmial.com"
    assert "Did you mean gmail.com? You typed an address ending in gmial.com." in text_of(thanks)


def test_thanks_page_ignores_unknown_domain_parameter(client, db):
    webinar = make_webinar()

    response = client.get(f"/webinars/{webinar.slug}/register/thanks/?domain=<script>")

    assert response.status_code == 200
    assert "Did you mean" not in text_of(response)


BAD_INPUT = [
    ({"name": ""}, "Name: Please enter your name."),
    ({"email": ""}, "Email: Please enter your email address."),
    ({"email": "not-an-email"}, "Email: Please enter a valid email address, like name@example.org."),
    ({"email": "a" * 290 + "@example.org"}, "Email: Ensure this value has at most 254 characters (it has 302)."),
    ({"name": "N" * 10_000}, "Name: Ensure this value has at most 200 characters (it has 10000)."),
    ({"name": "Ada\x00Lovelace"}, "Name: Null characters are not allowed."),
    ({"name": "Ada\tLovelace"}, "Name: Please remove control characters such as tabs or line breaks."),
    ({"organisation": "Evil\u202eCorp"}, "Organisation (optional): Please remove control characters such as tabs or line breaks."),
    ({"email": "ada@example.org\r\nBcc: x@example.org"}, "Email: This address contains an invisible character or a line break, which mail cannot carry. Please type it again."),
    ({"email": "ada@exa\u2028mple.org"}, "Email: This address contains an invisible character or a line break, which mail cannot carry. Please type it again."),
    ({"name": "Ada\u2028Lovelace"}, "Name: Please remove control characters such as tabs or line breaks."),
    ({"consent": ""}, "I agree to the privacy notice: Please agree to the privacy notice to register."),
]  # fmt: skip


@pytest.mark.parametrize(("change", "error"), BAD_INPUT)
def test_register_bad_input_shows_error_keeps_values_stores_nothing(client, db, change, error):
    webinar = make_webinar()
    data = {k: v for k, v in {**VALID, **change}.items() if v != ""}

    response = client.post(register_url(webinar), data)

    assert response.status_code == 200
    assert error in text_of(response)
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert 'aria-invalid="true"' in html
    form = response.context["form"]
    for field in ("name", "email", "organisation"):
        assert form[field].value() == data.get(field)
    assert Registration.objects.count() == 0
    assert PendingMail.objects.sent().count() == 0


def test_register_error_is_tied_to_its_field(client, db):
    webinar = make_webinar()

    response = client.post(register_url(webinar), {**VALID, "email": "nope"})

    html = response.content.decode()
    assert 'aria-describedby="id_email_helptext id_email_error"' in html
    assert '<p class="error" id="id_email_error">' in html
    assert 'value="nope"' in html
    assert "<title>Error: Register:" in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "cancelled"}, "Copper has been cancelled, so registration is closed."),
        ({"start": timezone.now() - timedelta(days=3)}, "Copper has already taken place, so registration is closed."),
        ({"registration_closes": timezone.now() - timedelta(minutes=1)}, "Registration for Copper has closed."),
    ],
)  # fmt: skip
def test_register_post_to_closed_webinar_shows_clear_message(client, db, fields, message):
    webinar = make_webinar(title="Copper", **fields)

    response = client.post(register_url(webinar), VALID)

    assert response.status_code == 200
    assert message in text_of(response)
    assert 'value="Ada Lovelace"' in response.content.decode()
    assert Registration.objects.count() == 0


def test_register_honeypot_answers_like_success_and_stores_nothing(client, db):
    webinar = make_webinar()

    response = client.post(register_url(webinar), {**VALID, "website": "http://spam.example"})

    assert response.status_code == 302
    assert (
        response["Location"]
        == f"/webinars/{webinar.slug}/register/thanks/?to=a%E2%80%A6%40example.org"
    )
    assert Registration.objects.count() == 0
    assert PendingMail.objects.sent().count() == 0


def test_register_from_another_site_is_refused(db, flush_mail):
    webinar = make_webinar()
    client = Client(enforce_csrf_checks=True, headers={"Origin": "https://evil.example"})

    response = client.post(register_url(webinar), VALID)

    assert response.status_code == 403
    assert Registration.objects.count() == 0
    assert flush_mail() == []


def test_register_from_the_site_needs_no_token_or_cookie(db, settings):
    webinar = make_webinar()
    client = Client(enforce_csrf_checks=True, headers={"Origin": settings.SITE_URL})

    response = client.post(register_url(webinar), VALID)

    assert response.status_code == 302
    assert not response.cookies
    assert Registration.objects.count() == 1


def test_register_rate_limit_gives_429_page(client, db, settings):
    settings.REGISTRATION_RATE_LIMIT = 3
    webinar = make_webinar()
    for n in range(3):
        assert (
            client.post(register_url(webinar), {**VALID, "email": f"p{n}@example.org"}).status_code
            == 302
        )

    response = client.post(register_url(webinar), {**VALID, "email": "late@example.org"})

    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert "Too many submissions" in text_of(response)
    assert "Please try again in 10 minutes." in text_of(response)
    assert Registration.objects.count() == 3


def test_register_rate_limit_is_per_client(client, db, settings):
    settings.REGISTRATION_RATE_LIMIT = 1
    webinar = make_webinar()
    client.post(register_url(webinar), VALID, REMOTE_ADDR="10.0.0.1")

    response = client.post(
        register_url(webinar), {**VALID, "email": "b@example.org"}, REMOTE_ADDR="10.0.0.2"
    )

    assert response.status_code == 302


def test_register_unknown_or_unpublished_webinar_is_404(client, db):
    draft = make_webinar(is_published=False)

    assert client.get("/webinars/no-such-webinar/register/").status_code == 404
    assert client.post(register_url(draft), VALID).status_code == 404


def test_register_post_query_count_stays_small(client, db):
    webinar = make_webinar(capacity=10)

    with CaptureQueriesContext(connection) as queries:
        response = client.post(register_url(webinar), VALID)

    assert response.status_code == 302
    # The webinar, then in the transaction: lock, count, insert (in a savepoint, which catches
    # a repeated address), the mail intent. Composing the mail (templates, calendar invite)
    # waits until after commit. Transaction control statements touch no table. The webhook
    # endpoints listening are read once per cache lifetime (hooks.recording): here, cold.
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")
    data = [q["sql"] for q in queries if not q["sql"].upper().startswith(control)]
    assert len(data) <= 6, data
    assert sum("hooks_" in sql for sql in data) <= 1, data
    assert len(queries) - len(data) <= 4, [q["sql"] for q in queries]


@pytest.mark.parametrize(
    ("capacity", "taken", "fields", "words"),
    [
        (None, 0, {}, "Registration open. Free, no seat limit."),
        (50, 10, {}, "Registration open."),
        (50, 47, {}, "Registration open: few seats left."),
        (2, 2, {}, "Full: waiting list."),
        (
            10,
            0,
            {"registration_closes": timezone.now() - timedelta(hours=1)},
            "Registration closed.",
        ),
        (10, 0, {"status": "cancelled"}, "Cancelled. This webinar will not take place."),
    ],
)
def test_webinar_page_shows_registration_state(client, db, capacity, taken, fields, words):
    webinar = make_webinar(capacity=capacity, **fields)
    for _ in range(taken):
        make_registration(webinar)

    response = client.get(webinar.get_absolute_url())

    assert words in text_of(response)
    has_form = f'action="/webinars/{webinar.slug}/register/"' in response.content.decode()
    assert has_form == (words.startswith(("Registration open", "Full")))


def test_webinar_page_form_posts_and_registers(client, db):
    webinar = make_webinar(capacity=3)
    client.get(webinar.get_absolute_url())

    response = client.post(register_url(webinar), VALID)

    assert response.status_code == 302
    assert Registration.objects.filter(webinar=webinar).count() == 1


# --- series form -------------------------------------------------------------------------


def test_series_register_lists_only_open_webinars(client, db):
    series = make_series(slug="supply")
    open_1 = make_webinar(series=series, number=1, title="Copper")
    make_webinar(series=series, number=2, title="Past", start=timezone.now() - timedelta(days=3))
    make_webinar(series=series, number=3, title="Called off", status="cancelled")
    open_4 = make_webinar(series=series, number=4, title="Tin")

    response = client.get("/series/supply/register/")

    assert response.status_code == 200
    assert list(response.context["form"].fields["webinars"].queryset) == [open_1, open_4]
    text = text_of(response)
    assert "Webinar 1: Copper" in text
    assert "Past" not in text
    assert "Called off" not in text


def test_series_register_registers_for_chosen_webinars_only(client, db, flush_mail):
    series = make_series(slug="supply")
    copper = make_webinar(series=series, title="Copper")
    tin = make_webinar(series=series, title="Tin")
    gold = make_webinar(series=series, title="Gold")

    response = client.post(
        "/series/supply/register/", {**VALID, "webinars": [str(copper.pk), str(gold.pk)]}
    )

    assert response.status_code == 302
    assert response["Location"] == "/series/supply/register/thanks/?to=a%E2%80%A6%40example.org"
    assert sorted(Registration.objects.values_list("webinar__title", flat=True)) == [
        "Copper",
        "Gold",
    ]
    assert not tin.registrations.exists()
    assert sorted(m.subject for m in flush_mail()) == ["Registered: Copper", "Registered: Gold"]


@pytest.mark.parametrize("forged", ["999999", "abc", "-1"])
def test_series_register_forged_webinar_id_is_a_form_error(client, db, forged):
    series = make_series(slug="supply")
    copper = make_webinar(series=series)
    other = make_webinar()  # a webinar of no series: not offered, so not accepted

    for value in (forged, str(other.pk)):
        response = client.post(
            "/series/supply/register/", {**VALID, "webinars": [str(copper.pk), value]}
        )
        assert response.status_code == 200
        assert "Webinars: Choose among the webinars listed." in text_of(response)
    assert Registration.objects.count() == 0


def test_series_register_without_choice_is_a_form_error(client, db):
    series = make_series(slug="supply")
    make_webinar(series=series)

    response = client.post("/series/supply/register/", VALID)

    assert "Webinars: Choose at least one webinar." in text_of(response)
    assert 'value="Ada Lovelace"' in response.content.decode()
    assert Registration.objects.count() == 0


def test_series_register_with_nothing_open_says_so(client, db):
    series = make_series(slug="supply")
    make_webinar(series=series, start=timezone.now() - timedelta(days=3))

    response = client.get("/series/supply/register/")

    assert "No webinar of this series is open for registration at the moment." in text_of(response)
    assert client.get("/series/no-such-series/register/").status_code == 404


# --- the registrant's own pages --------------------------------------------------------


@pytest.fixture
def confirmed(db):
    webinar = make_webinar(
        title="Copper",
        capacity=1,
        join_url="https://meet.example.com/secret-room",
        start=timezone.now() + timedelta(days=2),
    )
    return make_registration(webinar, email="ada@example.org", status="confirmed")


def test_registration_page_shows_status_and_no_join_link_before_window(client, confirmed):
    response = client.get(f"/registrations/{confirmed.token}/")

    text = text_of(response)
    assert response.status_code == 200
    assert "Status Confirmed: you have a seat" in text
    assert "The join link appears here from 30 minutes before the start" in text
    assert "secret-room" not in response.content.decode()
    assert f"/registrations/{confirmed.token}/join" not in response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_registration_page_shows_personal_join_link_in_window(client, confirmed, settings):
    settings.JOIN_WINDOW_MINUTES = 3 * 24 * 60

    response = client.get(f"/registrations/{confirmed.token}/")

    html = response.content.decode()
    assert f'href="http://127.0.0.1:8000/registrations/{confirmed.token}/join"' in html
    assert "secret-room" not in html


def test_join_redirects_confirmed_registrant_in_window(client, confirmed, settings):
    settings.JOIN_WINDOW_MINUTES = 3 * 24 * 60

    response = client.get(f"/registrations/{confirmed.token}/join")

    assert response.status_code == 302
    assert response["Location"] == "https://meet.example.com/secret-room"


def test_join_follows_a_changed_meeting_link(client, confirmed, settings):
    settings.JOIN_WINDOW_MINUTES = 3 * 24 * 60
    confirmed.webinar.join_url = "https://meet.example.com/new-room"
    confirmed.webinar.save()

    response = client.get(f"/registrations/{confirmed.token}/join")

    assert response["Location"] == "https://meet.example.com/new-room"


def test_join_before_window_says_when_it_opens(client, confirmed):
    opens = (confirmed.webinar.start - timedelta(minutes=30)).astimezone(confirmed.webinar.tz)

    response = client.get(f"/registrations/{confirmed.token}/join")

    assert response.status_code == 200
    expected = f"{opens:%A} {opens.day} {opens:%B %Y}, {opens:%H:%M} {opens.tzname()}"
    assert f"The join link opens 30 minutes before the start: {expected}." in text_of(response)
    assert "secret-room" not in response.content.decode()


def test_join_for_waiting_registrant_never_redirects(client, confirmed, settings):
    settings.JOIN_WINDOW_MINUTES = 3 * 24 * 60
    waiting = make_registration(confirmed.webinar, status="waitlisted")

    response = client.get(f"/registrations/{waiting.token}/join")

    assert response.status_code == 200
    assert "You are on the waiting list." in text_of(response)
    assert "secret-room" not in response.content.decode()


def test_cancel_get_asks_and_does_not_cancel(client, confirmed):
    response = client.get(f"/registrations/{confirmed.token}/cancel/")

    confirmed.refresh_from_db()
    assert response.status_code == 200
    assert "Cancel your registration?" in text_of(response)
    assert confirmed.status == "confirmed"


@pytest.mark.parametrize(
    ("path", "words"),
    [("", "Cancel my registration"), ("cancel/", "Yes, cancel my registration")],
)
def test_cancel_buttons_are_never_styled_as_the_primary_action(client, confirmed, path, words):
    html = client.get(f"/registrations/{confirmed.token}/{path}").content.decode()

    # A link to the page that asks, or that page's button: either way the danger style.
    assert re.search(rf'class="(button )?button--danger"[^>]*>{words}</(a|button)>', html)


def test_cancel_post_cancels_promotes_and_confirms(client, confirmed, flush_mail):
    waiting = make_registration(confirmed.webinar, email="bob@example.org", status="waitlisted")

    response = client.post(f"/registrations/{confirmed.token}/cancel/")
    page = client.get(response["Location"])

    confirmed.refresh_from_db()
    waiting.refresh_from_db()
    assert response["Location"] == f"/registrations/{confirmed.token}/?cancelled=1"
    assert "Your registration is cancelled." in text_of(page)
    assert "Status Cancelled" in text_of(page)
    assert (confirmed.status, waiting.status) == ("cancelled", "confirmed")
    assert [(m.to, m.subject) for m in flush_mail()] == [
        (["ada@example.org"], "Registration cancelled: Copper"),
        (["bob@example.org"], "A seat is yours: Copper"),
    ]


def test_the_registrants_own_page_cancels_only_after_asking(client, confirmed, flush_mail):
    page = client.get(f"/registrations/{confirmed.token}/")
    html = page.content.decode()
    assert '<form method="post"' not in html
    link = re.search(r'<a class="button button--danger" href="([^"]+)"', html)
    assert link.group(1) == f"/registrations/{confirmed.token}/cancel/"
    ask = client.get(link.group(1))
    confirmed.refresh_from_db()
    assert confirmed.status == "confirmed"
    form = re.search(r'<form method="post" action="([^"]+)"', ask.content.decode())

    response = client.post(form.group(1))
    again = client.post(form.group(1))

    confirmed.refresh_from_db()
    assert response["Location"] == f"/registrations/{confirmed.token}/?cancelled=1"
    assert again["Location"] == response["Location"]
    assert confirmed.status == "cancelled"
    assert "Your registration is cancelled." in text_of(client.get(response["Location"]))
    assert [m.subject for m in flush_mail()] == ["Registration cancelled: Copper"]


@pytest.mark.parametrize("path", ["/registrations/{token}/", "/registrations/{token}/cancel/"])
def test_cancel_post_from_another_site_is_refused_on_both_addresses(confirmed, path):
    client = Client(headers={"Origin": "https://evil.example"})

    response = client.post(path.format(token=confirmed.token))

    confirmed.refresh_from_db()
    assert response.status_code == 403
    assert confirmed.status == "confirmed"


def test_cancel_post_without_origin_or_referer_is_refused(confirmed):
    response = Client().post(f"/registrations/{confirmed.token}/cancel/")

    confirmed.refresh_from_db()
    assert response.status_code == 403
    assert confirmed.status == "confirmed"


@pytest.mark.parametrize(
    "path",
    [
        "/registrations/{bad}/",
        "/registrations/{bad}/join",
        "/registrations/{bad}/calendar.ics",
        "/registrations/{bad}/cancel/",
    ],
)
@pytest.mark.parametrize(
    "bad", ["x" * 43, "short", "%00" * 30, "a" * 200, "{token}x", "../../admin"]
)
def test_unknown_tokens_are_plain_404(client, confirmed, path, bad):
    url = path.format(bad=bad.format(token=confirmed.token))

    assert client.get(url).status_code == 404
    assert client.post(url).status_code in {404, 405}


def test_personal_calendar_has_every_webinar_of_that_email(client, confirmed):
    other = make_webinar(title="Tin", join_url="https://meet.example.com/tin-secret")
    make_registration(other, email="ADA@example.org", status="waitlisted")
    dropped = make_webinar(title="Dropped")
    make_registration(dropped, email="ada@example.org", status="cancelled")
    make_registration(make_webinar(title="Someone else's"), email="bob@example.org")

    response = client.get(f"/registrations/{confirmed.token}/calendar.ics")

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(response.content)
    assert sorted(str(e["summary"]) for e in cal.walk("VEVENT")) == ["Copper", "Tin"]
    assert b"secret" not in response.content


def test_privacy_page_states_retention(client, db, settings):
    settings.REGISTRATION_RETENTION_DAYS = 90

    response = client.get("/privacy/")

    assert "removed 90 days after the webinar has taken place" in text_of(response)


def test_registration_pages_have_one_h1(client, confirmed):
    series = make_series(slug="supply")
    make_webinar(series=series)
    token = confirmed.token
    urls = [
        register_url(confirmed.webinar),
        f"/webinars/{confirmed.webinar.slug}/register/thanks/",
        "/series/supply/register/",
        "/series/supply/register/thanks/",
        f"/registrations/{token}/",
        f"/registrations/{token}/cancel/",
        f"/registrations/{token}/join",
        "/privacy/",
    ]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content.decode().count("<h1") == 1, url


def _personal_feed_queries(client, count: int) -> int:
    series = make_series()
    registrations = [
        make_registration(make_webinar(series=series), email=f"ada{count}@example.org")
        for _ in range(count)
    ]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/registrations/{registrations[0].token}/calendar.ics")
    assert response.status_code == 200
    assert response.content.decode().count("BEGIN:VEVENT") == count
    return len(queries)


def test_personal_calendar_query_count_does_not_grow(client, db):
    one = _personal_feed_queries(client, 1)
    five = _personal_feed_queries(client, 5)

    # Token, webinars, their series, speakers, series organisers: the same for one or five.
    assert one == five == 5


def test_register_empty_post_shows_every_required_error(client, db):
    webinar = make_webinar()

    response = client.post(register_url(webinar), {})

    text = text_of(response)
    assert response.status_code == 200
    assert "Name: Please enter your name." in text
    assert "Email: Please enter your email address." in text
    assert "Please agree to the privacy notice to register." in text
    assert Registration.objects.count() == 0


def test_refused_origin_page_explains_what_to_do(db, settings):
    webinar = make_webinar()
    client = Client(headers={"Origin": "https://evil.example"})

    response = client.post(register_url(webinar), VALID)

    text = text_of(response)
    assert response.status_code == 403
    assert "This form was sent from another site" in text
    assert "Nothing was saved." in text
    assert f"Open the form on {settings.SITE_URL}" in text


def test_mail_subject_never_breaks_on_a_title_with_line_breaks(db, flush_mail):
    webinar = make_webinar(title="Copper\nand tin")

    registration_create(webinars=[webinar], name="Ada", email="a@example.org", consent=True)

    assert [m.subject for m in flush_mail()] == ["Registered: Copper and tin"]


def test_series_page_links_to_series_form_only_while_something_is_open(client, db):
    open_series = make_series(slug="open-one")
    make_webinar(series=open_series)
    past_series = make_series(slug="past-one")
    make_webinar(series=past_series, start=timezone.now() - timedelta(days=9))

    open_page = client.get("/series/open-one/").content.decode()
    past_page = client.get("/series/past-one/").content.decode()

    assert 'href="/series/open-one/register/"' in open_page
    assert "/register/" not in past_page


def test_registration_forms_answer_head_like_get(client, db):
    webinar = make_webinar(series=make_series(slug="heads"))

    for url in (register_url(webinar), "/series/heads/register/"):
        response = client.head(url)
        assert response.status_code == 200, url
        assert not response.cookies


def test_malformed_origin_or_referer_is_refused_never_a_500(db):
    webinar = make_webinar()
    for headers in (
        {"Origin": "null"},
        {"Origin": "http://[::1"},
        {"Origin": "http://127.0.0.1:99999"},
        {"Origin": "javascript:alert(1)"},
        {"Referer": "not a url"},
        {"Origin": ""},
    ):
        response = Client(headers=headers).post(register_url(webinar), VALID)

        assert response.status_code == 403, headers
    assert Registration.objects.count() == 0


def test_a_referer_from_the_site_is_enough_without_origin(db, settings):
    webinar = make_webinar()
    client = Client(headers={"Referer": f"{settings.SITE_URL}/webinars/{webinar.slug}/"})

    response = client.post(register_url(webinar), VALID)

    assert response.status_code == 302
    assert Registration.objects.count() == 1


def test_an_embedding_site_may_post_the_form(db, settings):
    settings.EMBED_ALLOWED_ORIGINS = ["https://www.example.org"]
    webinar = make_webinar()

    response = Client(headers={"Origin": "https://www.example.org"}).post(
        register_url(webinar), VALID
    )

    assert response.status_code == 302
    assert Registration.objects.count() == 1
