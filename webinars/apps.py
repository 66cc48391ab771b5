from django.apps import AppConfig


class WebinarsConfig(AppConfig):
    name = "webinars"
    verbose_name = "Webinars"

    def ready(self):
        from webinars import registration_signals  # noqa: F401 (connects the receivers)
