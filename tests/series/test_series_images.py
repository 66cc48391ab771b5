"""A series' banner and logo on its page and its card in the list of series."""

import pytest

from tests.factories import make_series, make_webinar
from tests.webinars.test_design import png


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_series_page_and_card_show_the_banner_and_logo(client, db, media):
    series = make_series(title="Metals", slug="metals")
    series.banner.save("banner.png", png(2400, 900))
    series.logo.save("logo.png", png(300, 100))
    make_webinar(series=series, is_published=True)

    page = client.get(series.get_absolute_url()).content.decode()
    index = client.get("/series/").content.decode()

    # Cropped to 1600 x 500, shown at half size for sharp screens; decorative, so alt="".
    assert 'class="series__banner"' in page and 'width="800" height="250"' in page
    assert 'class="series__logo"' in page and 'alt=""' in page
    assert 'class="series-list__banner"' in index and 'width="400" height="125"' in index
    assert 'class="series-list__logo"' in index


def test_a_series_without_pictures_has_no_empty_images(client, db, media):
    series = make_series(title="Plain", slug="plain")
    make_webinar(series=series, is_published=True)

    page = client.get(series.get_absolute_url()).content.decode()

    assert "series__banner" not in page and "series__logo" not in page
    assert "<span>Plain</span>" in page
