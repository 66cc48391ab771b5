from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AfterwardsConfig(AppConfig):
    name = "afterwards"
    verbose_name = _("After the webinar")

    def ready(self):
        # Django's place for connecting receivers and registering with other apps: models can
        # be imported only once the app registry is ready. webinars' outbox learns how to record
        # and compose follow-ups.
        from afterwards import mail, receivers  # noqa: F401 (receivers connects itself)
        from webinars.mail import register_composer, register_due_recorder
        from webinars.models import PendingMail

        register_composer(PendingMail.Kind.FOLLOW_UP, mail.follow_up_for)
        register_due_recorder(mail.record_due)
