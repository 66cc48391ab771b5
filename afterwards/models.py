"""What comes after a webinar: materials, the follow-up mail and registrants' feedback."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from webinars.models import Audience, Registration, Webinar

MATERIAL_EXTENSIONS = frozenset(
    {
        ".pdf",
        ".pptx",
        ".ppt",
        ".odp",
        ".key",
        ".docx",
        ".odt",
        ".xlsx",
        ".ods",
        ".csv",
        ".zip",
        ".png",
        ".jpg",
        ".jpeg",
        ".txt",
        ".md",
    }
)


def validate_material(file) -> None:
    suffix = PurePath(file.name).suffix.lower()
    if suffix not in MATERIAL_EXTENSIONS:
        raise ValidationError(
            _("Files ending in %(suffix)s cannot be offered. Allowed: %(allowed)s."),
            params={
                "suffix": suffix or _("(nothing)"),
                "allowed": ", ".join(sorted(MATERIAL_EXTENSIONS)),
            },
            code="material_type",
        )
    limit = settings.MATERIAL_MAX_MB * 1024 * 1024
    if file.size > limit:
        raise ValidationError(
            _("This file is larger than %(mb)d MB."),
            params={"mb": settings.MATERIAL_MAX_MB},
            code="material_size",
        )


def material_path(instance, filename: str) -> str:
    # A random folder: the proxy serves media/ to anyone, and a registrants-only file must not
    # be found by guessing its name.
    return f"materials/{uuid.uuid4().hex}/{PurePath(filename).name}"


class Material(models.Model):
    webinar = models.ForeignKey(Webinar, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200, help_text=_("e.g. 'Slides (PDF)'."))
    file = models.FileField(_("file"), upload_to=material_path, validators=[validate_material])
    audience = models.CharField(_("for"), max_length=20, choices=Audience, default=Audience.PUBLIC)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["webinar", "order", "pk"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self):
        return self.title


class FollowUp(models.Model):
    """The one follow-up mail of a webinar, with separate words for attendees and absentees."""

    webinar = models.OneToOneField(Webinar, on_delete=models.CASCADE, related_name="follow_up")
    subject = models.CharField(_("subject"), max_length=200)
    attendees_text = models.TextField(
        _("text for those who attended"),
        help_text=_("Plain text. The recording, materials and feedback links are added below it."),
    )
    absentees_text = models.TextField(
        _("text for those who did not attend"),
        help_text=_("Plain text, for confirmed registrants who did not join."),
    )
    send_at = models.DateTimeField(
        _("send at"),
        null=True,
        blank=True,
        help_text=_("Empty: not scheduled. It goes out with the first worker pass after this."),
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("follow-up mail")
        verbose_name_plural = _("follow-up mails")

    def __str__(self):
        return self.subject


class Feedback(models.Model):
    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="feedback"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=4000)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"
            )
        ]

    def __str__(self):
        return f"{self.rating}/5"


class WebinarRecord(Webinar):
    """A webinar seen for its figures and attendance (admin only; nothing is edited here)."""

    class Meta:
        proxy = True
        verbose_name = _("figures and attendance")
        verbose_name_plural = _("figures and attendance")
