"""The events a webhook endpoint can ask for, and the test event admin sends."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "registration.created": _("a registration was made"),
    "registration.confirmed": _("a registration got a seat"),
    "registration.waitlisted": _("a registration went on the waiting list"),
    "registration.promoted": _("a waiting registrant was promoted"),
    "registration.cancelled": _("a registration was cancelled or declined"),
    "registration.attended": _("a registrant attended"),
    "webinar.published": _("a webinar was published"),
    "webinar.changed": _("a published webinar's time, title or status changed"),
    "webinar.cancelled": _("a published webinar was cancelled"),
    "follower.confirmed": _("someone started following a series"),
    "follower.unsubscribed": _("a follower unsubscribed"),
}

EVENT_CHOICES = list(EVENTS.items())

# Sent by admin's "Send a test event" to any endpoint, whatever it asked for.
TEST_EVENT = "webhook.test"
