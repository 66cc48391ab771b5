"""The webinar: its times, zone, seats, state and calendar identity."""

import functools
import uuid
import zoneinfo
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.reminders import RemindersError, parse_reminders
from series.models import Series, reminders_field
from series.paths import slug_path
from webinars.changes import MOVE_NOTICE_THRESHOLD, WebinarChanges
from webinars.models.meeting import meeting_provider_field
from webinars.models.querysets import WebinarQuerySet
from webinars.models.speakers import SPEAKER_ROWS, WebinarSpeaker
from webinars.models.validators import (
    EARLIEST_MOMENT,
    LATEST_MOMENT,
    TIME_ZONE_PATTERN,
    default_time_zone,
    validate_time_zone,
    validate_webinar_moment,
)
from webinars.rules import registration


def _zone(key: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(key)


@functools.lru_cache(maxsize=4096)
def _in_zone(instant: datetime, key: str) -> datetime:
    # A page shows each start and end several times (date block, time, <time datetime>);
    # datetimes are immutable, so the converted value can be shared.
    return instant.astimezone(_zone(key))


def _in_each_language(names):
    """save(update_fields=["title"]) writes the title's column of each language too."""
    return [f"{name}_{code}" for name in names for code in settings.MODELTRANSLATION_LANGUAGES]


class Audience(models.TextChoices):
    """Who may see something shown after a webinar: anyone, or its registrants on their own page."""

    PUBLIC = "public", _("everyone (public page)")
    REGISTRANTS = "registrants", _("registrants only (their own page)")


class Webinar(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        CANCELLED = "cancelled", _("cancelled")

    series = models.ForeignKey(
        Series,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="webinars",
        help_text=_("Leave empty for a stand-alone webinar."),
    )
    number = models.PositiveSmallIntegerField(
        _("number in the series"),
        null=True,
        blank=True,
        help_text=_("Shown as 'Webinar 2'. Leave empty for a stand-alone webinar."),
    )
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_("The last part of the webinar's web address. Letters, digits and hyphens."),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("Markdown: **bold**, *italic*, [link](https://...), blank line = paragraph."),
    )
    start = models.DateTimeField(
        _("start"),
        help_text=_("Entered and shown in the webinar's time zone below."),
        validators=[validate_webinar_moment],
    )
    end = models.DateTimeField(_("end"), validators=[validate_webinar_moment])
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_("IANA name, e.g. Europe/Brussels. Times are shown to visitors in this zone."),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Seats for confirmed registrants. Leave empty for unlimited."),
    )
    registration_closes = models.DateTimeField(
        _("registration closes"),
        null=True,
        blank=True,
        validators=[validate_webinar_moment],
        help_text=_("Optional. Registration always closes at the start at the latest."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.SCHEDULED)
    is_published = models.BooleanField(
        _("published"),
        default=True,
        help_text=_("Unpublished webinars are hidden from visitors; staff can still preview them."),
    )
    requires_approval = models.BooleanField(
        _("registrations need approval"),
        default=False,
        help_text=_(
            "Each registration waits, without a seat or the join link, until an organiser "
            "approves it in admin (Registrations: approve or decline)."
        ),
    )
    confirm_email = models.BooleanField(
        _("registrants confirm their address"),
        default=False,
        help_text=_(
            "A registration is held, without a seat, until its address is confirmed through a "
            "link we mail; unconfirmed holds expire. (On for every webinar when the site sets "
            "REGISTRATION_CONFIRM_EMAIL.)"
        ),
    )
    show_registered_count = models.BooleanField(
        _("show how many registered"),
        default=False,
        help_text=_("The page says how many people have a confirmed seat, e.g. '42 registered'."),
    )
    reminders = reminders_field(
        _(
            "When to remind registrants, before the start: e.g. '1d, 1h' (days, hours, "
            "minutes such as 1h30m, separated by commas), or 'none'. Empty: the series' "
            "reminders, else the site's default (REMINDERS)."
        )
    )
    location = models.CharField(
        _("venue"),
        max_length=300,
        blank=True,
        help_text=_("Leave empty for an online webinar; otherwise the venue's name and address."),
    )
    event_url = models.URLField(
        _("event website"), blank=True, help_text=_("Public page about the event, if any.")
    )
    join_url = models.URLField(
        _("join link"),
        blank=True,
        help_text=_(
            "Private meeting link, only ever given to confirmed registrants. "
            "You can change it at any time: registrants' personal join links follow it."
        ),
    )
    meeting_provider = meeting_provider_field()
    recording_url = models.URLField(
        _("recording"),
        blank=True,
        help_text=_(
            "Address of the recording, shown once the webinar is over. A YouTube or Vimeo "
            "address gets a player that loads only when the visitor presses play."
        ),
    )
    recording_audience = models.CharField(
        _("recording is for"), max_length=20, choices=Audience, default=Audience.PUBLIC
    )
    summary = models.TextField(
        _("summary"),
        blank=True,
        help_text=_("A few lines on what was said, shown once the webinar is over. Markdown."),
    )
    summary_audience = models.CharField(
        _("summary is for"), max_length=20, choices=Audience, default=Audience.PUBLIC
    )
    uid = models.UUIDField(_("calendar UID"), default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(
        _("calendar sequence"),
        default=0,
        editable=False,
        help_text=_("Grows whenever the time, title or status changes, so calendars update."),
    )
    previous_start = models.DateTimeField(
        _("previous start"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Where the start was before it last moved: search engines show the move."),
    )
    cover_image = models.ImageField(
        _("cover image"),
        upload_to="webinars/covers/",
        blank=True,
        help_text=_(
            "Optional. The picture shown when the webinar is shared and in lists (about "
            "1200 x 630 pixels, PNG or JPEG; cropped to that shape). Empty: the series' cover, "
            "or one drawn from the title, date and speakers."
        ),
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = WebinarQuerySet.as_manager()

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("webinar")
        verbose_name_plural = _("webinars")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="webinar_end_after_start"
            ),
            # The end is after the start, so this bounds both of them in both directions.
            models.CheckConstraint(
                condition=Q(start__gte=EARLIEST_MOMENT, end__lt=LATEST_MOMENT)
                & (
                    Q(registration_closes__isnull=True)
                    | Q(
                        registration_closes__gte=EARLIEST_MOMENT,
                        registration_closes__lt=LATEST_MOMENT,
                    )
                ),
                name="webinar_dates_in_range",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gt=0),
                name="webinar_capacity_positive",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["scheduled", "cancelled"]), name="webinar_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(time_zone__regex=TIME_ZONE_PATTERN), name="webinar_time_zone_valid"
            ),
        ]
        # Lists are ordered by (start, id) and filtered on end/is_published row by row: an index
        # in that order lets a page read 20 rows instead of sorting every webinar.
        indexes = [models.Index(fields=["start", "id"], name="webinar_start_id_idx")]

    def __str__(self):
        return self.title

    # Changes to these make calendar clients replace their copy (RFC 5545 SEQUENCE).
    # The title in each language (its columns, webinars/translation.py): a calendar file is
    # served in both, so either one changing is a change.
    CALENDAR_FIELDS = ("start", "end", "time_zone", "title_en", "title_nl", "status", "location")

    # What the last save() of this instance changed (WebinarChanges), for the service that
    # tells people about it (services.webinar_save); None before any save.
    last_changes = None

    def save(self, *args, **kwargs):
        """Saves; bumps `sequence` when the time, title, status or venue changed, keeps the
        start it moved from, and records what changed in `last_changes`.

        Mails nobody: a save from the shell, a data fix or a migration is not news. The
        actions that mean a change (services.webinar_save, which admin calls) tell
        registrants and followers. Loading fixtures saves raw (save_base), without any of this.
        """
        update_fields = kwargs.get("update_fields")
        created = self._state.adding
        changes = (
            WebinarChanges(created=True, published=self.is_published)
            if created
            else self._changes_to_save(update_fields)
        )
        if changes.previous_start is not None:
            self.previous_start = changes.previous_start
            if update_fields is not None and "previous_start" not in update_fields:
                kwargs["update_fields"] = update_fields = [*update_fields, "previous_start"]
        if changes.calendar_fields_changed:
            self.sequence += 1
            if update_fields is not None and "sequence" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "sequence"]
        super().save(*args, **kwargs)
        self.last_changes = changes

    def get_absolute_url(self):
        return slug_path("webinars:detail", self.slug)

    def _changes_to_save(self, update_fields) -> WebinarChanges:
        """This save's changes, against the row in the database (not as loaded: a refresh, an
        earlier save or another process may have changed it since)."""
        # Deferred fields are left out: save() does not write them, and getattr would load each.
        watched = (*self.CALENDAR_FIELDS, "is_published")
        saved = (
            watched
            if update_fields is None
            else {*update_fields, *_in_each_language(update_fields)}
        )
        names = [name for name in watched if name in saved and name in self.__dict__]
        before = Webinar._base_manager.filter(pk=self.pk).values(*names).first() if names else None
        if not before:
            return WebinarChanges()
        after = {name: getattr(self, name) for name in names}
        changed = frozenset(name for name in names if before[name] != after[name])
        started_elsewhere = (
            "start" in before and abs(before["start"] - after["start"]) >= MOVE_NOTICE_THRESHOLD
        )
        return WebinarChanges(
            moved=any(
                abs(before[name] - after[name]) >= MOVE_NOTICE_THRESHOLD
                for name in ("start", "end")
                if name in before
            ),
            previous_start=before["start"] if started_elsewhere else None,
            cancelled="status" in before
            and before["status"] != self.Status.CANCELLED
            and after["status"] == self.Status.CANCELLED,
            calendar_fields_changed=bool(changed.intersection(self.CALENDAR_FIELDS)),
            changed_fields=changed,
            published="is_published" in before
            and not before["is_published"]
            and after["is_published"],
        )

    def clean(self):
        super().clean()
        if self.start and self.end and self.end <= self.start:
            raise ValidationError(
                {"end": _("The end must be after the start.")}, code="end_before_start"
            )
        if self.capacity == 0:
            raise ValidationError(
                {"capacity": _("Capacity must be at least 1, or empty for unlimited.")},
                code="capacity",
            )

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return _zone(self.time_zone)

    @property
    def local_start(self) -> datetime:
        return _in_zone(self.start, self.time_zone)

    @property
    def local_end(self) -> datetime:
        return _in_zone(self.end, self.time_zone)

    @property
    def is_online(self) -> bool:
        return not self.location

    @property
    def has_public_recording(self) -> bool:
        return bool(self.recording_url) and self.recording_audience == Audience.PUBLIC

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def closes_at(self) -> datetime:
        return registration.closes_at(self)

    def is_registration_open(self, now: datetime | None = None) -> bool:
        """Open as scheduled: publication aside, so staff preview an unpublished webinar's
        form as visitors will see it."""
        return registration.is_open_as_scheduled(self, now or timezone.now())

    @property
    def needs_address_confirmation(self) -> bool:
        return self.confirm_email or settings.REGISTRATION_CONFIRM_EMAIL

    def reminder_leads(self) -> tuple[int, ...]:
        """Minutes before the start to remind registrants: this webinar's, else its
        series', else the site's (settings.REMINDERS), longest first."""
        for text in (self.reminders, self.series.reminders if self.series else ""):
            if text.strip():
                try:
                    return parse_reminders(text)
                except RemindersError:
                    # Saved around the form's validation: the next level's leads, not none.
                    continue
        return parse_reminders(settings.REMINDERS)

    def speakers_by_role(self, role: str) -> list["WebinarSpeaker"]:
        # Iterates the prefetched rows (speakers_prefetch), so lists stay at a fixed query count.
        rows = self.__dict__.get(SPEAKER_ROWS)
        if rows is None:
            rows = self.webinar_speakers.all()
        return [ws for ws in rows if ws.role == role]

    @property
    def speakers(self) -> list["WebinarSpeaker"]:
        return self.speakers_by_role(WebinarSpeaker.Role.SPEAKER)

    @property
    def moderators(self) -> list["WebinarSpeaker"]:
        return self.speakers_by_role(WebinarSpeaker.Role.MODERATOR)
