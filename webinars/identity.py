"""The site's name as the organisers set it in admin (SiteSettings), for every page title, feed,
calendar, share card, structured data and message.

Pages, feeds and calendars that show it are kept in the page cache; saving the settings
renews the cache's generation like any other content save (webinars.cache), so no stored copy
keeps an old name.
"""

from django.utils.translation import gettext as _

from webinars.models import SiteSettings


def site_name() -> str:
    # A record saved without a name (only possible outside admin) falls back like base.html.
    return SiteSettings.current().site_name or _("Webinars")
