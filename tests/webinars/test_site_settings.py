"""The site's identity from one admin record: name, logo, accent colour, contact, footer."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_registration, make_series, make_webinar
from tests.html import form_data, text_of
from webinars import theme
from webinars.mail.kinds import details_message
from webinars.models import SiteSettings

COLOURS = ["#1f5a85", "#ffcc00", "#ffffff", "#000000", "#e91e63", "#8fc3f2", "#777777"]


@pytest.mark.parametrize("colour", COLOURS)
def test_any_accent_colour_reads_at_aa_in_both_schemes(colour):
    for scheme, backgrounds in (
        (theme.light_scheme(colour), theme.LIGHT_BACKGROUNDS),
        (theme.dark_scheme(colour), theme.DARK_BACKGROUNDS),
    ):
        for background in (*backgrounds, scheme.tint):
            assert theme.contrast(scheme.accent, background) >= 4.5, (scheme, background)
            assert theme.contrast(scheme.strong, background) >= 4.5, (scheme, background)
        assert theme.contrast(scheme.on_accent, scheme.accent) >= 4.5, scheme


def test_a_readable_accent_is_kept_as_chosen():
    assert theme.light_scheme("#1f5a85").accent == "#1f5a85"
    assert theme.dark_scheme("#ffcc00").accent == "#ffcc00"
    assert theme.light_scheme("#ffcc00").accent != "#ffcc00"


def test_pages_show_the_site_name_footer_contact_and_accent(client, db):
    make_webinar(slug="w")
    site = SiteSettings.objects.create(
        site_name="Fair ICT Webinars",
        accent_colour="#ffcc00",
        contact_email="hello@example.org",
        footer_text="Run by Fair ICT Flanders.",
    )

    response = client.get("/webinars/w/")

    html = response.content.decode()
    assert "<title>Webinar " in html and " · Fair ICT Webinars</title>" in html
    assert '28" height="28">Fair ICT Webinars</a>' in html
    assert "<p>Run by Fair ICT Flanders.</p>" in html
    assert '<a href="mailto:hello@example.org">hello@example.org</a>' in html
    link = f'<link rel="stylesheet" href="/theme.css?v={site.version}">'
    assert link in html
    css = client.get(f"/theme.css?v={site.version}")
    assert css["Content-Type"] == "text/css; charset=utf-8"
    assert "immutable" in css["Cache-Control"]
    light, dark = site.light, site.dark
    assert f"--accent: {light.accent};" in css.content.decode()
    assert f"--accent: {dark.accent};" in css.content.decode()
    assert "@media screen and (prefers-color-scheme: dark)" in css.content.decode()


def test_without_settings_pages_keep_the_house_look(client, db):
    make_webinar(slug="w")

    html = client.get("/webinars/w/").content.decode()

    assert "theme.css" not in html
    assert " · Webinars</title>" in html
    assert client.get("/theme.css").content == b""


def test_saving_the_settings_shows_on_cached_pages_at_once(client, db):
    make_webinar(slug="w")
    assert "Renamed site" not in text_of(client.get("/"))
    assert client.get("/")["X-Page-Cache"] == "hit"

    SiteSettings.objects.create(site_name="Renamed site")

    assert "Renamed site" in text_of(client.get("/"))


def test_mail_is_signed_with_the_site_name_and_contact(db):
    SiteSettings.objects.create(site_name="Fair ICT Webinars", contact_email="hello@example.org")
    registration = make_registration(make_webinar(), email="ada@example.org")

    message = details_message(registration)

    assert "Fair ICT Webinars · Contact: hello@example.org" in message.body
    html = message.alternatives[0][0]
    assert '<a href="mailto:hello@example.org">hello@example.org</a>' in html
    assert mail.outbox == []


def test_admin_keeps_one_record_and_shades_a_faint_colour(admin_client):
    changelist = reverse("admin:webinars_sitesettings_changelist")
    add = reverse("admin:webinars_sitesettings_add")
    first = admin_client.get(changelist)
    record = SiteSettings.objects.get()
    change = reverse("admin:webinars_sitesettings_change", args=[record.pk])
    assert first["Location"] == change
    data = form_data(admin_client.get(change), "sitesettings_form")
    data.update(site_name="Yellow", accent_colour="#ffcc00", contact_email="")

    response = admin_client.post(change, data, follow=True)

    record = SiteSettings.objects.get()
    assert record.site_name == "Yellow"
    assert admin_client.get(changelist)["Location"] == change
    assert admin_client.get(add).status_code == 403
    text = text_of(response)
    assert "#ffcc00 is too faint for text in some places" in text
    assert f"light mode: {record.light.accent}" in text


def test_an_organiser_reads_the_site_settings_on_a_fresh_install(organiser_client):
    assert not SiteSettings.objects.exists()

    response = organiser_client.get(reverse("admin:webinars_sitesettings_changelist"), follow=True)

    assert response.status_code == 200
    record = SiteSettings.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "admin:webinars_sitesettings_change", args=[record.pk]
    )
    text = text_of(response)
    assert "Webinars" in text and "The house colours" in text
    assert 'name="site_name"' not in response.content.decode()


def test_admin_rejects_a_colour_that_is_not_hex(admin_client):
    add = reverse("admin:webinars_sitesettings_add")
    data = form_data(admin_client.get(add), "sitesettings_form")
    data.update(site_name="X", accent_colour="blue")

    response = admin_client.post(add, data)

    assert response.status_code == 200
    assert "Give the colour as # and six hexadecimal digits" in text_of(response)
    assert not SiteSettings.objects.exists()


def test_site_settings_are_read_once_then_from_the_cache(db, django_assert_num_queries):
    cache.clear()
    with django_assert_num_queries(1):
        SiteSettings.current()
        SiteSettings.current()


def test_series_index_lists_series_with_webinars_to_come_first(client, db):
    now = timezone.now()
    old = make_series(title="Old series")
    make_webinar(series=old, start=now - timedelta(days=40))
    later = make_series(title="Later series")
    make_webinar(series=later, start=now + timedelta(days=30))
    soon = make_series(title="Soon series")
    make_webinar(series=soon, start=now + timedelta(days=3))
    make_webinar(series=soon, start=now + timedelta(days=10))
    hidden = make_series(title="Hidden series")
    make_webinar(series=hidden, is_published=False)

    response = client.get("/series/")

    assert [s.title for s in response.context["series_list"]] == [
        "Soon series",
        "Later series",
        "Old series",
    ]
    text = text_of(response)
    assert "2 upcoming webinars, the next on" in text
    assert "1 past webinar" in text
    assert '<a href="/series/" aria-current="page">Series</a>' in response.content.decode()


def _custom_properties(css: str) -> dict[str, str]:
    return dict(re.findall(r"(--accent[\w-]*):\s*(#[0-9a-f]{6});", css))


def test_the_stylesheets_house_colours_are_theme_pys():
    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "site.css").read_text()
    light_block, dark_block = css.split("@media (prefers-color-scheme: dark)", 1)

    for block, scheme in ((light_block, theme.HOUSE_LIGHT), (dark_block, theme.HOUSE_DARK)):
        assert _custom_properties(block) == {
            "--accent": scheme.accent,
            "--accent-strong": scheme.strong,
            "--accent-fg": scheme.on_accent,
            "--accent-tint": scheme.tint,
        }


def test_without_an_accent_pages_mail_and_admin_show_the_house_colours(client, admin_client):
    registration = make_registration(make_webinar(slug="w"))

    html = client.get("/webinars/w/").content.decode()
    mail_html = details_message(registration).alternatives[0][0]
    shown = text_of(admin_client.get(reverse("admin:webinars_sitesettings_add")))

    assert f'name="theme-color" content="{theme.HOUSE_LIGHT.accent}"' in html
    assert f"border-top: 4px solid {theme.HOUSE_LIGHT.accent}" in mail_html
    assert f"{theme.HOUSE_LIGHT.accent} on light pages, {theme.HOUSE_DARK.accent}" in shown
