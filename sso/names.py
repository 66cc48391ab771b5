from django.conf import settings
from django.utils.translation import gettext as _


def provider_name() -> str:
    """What the pages call the provider: OIDC_NAME, else "single sign-on" in their language."""
    return settings.OIDC_NAME or _("single sign-on")
