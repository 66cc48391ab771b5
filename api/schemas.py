"""What the public API answers: the OpenAPI schema is generated from these classes."""

from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"


class Error(Schema):
    detail: str = Field(description="What went wrong, in words.")
    errors: list[str] = Field(default=[], description="One line per refused parameter.")


def _in_utc(moment: datetime) -> datetime:
    # Near year 1 or 9999 a valid offset can put the instant outside what a datetime holds;
    # the database compares in UTC, so such a moment has no answer.
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("the moment in UTC falls outside the years 1 to 9999") from None


class ListParams(Schema):
    page: int = Field(1, ge=1, le=100_000, description="Page number, from 1.")
    page_size: int = Field(20, ge=1, le=100, description="Items per page (at most 100).")
    changed_since: Annotated[AwareDatetime, AfterValidator(_in_utc)] | None = Field(
        None,
        description="Only items saved at or after this moment (ISO 8601 with a UTC offset, "
        "e.g. 2026-06-01T00:00:00Z).",
    )


class WebinarParams(ListParams):
    series: str | None = Field(
        None, pattern=SLUG_PATTERN, max_length=200, description="Only this series (its slug)."
    )
    speaker: str | None = Field(
        None, pattern=SLUG_PATTERN, max_length=200, description="Only webinars with this speaker."
    )
    when: Literal["upcoming", "past"] | None = Field(
        None,
        description="upcoming: not yet ended, soonest first; past: ended, latest first. "
        "Without it: all, soonest first.",
    )


class Page(Schema):
    page: int
    page_size: int
    next: str | None = Field(description="URL of the next page; null on the last one.")
    previous: str | None = Field(description="URL of the previous page; null on the first one.")


class SeriesRef(Schema):
    id: int
    slug: str
    title: str
    url: str = Field(description="The series page on the site.")
    api_url: str


class Organisation(Schema):
    name: str
    website: str | None
    role: Literal["organiser", "collaborator", "supporter"]


class Series(Schema):
    id: int = Field(description="Never changes.")
    slug: str = Field(description="Part of the site's address; an organiser may change it.")
    title: str
    description: str = Field(description="Markdown, as the organisers wrote it.")
    description_html: str = Field(description="The description as sanitised HTML.")
    url: str
    api_url: str
    calendar_url: str = Field(description="Subscribable iCalendar feed of the series.")
    webinars_url: str = Field(description="Its webinars in this API.")
    embed_url: str = Field(description="The series for an iframe (allowed origins only).")
    organisations: list[Organisation]
    disclaimers: list[str] = Field(description="Funding disclaimers, shown as written.")
    updated: datetime


class SeriesPage(Page):
    items: list[Series]


class SpeakerRole(Schema):
    id: int
    slug: str
    name: str
    affiliation: str
    role: Literal["speaker", "moderator"]
    url: str
    api_url: str


class Registration(Schema):
    state: Literal["open", "few", "full", "closed", "cancelled"] = Field(
        description="open; few (seats left); full (a registration joins the waiting list); "
        "closed; cancelled. Never a number of seats."
    )
    closes: datetime = Field(description="When registration closes (at the start at the latest).")
    url: str = Field(description="The registration form.")


class Webinar(Schema):
    id: int = Field(description="Never changes.")
    uid: UUID = Field(description="The UID of the webinar in calendar files; never changes.")
    slug: str = Field(description="Part of the site's address; an organiser may change it.")
    series: SeriesRef | None
    number: int | None = Field(description="Its number in the series.")
    title: str
    description: str = Field(description="Markdown, as the organisers wrote it.")
    description_html: str
    start: datetime = Field(description="In UTC.")
    end: datetime = Field(description="In UTC.")
    time_zone: str = Field(description="IANA name of the zone the webinar is announced in.")
    status: Literal["scheduled", "cancelled"]
    online: bool
    location: str = Field(description="The venue; empty for an online webinar.")
    event_url: str | None = Field(description="The event's own public website, if any.")
    registration: Registration
    speakers: list[SpeakerRole] = Field(description="Speakers, then moderators, in order.")
    url: str
    api_url: str
    calendar_url: str = Field(description="The webinar as an iCalendar file.")
    updated: datetime


