"""A webinar's room with its meeting provider, and the remote calls waiting for the worker.

Kept apart from Webinar, one row per webinar, so that no page about webinars ever loads it.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from webinars.models import Registration, Webinar


class MeetingRoom(models.Model):
    webinar = models.OneToOneField(
        Webinar, on_delete=models.CASCADE, related_name="meeting_room", verbose_name=_("webinar")
    )
    # The provider this room was made with: a webinar switched to another one gets a new room.
    provider = models.CharField(_("meeting service"), max_length=20)
    # The provider's name for the room (BigBlueButton's meetingID, Jitsi's room name, Zoom's
    # meeting id). Private: it never reaches a page other than the registrant's redirect.
    room_id = models.CharField(_("room"), max_length=200, blank=True)
    # Whatever else the provider keeps about the room (e.g. Zoom's per-registrant links).
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("room created"), null=True, blank=True)
    ended_at = models.DateTimeField(_("meeting ended"), null=True, blank=True)
    last_callback_at = models.DateTimeField(_("last callback"), null=True, blank=True)
    last_callback = models.CharField(_("last callback kind"), max_length=40, blank=True)
    attendance_received_at = models.DateTimeField(_("attendance received"), null=True, blank=True)
    recording_received_at = models.DateTimeField(_("recording received"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)

    class Meta:
        verbose_name = _("meeting room")
        verbose_name_plural = _("meeting rooms")

    def __str__(self):
        return f"{self.provider}: {self.webinar}"


class MeetingJob(models.Model):
    """A remote call that no visitor waits for (create ahead, update after a move, end after a
    cancellation, fetch the recording), run by the mail worker's passes and retried with the
    mail's growing delays (webinars.mail.retry_delay) until MAIL_MAX_ATTEMPTS."""

    class Action(models.TextChoices):
        SYNC = "sync", _("bring the meeting in line with the webinar")
        RECORDINGS = "recordings", _("fetch the recording")
        REGISTRANTS = "registrants", _("register the registrants with the meeting service")

    webinar = models.ForeignKey(Webinar, on_delete=models.CASCADE, related_name="meeting_jobs")
    action = models.CharField(max_length=20, choices=Action)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    failed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["webinar", "action"], name="meeting_job_once")
        ]
        indexes = [models.Index(fields=["failed", "next_attempt_at"], name="meeting_job_due_idx")]

    def __str__(self):
        return f"{self.action}: {self.webinar_id}"


class MeetingRegistrant(models.Model):
    """A registrant as a provider that registers people itself (Zoom) knows them: their id
    there and their personal join address. Private: only their own join redirect reads it."""

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="meeting_registrant"
    )
    # The remote meeting they were registered with: a meeting made anew needs them again.
    room_id = models.CharField(max_length=200)
    remote_id = models.CharField(max_length=200, blank=True)
    join_url = models.TextField(blank=True)
    added_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.room_id}: {self.registration_id}"
