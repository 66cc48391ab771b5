"""A picture per webinar: an uploaded cover, the series', or one drawn from the webinar."""

import io
import re
from datetime import timedelta
from html import unescape

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from tests.factories import add_speaker, make_series, make_speaker, make_webinar
from webinars.cover_image import cover_for, render, version
from webinars.models import SiteSettings


def og_image(response) -> str:
    match = re.search(r'<meta property="og:image" content="([^"]+)">', response.content.decode())
    return unescape(match.group(1))


def png(width=1600, height=900, colour="#336699") -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name="cover.png")


def test_two_webinars_share_two_different_pictures(client, db):
    copper = make_webinar(title="Copper")
    cobalt = make_webinar(title="Cobalt")

    first = og_image(client.get(copper.get_absolute_url()))
    second = og_image(client.get(cobalt.get_absolute_url()))

    assert first.startswith(f"http://127.0.0.1:8000/webinars/{copper.slug}/cover.png?v=")
    assert first != second
    path = first.removeprefix("http://127.0.0.1:8000")
    other = second.removeprefix("http://127.0.0.1:8000")
    assert client.get(path).content != client.get(other).content


def test_drawn_picture_is_a_1200_by_630_png_kept_for_a_year_under_its_version(client, db):
    webinar = make_webinar(title="Copper")
    url = cover_for(webinar).url

    response = client.get(url)
    stale = client.get(f"/webinars/{webinar.slug}/cover.png?v=old")

    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert Image.open(io.BytesIO(response.content)).size == (1200, 630)
    assert stale["Cache-Control"] == "no-cache"
    assert not response.cookies


def test_version_follows_what_is_drawn(db):
    series = make_series(title="Supply chains")
    webinar = make_webinar(title="Copper", series=series)
    before = version(webinar)

    add_speaker(webinar, make_speaker(name="Ada Lovelace", slug="ada"))
    with_speaker = version(webinar)
    webinar.title = "Copper and cobalt"

    assert len({before, with_speaker, version(webinar)}) == 3


def test_drawn_picture_differs_by_speakers(db):
    site = SiteSettings.current()
    webinar = make_webinar(title="Copper")
    plain = render(webinar, site)
    add_speaker(webinar, make_speaker(name="Grace Hopper", slug="grace"))

    assert render(webinar, site) != plain


def test_an_unpublished_webinars_picture_is_not_public(client, db):
    webinar = make_webinar(is_published=False)

    assert client.get(f"/webinars/{webinar.slug}/cover.png").status_code == 404


def test_an_uploaded_cover_is_cropped_and_shared_instead(client, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    webinar = make_webinar(title="Copper")
    webinar.cover_image.save("cover.png", png(), save=True)

    cover = cover_for(webinar)
    shared = og_image(client.get(webinar.get_absolute_url()))

    assert not cover.drawn
    assert (cover.width, cover.height) == (1200, 630)
    assert shared == "http://127.0.0.1:8000" + cover.url


def test_the_series_cover_stands_in_for_a_webinar_without_one(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    series = make_series(title="Supply chains")
    series.cover_image.save("series.png", png(colour="#993366"), save=True)
    webinar = make_webinar(series=series)

    assert not cover_for(webinar).drawn


def test_list_cards_show_an_uploaded_cover_as_decoration(client, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with_cover = make_webinar(title="Copper", start=timezone.now() + timedelta(days=2))
    with_cover.cover_image.save("cover.png", png(), save=True)
    make_webinar(title="Cobalt", start=timezone.now() + timedelta(days=3))

    html = client.get("/").content.decode()

    assert html.count('<img class="webinar-item__cover"') == 1
    assert re.search(r'<img class="webinar-item__cover" src="[^"]+\.webp" alt="" width="240"', html)
