"""Edits that change a webinar's calendar entry without touching the webinar row.

Calendar feeds answer conditional requests from the rows' `updated` times. A speaker's new
name, a speaker added to a webinar or a renamed organiser shows in the .ics (DESCRIPTION,
ORGANIZER) but leaves no time on the webinar, so those saves touch the webinars (or the
series) they belong to. SEQUENCE is untouched: it is for time, title and status.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from series.models import Organisation, Series, SeriesOrganisation
from webinars.models import Speaker, Webinar, WebinarSpeaker


def _touch_webinars(**lookup) -> None:
    Webinar.objects.filter(**lookup).update(updated=timezone.now())


def _touch_series(**lookup) -> None:
    Series.objects.filter(**lookup).update(updated=timezone.now())


@receiver(post_save, sender=Speaker, dispatch_uid="calendar_touch_on_speaker")
def speaker_saved(sender, instance: Speaker, raw: bool = False, **kwargs) -> None:
    if not raw:
        _touch_webinars(webinar_speakers__speaker=instance)


@receiver(post_save, sender=WebinarSpeaker, dispatch_uid="calendar_touch_on_webinar_speaker")
@receiver(post_delete, sender=WebinarSpeaker, dispatch_uid="calendar_touch_on_webinar_speaker_del")
def webinar_speaker_changed(sender, instance: WebinarSpeaker, raw: bool = False, **kwargs) -> None:
    if not raw:
        _touch_webinars(pk=instance.webinar_id)


@receiver(post_save, sender=Organisation, dispatch_uid="calendar_touch_on_organisation")
def organisation_saved(sender, instance: Organisation, raw: bool = False, **kwargs) -> None:
    if not raw:
        _touch_series(partners__organisation=instance)


@receiver(post_save, sender=SeriesOrganisation, dispatch_uid="calendar_touch_on_partner")
@receiver(post_delete, sender=SeriesOrganisation, dispatch_uid="calendar_touch_on_partner_del")
def partner_changed(sender, instance: SeriesOrganisation, raw: bool = False, **kwargs) -> None:
    if not raw:
        _touch_series(pk=instance.series_id)
