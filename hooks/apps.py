from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class HooksConfig(AppConfig):
    name = "hooks"
    verbose_name = _("Webhooks")

    def ready(self):
        # Django's place for connecting receivers and registering with other apps: models can
        # be imported only once the app registry is ready. The services of webinars and
        # following announce their changes; the mail worker's pass sends the deliveries.
        from following import signals as following_signals
        from hooks import recording, worker
        from hooks.models import WebhookEndpoint
        from webinars import signals
        from webinars.mail import register_due_recorder

        connections = [
            (signals.registrations_changed, recording.on_registrations_changed),
            (signals.webinar_published, recording.on_webinar_published),
            (signals.webinar_saved, recording.on_webinar_changed),
            (signals.registrations_anonymised, recording.on_registrations_anonymised),
            (following_signals.follower_confirmed, recording.on_follower_confirmed),
            (following_signals.follower_unsubscribed, recording.on_follower_unsubscribed),
        ]
        for signal, receiver in connections:
            signal.connect(receiver, dispatch_uid=f"hooks.{receiver.__name__}")
        for signal in (post_save, post_delete):
            # Its own model: the cached list of endpoints is forgotten on every change.
            signal.connect(
                recording.forget_endpoints, sender=WebhookEndpoint, dispatch_uid="hooks.forget"
            )
        register_due_recorder(worker.run_pass)
