"""Mail to registrants and organisers: recorded as intents (outbox), composed from templates
(compose), delivered after commit or by `send_queued_mail` (worker).

Callers use these names; the modules behind them are the package's own business.
"""

from webinars.mail.compose import personal_links, registrant_message_sample
from webinars.mail.outbox import (
    queue_cancelled,
    queue_declined,
    queue_details,
    queue_organiser_notice,
    queue_promoted,
    queue_registrant_message,
    queue_reminder,
    queue_webinar_changed,
)
from webinars.mail.worker import (
    Delivery,
    deliver,
    deliver_pending,
    given_up_messages,
    max_retries,
    queue_composed,
    queue_flush,
    requeue_due,
    retry_delay,
)

__all__ = [
    "Delivery",
    "deliver",
    "deliver_pending",
    "given_up_messages",
    "max_retries",
    "personal_links",
    "queue_composed",
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
    "requeue_due",
    "retry_delay",
]
