"""Design helpers: registration state words, date blocks, initials, resized photos and logos."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tests.factories import (
    add_speaker,
    brussels,
    make_organisation,
    make_registration,
    make_series,
    make_speaker,
    make_webinar,
)
from tests.html import text_of
from webinars.availability import list_state
from webinars.templatetags.ui_tags import date_parts, initials


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def png(width: int, height: int, colour="#336699") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return SimpleUploadedFile("picture.png", buffer.getvalue(), content_type="image/png")


@pytest.mark.parametrize(
    ("capacity", "confirmed", "expected"),
    [
        (None, 0, ("open", "Registration open")),
        (20, 17, ("open", "Registration open")),
        (20, 18, ("few", "Few seats left")),
        (100, 90, ("few", "Few seats left")),
        (100, 89, ("open", "Registration open")),
        (2, 2, ("full", "Full: waiting list")),
    ],
)
def test_calendar_badge_words_follow_the_seats_left(db, capacity, confirmed, expected):
    webinar = make_webinar(capacity=capacity)
    for _ in range(confirmed):
        make_registration(webinar)

    state = list_state(webinar, timezone.now())

    assert (state.code, state.label) == expected


def test_calendar_badge_closed_cancelled_and_none_once_over(db):
    now = timezone.now()
    closed = make_webinar(registration_closes=now - timedelta(hours=1))
    cancelled = make_webinar(status="cancelled")
    past = make_webinar(start=now - timedelta(days=3))

    cancelled_past = make_webinar(start=now - timedelta(days=3), status="cancelled")

    assert list_state(closed, now).label == "Registration closed"
    assert list_state(cancelled, now).label == "Cancelled"
    assert list_state(past, now) is None
    assert list_state(cancelled_past, now).label == "Cancelled"


def test_date_parts_use_the_webinars_own_zone(db):
    # 23:30 in Brussels is 22:30 UTC and 07:30 the next day in Tokyo: the block shows the
    # date where the webinar happens, whatever the server's zone.
    webinar = make_webinar(start=brussels(2026, 12, 31, 23, 30), time_zone="Europe/Brussels")

    assert date_parts(webinar) == {"day": "31", "month": "Dec", "year": "2026"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Prof Erik Smolders", "ES"),
        ("Alberto Vázquez Ruiz", "AR"),
        ("Dr. Ada Lovelace", "AL"),
        ("Plato", "P"),
        ("", "?"),
    ],
)
def test_initials_skip_titles(name, expected):
    assert initials(name) == expected


def test_calendar_item_has_a_date_block_state_word_and_series_badge(client, db):
    series = make_series(title="Mining talks")
    copper = make_webinar(title="Copper", series=series, start=brussels(2030, 3, 5, 10), capacity=3)
    make_registration(copper)

    html = client.get("/").content.decode()

    assert re.search(
        r'<p class="date-block" aria-hidden="true" data-start="[^"]+"><span class="date-block__day">5</span> '
        r'<span class="date-block__month">Mar</span> <span class="date-block__year">2030</span></p>',
        html,
    )
    assert '<strong class="badge badge--few">Few seats left</strong>' in html
    assert "Series: Mining talks" in text_of(client.get("/"))


def test_speaker_without_photo_gets_initials(client, db):
    webinar = make_webinar()
    add_speaker(webinar, make_speaker(name="Grace Hopper"))

    html = client.get(webinar.get_absolute_url()).content.decode()

    assert '<span class="avatar" aria-hidden="true">GH</span>' in html


def test_speaker_photo_is_resized_square_with_dimensions(client, db, media):
    speaker = make_speaker(name="Grace Hopper", photo=png(800, 600))
    webinar = make_webinar()
    add_speaker(webinar, speaker)

    html = client.get(webinar.get_absolute_url()).content.decode()
    again = client.get(webinar.get_absolute_url()).content.decode()

    img = re.search(
        r'<img class="avatar" src="/media/(thumbs/[0-9a-f]+\.webp)" alt="" width="56" height="56"',
        html,
    )
    assert img, html
    with Image.open(media / img.group(1)) as thumb:
        assert thumb.size == (112, 112)
    assert img.group(0) in again  # made once, then reused
    assert len(list((media / "thumbs").iterdir())) == 1


def test_speaker_page_portrait_has_alt_text(client, db, media):
    speaker = make_speaker(name="Grace Hopper", slug="grace", photo=png(300, 300))

    html = client.get(speaker.get_absolute_url()).content.decode()

    assert re.search(
        r'<img class="avatar avatar--large" src="/media/thumbs/[0-9a-f]+\.webp" '
        r'alt="Portrait of Grace Hopper" width="120" height="120"',
        html,
    )


def test_broken_photo_falls_back_to_initials(client, db, media):
    speaker = make_speaker(name="Grace Hopper", slug="grace")
    speaker.photo.name = "speakers/missing.png"
    speaker.save()

    html = client.get(speaker.get_absolute_url()).content.decode()

    assert '<span class="avatar avatar--large" aria-hidden="true">GH</span>' in html


def test_organisation_logo_keeps_proportions_and_names_itself(client, db, media):
    series = make_series(slug="s")
    # 1000x250 fits the 288x96 box as 288x72, shown at half size: 144x36.
    make_organisation(series, name="Wide Org", logo=png(1000, 250), url="https://example.org")
    make_organisation(series, name="No Logo Org", role="supporter")
    make_webinar(series=series)

    html = client.get("/series/s/").content.decode()

    assert re.search(
        r'<a href="https://example.org"><img class="org-logo" src="/media/thumbs/[0-9a-f]+\.webp" '
        r'alt="Wide Org" width="144" height="36"',
        html,
    )
    assert '<span class="org-name">No Logo Org</span>' in html


def test_list_items_show_speaker_photos_or_initials(client, db, media):
    webinar = make_webinar(title="Copper", is_published=True)
    pictured = make_speaker(name="Ada Lovelace")
    pictured.photo.save("ada.png", png(400, 300))
    add_speaker(webinar, pictured, order=0)
    add_speaker(webinar, make_speaker(name="Grace Hopper"), order=1)

    html = client.get("/").content.decode()

    faces = html[html.index('<span class="faces"') :]
    faces = faces[: faces.index("</span> With")]
    assert 'class="avatar avatar--small"' in faces
    assert 'width="32" height="32"' in faces  # a 64 px crop shown at half
    assert ">GH</span>" in faces
    assert "With Ada Lovelace, Grace Hopper" in html


def test_webinar_page_says_who_hosts_it_with_logos_and_names_as_text(client, db, media):
    series = make_series(slug="s")
    make_organisation(series, name="Wide Org", logo=png(1000, 250), url="https://example.org")
    make_organisation(series, name="No Logo Org", role="supporter")
    webinar = make_webinar(series=series)

    html = client.get(webinar.get_absolute_url()).content.decode()
    hosts = html.split('<section class="hosts"', 1)[1].split("</section>", 1)[0]

    assert '<h2 id="hosts-heading">Hosted by</h2>' in hosts
    assert re.search(
        r'<a class="hosts__org" href="https://example.org"><img class="org-logo" '
        r'src="/media/thumbs/[0-9a-f]+\.webp" alt="" width="144" height="36" [^>]*>'
        r'<span class="visually-hidden">Wide Org</span></a>',
        hosts,
    )
    assert '<p class="hosts__role">Supported by</p>' in hosts
    assert '<span class="org-name">No Logo Org</span>' in hosts


def test_a_webinar_without_organisations_has_no_hosts_block(client, db):
    webinar = make_webinar()

    assert b'class="hosts"' not in client.get(webinar.get_absolute_url()).content
