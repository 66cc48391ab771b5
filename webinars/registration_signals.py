"""Saving a webinar (admin, ORM, fixtures excepted) fills free seats from the waiting list,
and tells registrants when it is cancelled or moved to another time.

The contract says an ORM save triggers what an admin save triggers, so raising the capacity
anywhere promotes as many waiting registrants as now fit; the rule itself is
services.webinar_fill_seats.
"""

from datetime import timedelta

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from webinars.models import Webinar


@receiver(pre_save, sender=Webinar, dispatch_uid="webinar_note_changes_for_registrants")
def note_changes_for_registrants(sender, instance: Webinar, raw: bool, **kwargs) -> None:
    # The values as loaded are only known before save() remembers the new ones.
    before = getattr(instance, "_calendar_values", None)
    instance._registrant_change = None
    if raw or instance._state.adding or not before:
        return
    if before.get("status") != Webinar.Status.CANCELLED and instance.is_cancelled:
        instance._registrant_change = "cancelled"
    elif not instance.is_cancelled and any(
        name in before and abs(before[name] - getattr(instance, name)) >= timedelta(minutes=1)
        for name in ("start", "end")
    ):
        instance._registrant_change = "rescheduled"


@receiver(post_save, sender=Webinar, dispatch_uid="webinar_notify_registrants_on_save")
def notify_registrants_on_save(sender, instance: Webinar, raw: bool, **kwargs) -> None:
    change = getattr(instance, "_registrant_change", None)
    if raw or not change or instance.end < timezone.now():
        return
    from webinars.services import webinar_notify_registrants

    webinar_notify_registrants(webinar=instance, change=change)


@receiver(post_save, sender=Webinar, dispatch_uid="webinar_fill_seats_on_save")
def fill_seats_on_save(sender, instance: Webinar, created: bool, raw: bool, **kwargs) -> None:
    if raw or created:
        return
    from webinars.services import webinar_fill_seats

    if instance.registrations.waitlisted().exists():
        webinar_fill_seats(webinar=instance)
