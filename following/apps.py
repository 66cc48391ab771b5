from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from webinars.signals import webinar_published


class FollowingConfig(AppConfig):
    name = "following"
    verbose_name = _("Followers of series")

    def ready(self):
        # Imported here: the services import models, which Django loads only once apps are ready.
        from following.services import on_webinar_published

        webinar_published.connect(on_webinar_published, dispatch_uid="following.webinar_published")
