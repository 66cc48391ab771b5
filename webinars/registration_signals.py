"""Saving a webinar (admin, ORM, fixtures excepted) fills free seats from the waiting list.

The contract says an ORM save triggers what an admin save triggers, so raising the capacity
anywhere promotes as many waiting registrants as now fit; the rule itself is
services.webinar_fill_seats.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from webinars.models import Webinar


@receiver(post_save, sender=Webinar, dispatch_uid="webinar_fill_seats_on_save")
def fill_seats_on_save(sender, instance: Webinar, created: bool, raw: bool, **kwargs) -> None:
    if raw or created:
        return
    from webinars.services import webinar_fill_seats

    if instance.registrations.waitlisted().exists():
        webinar_fill_seats(webinar=instance)
