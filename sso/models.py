"""Which account a provider's person signs in to."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Identity(models.Model):
    """A person at an OpenID provider (issuer and `sub`), tied to one account.

    Accounts are found by this pair, never by a name or an address the person can change at the
    provider; an address links an existing account only when the provider says it is verified.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sso_identities",
        verbose_name=_("account"),
    )
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("identifier at the provider"), max_length=255)
    created = models.DateTimeField(_("first sign-in"), auto_now_add=True)
    last_sign_in = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_unique")
        ]

    def __str__(self):
        return f"{self.subject} @ {self.issuer}"
