"""Reads that span relations, shaped for the pages that show them."""

from collections.abc import Sequence

from django.db.models import Count, Prefetch, QuerySet

from series.models import Series, SeriesOrganisation
from webinars.models import Registration, Webinar, speakers_prefetch


def series_with_partners() -> QuerySet[Series]:
    """Series with organisations and disclaimers prefetched, in display order."""
    return Series.objects.prefetch_related(
        Prefetch(
            "partners",
            queryset=SeriesOrganisation.objects.select_related("organisation"),
        ),
        "disclaimers",
    )


def webinars_visible_to(user) -> QuerySet[Webinar]:
    """Published webinars, or every webinar for staff (who may preview drafts)."""
    qs = Webinar.objects.all()
    if not (user.is_authenticated and user.is_staff):
        qs = qs.published()
    return qs


# What the "other webinars of the series" list shows (link, number, title, time, cancelled).
SIBLING_FIELDS = ("series", "number", "title", "slug", "start", "end", "time_zone", "status")


def sibling_webinars(webinar: Webinar, user) -> list[Webinar]:
    """The other webinars of the webinar's series that `user` may see, in time order."""
    if not webinar.series_id:
        return []
    return list(
        webinars_visible_to(user)
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


def attach_registration_counts(webinars: Sequence[Webinar]) -> None:
    """Set confirmed_count and waitlisted_count on webinars already fetched (a page of a list).

    One query whatever the number of webinars; the same attributes as
    WebinarQuerySet.with_counts(), but counted for the shown rows only.
    """
    if not webinars:
        return
    counts: dict[tuple[int, str], int] = {}
    rows = (
        Registration.objects.filter(webinar__in=[w.pk for w in webinars])
        .order_by()
        .values_list("webinar_id", "status")
        .annotate(n=Count("pk"))
    )
    for webinar_id, status, n in rows:
        counts[webinar_id, status] = n
    for webinar in webinars:
        webinar.confirmed_count = counts.get((webinar.pk, Registration.Status.CONFIRMED), 0)
        webinar.waitlisted_count = counts.get((webinar.pk, Registration.Status.WAITLISTED), 0)
