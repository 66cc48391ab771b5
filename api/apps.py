from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API")

    def ready(self):
        # The organisers' operations join the public API's NinjaAPI (one schema); their
        # module needs the models, ready only now.
        from api import organisers  # noqa: F401 (registers the operations)
