"""How a local wall time reads in a zone around its daylight-saving changes.

One definition for the calendar files (which write an ambiguous time in UTC) and the admin
form (which asks which instant is meant).
"""

from datetime import UTC, datetime, tzinfo


def wall_time_readings(wall: datetime, tz: tzinfo) -> list[datetime]:
    """The instants (in UTC) a naive wall time names in tz: one, two (the repeated hour of a
    fall-back night, earlier first) or none (the hour skipped when the clocks go forward)."""
    readings = []
    for fold in (0, 1):
        instant = wall.replace(tzinfo=tz, fold=fold).astimezone(UTC)
        if instant.astimezone(tz).replace(tzinfo=None) == wall and instant not in readings:
            readings.append(instant)
    return sorted(readings)


def is_ambiguous(local: datetime) -> bool:
    """True when the wall time of an aware local datetime names no instant or more than one."""
    return len(wall_time_readings(local.replace(tzinfo=None), local.tzinfo)) != 1


def skipped_readings(wall: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """(earlier, later): the two instants a wall time in a skipped hour could mean, read with
    the offset after the change and the one before it."""
    return (
        wall.replace(tzinfo=tz, fold=1).astimezone(UTC),
        wall.replace(tzinfo=tz, fold=0).astimezone(UTC),
    )
