from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

from webinars.signals import registrations_anonymised, webinar_saved


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        # Django's place for connecting receivers and registering with other apps: models can
        # be imported only once the app registry is ready. An organiser's change schedules the
        # remote meeting's update, a registration's change the registrants' (Zoom); each pass
        # of the mail worker runs what is due.
        from meetings import jobs
        from webinars.mail import register_due_recorder
        from webinars.models import Registration

        webinar_saved.connect(jobs.on_webinar_saved, dispatch_uid="meetings.webinar_saved")
        register_due_recorder(jobs.run_due)
        post_save.connect(
            jobs.on_registration_saved, sender=Registration, dispatch_uid="meetings.registration"
        )
        registrations_anonymised.connect(
            jobs.on_registrations_anonymised, dispatch_uid="meetings.anonymised"
        )
