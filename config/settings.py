"""Settings for the webinar site, read from the environment (or a `.env` file).

Production is the default: DEBUG off, SECRET_KEY required. `make run` turns DEBUG on.
"""

import sys
from pathlib import Path

import environ

from config.integrations import IntegrationSettingsError
from config.integrations import from_environment as integrations_from_environment
from core.reminders import RemindersError, parse_reminders

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        # One line an operator can act on, instead of Django's longer traceback.
        sys.exit(
            "SECRET_KEY is not set: set it in the environment or .env (or set DEBUG=on "
            "for local development)."
        )
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Before admin, so that its admin classes and translated fields are ready when admin loads.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "csp",
    "django_ratelimit",
    "corsheaders",
    "series",
    "webinars",
    "pages",
    "api",
    "following",
    "afterwards",
    # After afterwards: its admin extends the webinar admin that afterwards registers.
    "meetings",
    "sso",
    "hooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads a form (the CSRF check of admin's login included).
    "webinars.request_charset.RequestCharsetMiddleware",
    # In front of the page cache, so that stored API answers get CORS headers and count against
    # the API's rate limit too.
    "corsheaders.middleware.CorsMiddleware",
    "api.middleware.ApiRateLimitMiddleware",
    # The language comes from the address (/nl/...), never a cookie; before the page cache, which
    # resolves the address, and the redirect for a first visit from a Dutch-speaking browser.
    "django.middleware.locale.LocaleMiddleware",
    "webinars.language.PreferredLanguageMiddleware",
    # Outside sessions and CSRF: a stored page is served without opening either.
    "webinars.cache.PublicPageCacheMiddleware",
    # Inside the page cache: cached pages replay the stored policy header instead of rebuilding it.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Admin's CSRF protection. Visitors' forms are exempt and checked by origin instead
    # (core/protection.py): a token would need a cookie.
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Inside messages: an organiser's save that could not reach the page cache says so.
    "webinars.cache_warnings.CacheWriteWarningMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "webinars.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Registration takes a write lock up front (BEGIN IMMEDIATE) and waits for it
    # instead of failing with "database is locked" under concurrent submissions.
    # WAL lets visitors read while a registration writes (the mode is kept in the file).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
# Persistent connections on every database: a new SQLite connection reads the schema again on
# its first query, which cost a list page more than rendering it.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Without CACHE_URL, a cache in files under CACHE_DIR: shared by every worker on this machine (an
# edit shows on all of them, the rate limit counts them together). Several machines need Redis.
CACHE_DIR = env.path("CACHE_DIR", default=BASE_DIR / ".cache")
CACHES = {
    "default": env.cache_url_config(env.str("CACHE_URL", default="") or f"filecache://{CACHE_DIR}")
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache":
    # Django's default of 300 would keep too few pages; each write counts the files.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 5000)
# A Redis that hangs costs a request at most this long per call, and after a failure it is
# skipped for CACHE_RETRY_SECONDS (webinars/cache_backends.py): pages render without it.
CACHE_SOCKET_TIMEOUT = env.float("CACHE_SOCKET_TIMEOUT", default=0.25)
CACHE_RETRY_SECONDS = env.float("CACHE_RETRY_SECONDS", default=5)
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "webinars.cache_backends.FailFastRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {
            "socket_timeout": CACHE_SOCKET_TIMEOUT,
            "socket_connect_timeout": CACHE_SOCKET_TIMEOUT,
            # One try: a retry after a timeout only doubles the wait.
            "retry_on_timeout": False,
        }
    )

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Webinars <webinars@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# Every language the site ships a translation for. English is served without a prefix, the
# others under /nl/, /fr/...: the language lives in the address, so pages stay cookie-free and
# one cached copy per address is right for everyone.
SHIPPED_LANGUAGES = [("en-gb", "English"), ("nl", "Nederlands"), ("fr", "Français")]
# LANGUAGES=en,nl offers only those (addresses, switcher, hreflang, sitemap, redirect); English
# is the fallback of every text, so it is always offered.
_SHIPPED_BY_CODE = {code.split("-")[0]: (code, name) for code, name in SHIPPED_LANGUAGES}
# Django's code for British English (en-gb) is taken as well as the short one.
_ACCEPTED = {code: code.split("-")[0] for code, _ in SHIPPED_LANGUAGES} | {
    short: short for short in _SHIPPED_BY_CODE
}
_GIVEN = [code.strip().lower() for code in env.list("LANGUAGES", default=list(_SHIPPED_BY_CODE))]
_UNKNOWN = [code for code in _GIVEN if code and code not in _ACCEPTED]
_OFFERED = {_ACCEPTED[code] for code in _GIVEN if code in _ACCEPTED}
if _UNKNOWN:
    sys.exit(
        f"LANGUAGES={','.join(_GIVEN)}: no translation shipped for {', '.join(_UNKNOWN)}; "
        f"choose among {','.join(_SHIPPED_BY_CODE)}."
    )
