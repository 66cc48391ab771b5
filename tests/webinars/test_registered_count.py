"""The registered count an organiser may choose to show on a webinar's page."""

from tests.factories import make_registration, make_webinar
from tests.html import text_of
from webinars.services import registration_cancel, registration_create


def register(webinar, email):
    [outcome] = registration_create(webinars=[webinar], name="Ada", email=email, consent=True)
    return outcome.registration


def test_the_page_shows_no_count_unless_the_organiser_chose_it(client, db):
    webinar = make_webinar(slug="quiet")
    make_registration(webinar)

    response = client.get("/webinars/quiet/")

    assert b"webinar__count" not in response.content
    assert "1 registered" not in text_of(response)


def test_the_count_is_of_confirmed_seats_only(client, db):
    webinar = make_webinar(slug="counted", show_registered_count=True)
    make_registration(webinar)
    make_registration(webinar)
    make_registration(webinar, status="pending")
    make_registration(webinar, status="cancelled")

    assert "2 registered" in text_of(client.get("/webinars/counted/"))


def test_every_registration_and_cancellation_shows_on_the_cached_page(client, db):
    webinar = make_webinar(slug="counted", show_registered_count=True)
    assert "0 registered" in text_of(client.get("/webinars/counted/"))
    assert client.get("/webinars/counted/")["X-Page-Cache"] == "hit"

    first = register(webinar, "a@example.org")
    register(webinar, "b@example.org")
    after_two = client.get("/webinars/counted/")
    registration_cancel(registration=first)
    after_cancel = client.get("/webinars/counted/")

    assert after_two["X-Page-Cache"] == "miss"
    assert "2 registered" in text_of(after_two)
    assert "1 registered" in text_of(after_cancel)


def test_registrations_of_a_webinar_without_the_count_keep_the_cached_pages(client, db):
    webinar = make_webinar(slug="quiet")
    make_webinar(slug="counted", show_registered_count=True)
    client.get("/webinars/quiet/")

    register(webinar, "a@example.org")

    assert client.get("/webinars/quiet/")["X-Page-Cache"] == "hit"


def test_the_count_is_in_french_and_dutch(client, db):
    webinar = make_webinar(slug="counted", show_registered_count=True)
    make_registration(webinar)
    make_registration(webinar)

    assert "2 inscrits" in text_of(client.get("/fr/webinars/counted/"))
    assert "2 aangemeld" in text_of(client.get("/nl/webinars/counted/"))


def test_the_admin_form_offers_the_choice(admin_client, db):
    webinar = make_webinar()

    response = admin_client.get(f"/admin/webinars/webinar/{webinar.pk}/change/")

    assert b'name="show_registered_count"' in response.content
