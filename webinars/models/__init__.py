"""The webinars app's models, one module per area; imported from here by the rest of the code."""

from webinars.models.meeting import MeetingProvider
from webinars.models.messages import MessageDelivery, RegistrantMessage
from webinars.models.outbox import PendingMail, PendingMailQuerySet
from webinars.models.querysets import LIST_ITEM_FIELDS, WebinarQuerySet, registration_count
from webinars.models.registrations import (
    Answer,
    Question,
    QuestionQuerySet,
    Registration,
    RegistrationQuerySet,
    ReminderSent,
    answer_text,
)
from webinars.models.site import (
    SITE_SETTINGS_CACHE_KEY,
    ContentGeneration,
    SiteSettings,
    content_generation,
    known_site_settings_version,
    renew_content_generation,
)
from webinars.models.speakers import SPEAKER_ROWS, Speaker, WebinarSpeaker, speakers_prefetch
from webinars.models.validators import (
    EARLIEST_MOMENT,
    LATEST_MOMENT,
    TIME_ZONE_PATTERN,
    available_time_zones,
    default_time_zone,
    new_token,
    validate_time_zone,
    validate_webinar_moment,
)
from webinars.models.webinar import Audience, Webinar

__all__ = [
    "EARLIEST_MOMENT",
    "LATEST_MOMENT",
    "LIST_ITEM_FIELDS",
    "SITE_SETTINGS_CACHE_KEY",
    "SPEAKER_ROWS",
    "TIME_ZONE_PATTERN",
    "Answer",
    "Audience",
    "MeetingProvider",
    "ContentGeneration",
    "MessageDelivery",
    "PendingMail",
    "PendingMailQuerySet",
    "Question",
    "QuestionQuerySet",
    "RegistrantMessage",
    "Registration",
    "RegistrationQuerySet",
    "ReminderSent",
    "SiteSettings",
    "Speaker",
    "Webinar",
    "WebinarQuerySet",
    "WebinarSpeaker",
    "answer_text",
    "available_time_zones",
    "content_generation",
    "default_time_zone",
    "known_site_settings_version",
    "new_token",
    "renew_content_generation",
    "registration_count",
    "speakers_prefetch",
    "validate_time_zone",
    "validate_webinar_moment",
]
