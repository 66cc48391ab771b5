"""Reads that span relations, shaped for the pages that show them."""

import hmac
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Coalesce, Lower
from django.http import Http404

from core.reminders import RemindersError, parse_reminders
from series.models import Series, SeriesOrganisation
from webinars.models import (
    RegistrantMessage,
    Registration,
    ReminderSent,
    Speaker,
    Webinar,
    WebinarSpeaker,
    speakers_prefetch,
)
from webinars.rules import phase


def webinars_visible_to(*, staff: bool) -> QuerySet[Webinar]:
    """Published webinars, or every webinar for staff (who may preview drafts)."""
    return Webinar.objects.all() if staff else Webinar.objects.published()


# What the "other webinars of the series" list shows (link, number, title, time, cancelled).
SIBLING_FIELDS = ("series", "number", "title", "slug", "start", "end", "time_zone", "status")


# A long series shows this many webinars either side of the current one on its page.
SIBLINGS_AROUND = 5


@dataclass
class Siblings:
    """The webinars of a series around one of them, in time order, and whether more exist."""

    webinars: list[Webinar]
    more_before: bool = False
    more_after: bool = False
    following: Webinar | None = None

    def __iter__(self):
        return iter(self.webinars)

    def __bool__(self):
        return bool(self.webinars)


def sibling_webinars(
    webinar: Webinar,
    *,
    staff: bool,
    around: int = SIBLINGS_AROUND,
    next_after: datetime | None = None,
) -> Siblings:
    """Up to `around` other webinars of the series before this one and as many after, in
    time order (drafts too for staff), in one short query whatever the series' length. With
    `next_after` (a past webinar's page), also the series' first webinar that takes place
    after that moment, as `following`, in the same query."""
    if not webinar.series_id:
        return Siblings([])
    others = (
        webinars_visible_to(staff=staff)
        .filter(series_id=webinar.series_id)
        .exclude(pk=webinar.pk)
        .only(*SIBLING_FIELDS)
    )
    earlier = Q(start__lt=webinar.start) | Q(start=webinar.start, pk__lt=webinar.pk)
    # One query: the nearest around + 1 either side (the extra one says whether more exist).
    before_ids = others.filter(earlier).order_by("-start", "-pk").values("pk")[: around + 1]
    after_ids = others.exclude(earlier).order_by("start", "pk").values("pk")[: around + 1]
    wanted = Q(pk__in=before_ids) | Q(pk__in=after_ids)
    if next_after is not None:
        upcoming = others.filter(start__gt=next_after, status=Webinar.Status.SCHEDULED)
        wanted |= Q(pk__in=upcoming.order_by("start", "pk").values("pk")[:1])
    rows = list(others.filter(wanted).order_by("start", "pk"))
    key = (webinar.start, webinar.pk)
    before = [w for w in rows if (w.start, w.pk) < key]
    after = [w for w in rows if (w.start, w.pk) > key]
    following = None
    if next_after is not None:
        following = next((w for w in rows if w.start > next_after and not w.is_cancelled), None)
    return Siblings(
        webinars=before[-around:] + after[:around],
        more_before=len(before) > around,
        more_after=len(after) > around,
        following=following,
    )


class ListSpeaker(NamedTuple):
    """What a list item shows of a speaker (includes/webinar_list.html): name and portrait."""

    name: str
    photo: FieldFile


def list_speakers(webinars: Sequence[Webinar]) -> dict[int, list[ListSpeaker]]:
    """{webinar pk: its speakers in order, with only their names and photos}, in one query.

    For list items, which show nothing else of their speakers: plain rows, as building the link
    and person objects for 40 items cost more than the rest of the page.
    """
    speakers: dict[int, list[ListSpeaker]] = {w.pk: [] for w in webinars}
    if not speakers:
        return speakers
    rows = (
        WebinarSpeaker.objects.filter(webinar__in=list(speakers), role=WebinarSpeaker.Role.SPEAKER)
        .order_by("webinar_id", "order", "pk")
        .values_list("webinar_id", "speaker__name", "speaker__photo")
    )
    photo = Speaker._meta.get_field("photo")
    for webinar_id, name, path in rows:
        speakers[webinar_id].append(ListSpeaker(name, photo.attr_class(None, photo, path or "")))
    return speakers


def _partners(prefix: str = "") -> Prefetch:
    """A series' organisations with their roles, for a prefetch from `prefix` (e.g. series__)."""
    return Prefetch(
        f"{prefix}partners", queryset=SeriesOrganisation.objects.select_related("organisation")
    )


def load_partners_and_disclaimers(series: Series) -> None:
    """What a page about a series (or one of its webinars) shows of it, in two queries."""
    prefetch_related_objects([series], _partners(), "disclaimers")


def partners_by_role(series: Series) -> list[tuple[str, list]]:
    """[(role label, [organisations])] in role order, e.g. organised by / in collaboration with."""
    groups = []
    for role in SeriesOrganisation.Role:
        orgs = [p.organisation for p in series.partners.all() if p.role == role]
        if orgs:
            groups.append((role.label, orgs))
    return groups


def webinars_for_calendars() -> QuerySet[Webinar]:
    """Published webinars with what .ics files and feeds show (speakers, series organisers).

    A fixed number of queries however many webinars there are.
    """
    # The series prefetched, not joined: one shared instance per series rather than one per
    # webinar, so their organisers load (and Django files them) once per series, not 2,000 times.
    return Webinar.objects.published().prefetch_related(
        "series",
        _partners("series__"),
        *speakers_prefetch(many=True),
    )


