"""Who organises which series: the one place that answers it.

An active staff account organises every series when it is a superuser or a member of the
Organisers group (`ALL_SERIES_GROUP`); otherwise it organises exactly the series whose
`managers` list it. Admin, exports, the organisers' API, webhooks and figures all ask here.
Webinars without a series are organised only by those who organise every series.

A manager belongs to no group: within their series they may do what the Organisers group may
do (`manager_permissions`), which admin grants object by object.
"""

import functools
import operator

from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from series.models import Series

ALL_SERIES_GROUP = "Organisers"


def _is_staff(user) -> bool:
    return bool(user and user.is_active and user.is_authenticated and user.is_staff)


def organises_all_series(user) -> bool:
    """True for an active superuser or member of the Organisers group."""
    if not (user and user.is_active and user.is_authenticated):
        return False
    if user.is_superuser:
        return True
    # Cached on the user object: admin asks many times per request.
    cached = getattr(user, "_organises_all_series", None)
    if cached is None:
        cached = user.groups.filter(name=ALL_SERIES_GROUP).exists()
        user._organises_all_series = cached
    return cached


def organised_series(user) -> QuerySet:
    """The series this user may see and change (none for visitors and inactive accounts)."""
    if organises_all_series(user):
        return Series.objects.all()
    if not _is_staff(user):
        return Series.objects.none()
    return Series.objects.filter(managers=user)


def is_series_manager(user) -> bool:
    """True for an active staff account that manages at least one series (and no more)."""
    if not _is_staff(user):
        return False
    return Series.objects.filter(managers=user).exists()


def manager_permissions(user) -> frozenset[str]:
    """What a series manager may do within their series: the Organisers group's permissions
    ("app_label.codename"), so both kinds of organiser can do the same things. Empty for
    anyone who manages no series."""
    # Cached on the user object: admin asks for every model and every row it shows.
    cached = getattr(user, "_manager_permissions", None)
    if cached is None:
        cached = frozenset()
        if is_series_manager(user):
            rows = Permission.objects.filter(group__name=ALL_SERIES_GROUP).values_list(
                "content_type__app_label", "codename"
            )
            cached = frozenset(f"{app}.{codename}" for app, codename in rows)
        user._manager_permissions = cached
    return cached


def series_q(user, *paths: str) -> Q:
    """A filter for rows whose series (reached by one of `paths`) this user organises.

    Each path is the lookup from the filtered model to its Series, e.g. "webinar__series" for a
    registration, "" for Series itself; several paths (a message written to a webinar or to a
    whole series) let a row through when any of them leads to an organised series. Without a
    path: "series". Rows without a series pass only for those who organise every series.
    """
    if organises_all_series(user):
        return Q()
    if not _is_staff(user):
        return Q(pk__in=[])
    # A subquery rather than a join through the managers table: counts and sums annotated on
    # the same queryset are never multiplied by it.
    managed = Series.objects.filter(managers=user).values("pk")
    lookups = [f"{path}__in" if path else "pk__in" for path in paths or ("series",)]
    return functools.reduce(operator.or_, (Q(**{lookup: managed}) for lookup in lookups))
