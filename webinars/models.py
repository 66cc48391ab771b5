"""Webinars, their speakers and registrations."""

import contextlib
import functools
import logging
import secrets
import uuid
import zoneinfo
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.reminders import RemindersError, parse_reminders
from series.models import Series, SeriesOrganisation, reminders_field
from series.paths import slug_path
from webinars import theme
from webinars.changes import MOVE_NOTICE_THRESHOLD, WebinarChanges

logger = logging.getLogger(__name__)

# The shape of an IANA zone name ("UTC", "Europe/Brussels", "America/Argentina/Buenos_Aires",
# "Etc/GMT+5"), checked by the database; the exact list is checked by validate_time_zone.
TIME_ZONE_PATTERN = r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$"

# Webinars happen in these years. Far outside them a date is a typo, and one that breaks pages:
# year 1 is stored as BC on PostgreSQL and cannot be read back, years near 9999 overflow the
# time zone rules of calendar files. The database refuses them too (webinar_dates_in_range).
EARLIEST_MOMENT = datetime(1990, 1, 1, tzinfo=UTC)
LATEST_MOMENT = datetime(2100, 1, 1, tzinfo=UTC)


def validate_webinar_moment(value: datetime) -> None:
    """Refuses a start, end or closing time outside the years EARLIEST_MOMENT..LATEST_MOMENT."""
    if value is not None and not EARLIEST_MOMENT <= value < LATEST_MOMENT:
        raise ValidationError(
            _("Please enter a date between %(first)s and %(last)s."),
            code="date_out_of_range",
            params={"first": EARLIEST_MOMENT.year, "last": LATEST_MOMENT.year - 1},
        )


@functools.cache
def available_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() - {"Factory", "localtime", "posixrules"})


def validate_time_zone(value: str) -> None:
    if value not in available_time_zones():
        raise ValidationError(
            _("%(value)s is not a known time zone; use a name like Europe/Brussels."),
            code="invalid_time_zone",
            params={"value": value},
        )


def default_time_zone() -> str:
    return settings.TIME_ZONE


def new_token() -> str:
    # 32 random bytes = 256 bits: far beyond guessing.
    return secrets.token_urlsafe(32)


