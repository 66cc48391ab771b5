"""Reads that span relations, shaped for the pages that show them."""

from django.db.models import Prefetch, QuerySet

from series.models import Series, SeriesOrganisation
from webinars.models import Webinar, speakers_prefetch


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
        Prefetch(
            "series__partners",
            queryset=SeriesOrganisation.objects.select_related("organisation"),
        ),
        *speakers_prefetch(many=True),
    )
