from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AfterwardsConfig(AppConfig):
    name = "afterwards"
    verbose_name = _("After the webinar")
