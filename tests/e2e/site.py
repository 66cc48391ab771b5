"""A site with every public page type and every registration state, for browser checks."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from afterwards.models import Material
from following.models import Follower
from tests.factories import (
    add_speaker,
    make_disclaimer,
    make_organisation,
    make_registration,
    make_series,
    make_speaker,
    make_webinar,
)

SEED_SERIES = "/series/responsible-supply-chain-electronics/"
SEED_WEBINAR = "/webinars/artisanal-and-small-scale-mining/"


def build_site() -> dict[str, str]:
    """Create the seed data plus upcoming webinars in each state; return {page name: path}."""
    call_command("loaddata", "seed", verbosity=0)
    now = timezone.now()
    series = make_series(
        title="Open Science Evenings",
        slug="open-science",
        description="Monthly talks about **open research**: data, software and publishing.",
    )
    make_organisation(series, name="Library of Ghent", url="https://example.org/library")
    make_organisation(series, role="supporter", name="Research Fund")
    make_disclaimer(series, text="Supported by the Research Fund. Views are the speakers' own.")
    ada = make_speaker(
        name="Dr Ada Lovelace", slug="ada-lovelace", affiliation="Analytical Society"
    )
    grace = make_speaker(name="Grace Hopper", slug="grace-hopper", affiliation="Navy Lab")
    host = make_speaker(name="Alan Turing", slug="alan-turing", affiliation="Bletchley")

    def webinar(slug, number, title, days, **fields):
        w = make_webinar(
            slug=slug,
            number=number,
            title=title,
            series=series,
            start=now + timedelta(days=days),
            description=f"{title}: what it means, in practice, with time for questions.",
            **fields,
        )
        add_speaker(w, ada)
        add_speaker(w, grace, order=1)
        add_speaker(w, host, role="moderator")
        return w

    open_data = webinar("open-data", 1, "Open data in practice", 3)
    seated = make_registration(open_data, status="confirmed", time_zone="America/New_York")
    withdrawn = make_registration(open_data, status="cancelled")
    few = webinar("research-software", 2, "Research software that lasts", 10, capacity=20)
    for _ in range(18):
        make_registration(few)
    full = webinar("preprints", 3, "Preprints and peer review", 17, capacity=2)
    for _ in range(2):
        make_registration(full)
    waiting = make_registration(full, status="waitlisted")
    webinar(
        "closed-registration",
        4,
        "Registration closed early",
        24,
        registration_closes=now - timedelta(hours=1),
    )
    webinar("cancelled-talk", 5, "A talk that was called off", 31, status="cancelled")
    # Stand-alone: the series' own lists keep no past webinar (the journeys search them).
    recorded = make_webinar(
        slug="recorded-talk",
        title="A talk with a recording",
        start=now - timedelta(days=5),
        description="What it means, in practice, with time for questions.",
        recording_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        summary="We compared **three** ways to publish data, and answered eleven questions.",
    )
    add_speaker(recorded, ada)
    Material.objects.create(
        webinar=recorded,
        title="Slides (PDF)",
        file=ContentFile(b"%PDF-1.4", name="slides.pdf"),
    )
    attendee = make_registration(recorded, status="confirmed", attended_at=recorded.start)
    asked = Follower.objects.create(series=series, email="reader@example.org")
    following = Follower.objects.create(
        series=series, email="follower@example.org", confirmed_at=timezone.now()
    )
    pages = {
        "calendar": "/",
        "calendar-series": "/?series=open-science",
        "calendar-no-results": "/?q=nothing-matches-this",
        "webinar-open": "/webinars/open-data/",
        "webinar-few-seats": "/webinars/research-software/",
        "webinar-waiting-list": "/webinars/preprints/",
        "webinar-closed": "/webinars/closed-registration/",
        "webinar-cancelled": "/webinars/cancelled-talk/",
        "webinar-past": SEED_WEBINAR,
        "series": "/series/open-science/",
        "series-seed": SEED_SERIES,
        "series-index": "/series/",
        "speaker": "/speakers/ada-lovelace/",
        "month": f"/calendar/{timezone.localdate():%Y/%m}/",
        "month-seed": "/calendar/2020/10/",
        "privacy": "/privacy/",
        "webinar-recorded": "/webinars/recorded-talk/",
        "registration-after": f"/registrations/{attendee.token}/",
        "feedback": f"/registrations/{attendee.token}/feedback/",
        "follow": "/series/open-science/follow/",
        "follow-sent": "/series/open-science/follow/sent/",
        "follow-confirm": f"/follow/{asked.token}/",
        "follow-unsubscribe": f"/follow/{following.token}/unsubscribe/",
        "embed-calendar": "/embed/",
        "embed-series": "/embed/series/open-science/",
        "embed-register": "/embed/webinars/preprints/register/",
        "embed-series-register": "/embed/series/open-science/register/",
        "embed-thanks": "/embed/webinars/open-data/register/thanks/",
        "thanks": "/webinars/open-data/register/thanks/?to=a%E2%80%A6%40example.org",
        "registration-confirmed": f"/registrations/{seated.token}/",
        "registration-waiting": f"/registrations/{waiting.token}/",
        "registration-cancelled": f"/registrations/{withdrawn.token}/",
        "registration-cancel": f"/registrations/{seated.token}/cancel/",
        "not-found": "/webinars/no-such-webinar/",
    }
    # Every page in Dutch as well: longer words must fit and stay valid and accessible too. French
    # words are as long: the pages where text is tightest are enough.
    french = ("calendar", "webinar-open", "webinar-waiting-list", "month", "registration-after")
    return {
        **pages,
        **{f"nl-{name}": f"/nl{path}" for name, path in pages.items()},
        **{f"fr-{name}": f"/fr{pages[name]}" for name in (*french, "embed-register", "not-found")},
    }
