from django.apps import AppConfig


class WebinarsConfig(AppConfig):
    name = "webinars"
    verbose_name = "Webinars"

    def ready(self):
        from webinars import calendar_signals  # noqa: F401 (connects the receivers)

        # Saves and deletes of anything public pages show forget the cached pages.
        from webinars.cache import connect_signals

        connect_signals()
