"""What this app does when the webinars app announces a change it must follow."""

from django.dispatch import receiver

from afterwards.models import Feedback
from webinars.models import Registration
from webinars.signals import registrations_anonymised


@receiver(registrations_anonymised, sender=Registration)
def forget_feedback_comments(sender, ids, **kwargs) -> None:
    # A rating stays in the figures; a comment may say who wrote it.
    Feedback.objects.filter(registration_id__in=ids).update(comment="")
