"""The site's identity as organisers set it in admin."""

import contextlib
import logging

from django.core.cache import cache
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from webinars import theme

logger = logging.getLogger(__name__)


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
        super().save(*args, **kwargs)
        try:
            cache.delete(SITE_SETTINGS_CACHE_KEY)
        except Exception:  # noqa: BLE001 (the save stands; pages read the record meanwhile)
            logger.error("Cache unreachable: the old site settings may show for a while.")

    @classmethod
    def current(cls) -> "SiteSettings":
        """The record (unsaved defaults until an organiser saves one), from the cache."""
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
