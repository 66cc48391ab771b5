"""A webinar that is over: when it took place, its recording, summary and materials."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from afterwards.models import Material
from afterwards.recordings import player_for
from tests.factories import brussels, make_registration, make_webinar
from tests.html import text_of


@pytest.fixture
def past(db, media):
    webinar = make_webinar(
        title="Copper",
        slug="copper",
        start=brussels(2026, 6, 4, 10, 0),
        recording_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        summary="We talked about **copper**.",
    )
    Material.objects.create(
        webinar=webinar,
        title="Slides (PDF)",
        file=ContentFile(b"%PDF-1.4 slides", name="slides.pdf"),
    )
    Material.objects.create(
        webinar=webinar,
        title="Speaker notes",
        audience="registrants",
        file=ContentFile(b"notes", name="notes.pdf"),
    )
    return webinar


def test_a_past_webinar_says_when_it_took_place_instead_of_registration(client, past):
    response = client.get("/webinars/copper/")

    text = text_of(response)
    assert "Took place on Thursday 4 June 2026." in text
    assert "Register" not in text and "Add to your calendar" not in text
    assert "We talked about copper." in text
    assert "Slides (PDF)" in text


def test_the_recording_loads_nothing_from_youtube_until_play(client, past):
    response = client.get("/webinars/copper/")

    html = response.content.decode()
    assert "<iframe" not in html
    assert 'data-player-src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in html
    assert "frame-src https://www.youtube-nocookie.com" in response["Content-Security-Policy"]
    # Only this page may frame the player.
    assert "frame-src" not in client.get("/").headers["Content-Security-Policy"]


def test_registrants_only_items_stay_off_the_public_page(client, past):
    past.recording_audience = "registrants"
    past.save()

    text = text_of(client.get("/webinars/copper/"))

    assert "Speaker notes" not in text
    assert "youtube" not in client.get("/webinars/copper/").content.decode()
    assert "Registrants find more on their own registration page" in text


def test_a_registrant_sees_everything_on_their_own_page(client, past):
    past.recording_audience = "registrants"
    past.save()
    registration = make_registration(past, status="confirmed")

    response = client.get(f"/registrations/{registration.token}/")

    text = text_of(response)
    assert "Speaker notes" in text and "Slides (PDF)" in text
    assert "youtube-nocookie.com/embed/dQw4w9WgXcQ" in response.content.decode()
    assert "frame-src https://www.youtube-nocookie.com" in response["Content-Security-Policy"]


def test_materials_download_by_audience(client, past):
    public, private = past.materials.order_by("pk")
    registration = make_registration(past, status="confirmed")
    cancelled = make_registration(past, status="cancelled")

    assert b"".join(client.get(f"/webinars/copper/materials/{public.pk}/").streaming_content) == (
        b"%PDF-1.4 slides"
    )
    assert client.get(f"/webinars/copper/materials/{private.pk}/").status_code == 404
    mine = client.get(f"/registrations/{registration.token}/materials/{private.pk}/")
    assert b"".join(mine.streaming_content) == b"notes"
    assert mine["X-Robots-Tag"] == "noindex, nofollow"
    assert (
        client.get(f"/registrations/{cancelled.token}/materials/{private.pk}/").status_code == 404
    )
    # The file's own address is not guessable from its name.
    assert private.file.name.startswith("materials/") and len(private.file.name.split("/")[1]) == 32


def test_materials_refuse_unknown_types_and_large_files(past, settings):
    from django.core.exceptions import ValidationError

    from afterwards.models import validate_material

    with pytest.raises(ValidationError, match="cannot be offered"):
        validate_material(ContentFile(b"x", name="run.exe"))
    settings.MATERIAL_MAX_MB = 1
    with pytest.raises(ValidationError, match="larger than 1 MB"):
        validate_material(ContentFile(b"x" * (1024 * 1024 + 1), name="big.pdf"))


def test_a_webinar_still_ahead_shows_registration_not_its_recording(client, db):
    make_webinar(
        slug="ahead",
        start=timezone.now() + timedelta(days=3),
        recording_url="https://vimeo.com/76979871",
    )

    text = text_of(client.get("/webinars/ahead/"))

    assert "Register" in text and "Recording" not in text


@pytest.mark.parametrize(
    ("url", "src"),
    [
        ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        (
            "https://m.youtube.com/watch?v=dQw4w9WgXcQ&t=5",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        (
            "https://www.youtube.com/live/dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1"),
        (
            "https://player.vimeo.com/video/76979871",
            "https://player.vimeo.com/video/76979871?dnt=1",
        ),
        ("https://www.youtube.com/watch?v=<script>", None),
        ("https://example.org/recording.mp4", None),
        ("http://[::1", None),
    ],
)
def test_player_addresses(url, src):
    player = player_for(url)
    assert (player.src if player else None) == src


def test_lists_and_search_engines_see_a_public_recording_only(client, past):
    from webinars.models import Webinar

    html = client.get("/webinars/copper/").content.decode()
    assert '"recordedIn": {"@type": "VideoObject"' in html
    assert (
        '<meta property="og:video" content="https://www.youtube.com/watch?v=dQw4w9WgXcQ">' in html
    )
    assert (
        '<strong class="badge badge--recording">Recording</strong>'
        in client.get("/").content.decode()
    )

    Webinar.objects.filter(pk=past.pk).update(recording_audience="registrants")
    from django.core.cache import cache

    cache.clear()
    hidden = client.get("/webinars/copper/").content.decode()
    assert "recordedIn" not in hidden and "dQw4w9WgXcQ" not in hidden and "og:video" not in hidden
    assert "badge--recording" not in client.get("/").content.decode()


def test_purging_registrations_removes_feedback_comments_and_keeps_ratings(past, _clock):
    from afterwards.models import Feedback
    from webinars.services import registrations_purge

    registration = make_registration(past, status="confirmed", attended_at=past.start)
    Feedback.objects.create(registration=registration, rating=4, comment="I am Ada from Ghent")

    registrations_purge(older_than_days=1)

    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.comment) == (4, "")


def test_attendees_of_a_certifying_series_download_a_certificate(client, past):
    import io

    from pypdf import PdfReader

    from tests.factories import make_series

    past.series = make_series(title="Metals", certificates=True)
    past.number = 3
    past.save()
    joined = make_registration(
        past, name="Zoë Łukasiewicz", status="confirmed", attended_at=past.start
    )
    absent = make_registration(past, status="confirmed")

    page = client.get(f"/registrations/{joined.token}/")
    assert "Download your certificate of attendance (PDF)" in text_of(page)
    response = client.get(f"/registrations/{joined.token}/certificate.pdf")

    assert response["Content-Type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "Certificate of attendance" in text
    assert "Zoë Łukasiewicz" in text
    assert "Metals, webinar 3: Copper" in text
    assert "on Thursday 4 June 2026, 10:00–11:30 CEST (90 minutes)" in text
    assert client.get(f"/registrations/{absent.token}/certificate.pdf").status_code == 404
    assert "certificate" not in text_of(client.get(f"/registrations/{absent.token}/"))
    past.series.certificates = False
    past.series.save()
    assert client.get(f"/registrations/{joined.token}/certificate.pdf").status_code == 404
