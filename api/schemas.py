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
