"""System checks on settings that would otherwise fail quietly."""

import runpy
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.utils.translation import to_locale

from core.protection import origin_of


@checks.register(checks.Tags.security)
def check_embed_origins(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """An EMBED_ALLOWED_ORIGINS entry that is no origin lets no site frame or post: say so."""
    return [
        checks.Warning(
            f"EMBED_ALLOWED_ORIGINS: {entry!r} is not an origin such as https://www.example.org; "
            "it is ignored, so that site can neither frame the embed pages nor post their forms.",
            id="webinars.W001",
        )
        for entry in settings.EMBED_ALLOWED_ORIGINS
        if origin_of(entry) is None
    ]


# Caches that each process keeps for itself: with several workers, each shows its own pages
# (an edit reaches some of them), and the rate limit counts per worker.
PER_PROCESS_CACHES = frozenset(
    {
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
    }
)


def gunicorn_workers() -> int:
    """How many workers gunicorn.conf.py starts in this environment (WEB_CONCURRENCY ...)."""
    path = settings.BASE_DIR / "gunicorn.conf.py"
    if not path.is_file():
        return 1
    return int(runpy.run_path(str(path)).get("workers", 1))


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Production with several workers and a cache per process shows stale pages: say so."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or backend not in PER_PROCESS_CACHES:
        return []
    workers = gunicorn_workers()
    if workers <= 1:
        return []
    return [
        checks.Warning(
            f"The cache ({backend}) is kept per process, but gunicorn.conf.py starts {workers} "
            "workers: after an edit some of them keep showing the old pages, and the rate "
            "limit counts per worker.",
            hint="Set CACHE_URL to Redis, or leave it unset for the file cache under CACHE_DIR "
            "(one machine).",
            id="webinars.W002",
        )
    ]


@checks.register(checks.Tags.caches)
def check_rate_limits_counted(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The dummy cache keeps nothing, so no rate limit can count: they are off, and said to be."""
    if settings.RATELIMIT_ENABLE:
        return []
    return [
        checks.Warning(
            "The cache is the dummy cache (CACHE_URL=dummycache://): no page is cached and the "
            "rate limits on registration, follow and API requests are off.",
            hint="Leave CACHE_URL unset for the file cache under CACHE_DIR, or set it to Redis.",
            id="webinars.W003",
        )
    ]


def stale_catalogues() -> list[tuple[str, Path, str]]:
    """(language, .po file, "missing" or "older") for each catalogue not compiled since its .po."""
    found = []
    for code, _name in settings.LANGUAGES:
        locale = to_locale(code)
        for folder in settings.LOCALE_PATHS:
            for source in sorted((Path(folder) / locale / "LC_MESSAGES").glob("*.po")):
                compiled = source.with_suffix(".mo")
                if not compiled.is_file():
                    found.append((code, source, "missing"))
                elif compiled.stat().st_mtime < source.stat().st_mtime:
                    found.append((code, source, "older"))
    return found


@checks.register(checks.Tags.translation)
def check_compiled_catalogues(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Without a current .mo, Django serves that language's pages in English and says nothing."""
    return [
        checks.Warning(
            f"{source}: its compiled catalogue {source.with_suffix('.mo').name} is "
            + ("missing" if state == "missing" else "older than the .po")
            + f", so pages in {code!r} show "
            + ("no translation." if state == "missing" else "an older translation."),
            hint="Run `manage.py compilemessages` (`make serve-prod` does) after every update.",
            id="webinars.W004",
        )
        for code, source, state in stale_catalogues()
    ]
