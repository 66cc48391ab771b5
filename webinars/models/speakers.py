"""Speakers and their part in a webinar."""

from django.db import models
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from series.paths import slug_path


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


class WebinarSpeaker(models.Model):
    class Role(models.TextChoices):
        SPEAKER = "speaker", _("speaker")
        MODERATOR = "moderator", _("moderator")

    webinar = models.ForeignKey(
        "webinars.Webinar", on_delete=models.CASCADE, related_name="webinar_speakers"
    )
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
