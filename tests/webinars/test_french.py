"""French under /fr/, like Dutch under /nl/: pages, organisers' texts with English fallback,
mail, calendar text and admin in French; and LANGUAGES, which picks the languages a site offers."""

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import add_speaker, make_registration, make_series, make_webinar
from tests.html import text_of
from webinars.formatting import when
from webinars.language import preferred_language
from webinars.mail.kinds import cancelled_message, promoted_message, webinar_changed_message
from webinars.models import Registration

pytestmark = pytest.mark.django_db

HTML = {"HTTP_ACCEPT": "text/html,application/xhtml+xml"}
NBSP = "\u00a0"
WITHOUT_FRENCH = [("en-gb", "English"), ("nl", "Nederlands")]


def assert_french(text: str, french: list[str], english: list[str]):
    missing = [phrase for phrase in french if phrase not in text]
    leftover = [phrase for phrase in english if phrase in text]
    assert not missing, f"no French {missing} in: {text[:2000]}"
    assert not leftover, f"English {leftover} left in: {text[:2000]}"


@pytest.fixture
def webinar():
    series = make_series(title="Metals", slug="metals")
    webinar = make_webinar(
        series=series,
        number=2,
        title="Copper supply",
        title_fr="L’approvisionnement en cuivre",
        slug="copper",
        capacity=50,
        start=timezone.now() + timedelta(days=10),
    )
    add_speaker(webinar)
    return webinar


def test_seed_webinar_page_in_french(client, seed):
    response = client.get("/fr/webinars/artisanal-and-small-scale-mining/")

    assert response.status_code == 200
    assert '<html lang="fr"' in response.content.decode()
    assert response["Content-Language"] == "fr"
    assert_french(
        text_of(response),
        [
            "Retour au calendrier",
            "Fait partie de la série de webinaires",
            "Webinaire 2 :",
            "jeudi 1 octobre 2020, 10:00–11:30 CEST, heure de Bruxelles",
            "Événement en ligne",
            "À propos de ce webinaire",
            "Intervenants",
            "Modérateur : Piet Wostyn (KU Leuven)",
            "Autres webinaires de la série",
            "Proposé par",
        ],
        [
            "Back to the calendar",
            "Part of the webinar series",
            "Thursday",
            "October",
            "Brussels time",
            "Online event",
            "About this webinar",
            "Other webinars of the series",
        ],
    )


def test_calendar_and_registration_form_in_french(client, webinar):
    calendar = text_of(client.get("/fr/"))
    page = client.get("/fr/webinars/copper/")
    html = page.content.decode()

    assert_french(
        calendar,
        ["Calendrier des webinaires", "Vue mensuelle", "Aller au contenu", "Webinaires passés"],
        ["Webinar calendar", "Month view", "Skip to content", "Past webinars"],
    )
    assert_french(
        text_of(page),
        [
            "Inscriptions ouvertes.",
            "J’accepte la notice de confidentialité",
            "Les inscriptions ferment au début du webinaire.",
            "Ajouter à votre calendrier",
        ],
        ["Registration open", "I agree to the", "Add to your calendar"],
    )
    assert ">S’inscrire</button>" in html
    assert '<a href="/fr/privacy/">notice de confidentialité</a>' in html
    assert '<meta property="og:locale" content="fr_FR">' in html
    assert '"inLanguage": "fr"' in html


def test_every_page_links_its_french_version_and_back(client, webinar):
    english = client.get("/webinars/copper/").content.decode()
    french = client.get("/fr/webinars/copper/").content.decode()

    for page in (english, french):
        assert (
            '<link rel="alternate" hreflang="fr" href="http://127.0.0.1:8000/fr/webinars/copper/">'
            in page
        )
    assert 'href="/fr/webinars/copper/" hreflang="fr" lang="fr">Français</a>' in english
    assert 'href="/nl/webinars/copper/" hreflang="nl" lang="nl">Nederlands</a>' in french
    assert 'href="/webinars/copper/" hreflang="en" lang="en-gb">English</a>' in french


def test_organisers_french_text_shows_and_english_fills_the_gaps(client, webinar):
    french = text_of(client.get("/fr/webinars/copper/"))
    dutch = text_of(client.get("/nl/webinars/copper/"))

    assert "L’approvisionnement en cuivre" in french
    # No French series title: the English one rather than nothing.
    assert "Metals" in french
    assert "L’approvisionnement en cuivre" not in dutch
    assert "Copper supply" in dutch


def test_a_french_browser_arriving_from_elsewhere_is_sent_to_the_french_page(client, webinar):
    response = client.get("/webinars/copper/", HTTP_ACCEPT_LANGUAGE="fr-BE,fr;q=0.9", **HTML)

    assert response.status_code == 302
    assert response["Location"] == "/fr/webinars/copper/"
    assert not response.cookies


