from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self):
        # The organisers' operations join the public API's NinjaAPI (one schema); their
        # module needs the models, ready only now.
        from api import organisers  # noqa: F401 (registers the operations)
