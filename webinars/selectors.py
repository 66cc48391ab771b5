"""Reads that span relations, shaped for the pages that show them."""

from collections.abc import Sequence

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from series.models import Series, SeriesOrganisation
from webinars.models import Webinar, WebinarSpeaker, speakers_prefetch


def webinars_visible_to(*, staff: bool) -> QuerySet[Webinar]:
    """Published webinars, or every webinar for staff (who may preview drafts)."""
    return Webinar.objects.all() if staff else Webinar.objects.published()


# What the "other webinars of the series" list shows (link, number, title, time, cancelled).
SIBLING_FIELDS = ("series", "number", "title", "slug", "start", "end", "time_zone", "status")


def sibling_webinars(webinar: Webinar, *, staff: bool) -> list[Webinar]:
    """The other webinars of the webinar's series, in time order (drafts too for staff)."""
    if not webinar.series_id:
        return []
    return list(
        webinars_visible_to(staff=staff)
        .filter(series_id=webinar.series_id)
        .exclude(pk=webinar.pk)
        .only(*SIBLING_FIELDS)
        .order_by("start", "pk")
    )


def speaker_names(webinars: Sequence[Webinar]) -> dict[int, list[str]]:
    """{webinar pk: its speakers' names in order}, in one query, as plain rows.

    For list items, which show nothing else of their speakers: building the link and person
    objects for 40 items cost more than the rest of the page.
    """
    names: dict[int, list[str]] = {w.pk: [] for w in webinars}
    if not names:
        return names
    rows = (
        WebinarSpeaker.objects.filter(webinar__in=list(names), role=WebinarSpeaker.Role.SPEAKER)
        .order_by("webinar_id", "order", "pk")
        .values_list("webinar_id", "speaker__name")
    )
    for webinar_id, name in rows:
        names[webinar_id].append(name)
    return names


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