class Speaker(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    affiliation = models.CharField(
        _("affiliation"), max_length=200, blank=True, help_text=_("e.g. 'KU Leuven'.")
    )
    bio = models.TextField(_("biography"), blank=True, help_text=_("Markdown."))
    photo = models.ImageField(
        _("photo"), upload_to="speakers/", blank=True, help_text=_("Optional portrait.")
    )
    url = models.URLField(_("website"), blank=True)
    # What the public API's changed_since filter reads, as it reads Webinar.updated.
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")

    def __str__(self):
        return f"{self.name} ({self.affiliation})" if self.affiliation else self.name

    def get_absolute_url(self):
        return slug_path("webinars:speaker", self.slug)


@functools.cache
def _zone(key: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(key)


@functools.lru_cache(maxsize=4096)
def _in_zone(instant: datetime, key: str) -> datetime:
    # A page shows each start and end several times (date block, time, <time datetime>);
    # datetimes are immutable, so the converted value can be shared.
    return instant.astimezone(_zone(key))


def registration_count(status: str):
    counts = (
        Registration.objects.filter(webinar=models.OuterRef("pk"), status=status)
        .order_by()
        .values("webinar")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(models.Subquery(counts), 0)


def _in_each_language(names):
    """save(update_fields=["title"]) writes the title's column of each language too."""
    return [f"{name}_{code}" for name in names for code in settings.MODELTRANSLATION_LANGUAGES]


LIST_ITEM_FIELDS = (
    "series__title",
    "series__slug",
    "series__updated",
    "number",
    "title",
    "slug",
    "start",
    "end",
    "time_zone",
    "capacity",
    "registration_closes",
    "status",
    "is_published",
    "updated",
    "recording_url",
    "recording_audience",
)


# Where speakers_prefetch() puts a webinar's speaker links: a plain list, read by
# Webinar.speakers_by_role().
SPEAKER_ROWS = "speaker_rows"


def speakers_prefetch(*, many: bool = False) -> tuple:
    """What to prefetch for the speakers of a list of webinars.

    A page of webinars: speakers with their people in one query. Any number (calendar feeds):
    links, then people, in two queries. Given a long list of webinars, SQLite's planner runs the
    join by scanning every speaker and probing the whole list for each (0.5 s for 1,500 webinars
    in the benchmark); each query alone uses its index. The links go to a plain list
    (to_attr): filed as a related manager's cache, Django builds a queryset per webinar, which
    for a 2,000-event feed cost more than the queries.
    """
    if many:
        return (Prefetch("webinar_speakers", to_attr=SPEAKER_ROWS), f"{SPEAKER_ROWS}__speaker")
    return (
        Prefetch(
            "webinar_speakers",
            queryset=WebinarSpeaker.objects.select_related("speaker"),
            to_attr=SPEAKER_ROWS,
        ),
    )


class WebinarQuerySet(models.QuerySet):
    """The questions every view, feed and export asks about webinars."""

    def published(self):
        return self.filter(is_published=True)

    def upcoming(self, now: datetime | None = None):
        return self.filter(end__gte=now or timezone.now()).order_by("start", "pk")

    def past(self, now: datetime | None = None):
        return self.filter(end__lt=now or timezone.now()).order_by("-start", "-pk")

    def with_counts(self):
        # Correlated subqueries, not JOIN + GROUP BY: with a LIMIT after an indexed ORDER BY,
        # both databases work them out for the rows a page shows only.
        return self.annotate(
            confirmed_count=registration_count("confirmed"),
            waitlisted_count=registration_count("waitlisted"),
        )

    def with_question_flag(self):
        """has_questions: whether the webinar or its series asks questions, so that forms of
        webinars without any (most) need no query for them."""
        return self.annotate(
            has_questions=models.Exists(
                Question.objects.filter(
                    Q(webinar=models.OuterRef("pk")) | Q(series=models.OuterRef("series"))
                )
            )
        )

    def for_listing(self, *, many: bool = False):
        """Everything a list of webinars shows, in a fixed number of queries.

        many=True for lists of any length (feeds), False for a page of them.
        """
        return self.select_related("series").prefetch_related(*speakers_prefetch(many=many))

    def for_list_items(self):
        """The columns a list item (includes/webinar_item.html) and its badge read, no more.

        Speakers come after paginating (views.pages.with_list_states); seats by with_counts().
        """
        return self.select_related("series").only(*LIST_ITEM_FIELDS)

    def search(self, query: str):
        query = query.strip()
        if not query:
            return self
        # EXISTS for the speakers rather than a join: one row per webinar, so no DISTINCT
        # (which made PostgreSQL sort and count every joined row of every page).
        by_speaker = WebinarSpeaker.objects.filter(
            webinar=models.OuterRef("pk"), speaker__name__icontains=query
        )
        return self.filter(
            Q(title__icontains=query)
            | Q(description__icontains=query)
            | Q(series__title__icontains=query)
            | Q(models.Exists(by_speaker))
        )


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

    def save(self, *args, **kwargs):
        """Saves; bumps `sequence` when the time, title, status or venue changed, then hands
        what changed to services.webinar_changed (registrants, waiting list).

        In save() rather than in admin or a view, so that every ORM save does the same; loading
        fixtures saves raw (save_base), without either.
        """
        update_fields = kwargs.get("update_fields")
        created = self._state.adding
        changes = (
            WebinarChanges(published=self.is_published)
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
        # Every edit may free seats (a raised capacity is not a calendar change); a new webinar
        # has no registrants, only followers to tell.
        if not created or changes.published:
            from webinars.services import webinar_changed

            webinar_changed(self, changes, created=created)

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
            calendar_fields_changed=any(
                before[name] != after[name] for name in self.CALENDAR_FIELDS if name in before
            ),
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
        if self.registration_closes and self.registration_closes < self.start:
            return self.registration_closes
        return self.start

    def is_registration_open(self, now: datetime | None = None) -> bool:
        return not self.is_cancelled and (now or timezone.now()) < self.closes_at

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


class WebinarSpeaker(models.Model):
    class Role(models.TextChoices):
        SPEAKER = "speaker", _("speaker")
        MODERATOR = "moderator", _("moderator")

    webinar = models.ForeignKey(Webinar, on_delete=models.CASCADE, related_name="webinar_speakers")
    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="appearances")
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.SPEAKER)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("speaker of the webinar")
        verbose_name_plural = _("speakers of the webinar")
        constraints = [
            models.UniqueConstraint(
                fields=["webinar", "speaker", "role"], name="unique_webinar_speaker_role"
            ),
        ]

    def __str__(self):
        return f"{self.speaker} ({self.get_role_display()})"


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=Registration.Status.CANCELLED)

    def confirmed(self):
        return self.filter(status=Registration.Status.CONFIRMED)

    def waitlisted(self):
        return self.filter(status=Registration.Status.WAITLISTED)

    def pending(self):
        return self.filter(status=Registration.Status.PENDING)

    def held(self):
        """Pending until their address is confirmed (not yet a request the organisers see)."""
        return self.filter(status=Registration.Status.PENDING, hold_expires_at__isnull=False)

    def expired_holds(self, now):
        return self.held().filter(hold_expires_at__lte=now)

    def for_address(self, email: str):
        """Registrations of this address in any letter case: lower() on both sides, in the
        database, as the unique constraint on (lower(email), webinar) compares (and indexes)."""
        return self.annotate(email_lower=Lower("email")).filter(
            email_lower=Lower(models.Value(email))
        )


class Registration(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting approval")
        CONFIRMED = "confirmed", _("confirmed")
        WAITLISTED = "waitlisted", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")

    webinar = models.ForeignKey(Webinar, on_delete=models.PROTECT, related_name="registrations")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), max_length=254)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    # The registrant's own zone, as their browser reported it (empty without JavaScript):
    # reminders give the time there too.
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_time_zone]
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.CONFIRMED)
    # The language of the page they registered on: every mail to them is written in it.
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("Every mail to this registrant is written in this language."),
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    consent_at = models.DateTimeField(
        _("consented to the privacy notice at"), null=True, blank=True
    )
    created = models.DateTimeField(_("registered at"), default=timezone.now, db_index=True)
    updated = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    # An organiser's answer to a pending registration (declined ones end up cancelled).
    approved_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    # A registration whose address is not confirmed yet is `pending` with a hold that expires
    # (Webinar.needs_address_confirmation); confirming clears the hold.
    hold_expires_at = models.DateTimeField(
        _("address to be confirmed by"), null=True, blank=True, db_index=True
    )
    email_confirmed_at = models.DateTimeField(_("address confirmed at"), null=True, blank=True)
    details_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(
        _("attended"),
        null=True,
        blank=True,
        help_text=_("When they first opened their join link, or when attendance was recorded."),
    )
    anonymised_at = models.DateTimeField(null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "webinar",
                condition=~Q(status="cancelled"),
                name="unique_active_registration_per_email",
                violation_error_message=_("This email address is already registered."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "confirmed", "waitlisted", "cancelled"]),
                name="registration_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["webinar", "status", "created"])]

    def __str__(self):
        return f"{self.name} <{self.email}> - {self.webinar}"

    def get_absolute_url(self):
        return reverse("webinars:registration", kwargs={"token": self.token})

    @property
    def is_held(self) -> bool:
        return self.status == self.Status.PENDING and self.hold_expires_at is not None