def test_a_registration_on_a_french_page_gets_its_mail_in_french(client, webinar, flush_mail):
    response = client.post(
        "/fr/webinars/copper/register/",
        {"name": "Ada", "email": "ada@example.org", "consent": "on"},
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/fr/webinars/copper/register/thanks/")
    registration = Registration.objects.get()
    assert registration.language == "fr"
    (message,) = flush_mail()
    # Subjects are one plain line: the no-break space before the colon becomes a space.
    assert message.subject.startswith("Inscription confirmée : L’approvisionnement en cuivre")
    assert f"http://127.0.0.1:8000/fr/registrations/{registration.token}/" in message.body
    assert "Bonjour Ada," in message.body
    assert "Your registration page" not in message.body
    assert "/fr/registrations/" in message.alternatives[0][0]
    descriptions = [
        str(
            icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0][
                "DESCRIPTION"
            ]
        )
        for part in message.message().walk()
        if part.get_content_type() == "text/calendar"
    ]
    assert descriptions
    assert all("Webinaire 2 de la série Metals" in text for text in descriptions)


def test_mail_subjects_composed_in_french(webinar):
    registration = make_registration(webinar, status="confirmed")

    with translation.override("fr"):
        subjects = [
            promoted_message(registration).subject,
            cancelled_message(registration).subject,
            webinar_changed_message(registration, change="cancelled").subject,
            webinar_changed_message(registration, change="rescheduled").subject,
        ]

    title = "L’approvisionnement en cuivre"
    assert subjects == [
        f"Une place pour vous : {title}",
        f"Inscription annulée : {title}",
        f"Annulé : {title}",
        f"Nouvel horaire : {title}",
    ]


def test_ics_description_in_french_under_the_fr_prefix(client, webinar):
    webinar.status = "cancelled"
    webinar.save()
    with translation.override("fr"):
        url = reverse("webinars:ical", kwargs={"slug": webinar.slug})
    assert url.startswith("/fr/")

    [event] = icalendar.Calendar.from_ical(client.get(url).content).walk("VEVENT")

    description = str(event["DESCRIPTION"])
    assert description.startswith(f"ANNULÉ{NBSP}: ce webinaire n’aura pas lieu.\n\n")
    assert f"Détails et inscription{NBSP}: " in description
    assert str(event["LOCATION"]) == "En ligne"


def test_french_date_text_reads_naturally():
    webinar = make_webinar(
        start=datetime(2020, 10, 1, 8, 0, tzinfo=UTC), duration=timedelta(minutes=90)
    )
    with translation.override("fr"):
        assert when(webinar) == "jeudi 1 octobre 2020, 10:00–11:30 CEST, heure de Bruxelles"


def test_webinar_admin_under_the_fr_prefix_speaks_french(admin_client, webinar):
    with translation.override("fr"):
        url = reverse("admin:webinars_webinar_changelist")
    assert url.startswith("/fr/")

    text = text_of(admin_client.get(url))

    assert "Dupliquer les webinaires sélectionnés (en brouillon)" in text
    assert "Duplicate selected webinars" not in text


def test_without_french_the_fr_addresses_are_gone(client, webinar, settings):
    settings.LANGUAGES = WITHOUT_FRENCH

    assert client.get("/fr/webinars/copper/").status_code == 404
    assert client.get("/fr/").status_code == 404
    english = client.get("/webinars/copper/").content.decode()
    assert 'hreflang="fr"' not in english
    assert "Français" not in english
    assert 'hreflang="nl"' in english
    assert client.get("/nl/webinars/copper/").status_code == 200


def test_without_french_a_french_browser_stays_on_the_english_page(client, webinar, settings):
    settings.LANGUAGES = WITHOUT_FRENCH

    response = client.get("/webinars/copper/", HTTP_ACCEPT_LANGUAGE="fr-BE,fr;q=0.9", **HTML)

    assert response.status_code == 200
    assert preferred_language("fr, nl;q=0.5") == "nl"


def test_without_french_the_sitemap_lists_no_french_page(client, webinar, settings):
    settings.LANGUAGES = WITHOUT_FRENCH

    root = ElementTree.fromstring(  # noqa: S314 (our own)
        client.get("/sitemap-webinars.xml").content
    )

    addresses = [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    languages = {link.get("hreflang") for link in root.iter("{http://www.w3.org/1999/xhtml}link")}
    assert "http://127.0.0.1:8000/nl/webinars/copper/" in addresses
    assert not [address for address in addresses if "/fr/" in address]
    assert languages == {"en-gb", "nl", "x-default"}


def test_a_french_registrant_of_a_site_that_dropped_french_gets_english_mail(
    client, webinar, settings, flush_mail
):
    registration = make_registration(webinar, status="confirmed", language="fr")
    settings.LANGUAGES = WITHOUT_FRENCH

    client.post(f"/registrations/{registration.token}/cancel/", {})

    (message,) = flush_mail()
    assert message.subject == "Registration cancelled: Copper supply"
    assert "/fr/" not in message.body
    assert "http://127.0.0.1:8000/webinars/copper/" in message.body
