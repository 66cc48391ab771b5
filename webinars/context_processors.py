"""Values every template may use."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from webinars import theme
from webinars.identity import site_name
from webinars.language import alternates
from webinars.models import SiteSettings


def site(request):
    return {
        "SITE_URL": settings.SITE_URL,
        "site": SimpleLazyObject(SiteSettings.current),
        "site_name": SimpleLazyObject(site_name),
        "house_light": theme.HOUSE_LIGHT,
        # This page in each language, for the switcher and the hreflang links.
        "languages": SimpleLazyObject(lambda: alternates(request)),
    }
