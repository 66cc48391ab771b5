"""Who organises which series: the one place that answers it.

An active staff account organises every series when it is a superuser or a member of the
Organisers group (`ALL_SERIES_GROUP`); otherwise it organises exactly the series whose
`managers` list it. Admin, exports, the organisers' API, webhooks and figures all ask here.
Webinars without a series are organised only by those who organise every series.
"""

from django.db.models import Q, QuerySet

from series.models import Series

ALL_SERIES_GROUP = "Organisers"


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
    if not (user and user.is_active and user.is_authenticated and user.is_staff):
        return Series.objects.none()
    return Series.objects.filter(managers=user)


def is_series_manager(user) -> bool:
    """True for an active staff account that manages at least one series (and no more)."""
    if not (user and user.is_active and user.is_authenticated and user.is_staff):
        return False
    return Series.objects.filter(managers=user).exists()


def series_q(user, path: str = "series") -> Q:
    """A filter for rows whose series (reached by `path`) this user organises.

    `path` is the lookup from the filtered model to its Series, e.g. "webinar__series" for a
    registration. Rows without a series pass only for those who organise every series.
    """
    if organises_all_series(user):
        return Q()
    if not (user and user.is_active and user.is_authenticated and user.is_staff):
        return Q(pk__in=[])
    return Q(**{f"{path}__managers": user})
