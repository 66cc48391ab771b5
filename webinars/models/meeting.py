"""How people join a webinar: the link typed in admin, or a room made with a meeting provider
(the meetings app knows each provider; admin offers those the environment configures)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingProvider(models.TextChoices):
    """How people join: the link typed in admin, or a room the site makes with a provider
    (meetings/ knows each one; admin offers those configured in the environment)."""

    MANUAL = "manual", _("the join link typed below")
    BIGBLUEBUTTON = "bigbluebutton", _("BigBlueButton")
    JITSI = "jitsi", _("Jitsi Meet")
    ZOOM = "zoom", _("Zoom")


def meeting_provider_field() -> models.CharField:
    return models.CharField(
        _("meeting"),
        max_length=20,
        choices=MeetingProvider,
        default=MeetingProvider.MANUAL,
        help_text=_(
            "How registrants join: the join link typed below, or a room the site creates with "
            "a meeting service, each registrant getting a personal link. Only the services "
            "set up for this site are offered."
        ),
    )
