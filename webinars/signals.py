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

# An organiser saved a webinar (services.webinar_save, never a plain save()): sent with
# `webinar`, `changes` (a webinars.changes.WebinarChanges) and `now`. Meetings connects to it
# (meetings.apps) to create, move or end the webinar's remote meeting.
webinar_saved = Signal()
