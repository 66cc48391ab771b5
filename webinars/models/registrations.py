"""Registrations, their answers to questions and the reminders sent to them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from series.models import Series
from webinars.models.validators import new_token, validate_time_zone
from webinars.models.webinar import Webinar


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
        choices=settings.SHIPPED_LANGUAGES,
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

    # Not get_absolute_url: the page is the registrant's own, opened by its secret token, and
    # Django's admin would offer it to any staff account ("view on site", /admin/r/).
    def token_url(self) -> str:
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