@dataclass(frozen=True)
class DueReminders:
    """A webinar whose reminders have come due: the `leads` (minutes before the start) due now,
    and its confirmed `registrations` that still miss one of them they are eligible for."""

    webinar: Webinar
    leads: tuple[int, ...]
    registrations: QuerySet[Registration]


def reminders_due(now: datetime, *, leads: tuple[int, ...] | None = None) -> Iterator[DueReminders]:
    """Webinars whose reminders' moment (start - lead) has come, scheduled and not started,
    with the registrations to remind, chosen in the database: when nothing is due, a query
    per such webinar finds nobody, however many were reminded before.

    A reminder whose moment came before the registration is never due: someone registering
    three hours before the start gets the one-hour reminder, not the one-day one. `leads`
    replaces every webinar's own (the command's --hours).
    """
    overrides = [leads] if leads is not None else _configured_leads(now)
    longest = max((max(found) for found in overrides if found), default=0)
    if not longest:
        return
    webinars = Webinar.objects.filter(
        status=Webinar.Status.SCHEDULED, start__gt=now, start__lte=now + timedelta(minutes=longest)
    ).select_related("series")
    for webinar in webinars.order_by("start", "pk"):
        due = tuple(
            lead
            for lead in (leads if leads is not None else webinar.reminder_leads())
            if webinar.start - timedelta(minutes=lead) <= now
        )
        if not due:
            continue
        missing = Q()
        for lead in due:
            missing |= Q(created__lte=webinar.start - timedelta(minutes=lead)) & ~Exists(
                ReminderSent.objects.filter(registration=OuterRef("pk"), lead_minutes=lead)
            )
        registrations = webinar.registrations.confirmed().filter(
            missing, anonymised_at__isnull=True
        )
        yield DueReminders(webinar, due, registrations)


def _configured_leads(now: datetime) -> list[tuple[int, ...]]:
    """The site's leads and every distinct override of an upcoming webinar or a series."""
    texts = {settings.REMINDERS}
    texts.update(
        Webinar.objects.filter(start__gt=now)
        .exclude(reminders="")
        .values_list("reminders", flat=True)
    )
    texts.update(Series.objects.exclude(reminders="").values_list("reminders", flat=True))
    found = []
    for text in texts:
        try:
            found.append(parse_reminders(text))
        except RemindersError:
            continue  # Webinar.reminder_leads falls back past it too
    return found


def message_recipients_left(message: RegistrantMessage, now: datetime) -> QuerySet:
    """(registration pk, address in lower case, status) of the registrations the message is
    for, not anonymised, whose address has not had it: each address's registrations together,
    the one to write to first (for a series, their next webinar, else their latest).

    Read in chunks by the caller; an address whose delivery is recorded drops out, so reading
    again from the start resumes where an interrupted send stopped.
    """
    # Holds are left out: nobody has shown the address is theirs.
    chosen_people = Q(status__in=message.statuses)
    if message.to_attended:
        chosen_people |= Q(attended_at__isnull=False)
    registrations = Registration.objects.filter(
        chosen_people, anonymised_at__isnull=True, hold_expires_at=None
    )
    if message.webinar_id:
        registrations = registrations.filter(webinar_id=message.webinar_id)
    else:
        registrations = registrations.filter(webinar__series_id=message.series_id)
    had_it = message.deliveries.filter(email=OuterRef("email_lower"))
    past = Case(When(phase.over_q(now, prefix="webinar__"), then=Value(1)), default=Value(0))
    return (
        registrations.annotate(email_lower=Lower("email"), past=past)
        .filter(~Exists(had_it))
        .order_by("email_lower", "past", "webinar__start", "created", "pk")
        .values_list("pk", "email_lower", "status")
    )


def message_audience(message: RegistrantMessage, now: datetime) -> tuple[int, int]:
    """(people still to get the message, people who had it), in two counts."""
    waiting = message_recipients_left(message, now).order_by().values("email_lower").distinct()
    return waiting.count(), message.deliveries.count()


def admin_dashboard_webinars(
    *, now: datetime, scope: Q | None = None, limit: int = 8
) -> list[Webinar]:
    """The next webinars for the admin index (those `scope` lets through, e.g. the user's
    series): seats, waiting list and registrations of the last seven days (new_count), in one
    query."""
    week_ago = now - timedelta(days=7)
    recent = (
        Registration.objects.filter(webinar=OuterRef("pk"), created__gte=week_ago)
        .exclude(status=Registration.Status.CANCELLED)
        .order_by()
        .values("webinar")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        Webinar.objects.upcoming(now)
        .filter(scope or Q())
        .select_related("series")
        .with_counts()
        .annotate(new_count=Coalesce(Subquery(recent), 0))[:limit]
    )


def registration_for_token(token: str) -> Registration:
    """The registration with this token, or a plain 404."""
    registration = (
        Registration.objects.select_related("webinar__series")
        .filter(token=token, anonymised_at__isnull=True)
        .first()
    )
    # The index lookup finds the row; the final comparison does not leak timing.
    if registration is None or not hmac.compare_digest(registration.token, token):
        raise Http404("No such registration.")
    return registration