LANGUAGES = [
    (code, name)
    for short, (code, name) in _SHIPPED_BY_CODE.items()
    if short in _OFFERED or code == LANGUAGE_CODE
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Organisers' texts (titles, descriptions...) get a column per shipped language, named title_en,
# title_nl, title_fr, whichever languages a site offers; an empty text shows the English one.
MODELTRANSLATION_LANGUAGES = tuple(_SHIPPED_BY_CODE)
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Brussels")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Registration, mail queue, reminders and retention ---
# Every message is recorded in the database (webinars.PendingMail) in the same transaction as the
# change that causes it, then composed and sent with EMAIL_BACKEND by `manage.py send_queued_mail`
# (cron or --loop), which retries with back-off.
# A hung mail server must not hold a request or the worker for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Compose and send a request's mail right after its transaction commits; whatever fails stays for
# the worker. On by default so mail goes out at once even where only cron runs the worker (and in
# development); with a supervised `send_queued_mail --loop 1` turn it off: requests then only
# record the mail (docs/deploy.md).
MAIL_SEND_IMMEDIATELY = env.bool("MAIL_SEND_IMMEDIATELY", default=True)
# ... in a thread of the web worker, after the request has answered: a mail server that hangs
# never holds a visitor. (The tests turn it off: a thread cannot see a test's open transaction.)
MAIL_BACKGROUND_THREAD = True
MAIL_RETRY_BASE_SECONDS = env.int("MAIL_RETRY_BASE_SECONDS", default=60)
MAIL_RETRY_MAX_SECONDS = env.int("MAIL_RETRY_MAX_SECONDS", default=6 * 3600)
# Largest material an organiser may upload (slides, handouts), and largest attendance report.
MATERIAL_MAX_MB = env.int("MATERIAL_MAX_MB", default=50)
ATTENDANCE_REPORT_MAX_MB = env.int("ATTENDANCE_REPORT_MAX_MB", default=5)
# The attendance form in admin posts one field per confirmed registrant, and a webinar without
# a capacity may have thousands: Django's default (1,000 fields) would refuse that form with a
# bare 400. As many as an attendance report may hold rows (afterwards/attendance.py, MAX_ROWS).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20_000
# Largest uploaded image (photos, logos, banners), in pixels: a larger one is refused before it
# is decoded (a small file can declare a huge image that takes gigabytes to decode).
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=40_000_000)
# Registrants can give or change their feedback for this many days after a webinar ends.
FEEDBACK_DAYS = env.int("FEEDBACK_DAYS", default=14)
# A message that fails to compose or send this many times is given up and shown as failed in
# admin; every other message keeps going out.
MAIL_MAX_ATTEMPTS = env.int("MAIL_MAX_ATTEMPTS", default=10)
# On SQLite, senders take turns by an flock() on this file (released by the kernel when a sender
# dies); it must be on a local disk that every sender of this database shares. PostgreSQL locks
# the rows instead.
MAIL_LOCK_FILE = str(env.path("MAIL_LOCK_FILE", default=BASE_DIR / "send_mail.flock"))

REGISTRATION_RATE_LIMIT = env.int("REGISTRATION_RATE_LIMIT", default=10)
REGISTRATION_RATE_WINDOW = env.int("REGISTRATION_RATE_WINDOW", default=600)
# django-ratelimit counts in the default cache; core/protection.py lets a submission
# through when that cache is down.
RATELIMIT_FAIL_OPEN = True
# django-ratelimit's list of supported backends predates Django's own RedisCache, whose add() and
# incr() are the atomic operations it needs (the suite runs the limit on Redis in CI).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if CACHES["default"]["BACKEND"] in (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.filebased.FileBasedCache",
):
    # Local memory is shared within one process, which is what runserver and the tests are (a
    # deployment check warns when gunicorn runs several: webinars.W002). Files are shared by the
    # workers of one machine; their counts are not atomic, so two submissions at the same
    # instant may count once, which a rate limit can live with. Several machines: Redis.
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
# CACHE_URL=dummycache:// switches caching off, and with it the rate limits, which have nowhere
# to count: a system check says so (webinars.W003) instead of django-ratelimit stopping start-up.
RATELIMIT_ENABLE = CACHES["default"]["BACKEND"] != "django.core.cache.backends.dummy.DummyCache"
if not RATELIMIT_ENABLE:
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
# How many reverse proxies append to X-Forwarded-For in front of the app (0 = use REMOTE_ADDR).
RATE_LIMIT_PROXY_COUNT = env.int("RATE_LIMIT_PROXY_COUNT", default=0)
# IPv6 clients are counted per network of this prefix length: one connection usually holds a
# whole /64 and can use any address in it. (IPv4 clients are counted per address.)
RATE_LIMIT_IPV6_PREFIX = env.str("RATE_LIMIT_IPV6_PREFIX", default="64").strip()
if not (RATE_LIMIT_IPV6_PREFIX.isascii() and RATE_LIMIT_IPV6_PREFIX.isdigit()) or not (
    1 <= int(RATE_LIMIT_IPV6_PREFIX) <= 128
):
    sys.exit(
        f"RATE_LIMIT_IPV6_PREFIX={RATE_LIMIT_IPV6_PREFIX}: give the prefix length of the IPv6 "
        "network counted as one client, from 1 to 128 (64 is one connection's usual share)."
    )
