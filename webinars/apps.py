from django.apps import AppConfig


class WebinarsConfig(AppConfig):
    name = "webinars"
    verbose_name = "Webinars"

    def ready(self):
        from webinars import (  # noqa: F401 (connects the receivers)
            calendar_signals,
            registration_signals,
        )

        # Saves and deletes of anything public pages show forget the cached pages.
        from webinars.cache import connect_signals

        connect_signals()
