"""Signals the registration rules send, for whoever shows their results (the page cache)."""

from django.dispatch import Signal

# A webinar's availability state (open, few seats left, full: waiting list) moved. Sent with
# `webinar`; lists and the webinar's page show that state.
availability_changed = Signal()

# Registrations were anonymised (their ids in `ids`): whatever else names or describes those
# people must go too. Sent by services.privacy.registrations_purge.
registrations_anonymised = Signal()
