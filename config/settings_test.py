"""Test settings: the production settings with test-only speed-ups and a locmem mailbox."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The mail worker sends with EMAIL_BACKEND: into django.core.mail.outbox in tests.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Serve static files from the app folders, as runserver does; no collectstatic needed in tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared-cache memory, so tests with real threads see one database with
    # SQLite's ordinary locking (busy timeout, immediate transactions).
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"webinars-test-{os.getpid()}.sqlite3")
    }
if not os.environ.get("CACHE_URL"):
    # One process, and every test clears the cache: local memory, not files shared by runs.
    CACHES["default"] = {  # noqa: F405
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_PREFIX": CACHES["default"]["KEY_PREFIX"],  # noqa: F405
    }
# A test runs in one transaction that the mail thread's own connection could not see: immediate
# mail is composed in the request's thread instead (tests that need the thread turn it on).
MAIL_BACKGROUND_THREAD = False
# The test client speaks plain HTTP; production redirects to HTTPS unless told otherwise.
SECURE_SSL_REDIRECT = False
# Uploads made by tests (materials, photos) stay out of the project's media/.
import tempfile  # noqa: E402

MEDIA_ROOT = tempfile.mkdtemp(prefix="webinars-test-media-")

# pytest-xdist runs the suite in several processes, and tests clear the cache: each process keeps
# its own Redis database (the URL's, then the ones below it).
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and CACHES["default"]["BACKEND"].endswith("RedisCache"):  # noqa: F405

    def _own_database(url: str) -> str:
        base, _, number = url.rpartition("/")
        return f"{base}/{int(number) - int(_worker[2:])}" if number.isdigit() else url

    _location = CACHES["default"]["LOCATION"]  # noqa: F405
    CACHES["default"]["LOCATION"] = (  # noqa: F405
        [_own_database(url) for url in _location]
        if isinstance(_location, list)
        else _own_database(_location)
    )
# The mail sender's flock: one per test process, so that parallel test processes (pytest-xdist)
# do not wait for each other's senders.
if "MAIL_LOCK_FILE" not in os.environ:
    MAIL_LOCK_FILE = os.path.join(tempfile.gettempdir(), f"webinars-test-mail-{os.getpid()}.flock")
if "WEBHOOK_LOCK_FILE" not in os.environ:
    WEBHOOK_LOCK_FILE = os.path.join(
        tempfile.gettempdir(), f"webinars-test-webhooks-{os.getpid()}.flock"
    )
# One process makes every change a test sees, and keeps the generation it wrote: no second
# reads, so query counts do not depend on how fast a test runs (tests of the reading set it).
CONTENT_GENERATION_SECONDS = 10**9
