"""The share image carries the site's name and follows the settings' version."""

import io

from PIL import Image

from webinars.models import SiteSettings
from webinars.social_image import render


def test_share_image_is_a_1200_by_630_png_linked_from_every_page(client, db):
    page = client.get("/").content.decode()
    response = client.get("/social.png?v=0")

    assert '<meta property="og:image" content="http://127.0.0.1:8000/social.png?v=0">' in page
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert Image.open(io.BytesIO(response.content)).size == (1200, 630)
    assert not response.cookies


def test_share_image_changes_with_the_site_name_and_a_stale_version_is_not_kept(client, db):
    before = render(SiteSettings())

    site = SiteSettings.objects.create(site_name="Fair ICT Webinars", accent_colour="#0a7c59")
    after = client.get(f"/social.png?v={site.version}")
    stale = client.get("/social.png?v=0")

    assert after.content != before
    assert after.content == render(SiteSettings.current())
    assert f"/social.png?v={site.version}" in client.get("/").content.decode()
    assert stale["Cache-Control"] == "no-cache"


def test_a_very_long_site_name_still_fits(db):
    picture = Image.open(io.BytesIO(render(SiteSettings(site_name="A very long name " * 8))))

    assert picture.size == (1200, 630)
