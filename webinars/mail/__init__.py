"""Mail to registrants, followers and organisers: recorded in one outbox (outbox), composed from
templates (compose), sent after commit or by `send_queued_mail` (worker).

Callers use these names; the modules behind them are the package's own business.
"""

from webinars.mail.claims import quick_commits
from webinars.mail.compose import personal_links
from webinars.mail.kinds import registrant_message_sample
from webinars.mail.outbox import (
    queue_cancelled,
    queue_composed,
    queue_declined,
    queue_details,
    queue_organiser_notice,
    queue_promoted,
    queue_registrant_message,
    queue_reminder,
    queue_webinar_changed,
    record,
    record_many,
)
from webinars.mail.worker import (
    Delivery,
    claim,
    claimable,
    deliver,
    deliver_pending,
    in_mail_thread,
    queue_flush,
    register_composer,
    register_due_recorder,
    retry_delay,
)

__all__ = [
    "Delivery",
    "claim",
    "claimable",
    "deliver",
    "deliver_pending",
    "in_mail_thread",
    "personal_links",
    "queue_composed",
    "record",
    "record_many",
    "register_composer",
    "register_due_recorder",
    "registrant_message_sample",
    "queue_cancelled",
    "queue_declined",
    "queue_details",
    "queue_flush",
    "queue_organiser_notice",
    "queue_promoted",
    "queue_registrant_message",
    "queue_reminder",
    "queue_webinar_changed",
    "quick_commits",
    "retry_delay",
]
