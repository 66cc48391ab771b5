from django.apps import AppConfig


class WebinarsConfig(AppConfig):
    name = "webinars"
    verbose_name = "Webinars"

    def ready(self):
        # Django's place for connecting receivers and checks: the app registry is ready only now.
        from webinars import (
            calendar_signals,  # noqa: F401 (connects the receivers)
            checks,  # noqa: F401 (registers the system checks)
        )

        # Saves and deletes of anything public pages show forget the cached pages.
        from webinars.cache import connect_signals

        connect_signals()

        # Sends to many people are queued by the mail worker, in batches, at each pass.
        from webinars.mail import register_due_recorder
        from webinars.services import messages_queue_due

        register_due_recorder(messages_queue_due)
