"""Values every template may use."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from webinars.models import SiteSettings


def site(request):
    return {"SITE_URL": settings.SITE_URL, "site": SimpleLazyObject(SiteSettings.current)}
