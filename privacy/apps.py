from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self):
        # webinars' outbox learns how to compose the mail with a link to one's data (models are
        # importable only once the app registry is ready).
        from privacy.mail import link_message_for
        from webinars.mail import register_composer
        from webinars.models import PendingMail

        register_composer(PendingMail.Kind.DATA_REQUEST, link_message_for)
