"""No staff shortcut to a registrant's private page, and uploaded images stored clean:
without their metadata (EXIF, GPS) and never larger than the pixel limit."""

import io
import struct
import zlib

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from series.models import Organisation
from tests.factories import make_registration, make_webinar
from tests.html import form_data, text_of
from webinars.mail.compose import mail_brand
from webinars.models import Registration, SiteSettings, Speaker


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_the_admin_shortcut_never_leads_to_a_registrants_page(
    client, admin_client, db, django_user_model
):
    registration = make_registration(make_webinar())
    shortcut = f"/admin/r/{ContentType.objects.get_for_model(Registration).pk}/{registration.pk}/"
    bare_staff = django_user_model.objects.create_user(username="bare", is_staff=True)
    client.force_login(bare_staff)

    assert client.get(shortcut).status_code == 404
    assert admin_client.get(shortcut).status_code == 404
    change = admin_client.get(
        reverse("admin:webinars_registration_change", args=[registration.pk])
    ).content.decode()
    assert registration.token not in change
    assert "View on site" not in change


def test_the_registrants_page_is_still_reached_by_its_token(client, db):
    registration = make_registration(make_webinar())

    response = client.get(registration.token_url())

    assert response.status_code == 200
    assert registration.name in text_of(response)


def jpeg_with_gps(width=640, height=480) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (50.0, 52.0, 46.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (4.0, 42.0, 5.0)
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#884422").save(buffer, "JPEG", exif=exif, comment=b"hi")
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares width x height but holds a few rows: a few hundred bytes that
    would take width x height bytes of memory to decode."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = zlib.compress(b"\0" * (width + 1) * 4, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", rows)
        + chunk(b"IEND", b"")
    )


def upload_logo(admin_client, content: bytes, name: str):
    add = reverse("admin:webinars_sitesettings_add")
    data = form_data(admin_client.get(add), "sitesettings_form")
    data.update(site_name="Pictures", accent_colour="", contact_email="")
    data["logo"] = SimpleUploadedFile(name, content)
    return admin_client.post(add, data)


def test_an_uploaded_logo_is_stored_without_its_exif(admin_client, media):
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as check:
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)

    response = upload_logo(admin_client, original, "holiday.jpg")

    assert response.status_code == 302
    logo = SiteSettings.objects.get().logo
    with logo.open("rb") as stored, Image.open(stored) as picture:
        assert picture.format == "JPEG"
        assert picture.size == (640, 480)
        assert len(picture.getexif()) == 0
        assert "exif" not in picture.info and "comment" not in picture.info
    assert b"PhoneMaker" not in (media / logo.name).read_bytes()


def test_pages_and_mail_show_a_copy_of_the_logo_never_the_upload(client, db, media):
    # Uploaded before uploads were cleaned: the stored file still has its GPS.
    site = SiteSettings.objects.create(site_name="Old")
    site.logo.save("old.jpg", SimpleUploadedFile("old.jpg", jpeg_with_gps()))
    make_webinar(is_published=True)

    page = client.get("/").content.decode()
    logo_url = mail_brand(SiteSettings.objects.get())["logo_url"]

    assert "site-name__logo" in page
    assert site.logo.url not in page
    assert logo_url and site.logo.url not in logo_url
    assert "/thumbs/" in logo_url


@pytest.mark.parametrize(("width", "height"), [(30000, 30000), (8000, 6000)])
def test_an_image_over_the_pixel_limit_is_refused_with_a_message(
    admin_client, media, width, height
):
    content = png_header_only(width, height)
    assert len(content) < 10_000

    response = upload_logo(admin_client, content, "huge.png")

    assert response.status_code == 200
    assert "This image has more than 40 million pixels" in text_of(response)
    assert not SiteSettings.objects.exists()
    assert not any(media.rglob("*.png"))


def test_the_pixel_limit_can_be_set(admin_client, media, settings):
    settings.IMAGE_MAX_PIXELS = 1_000_000
    buffer = io.BytesIO()
    Image.new("RGB", (1100, 1000)).save(buffer, "PNG")

    response = upload_logo(admin_client, buffer.getvalue(), "small.png")

    assert "This image has more than 1 million pixels" in text_of(response)


def test_a_file_that_is_not_an_image_is_refused(admin_client, media):
    response = upload_logo(admin_client, b"GIF89a not really", "fake.gif")

    assert response.status_code == 200
    assert "Upload a valid image" in text_of(response)
    assert not SiteSettings.objects.exists()


def test_speaker_photos_and_organisation_logos_are_cleaned_too(admin_client, media):
    add = reverse("admin:webinars_speaker_add")
    data = form_data(admin_client.get(add), "speaker_form")
    data.update(name="Ada", slug="ada", photo=SimpleUploadedFile("ada.jpg", jpeg_with_gps()))
    assert admin_client.post(add, data).status_code == 302
    transparent = io.BytesIO()
    Image.new("RGBA", (300, 100), (10, 20, 30, 0)).save(transparent, "PNG")
    add = reverse("admin:series_organisation_add")
    data = form_data(admin_client.get(add), "organisation_form")
    data.update(name="Org", logo=SimpleUploadedFile("org.png", transparent.getvalue()))
    assert admin_client.post(add, data).status_code == 302

    with Speaker.objects.get().photo.open("rb") as stored, Image.open(stored) as photo:
        assert len(photo.getexif()) == 0
    with Organisation.objects.get().logo.open("rb") as stored, Image.open(stored) as logo:
        assert (logo.format, logo.size, logo.mode) == ("PNG", (300, 100), "RGBA")
        assert logo.getpixel((5, 5)) == (10, 20, 30, 0)
