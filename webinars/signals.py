"""Signals webinars sends, for the parts built on top of it (the page cache, following)."""

from django.dispatch import Signal

# A webinar's availability state (open, few seats left, full: waiting list) moved. Sent with
# `webinar`; lists and the webinar's page show that state.
availability_changed = Signal()

# Registrations were anonymised (their ids in `ids`): whatever else names or describes those
# people must go too. Sent by services.privacy.registrations_purge.
registrations_anonymised = Signal()

# An organiser published a webinar (created published, or a draft switched to published):
# services.webinar_save sends it with `webinar` and `now`, a plain save() never does. Following
# connects to it (following.apps) to tell the series' followers; webinars cannot import it.
webinar_published = Signal()

# An organiser saved a webinar (services.webinar_save, never a plain save()), new or edited:
# sent inside the save's transaction with `webinar`, `changes` (a webinars.changes.WebinarChanges:
# created, moved, retitled, cancelled...) and `now`. Meetings (meetings.apps) creates, moves or
# ends the remote meeting; webhooks (hooks.apps) tell of webinar.changed / webinar.cancelled.
webinar_saved = Signal()

# Something happened to registrations that tools outside the site may want to hear of. Sent by
# the services that make the change, inside their transaction, with `event` (one of
# REGISTRATION_EVENTS), `registrations` (a list, each with its webinar attached) and `now`;
# never by a plain save(). Webhooks connect to it (hooks.apps).
registrations_changed = Signal()

REGISTRATION_EVENTS = ("created", "confirmed", "waitlisted", "promoted", "cancelled", "attended")


def registrations_event(event: str, registrations, now) -> None:
    """Send registrations_changed (nothing for an empty list); the services' one way to say it."""
    if event not in REGISTRATION_EVENTS:
        raise ValueError(f"event must be one of {REGISTRATION_EVENTS}, not {event!r}")
    registrations = list(registrations)
    if registrations:
        registrations_changed.send(
            sender=registrations[0].__class__, event=event, registrations=registrations, now=now
        )
