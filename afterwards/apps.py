from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AfterwardsConfig(AppConfig):
    name = "afterwards"
    verbose_name = _("After the webinar")

    def ready(self):
        # Django's place for connecting receivers: the app registry is ready only now.
        from afterwards import receivers  # noqa: F401
