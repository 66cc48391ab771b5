"""A webinar series, the organisations behind it and its funding disclaimers."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.reminders import validate_reminders
from series.paths import slug_path


def reminders_field(help_text) -> models.CharField:
    """A series' or a webinar's own reminder lead times (core.reminders reads them)."""
    return models.CharField(
        _("reminders"),
        max_length=100,
        blank=True,
        validators=[validate_reminders],
        help_text=help_text,
    )


class Series(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_("The last part of the series' web address. Letters, digits and hyphens."),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("Shown on the series page. Markdown: **bold**, *italic*, [link](https://...)."),
    )
    notify_email = models.EmailField(
        _("notify organisers at"),
        blank=True,
        help_text=_(
            "If set, this address receives a short notice for every registration in this series."
        ),
    )
    notify_also = models.TextField(
        _("also notify"),
        blank=True,
        help_text=_("More addresses for the organisers' notice, one a line."),
    )
    sender_name = models.CharField(
        _("sender name"),
        max_length=100,
        blank=True,
        help_text=_(
            "The name mail about this series comes from (the address stays the site's). "
            "Empty: the site's sender name."
        ),
    )
    reply_to = models.EmailField(
        _("reply-to address"),
        blank=True,
        help_text=_("Where replies to mail about this series go. Empty: the site's sender."),
    )
    certificates = models.BooleanField(
        _("certificates of attendance"),
        default=False,
        help_text=_("Registrants who attended can download a PDF certificate from their own page."),
    )
    reminders = reminders_field(
        _(
            "When to remind registrants, before the start: e.g. '1d, 1h' (days, hours, "
            "minutes such as 1h30m, separated by commas), or 'none'. Empty: the site's "
            "default (REMINDERS). A webinar can set its own."
        )
    )
    banner = models.ImageField(
        _("banner image"),
        upload_to="series/banners/",
        blank=True,
        help_text=_(
            "Optional. A wide picture (about 1600 x 500 pixels, PNG or JPEG) at the top of the "
            "series page and on its card in the list of series; decoration only, so keep text "
            "out of it."
        ),
    )
    cover_image = models.ImageField(
        _("cover image"),
        upload_to="series/covers/",
        blank=True,
        help_text=_(
            "Optional. The picture shown when a webinar of the series without its own cover "
            "is shared (about 1200 x 630 pixels, PNG or JPEG; cropped to that shape). Empty: "
            "one is drawn from each webinar's title, date and speakers."
        ),
    )
    logo = models.ImageField(
        _("logo"),
        upload_to="series/logos/",
        blank=True,
        help_text=_("Optional. The series' own logo, shown beside its title."),
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("managers"),
        blank=True,
        related_name="managed_series",
        help_text=_(
            "Staff accounts that organise this series, and only the series that list them. "
            "Members of the Organisers group organise every series."
        ),
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "title"]
        verbose_name = _("series")
        verbose_name_plural = _("series")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return slug_path("series:detail", self.slug)

    @property
    def notice_addresses(self) -> list[str]:
        """Where the organisers' notice of each registration goes (none: no notice)."""
        found = [self.notify_email, *self.notify_also.split()]
        return list(dict.fromkeys(address for address in found if address))


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    url = models.URLField(_("website"), blank=True)
    logo = models.ImageField(
        _("logo"),
        upload_to="logos/",
        blank=True,
        help_text=_("Optional. PNG or JPEG; it is shown small, next to the name."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name


class SeriesOrganisation(models.Model):
    class Role(models.TextChoices):
        ORGANISER = "organiser", _("organised by")
        COLLABORATOR = "collaborator", _("in collaboration with")
        SUPPORTER = "supporter", _("supported by")

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="series_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.ORGANISER)
    order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Lower numbers are listed first within a role.")
    )

    class Meta:
        ordering = ["series", "order", "pk"]
        verbose_name = _("organisation of the series")
        verbose_name_plural = _("organisations of the series")
        constraints = [
            models.UniqueConstraint(
                fields=["series", "organisation", "role"], name="unique_series_organisation_role"
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.organisation}"


class FundingDisclaimer(models.Model):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="disclaimers")
    funder = models.CharField(
        _("funder"), max_length=200, help_text=_("For organisers only, e.g. 'European Union'.")
    )
    text = models.TextField(
        _("text"), help_text=_("Shown as written at the foot of every webinar page of the series.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["series", "order", "pk"]
        verbose_name = _("funding disclaimer")
        verbose_name_plural = _("funding disclaimers")

    def __str__(self):
        return self.funder
