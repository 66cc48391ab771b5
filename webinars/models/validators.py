"""What a webinar's times, zones and tokens must be: checked by forms, admin and the database."""

import functools
import secrets
import zoneinfo
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The shape of an IANA zone name ("UTC", "Europe/Brussels", "America/Argentina/Buenos_Aires",
# "Etc/GMT+5"), checked by the database; the exact list is checked by validate_time_zone.
TIME_ZONE_PATTERN = r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$"

# Webinars happen in these years. Far outside them a date is a typo, and one that breaks pages:
# year 1 is stored as BC on PostgreSQL and cannot be read back, years near 9999 overflow the
# time zone rules of calendar files. The database refuses them too (webinar_dates_in_range).
EARLIEST_MOMENT = datetime(1990, 1, 1, tzinfo=UTC)
LATEST_MOMENT = datetime(2100, 1, 1, tzinfo=UTC)


def validate_webinar_moment(value: datetime) -> None:
    """Refuses a start, end or closing time outside the years EARLIEST_MOMENT..LATEST_MOMENT."""
    if value is not None and not EARLIEST_MOMENT <= value < LATEST_MOMENT:
        raise ValidationError(
            _("Please enter a date between %(first)s and %(last)s."),
            code="date_out_of_range",
            params={"first": EARLIEST_MOMENT.year, "last": LATEST_MOMENT.year - 1},
        )


@functools.cache
def available_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() - {"Factory", "localtime", "posixrules"})


def validate_time_zone(value: str) -> None:
    if value not in available_time_zones():
        raise ValidationError(
            _("%(value)s is not a known time zone; use a name like Europe/Brussels."),
            code="invalid_time_zone",
            params={"value": value},
        )


def default_time_zone() -> str:
    return settings.TIME_ZONE


def new_token() -> str:
    # 32 random bytes = 256 bits: far beyond guessing.
    return secrets.token_urlsafe(32)
