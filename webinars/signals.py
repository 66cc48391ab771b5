"""Signals the registration rules send, for whoever shows their results (the page cache)."""

from django.dispatch import Signal

# A webinar's availability state (open, few seats left, full: waiting list) moved. Sent with
# `webinar`; lists and the webinar's page show that state.
availability_changed = Signal()
