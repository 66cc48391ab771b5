"""Sharing a webinar page: plain links, nothing loaded from third parties."""

import re
from datetime import timedelta
from urllib.parse import quote

from django.utils import timezone

from tests.factories import make_series, make_webinar

SITE = "https://webinars.example.org"


def share_block(html: str) -> str:
    return html.split('<section class="share"', 1)[1].split("</section>", 1)[0]


def test_share_links_carry_the_page_address_and_title(client, db, settings):
    settings.SITE_URL = SITE
    make_webinar(slug="copper", title="Copper & cobalt")

    block = share_block(client.get("/webinars/copper/").content.decode())

    url = quote(f"{SITE}/webinars/copper/", safe="")
    title = quote("Copper & cobalt", safe="")
    assert f'href="mailto:?subject={title}&amp;body={url}"' in block
    assert f'href="https://www.linkedin.com/sharing/share-offsite/?url={url}"' in block
    assert f'href="https://bsky.app/intent/compose?text={title}%20{url}"' in block
    assert f'href="https://x.com/intent/post?text={title}&amp;url={url}"' in block
    assert f'data-url="{SITE}/webinars/copper/"' in block
    # The script's buttons wait hidden until it finds what they need.
    assert re.search(r'<button type="button" class="button share__native" hidden>', block)
    assert re.search(r'class="button button--secondary share__copy" hidden>', block)


def test_webinar_pages_load_nothing_from_other_sites(client, db, settings):
    settings.SITE_URL = SITE
    series = make_series(slug="metals")
    make_webinar(slug="soon", series=series)
    make_webinar(slug="past", series=series, start=timezone.now() - timedelta(days=9))

    for path in ("/webinars/soon/", "/webinars/past/"):
        html = client.get(path).content.decode()
        assert "share.js" in html
        external = [
            address
            for address in re.findall(
                r"<(?:script|img|iframe|source|video|audio|embed)\b[^>]*\bsrc=\"([^\"]*)\"", html
            )
            if address.startswith(("http:", "https:", "//")) and not address.startswith(SITE)
        ]
        stylesheets = [
            address
            for address in re.findall(
                r"<link\b[^>]*\brel=\"(?:stylesheet|preload|icon)\"[^>]*\bhref=\"([^\"]*)\"", html
            )
            if address.startswith(("http:", "https:", "//")) and not address.startswith(SITE)
        ]
        assert external == [] and stylesheets == [], path
        assert "linkedin.com" in html  # the links are there, as plain links


def test_a_cancelled_webinar_offers_no_sharing(client, db):
    make_webinar(slug="off", status="cancelled")

    assert b'class="share"' not in client.get("/webinars/off/").content
