"""The site's identity as organisers set it in admin."""

import contextlib
import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from webinars import theme

logger = logging.getLogger(__name__)


SITE_SETTINGS_CACHE_KEY = "site-settings:v2"
# Kept this long at most even when nothing changes: the record is read once per page render.
SITE_SETTINGS_CACHE_SECONDS = 3600


class ContentGeneration(models.Model):
    """One row: the generation of what public pages show, renewed on every change to it, and
    the site settings' own version, renewed when they are saved.

    The cache keeps copies next to what it stores (webinars.cache; SiteSettings.current); a
    cache restored from an older snapshot holds older ones, so its pages and site settings are
    known to be stale. No row yet is generation "" and version "".
    """

    value = models.CharField(max_length=32, blank=True)
    site_settings = models.CharField(max_length=32, blank=True)

    def __str__(self):
        return self.value


# What this process last read of the row (value, site settings version), and when
# (time.monotonic()); None until it is read.
_known: dict[str, object] = {"row": None, "read": 0.0}


def _row(max_age: float | None) -> tuple[str, str]:
    if max_age is None:
        max_age = settings.CONTENT_GENERATION_SECONDS
    if _known["row"] is None or time.monotonic() - _known["read"] >= max_age:
        row = ContentGeneration.objects.filter(pk=1).values_list("value", "site_settings").first()
        _remember(row or ("", ""))
    return _known["row"]


def content_generation(max_age: float | None = None) -> str:
    """The database's content generation, read at most once per CONTENT_GENERATION_SECONDS.

    Pages are served from the cache without a query; this costs one small one per second per
    process, and `max_age=0` reads it now.
    """
    return _row(max_age)[0]


def site_settings_version() -> str:
    """The site settings' version in the database, read with the content generation."""
    return _row(None)[1]


def _renew(field: str, *, note: bool = True) -> str:
    """A new value of the row's `field` (inside the caller's transaction, if any)."""
    value = uuid.uuid4().hex
    if not ContentGeneration.objects.filter(pk=1).update(**{field: value}):
        row, created = ContentGeneration.objects.get_or_create(pk=1, defaults={field: value})
        if not created:  # another process made the row first
            ContentGeneration.objects.filter(pk=1).update(**{field: value})
    if note:
        _note(field, value)
    return value


def _note(field: str, value: str) -> None:
    """What this process wrote; the other field and the time of reading stay as they were."""
    if _known["row"] is not None:
        row = dict(zip(("value", "site_settings"), _known["row"], strict=True), **{field: value})
        _known["row"] = (row["value"], row["site_settings"])


def renew_content_generation() -> str:
    """A new content generation in the database (inside the caller's transaction, if any).

    This process goes on reading the previous one until the commit, like every other.
    """
    if not transaction.get_connection().in_atomic_block:
        return _renew("value")
    value = _renew("value", note=False)
    transaction.on_commit(lambda: _note("value", value))
    return value


def known_site_settings_version() -> str | None:
    """The version this process last read or wrote, without asking the database (None:
    nothing yet)."""
    return None if _known["row"] is None else _known["row"][1]


def _remember(row: tuple[str, str] | None) -> None:
    _known["row"] = row
    _known["read"] = time.monotonic()


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
        # The cached copy counts only under the version it was read in (see current()).
        _renew("site_settings")

    @classmethod
    def current(cls) -> "SiteSettings":
        """The record (unsaved defaults until an organiser saves one), from the cache.

        The cached copy counts only under the version in the database it was read in, so a
        save, or a cache restored from an older snapshot, is never hidden behind it.
        """
        version = site_settings_version()
        try:
            stored = cache.get(SITE_SETTINGS_CACHE_KEY)
        except Exception:  # noqa: BLE001 (an unreachable cache must not take the pages down)
            return cls.objects.order_by("pk").first() or cls()
        if stored is not None and stored.get("version") == version:
            return stored["settings"]
        record = cls.objects.order_by("pk").first() or cls()
        with contextlib.suppress(Exception):
            cache.set(
                SITE_SETTINGS_CACHE_KEY,
                {"version": version, "settings": record},
                SITE_SETTINGS_CACHE_SECONDS,
            )
        return record

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
