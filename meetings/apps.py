from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from webinars.signals import webinar_saved


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        # Django's place for connecting receivers and registering with other apps: models can
        # be imported only once the app registry is ready. An organiser's change schedules the
        # remote meeting's update; each pass of the mail worker runs what is due.
        from meetings import jobs
        from webinars.mail import register_due_recorder

        webinar_saved.connect(jobs.on_webinar_saved, dispatch_uid="meetings.webinar_saved")
        register_due_recorder(jobs.run_due)
