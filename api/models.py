"""Tokens for the organisers' API: each acts for its user, within its series, reading or writing.

Only a SHA-256 digest of a token is kept: the token itself is shown once, when it is made. A
short prefix of it stays readable, so its holder can tell tokens apart in admin, and finds the
row the presented token is then compared with in constant time.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from series.models import Series


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now):
        """Neither revoked nor expired, and held by an active account."""
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            revoked_at__isnull=True,
            user__is_active=True,
        )


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
        help_text=_("The token reads and writes as this person may in admin."),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What it is for, e.g. 'CRM synchronisation'.")
    )
    prefix = models.CharField(_("begins with"), max_length=12, db_index=True, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    series = models.ManyToManyField(
        Series,
        blank=True,
        related_name="+",
        verbose_name=_("series"),
        help_text=_("Only these series. Leave empty for every series you organise."),
    )
    can_write = models.BooleanField(
        _("may write"),
        default=False,
        help_text=_(
            "Register, cancel, mark attendance, add and edit webinars. Without it the token "
            "only reads."
        ),
    )
    expires_at = models.DateTimeField(
        _("expires"), null=True, blank=True, help_text=_("Leave empty for a token that lasts.")
    )
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}...)"
