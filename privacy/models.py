"""What a request for one's own data leaves behind: a short-lived link, and a record without
the address that the request was honoured."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from series.models import Series

ADDRESS_HASH_SALT = "privacy.address-hash"


def address_hash(email: str) -> str:
    """HMAC-SHA256 of the lower-cased address under a key derived from SECRET_KEY.

    The same address always gives the same hash, so a repeated request is recognised, while the
    record alone does not give the address back (a plain hash of an address is found by trying
    addresses). A new SECRET_KEY makes earlier records unrecognisable.
    """
    return salted_hmac(ADDRESS_HASH_SALT, email.strip().lower(), algorithm="sha256").hexdigest()


def token_digest(token: str) -> str:
    # Only the digest is stored: a copy of the database opens nobody's data.
    return hashlib.sha256(token.encode()).hexdigest()


class AccessLink(models.Model):
    """A mailed link to the data kept for one address, valid until `expires_at`."""

    digest = models.CharField(max_length=64, unique=True)
    email = models.EmailField(max_length=254)
    language = models.CharField(max_length=10, default="en")
    created = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"link until {self.expires_at:%Y-%m-%d %H:%M}"


class HonouredRequest(models.Model):
    """A request for one's data that was answered: who asked is kept only as a keyed hash."""

    class Action(models.TextChoices):
        ACCESS = "access", _("data given")
        ERASURE = "erasure", _("data erased")

    address_hash = models.CharField(_("address (keyed hash)"), max_length=64, db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=Action)
    created = models.DateTimeField(_("when"))
    # Empty when the person did it themselves through a mailed link.
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    by_visitor = models.BooleanField(_("by the person through a mailed link"), default=False)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    # The series whose rows it touched: organisers of a series see the requests about it.
    series = models.ManyToManyField(Series, blank=True, related_name="+", verbose_name=_("series"))

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")

    def __str__(self):
        return f"{self.get_action_display()} {self.created:%Y-%m-%d}"