class WebinarPage(Page):
    items: list[Webinar]


class Appearance(Schema):
    webinar: str = Field(description="The webinar's slug.")
    title: str
    start: datetime
    role: Literal["speaker", "moderator"]
    url: str
    api_url: str


class Speaker(Schema):
    id: int = Field(description="Never changes.")
    slug: str
    name: str
    affiliation: str
    bio: str = Field(description="Markdown.")
    bio_html: str
    website: str | None
    photo: str | None = Field(description="A square portrait, 240 px (webp), if there is one.")
    url: str
    api_url: str
    updated: datetime


class SpeakerDetail(Speaker):
    webinars: list[Appearance] = Field(description="Published webinars, latest first.")


class SpeakerPage(Page):
    items: list[Speaker]


class Index(Schema):
    series: str
    webinars: str
    speakers: str
    openapi: str


# --- The organisers' API (api/organisers.py): a bearer token, never cached ---

RegistrationStatus = Literal["pending", "confirmed", "waitlisted", "cancelled"]


class RegistrationParams(ListParams):
    webinar: str | None = Field(
        None, pattern=SLUG_PATTERN, max_length=200, description="Only this webinar (its slug)."
    )
    status: RegistrationStatus | None = Field(None, description="Only registrations in this state.")


class RegistrationRecord(Schema):
    """api.representations.registration_data: webhooks send the same fields."""

    id: int = Field(description="Never changes.")
    webinar: str = Field(description="The webinar's slug.")
    name: str
    email: str
    organisation: str
    status: RegistrationStatus = Field(
        description="pending: waits for an organiser's approval or for the address to be "
        "confirmed; confirmed: has a seat; waitlisted; cancelled."
    )
    language: str = Field(description="Every mail to the registrant is written in it.")
    created: datetime
    updated: datetime
    cancelled_at: datetime | None
    attended_at: datetime | None


class RegistrationRecordPage(Page):
    items: list[RegistrationRecord]


class NewRegistration(Schema):
    webinar: str = Field(pattern=SLUG_PATTERN, max_length=200, description="The webinar's slug.")
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=254)
    organisation: str = Field("", max_length=200)
    language: str | None = Field(
        None,
        max_length=10,
        description="The language of their mail: en, nl or fr (as the site offers); "
        "without it, English.",
    )


Moment = Annotated[AwareDatetime, AfterValidator(_in_utc)]


class WebinarFields(Schema):
    """What an organiser may set on a webinar; fields left out stay as they are."""

    series: str | None = Field(
        None, pattern=SLUG_PATTERN, max_length=200, description="The series' slug; null for none."
    )
    number: int | None = Field(None, ge=1, le=32767, description="Its number in the series.")
    title: str | None = Field(None, min_length=1, max_length=300)
    slug: str | None = Field(None, pattern=SLUG_PATTERN, max_length=200)
    description: str | None = Field(None, description="Markdown.")
    start: Moment | None = Field(None, description="ISO 8601 with a UTC offset.")
    end: Moment | None = Field(None, description="ISO 8601 with a UTC offset.")
    time_zone: str | None = Field(None, max_length=64, description="IANA name.")
    capacity: int | None = Field(None, ge=1, le=2_147_483_647, description="null: unlimited.")
    registration_closes: Moment | None = None
    requires_approval: bool | None = None
    location: str | None = Field(None, max_length=300, description="Empty for online.")
    event_url: str | None = Field(None, max_length=200)
    join_url: str | None = Field(
        None, max_length=200, description="Private: stored, never answered by the API."
    )


class NewWebinar(WebinarFields):
    title: str = Field(min_length=1, max_length=300)
    start: Moment = Field(description="ISO 8601 with a UTC offset.")
    end: Moment = Field(description="ISO 8601 with a UTC offset.")


class WebinarChange(WebinarFields):
    status: Literal["scheduled", "cancelled"] | None = Field(
        None, description="cancelled: every active registrant is told."
    )
    is_published: bool | None = Field(
        None, description="true publishes a draft: the series' followers are told."
    )