RATE_LIMIT_IPV6_PREFIX = int(RATE_LIMIT_IPV6_PREFIX)
REGISTRATION_RESEND_MINUTES = env.int("REGISTRATION_RESEND_MINUTES", default=10)
JOIN_WINDOW_MINUTES = env.int("JOIN_WINDOW_MINUTES", default=30)
# When send_reminders mails registrants, before each start: "1d, 1h" (days, hours, minutes,
# comma-separated; "none" for no reminders). A series or a webinar can set its own. The older
# REMINDER_LEAD_HOURS=N still works when REMINDERS is not set, as one reminder N hours before.
REMINDERS = env.str(
    "REMINDERS",
    default=f"{env.int('REMINDER_LEAD_HOURS')}h" if "REMINDER_LEAD_HOURS" in env else "1d, 1h",
)
try:
    parse_reminders(REMINDERS)
except RemindersError as error:
    sys.exit(f"REMINDERS={REMINDERS!r}: {error}")
# Every registration waits for its address to be confirmed through a mailed link (each webinar
# can also ask for it); holds not confirmed within REGISTRATION_HOLD_MINUTES expire, take no
# seat meanwhile, and `purge_unconfirmed` deletes them.
REGISTRATION_CONFIRM_EMAIL = env.bool("REGISTRATION_CONFIRM_EMAIL", default=False)
REGISTRATION_HOLD_MINUTES = env.int("REGISTRATION_HOLD_MINUTES", default=60)
if not 1 <= REGISTRATION_HOLD_MINUTES <= 7 * 24 * 60:
    sys.exit(
        f"REGISTRATION_HOLD_MINUTES={REGISTRATION_HOLD_MINUTES}: give the minutes a registrant has "
        "to confirm their address, from 1 to 10080 (a week)."
    )
REGISTRATION_RETENTION_DAYS = env.int("REGISTRATION_RETENTION_DAYS", default=90)

# --- Single sign-on (sso/), meeting providers (meetings/) and webhooks (hooks/) ---
# Each app reads its own variables (config/integrations.py); nothing here reaches the network.
try:
    vars().update(integrations_from_environment(env, BASE_DIR))
except IntegrationSettingsError as error:
    sys.exit(str(error))
# The password backend refuses everyone while OIDC_ONLY is on; the other one answers only the
# provider's callback (sso/backends.py).
AUTHENTICATION_BACKENDS = ["sso.backends.PasswordBackend", "sso.backends.OidcBackend"]

# --- Production hardening: all from the environment, safe by default ---

# Behind a reverse proxy that terminates TLS, set SECURE_PROXY_SSL_HEADER=on so Django trusts the
# proxy's X-Forwarded-Proto header; the proxy must set (not pass through) that header.
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# On by default in production; set SECURE_SSL_REDIRECT=off only if the proxy already redirects.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe the app servers over plain HTTP: a redirect would read as "unhealthy".
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# No page script reads the CSRF cookie (the admin's JavaScript does not either).
CSRF_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Origins (https://www.example.org) of sites that embed the public pages and post their forms;
# SITE_URL is always allowed.
EMBED_ALLOWED_ORIGINS = env.list("EMBED_ALLOWED_ORIGINS", default=[])

# The public API (api/): reads only, open to scripts on any site, no credentials.
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "accept-language", "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After"]
CORS_PREFLIGHT_MAX_AGE = 86400
# Reads per client per window (counted in the cache, like the registration limit).
API_RATE_LIMIT = env.int("API_RATE_LIMIT", default=120)
API_RATE_WINDOW = env.int("API_RATE_WINDOW", default=60)
# Requests per organisers' token per API_RATE_WINDOW, whatever the method.
API_TOKEN_RATE_LIMIT = env.int("API_TOKEN_RATE_LIMIT", default=300)

# Content-Security-Policy (django-csp): no inline script or style anywhere; JSON-LD data blocks
# are not executed, so they need no exception. CSP_EXTRA_IMG_SRC adds e.g. a media CDN origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *env.list("CSP_EXTRA_IMG_SRC", default=[])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# The page cache (webinars/cache.py): how long Django's cache keeps a page at most; it also
# renews on every organiser's save and when a webinar starts or ends. 0 turns it off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=3600)
# How often each process reads the content generation from the database (one small query), so
# that a cache restored from an older snapshot serves its pages at most this long.
CONTENT_GENERATION_SECONDS = env.float("CONTENT_GENERATION_SECONDS", default=1)
# What public pages tell shared caches (a reverse proxy): keep a page this long, then serve it
# this much longer while asking the app again in the background.
PAGE_CACHE_SHARED_SECONDS = env.int("PAGE_CACHE_SHARED_SECONDS", default=10)
PAGE_CACHE_STALE_SECONDS = env.int("PAGE_CACHE_STALE_SECONDS", default=60)
# The prefix lets sites share one Redis database.
CACHES["default"].setdefault("KEY_PREFIX", env.str("CACHE_KEY_PREFIX", default="webinars"))
