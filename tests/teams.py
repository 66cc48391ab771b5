"""Two teams on one site, each managing one series with one of everything admin lists.

`build_teams()` makes them; tests of webinars, afterwards and following use it to try every
admin page of the other team's rows.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from afterwards.models import Feedback, FollowUp, Material
from following.models import Follower
from series.models import FundingDisclaimer, Series
from tests.factories import (
    add_speaker,
    make_organisation,
    make_registration,
    make_series,
    make_speaker,
    make_webinar,
)
from webinars.models import (
    Answer,
    MessageDelivery,
    PendingMail,
    Question,
    RegistrantMessage,
    Registration,
    Webinar,
)


@dataclass
class Team:
    name: str
    manager: object
    series: Series
    upcoming: Webinar
    past: Webinar
    registration: Registration
    past_registration: Registration
    rows: dict = field(default_factory=dict)


def _team(name: str) -> Team:
    manager = get_user_model().objects.create_user(
        username=f"{name.lower()}-manager",
        password="manager-pass",
        is_staff=True,
        email=f"{name.lower()}@example.org",
    )
    series = make_series(title=f"{name} series", slug=f"{name.lower()}-series")
    series.managers.add(manager)
    now = timezone.now()
    upcoming = make_webinar(
        series=series, title=f"{name} upcoming", slug=f"{name.lower()}-upcoming", capacity=10
    )
    past = make_webinar(
        series=series,
        title=f"{name} past",
        slug=f"{name.lower()}-past",
        start=now - timedelta(days=3),
    )
    registration = make_registration(upcoming, name=f"{name} person", email=f"{name}@people.org")
    past_registration = make_registration(
        past, name=f"{name} attendee", email=f"{name}-past@people.org", attended_at=past.start
    )
    question = Question.objects.create(webinar=upcoming, label=f"{name} question", kind="checkbox")
    Answer.objects.create(registration=registration, question=question, value=True)
    message = RegistrantMessage.objects.create(
        webinar=upcoming, subject=f"{name} message", body="."
    )
    series_message = RegistrantMessage.objects.create(
        series=series, subject=f"{name} series message", body="."
    )
    MessageDelivery.objects.create(
        message=message, registration=registration, email=registration.email, status="confirmed"
    )
    speaker = make_speaker(name=f"{name} speaker", slug=f"{name.lower()}-speaker")
    add_speaker(upcoming, speaker)
    organisation = make_organisation(series, name=f"{name} organisation")
    FundingDisclaimer.objects.create(series=series, funder=f"{name} funder", text=".")
    rows = {
        "question": question,
        "message": message,
        "series_message": series_message,
        "speaker": speaker,
        "organisation": organisation,
        "follow_up": FollowUp.objects.create(
            webinar=past, subject=f"{name} follow-up", attendees_text=".", absentees_text="."
        ),
        "feedback": Feedback.objects.create(
            registration=past_registration, rating=4, comment=f"{name} comment"
        ),
        "follower": Follower.objects.create(
            series=series, email=f"{name}-follower@people.org", confirmed_at=now
        ),
        "mail": PendingMail.objects.create(
            registration=registration, kind=PendingMail.Kind.DETAILS, key=f"{name}-details"
        ),
        "material": Material.objects.create(
            webinar=past, title=f"{name} slides", file=ContentFile(b"%PDF-1.4", name="s.pdf")
        ),
    }
    return Team(name, manager, series, upcoming, past, registration, past_registration, rows)


def build_teams() -> tuple[Team, Team]:
    """Team Alpha and team Beta, each with a manager (staff, in no group) of its own series."""
    return _team("Alpha"), _team("Beta")
