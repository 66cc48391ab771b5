"""What one save of a webinar changed: Webinar.save() records it, services.webinar_save tells
people about it."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

# A time that moved by less is a correction (seconds typed in a form), not news to registrants.
MOVE_NOTICE_THRESHOLD = timedelta(minutes=1)


@dataclass(frozen=True)
class WebinarChanges:
    """Differences between the row as it was in the database and the values saved over it."""

    # The start or the end is at least MOVE_NOTICE_THRESHOLD away from where it was.
    moved: bool = False
    # Scheduled before, cancelled now.
    cancelled: bool = False
    # Something a calendar entry shows (Webinar.CALENDAR_FIELDS): calendars must replace theirs.
    calendar_fields_changed: bool = False
    # This save created the webinar: it has no registrants to tell.
    created: bool = False
    # Hidden from visitors before, published now (or created published).
    published: bool = False
    # The start saved before, when this save moved it (search engines are told of the move).
    previous_start: datetime | None = None
    # The watched columns (Webinar.CALENDAR_FIELDS and is_published) whose value this save
    # changed; a detail under the flags above, left out when two changes are compared.
    changed_fields: frozenset = field(default=frozenset(), compare=False)

    @property
    def retitled(self) -> bool:
        return any(name.startswith("title_") for name in self.changed_fields)

    @property
    def status_changed(self) -> bool:
        return "status" in self.changed_fields