class ReminderSent(models.Model):
    """One reminder (its lead time) of one registration: the unique row is the claim, so two
    workers running at once send it at most once."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="reminders_sent"
    )
    lead_minutes = models.PositiveIntegerField(_("minutes before the start"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    # False for a reminder that came due together with a nearer one (a worker that was down,
    # a late registration): only the nearest is mailed, the others are recorded as done.
    mailed = models.BooleanField(_("mailed"), default=True)

    class Meta:
        ordering = ["registration", "-lead_minutes"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "lead_minutes"], name="unique_reminder_per_lead"
            ),
        ]

    def __str__(self):
        return _("%(minutes)s min before, registration %(registration)s") % {
            "minutes": self.lead_minutes,
            "registration": self.registration_id,
        }


class PendingMailQuerySet(models.QuerySet):
    def due(self, now):
        """Intents to try now: not given up, and past their back-off."""
        return self.filter(failed_at__isnull=True).filter(
            Q(retry_after__isnull=True) | Q(retry_after__lte=now)
        )

    def failed(self):
        return self.filter(failed_at__isnull=False)

    def for_composing(self):
        """Everything a message and its calendar invitation read, in a fixed number of queries.

        earlier_cancellations: the registrant's cancelled registrations for the same webinar
        before this one, which set how far their calendar's SEQUENCE already went
        (webinars.mail.compose).
        """
        earlier = (
            Registration.objects.filter(
                webinar_id=OuterRef("registration__webinar_id"),
                email=OuterRef("registration__email"),
                status=Registration.Status.CANCELLED,
                created__lt=OuterRef("registration__created"),
            )
            .exclude(pk=OuterRef("registration_id"))
            .order_by()
            .values("webinar_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            self.annotate(
                earlier_cancellations=Coalesce(Subquery(earlier, output_field=IntegerField()), 0)
            )
            .select_related("registration__webinar__series")
            .prefetch_related(
                Prefetch(
                    "registration__webinar__webinar_speakers",
                    queryset=WebinarSpeaker.objects.select_related("speaker"),
                ),
                Prefetch(
                    "registration__webinar__series__partners",
                    queryset=SeriesOrganisation.objects.select_related("organisation"),
                ),
            )
        )


class PendingMail(models.Model):
    """A message to compose and queue: written with the registration change that causes it.

    Recording the intent is one small INSERT inside the registration's transaction; composing
    the text, HTML and calendar invitation (webinars.mail.deliver) happens after commit.
    """

    class Kind(models.TextChoices):
        DETAILS = "details", _("confirmation or waiting-list notice")
        PROMOTED = "promoted", _("promoted from the waiting list")
        CANCELLED = "cancelled", _("cancellation acknowledged")
        WEBINAR_CHANGED = "webinar_changed", _("webinar cancelled or moved")
        DECLINED = "declined", _("registration declined")
        MESSAGE = "message", _("message from the organisers")
        REMINDER = "reminder", _("reminder")
        ORGANISER_NOTICE = "organiser_notice", _("notice to the organisers")

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="pending_mail"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    # The registration's status when the change happened: the message tells that moment, even
    # if the registrant cancels or is promoted before it is composed.
    status = models.CharField(max_length=20, choices=Registration.Status)
    args = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    # Composing failed before: not again before this time (growing delays, see mail.retry_delay).
    retry_after = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Set when MAIL_MAX_ATTEMPTS tries have failed: the worker leaves the row alone from then on,
    # for an organiser to look at (admin lists it as "failed").
    failed_at = models.DateTimeField(null=True, blank=True)

    objects = PendingMailQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("mail to compose")
        verbose_name_plural = _("mail to compose")

    def __str__(self):
        return _("%(kind)s for registration %(registration)s") % {
            "kind": self.get_kind_display(),
            "registration": self.registration_id,
        }


class QuestionQuerySet(models.QuerySet):
    def for_webinars(self, webinars):
        """The questions these webinars' forms ask: their own and their series', in order."""
        webinar_ids = [w.pk for w in webinars]
        series_ids = {w.series_id for w in webinars if w.series_id}
        return self.filter(Q(webinar_id__in=webinar_ids) | Q(series_id__in=series_ids)).order_by(
            models.F("series_id").asc(nulls_last=True), "order", "pk"
        )


class Question(models.Model):
    """A question of a series (asked once, whichever of its webinars are chosen) or of one
    webinar, on its registration forms."""

    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", _("short text")
        LONG_TEXT = "long_text", _("long text")
        CHOICE = "choice", _("one choice")
        CHOICES = "choices", _("several choices")
        CHECKBOX = "checkbox", _("checkbox")

    WITH_OPTIONS = (Kind.CHOICE, Kind.CHOICES)

    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, null=True, blank=True, related_name="questions"
    )
    webinar = models.ForeignKey(
        Webinar, on_delete=models.CASCADE, null=True, blank=True, related_name="questions"
    )
    label = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind of answer"), max_length=20, choices=Kind)
    options = models.TextField(
        _("options"), blank=True, help_text=_("For one or several choices: one option a line.")
    )
    required = models.BooleanField(_("required"), default=False)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("registration question")
        verbose_name_plural = _("registration questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(series__isnull=True, webinar__isnull=False)
                | Q(series__isnull=False, webinar__isnull=True),
                name="question_of_series_or_webinar",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["short_text", "long_text", "choice", "choices", "checkbox"]),
                name="question_kind_valid",
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def option_list(self) -> list[str]:
        return list(
            dict.fromkeys(line.strip() for line in self.options.splitlines() if line.strip())
        )

    def clean(self):
        super().clean()
        if self.kind in self.WITH_OPTIONS and len(self.option_list) < 2:
            raise ValidationError(
                {"options": _("Give at least two options, one a line.")}, code="options"
            )


class Answer(models.Model):
    """A registrant's answer: text, the option(s) chosen, or True/False for a checkbox."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField(_("answer"), blank=True, default=str)

    class Meta:
        ordering = ["question__order", "question__pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "question"], name="unique_answer_per_question"
            ),
        ]

    def __str__(self):
        return f"{self.question}: {self.text}"

    @property
    def text(self) -> str:
        return answer_text(self.value)


