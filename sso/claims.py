"""What a person's claims allow: staff, the Organisers group, series managed, administrator.

The mapping is read from the OIDC_* settings (README, "Configuration"); `grant(user, access)`
writes it on the account at each sign-in, so the provider stays the one place that decides. A
mapping that is not configured is left alone: without OIDC_SERIES_GROUP_PREFIX, for instance,
administrators assign managed series in admin and sign-in never changes them.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import QuerySet

from series.access import ALL_SERIES_GROUP
from series.models import Series


@dataclass(frozen=True)
class Access:
    admin: bool = False
    organiser: bool = False
    staff: bool = False
    series_slugs: frozenset[str] = frozenset()

    def series(self) -> QuerySet:
        return Series.objects.filter(slug__in=self.series_slugs)

    def allows_anything(self) -> bool:
        return self.admin or self.organiser or self.staff or self.series().exists()


NOTHING = Access()


def groups_of(claims: dict) -> set[str]:
    """The group (or role) names in OIDC_GROUPS_CLAIM; a dotted name reaches into objects, as
    Keycloak's `realm_access.roles`."""
    value = claims
    for part in settings.OIDC_GROUPS_CLAIM.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return set()
    return {item for item in value if isinstance(item, str)}


def access_from_claims(claims: dict) -> Access:
    groups = groups_of(claims)
    prefix = settings.OIDC_SERIES_GROUP_PREFIX
    slugs = (
        frozenset(group[len(prefix) :] for group in groups if group.startswith(prefix))
        if prefix
        else frozenset()
    )
    return Access(
        admin=bool(groups & set(settings.OIDC_ADMIN_GROUPS)),
        organiser=bool(groups & set(settings.OIDC_ORGANISER_GROUPS)),
        staff=bool(groups & set(settings.OIDC_STAFF_GROUPS)),
        series_slugs=slugs,
    )


def grant(user, access: Access) -> None:
    """Give the account what `access` says, and take away what it no longer says."""
    if settings.OIDC_ADMIN_GROUPS:
        user.is_superuser = access.admin
    # An administrator who signs in without any allowed group keeps staff only while the
    # provider is not the one that says who administers.
    user.is_staff = access.allows_anything() or user.is_superuser
    user.save(update_fields=["is_staff", "is_superuser"])
    if settings.OIDC_ORGANISER_GROUPS:
        organisers, _ = Group.objects.get_or_create(name=ALL_SERIES_GROUP)
        if access.organiser:
            user.groups.add(organisers)
        else:
            user.groups.remove(organisers)
    if settings.OIDC_SERIES_GROUP_PREFIX:
        user.managed_series.set(access.series())
    # series/access.py keeps its answer on the user object for the rest of a request.
    user.__dict__.pop("_organises_all_series", None)
