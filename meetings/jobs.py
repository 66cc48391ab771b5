"""Remote calls no visitor waits for, run from the mail worker (`send_queued_mail`).

An organiser's change (services.webinar_save sends `webinar_saved`) schedules a SYNC of the
webinar's meeting; a provider's "meeting ended" callback schedules a RECORDINGS pass. One
MeetingJob row per webinar and action: scheduling again resets it. Each pass of the worker runs
the due rows (register_due_recorder), each claimed by moving its time forward first, so two
workers never run one job at once; a failure waits the mail's growing delays
(webinars.mail.retry_delay) and is given up after MAIL_MAX_ATTEMPTS, the error on the webinar's
admin page either way.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from meetings import services
from meetings.models import MeetingJob, MeetingRegistrant, MeetingRoom
from meetings.registry import people_registering_providers, provider_for
from meetings.remote import ProviderError
from webinars.mail import retry_delay
from webinars.models import Registration, Webinar

logger = logging.getLogger(__name__)

# How long a claimed job is left to its worker before another may take it (a killed worker).
CLAIM = timedelta(minutes=5)
# At most this many remote calls per pass: the pass also sends the mail.
PER_PASS = 20


def schedule(webinar: Webinar, action: str, now: datetime | None = None) -> None:
    now = now or timezone.now()
    MeetingJob.objects.update_or_create(
        webinar=webinar,
        action=action,
        defaults={"attempts": 0, "next_attempt_at": now, "failed": False, "last_error": ""},
    )


def on_webinar_saved(sender, webinar: Webinar, changes, now: datetime, **kwargs) -> None:
    """An organiser created, moved, renamed or cancelled a webinar with a provider, or chose
    the provider: its remote meeting follows, from the worker (a provider with nothing to do
    ahead, such as BigBlueButton before the first join, does nothing)."""
    if not services.uses_provider(webinar):
        return
    room = MeetingRoom.objects.filter(webinar=webinar).only("provider").first()
    chosen = room is None or room.provider != webinar.meeting_provider
    changed = changes.moved or changes.cancelled or changes.calendar_fields_changed
    if changes.created or chosen or changed:
        schedule(webinar, MeetingJob.Action.SYNC, now)


def _sync(webinar: Webinar, now: datetime) -> None:
    provider = provider_for(webinar.meeting_provider)
    if provider is None:
        return  # manual again, or the provider is no longer set up: nothing to keep in step
    room = services.room_for(webinar)
    provider.sync(room, webinar, now)
    room.save(update_fields=["room_id", "data", "created_at", "ended_at"])


def _recordings(webinar: Webinar, now: datetime) -> None:
    provider = provider_for(webinar.meeting_provider)
    if provider is None:
        return
    url = provider.fetch_recording(services.room_for(webinar), webinar, now)
    if not url:
        raise ProviderError("the recording is not ready yet")
    services.recording_received(webinar, url, now)


def _registrants(webinar: Webinar, now: datetime) -> None:
    provider = provider_for(webinar.meeting_provider)
    if provider is None or not provider.registers_people:
        return
    room = services.room_for(webinar)
    provider.sync_registrants(room, webinar, now)
    room.save(update_fields=["room_id", "data", "created_at", "ended_at"])


ACTIONS = {
    MeetingJob.Action.SYNC: _sync,
    MeetingJob.Action.RECORDINGS: _recordings,
    MeetingJob.Action.REGISTRANTS: _registrants,
}


def on_registration_saved(sender, instance: Registration, created, update_fields, **kwargs):
    """A registration was made, confirmed or cancelled (every such change is a save through
    webinars.services): a provider that registers people hears of it from the worker. No query
    unless such a provider is set up, so other sites pay nothing."""
    names = people_registering_providers()
    if not names or (update_fields is not None and "status" not in update_fields):
        return
    if Registration.webinar.is_cached(instance):
        webinar = instance.webinar
    else:
        webinar = Webinar.objects.filter(pk=instance.webinar_id).first()
    if webinar is not None and webinar.meeting_provider in names:
        schedule(webinar, MeetingJob.Action.REGISTRANTS)


def run_job(job: MeetingJob, now: datetime) -> bool:
    """Run one claimed job; True when it is done (and deleted)."""
    try:
        ACTIONS[job.action](job.webinar, now)
    except Exception as error:  # noqa: BLE001 (a provider's surprise is retried like a failure)
        if not isinstance(error, ProviderError):
            logger.exception("Meeting job %s (%s) failed", job.pk, job.action)
        job.attempts += 1
        job.last_error = str(error)[:2000]
        job.failed = job.attempts >= settings.MAIL_MAX_ATTEMPTS
        job.next_attempt_at = now + retry_delay(job.attempts - 1)
        job.save(update_fields=["attempts", "last_error", "failed", "next_attempt_at"])
        services.note_error(services.room_for(job.webinar), error, now)
        return False
    MeetingJob.objects.filter(pk=job.pk, attempts=job.attempts).delete()
    return True


def _claim(job: MeetingJob, now: datetime) -> bool:
    """Claimed by moving its time forward; another worker that read it too claims nothing."""
    return bool(
        MeetingJob.objects.filter(
            pk=job.pk, next_attempt_at=job.next_attempt_at, attempts=job.attempts
        ).update(next_attempt_at=now + CLAIM)
    )


def run_due(now: datetime | None = None) -> int:
    """One pass: run the due jobs (a few at most); returns how many were done."""
    now = now or timezone.now()
    due = MeetingJob.objects.filter(failed=False, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "pk"
    )
    done = 0
    for job in due.select_related("webinar")[:PER_PASS]:
        if _claim(job, now):
            done += run_job(job, now)
    return done


def run_now(webinar_pk: int) -> int:
    """Run the webinar's due jobs at once (from the mail thread, after a callback's answer)."""
    now = timezone.now()
    done = 0
    for job in MeetingJob.objects.filter(
        webinar_id=webinar_pk, failed=False, next_attempt_at__lte=now
    ).select_related("webinar"):
        if _claim(job, now):
            done += run_job(job, now)
    return done


def on_registrations_anonymised(sender, ids, **kwargs) -> None:
    """Anonymised registrants' personal join addresses at a provider go with their names."""
    MeetingRegistrant.objects.filter(registration_id__in=ids).delete()
