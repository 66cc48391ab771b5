"""Writes with side effects, one module per area; callers import them from here."""

from webinars.services.approval import (
    ApprovalOutcome,
    registrations_approve,
    registrations_decline,
)
from webinars.services.messages import (
    message_send,
    messages_queue_due,
    reminders_send_due,
)
from webinars.services.privacy import (
    Erasure,
    registrations_anonymise,
    registrations_erase,
    registrations_purge,
    registrations_purge_unconfirmed,
)
from webinars.services.registrations import (
    AddressConfirmation,
    registration_cancel,
    registration_confirm_address,
    registration_create,
    registration_record_attendance,
    registrations_mark_attended,
)
from webinars.services.runs import (
    PlannedWebinar,
    next_number,
    webinar_run_create,
)
from webinars.services.seats import (
    RegistrationError,
    RegistrationOutcome,
    normalise_email,
    webinar_fill_seats,
)
from webinars.services.webinars import (
    webinar_duplicate,
    webinar_notify_registrants,
    webinar_publish,
    webinar_save,
)

__all__ = [
    "AddressConfirmation",
    "ApprovalOutcome",
    "Erasure",
    "RegistrationError",
    "PlannedWebinar",
    "RegistrationOutcome",
    "message_send",
    "messages_queue_due",
    "next_number",
    "normalise_email",
    "registration_cancel",
    "registration_confirm_address",
    "registration_create",
    "registration_record_attendance",
    "registrations_mark_attended",
    "registrations_anonymise",
    "registrations_approve",
    "registrations_decline",
    "registrations_erase",
    "registrations_purge",
    "registrations_purge_unconfirmed",
    "reminders_send_due",
    "webinar_duplicate",
    "webinar_fill_seats",
    "webinar_notify_registrants",
    "webinar_publish",
    "webinar_run_create",
    "webinar_save",
]
