"""Admin for webinars, speakers, registrations, mail and the site's identity, one module per area.

Importing the package registers every admin class with the site (admin.autodiscover).
"""

from webinars.admin import (  # noqa: F401 (each module registers its admin classes)
    mail,
    messages,
    registrations,
    series,
    site,
    speakers,
    webinars,
)
