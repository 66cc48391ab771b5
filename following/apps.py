from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from webinars.signals import webinar_published


class FollowingConfig(AppConfig):
    name = "following"
    verbose_name = _("Followers of series")

    def ready(self):
        # Django's place for connecting receivers and registering with other apps: models can
        # be imported only once the app registry is ready. webinars' outbox learns how to
        # compose followers' mail.
        from following import mail
        from following.services import on_webinar_published
        from webinars.mail import register_composer
        from webinars.models import PendingMail

        webinar_published.connect(on_webinar_published, dispatch_uid="following.webinar_published")
        register_composer(PendingMail.Kind.FOLLOW_CONFIRM, mail.confirmation_for)
        register_composer(PendingMail.Kind.FOLLOW_NOTICE, mail.notice_for)
