from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowingConfig(AppConfig):
    name = "following"
    verbose_name = _("Followers of series")

    def ready(self):
        # Imported here because a module with models cannot be imported before the app
        # registry is ready; webinars' outbox learns how to compose followers' mail.
        from following import mail
        from webinars.mail import register_composer
        from webinars.models import PendingMail

        register_composer(PendingMail.Kind.FOLLOW_CONFIRM, mail.confirmation_for)
        register_composer(PendingMail.Kind.FOLLOW_NOTICE, mail.notice_for)
