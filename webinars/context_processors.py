"""Values every template may use."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from webinars.identity import site_name
from webinars.language import alternates
from webinars.models import SiteSettings


def site(request):
    return {
        "SITE_URL": settings.SITE_URL,
        "site": SimpleLazyObject(SiteSettings.current),
        "site_name": SimpleLazyObject(site_name),
        # This page in each language, for the switcher and the hreflang links.
        "languages": SimpleLazyObject(lambda: alternates(request)),
    }
