"""Which URL names the page cache stores, and which it never does (webinars/cache.py reads them).

Every public URL name is in exactly one of the two sets (a test checks it), so a new view
cannot be forgotten.
"""

# Public pages shown alike to every visitor. A test makes every public URL name appear in
# exactly one of the two sets, so a new view cannot be forgotten.
CACHED_URL_NAMES = frozenset(
    {
        "webinars:calendar",
        "series:index",
        "webinars:month",
        "webinars:detail",
        "webinars:register",
        "webinars:register_thanks",
        "webinars:speaker",
        "webinars:ical",
        "webinars:site_ical",
        "webinars:feed",
        "webinars:feed_atom",
        "webinars:sitemap",
        "webinars:sitemap_section",
        "webinars:robots",
        "webinars:privacy",
        "series:detail",
        "series:register",
        "series:register_thanks",
        "series:ical",
        "following:follow",
        "following:sent",
        "embed:calendar",
        "embed:series",
        "embed:register",
        "embed:register_thanks",
        "embed:series_register",
        "embed:series_register_thanks",
        # The public API: the same answer for every client, invalidated with the pages.
        "api:index",
        "api:series_list",
        "api:series_detail",
        "api:webinar_list",
        "api:webinar_detail",
        "api:speaker_list",
        "api:speaker_detail",
        "api:openapi-json",
    }
)
# A registrant's own pages (a secret token), a redirect that follows the clock, the health check.
UNCACHED_URL_NAMES = frozenset(
    {
        "healthz",
        "webinars:current_month",
        "webinars:registration",
        "webinars:registration_cancel",
        "webinars:registration_join",
        "webinars:registration_calendar",
        "following:confirm",
        "afterwards:registrant_material",
        "afterwards:feedback",
        "afterwards:certificate",
        # A file download: streamed, and small enough a browser keeps it.
        "afterwards:material",
        "following:unsubscribe",
        # Meeting providers' callbacks and webhooks, and a speaker's signed host link (meetings/).
        "meetings:callback",
        "meetings:webhook",
        "meetings_host:host",
        # People's own data (privacy/): a secret link, or the answer to one address.
        *(f"privacy:{n}" for n in ("ask", "sent", "erased", "data", "download", "erase")),
        "webinars:confirm_address",
        # Answer with their own long-lived headers: pages link them by the settings' version
        # (the share images are also kept in the cache by webinars.social_image and cover_image).
        "webinars:theme_css",
        "webinars:social_image",
        "webinars:cover_image",
        # django-ninja's root route, shadowed by api:index (registered first); never reached.
        "api:api-root",
        # A staff member's own account page in admin, signed in like the rest of admin.
        "admin_account",
        "oidc_authentication_init",  # single sign-on (sso/): each answer is one sign-in's
        "oidc_authentication_callback",
        # The organisers' API (api/organisers.py): each answer is for one token's holder.
        "api:registrations",
        "api:registration",
        "api:registration_cancel",
        "api:registration_attended",
    }
)