def answer_text(value) -> str:
    """An answer as one line for admin, the CSV export and mail."""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return "; ".join(value)
    return "" if value is None else str(value)


class RegistrantMessage(models.Model):
    """A message an organiser writes to the registrants of a webinar or of a whole series."""

    # Who may get it, by registration status (cancelled ones only when chosen).
    AUDIENCES = ("pending", "confirmed", "waitlisted", "cancelled")

    webinar = models.ForeignKey(
        Webinar,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        help_text=_("Write to this webinar's registrants, or choose a series instead."),
    )
    series = models.ForeignKey(
        Series,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="registrant_messages",
        help_text=_("Write to the registrants of every webinar of the series (once each)."),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(
        _("message"),
        help_text=_(
            "Plain text. Each message starts with a greeting by name and ends with the webinar's "
            "details and a link to the registrant's own page."
        ),
    )
    to_confirmed = models.BooleanField(_("confirmed"), default=True)
    to_waitlisted = models.BooleanField(_("on the waiting list"), default=False)
    to_pending = models.BooleanField(_("awaiting approval"), default=False)
    to_cancelled = models.BooleanField(
        _("cancelled"), default=False, help_text=_("Only if you mean to write to them too.")
    )
    to_attended = models.BooleanField(
        _("attended"),
        default=False,
        help_text=_("Those who joined or were marked as attended, whatever else is ticked."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    created = models.DateTimeField(_("written at"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("message to registrants")
        verbose_name_plural = _("messages to registrants")
        constraints = [
            models.CheckConstraint(
                condition=Q(series__isnull=True, webinar__isnull=False)
                | Q(series__isnull=False, webinar__isnull=True),
                name="message_to_series_or_webinar",
            ),
        ]

    def __str__(self):
        return self.subject

    def clean(self):
        super().clean()
        if bool(self.webinar_id) == bool(self.series_id):
            raise ValidationError(
                _("Choose either a webinar or a series."), code="webinar_or_series"
            )
        if not self.statuses and not self.to_attended:
            raise ValidationError(_("Choose at least one group of registrants."), code="nobody")

    @property
    def statuses(self) -> list[str]:
        return [status for status in self.AUDIENCES if getattr(self, f"to_{status}")]


class MessageDelivery(models.Model):
    """The log of a message: who it was queued for, and when. One row per address and message,
    so nobody gets the same message twice, however often it is sent."""

    message = models.ForeignKey(
        RegistrantMessage, on_delete=models.CASCADE, related_name="deliveries"
    )
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="message_deliveries"
    )
    # In lower case: one message per person, whatever case they typed it in.
    email = models.EmailField(_("email"), max_length=254)
    status = models.CharField(_("status then"), max_length=20, choices=Registration.Status)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)

    class Meta:
        ordering = ["queued_at", "pk"]
        verbose_name = _("message sent")
        verbose_name_plural = _("messages sent")
        constraints = [
            models.UniqueConstraint(fields=["message", "email"], name="unique_message_per_address")
        ]

    def __str__(self):
        return f"{self.message} → {self.email}"


SITE_SETTINGS_CACHE_KEY = "site-settings:v1"


class SiteSettings(models.Model):
    """The site's identity, edited in admin: one record, read by every page and message."""

    site_name = models.CharField(
        _("site name"),
        max_length=100,
        default="Webinars",
        help_text=_("Shown in the header, page titles and mail."),
    )
    logo = models.ImageField(
        _("logo"),
        upload_to="site/",
        blank=True,
        help_text=_("Optional; shown in the header at 32 pixels high. Empty: the site's icon."),
    )
    accent_colour = models.CharField(
        _("accent colour"),
        max_length=7,
        blank=True,
        validators=[
            RegexValidator(
                theme.HEX_COLOUR,
                _("Give the colour as # and six hexadecimal digits, e.g. #1f5a85."),
                code="invalid_colour",
            )
        ],
        help_text=_(
            "Links, buttons and date blocks, e.g. #1f5a85. Empty: the house blue. Shaded where "
            "needed so that text stays readable (WCAG AA) in light and dark mode."
        ),
    )
    contact_email = models.EmailField(
        _("contact address"), blank=True, help_text=_("Shown in the footer and in mail.")
    )
    footer_text = models.TextField(
        _("footer text"),
        blank=True,
        max_length=500,
        help_text=_("A line or two under every page, e.g. who runs the site."),
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self):
        return str(_("Site settings"))

    def save(self, *args, **kwargs):
        from django.core.cache import cache

        super().save(*args, **kwargs)
        try:
            cache.delete(SITE_SETTINGS_CACHE_KEY)
        except Exception:  # noqa: BLE001 (the save stands; pages read the record meanwhile)
            logger.error("Cache unreachable: the old site settings may show for a while.")

    @classmethod
    def current(cls) -> "SiteSettings":
        """The record (unsaved defaults until an organiser saves one), from the cache."""
        from django.core.cache import cache

        try:
            settings = cache.get(SITE_SETTINGS_CACHE_KEY)
        except Exception:  # noqa: BLE001 (an unreachable cache must not take the pages down)
            return cls.objects.order_by("pk").first() or cls()
        if settings is None:
            settings = cls.objects.order_by("pk").first() or cls()
            with contextlib.suppress(Exception):
                cache.set(SITE_SETTINGS_CACHE_KEY, settings, None)
        return settings

    @property
    def version(self) -> str:
        """Changes whenever the record does: a query string that renews cached stylesheets."""
        return f"{self.updated:%Y%m%d%H%M%S%f}" if self.updated else "0"

    @property
    def light(self) -> "theme.Scheme | None":
        return theme.light_scheme(self.accent_colour) if self.accent_colour else None

    @property
    def dark(self) -> "theme.Scheme | None":
        return theme.dark_scheme(self.accent_colour) if self.accent_colour else None
