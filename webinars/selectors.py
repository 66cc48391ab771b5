"""Reads that span relations, shaped for the pages that show them."""

from django.db.models import Prefetch, QuerySet

from series.models import Series, SeriesOrganisation
from webinars.models import Webinar


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
    return (
        Webinar.objects.published()
        .for_listing()
        .prefetch_related(
            Prefetch(
                "series__partners",
                queryset=SeriesOrganisation.objects.select_related("organisation"),
            )
        )
    )
