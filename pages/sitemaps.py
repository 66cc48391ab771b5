"""/sitemap.xml: an index of sections (pages, series, webinars, speakers), each section a file
of at most SECTION_LIMIT addresses (each page once per language, so per file at most
SECTION_LIMIT <url> entries whatever the number of languages), paged with ?p=.

Addresses are built from SITE_URL, like links in mail and feeds, not from the request's host.
Sections are lists, not querysets: the sitemap's paginator would count each one first.
"""

from functools import cached_property
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse

from series.models import Series
from webinars.models import Speaker, Webinar, WebinarSpeaker

# The protocol allows 50,000 addresses (and 50 MB) a file; each <url> here also carries an
# alternate per language, so files stay well under both.
SECTION_LIMIT = 5_000


class SiteUrlSitemap(Sitemap):
    """A sitemap section whose addresses start with SITE_URL, each page once per language with
    its alternates (hreflang) and the English page as x-default."""

    limit = SECTION_LIMIT
    i18n = True
    alternates = True
    x_default = True

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class CalendarSitemap(SiteUrlSitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["webinars:calendar"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return self._latest_change

    @cached_property
    def _latest_change(self):
        # The calendar changes when any published webinar does (or is added); asked once for
        # all its languages.
        return Webinar.objects.published().aggregate(latest=Max("updated"))["latest"]


class WebinarSitemap(SiteUrlSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return list(Webinar.objects.published().only("slug", "updated").order_by("start", "pk"))

    def lastmod(self, item):
        return item.updated


class SeriesSitemap(SiteUrlSitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        # A series is public once it has a published webinar (as on its page).
        published = Webinar.objects.published().filter(series=OuterRef("pk"))
        return list(Series.objects.filter(Exists(published)).order_by("pk"))

    def lastmod(self, item):
        return item.updated


class SpeakerSitemap(SiteUrlSitemap):
    changefreq = "monthly"
    priority = 0.4

    def items(self):
        appears = WebinarSpeaker.objects.filter(speaker=OuterRef("pk"), webinar__is_published=True)
        published = Q(appearances__webinar__is_published=True)
        return list(
            Speaker.objects.filter(Exists(appears))
            .annotate(webinars_updated=Max("appearances__webinar__updated", filter=published))
            .order_by("pk")
        )

    def lastmod(self, item):
        # The page lists the speaker's webinars: it changes with them too.
        return max(filter(None, [item.updated, item.webinars_updated]))


SITEMAPS = {
    "pages": CalendarSitemap,
    "series": SeriesSitemap,
    "webinars": WebinarSitemap,
    "speakers": SpeakerSitemap,
}
