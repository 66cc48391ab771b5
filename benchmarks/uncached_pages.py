"""Uncached public pages as a ratio of `/healthz`, in one process, without a server or wrk.

    .venv/bin/python benchmarks/uncached_pages.py [--database PATH] [--requests 30] [--rounds 5]
        [--webinars 2000] [--registrations 100000] [--save DIR]

Migrates a SQLite database (a temporary file, or PATH, kept and reused when it exists), loads
`generate_demo_data` (50 series, 2,000 webinars), turns the page cache off
(`PAGE_CACHE_SECONDS=0`) and renders `/healthz`, `/` and one upcoming webinar page through
Django's test client with the production settings (DEBUG off, as `compare_commits.py`). Rounds
alternate between the pages, so a busy moment slows all of them; the figure is pages per second
of CPU time of this process (not wall time), median of the rounds, and each page's ratio to
`/healthz` is what the targets bound. `--save DIR` also writes the HTML of `/`, `/nl/`, the
webinar, its series and a speaker page, to compare before and after a change byte for byte
(use the same `--database`).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(database: Path) -> None:
    os.environ.update(
        # The test settings: production settings with plain static files (no collectstatic).
        DJANGO_SETTINGS_MODULE="config.settings_test",
        DEBUG="off",
        SECRET_KEY="benchmark-only-" + "k" * 50,
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{database}",
        PAGE_CACHE_SECONDS="0",
        SECURE_SSL_REDIRECT="off",
        SITE_URL="http://testserver",
        MAIL_SEND_IMMEDIATELY="off",
        LOG_LEVEL="ERROR",
    )
    for name in ("CACHE_URL", "EMAIL_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()


def load(args) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command(
        "generate_demo_data",
        series=50,
        webinars=args.webinars,
        registrations=args.registrations,
        verbosity=0,
    )


def targets() -> dict[str, str]:
    from django.utils import timezone

    from webinars.models import Speaker, Webinar

    webinar = (
        Webinar.objects.filter(
            slug__startswith="generated-", start__gt=timezone.now(), series__isnull=False
        )
        .order_by("start")
        .first()
    )
    speaker = Speaker.objects.filter(appearances__webinar=webinar).order_by("pk").first()
    return {
        "/healthz": "/healthz",
        "/": "/",
        "webinar page": webinar.get_absolute_url(),
        "/nl/": "/nl/",
        "series page": webinar.series.get_absolute_url(),
        "speaker page": speaker.get_absolute_url(),
    }


def measure(client, urls: dict[str, str], requests: int, rounds: int) -> dict[str, float]:
    timed = ["/healthz", "/", "webinar page"]
    for name in timed:
        assert client.get(urls[name]).status_code == 200, urls[name]
    rates: dict[str, list[float]] = {name: [] for name in timed}
    for _ in range(rounds):
        for name in timed:
            started = time.process_time()
            for _ in range(requests):
                client.get(urls[name])
            rates[name].append(requests / (time.process_time() - started))
    return {name: statistics.median(values) for name, values in rates.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--webinars", type=int, default=2000)
    parser.add_argument("--registrations", type=int, default=100_000)
    parser.add_argument("--save", type=Path, help="write the pages' HTML into this folder")
    args = parser.parse_args()
    workdir = tempfile.TemporaryDirectory(prefix="uncached-pages-")
    database = args.database or Path(workdir.name) / "bench.sqlite3"
    fresh = not database.exists()
    setup(database.resolve())
    if fresh:
        load(args)
    from django.test import Client

    # No setup_test_environment(): its instrumented template rendering copies every context,
    # which would cost more than the rendering measured.
    client = Client()
    urls = targets()
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
        for name, url in urls.items():
            response = client.get(url)
            assert response.status_code == 200, url
            stem = name.strip("/").replace(" ", "-").replace("/", "") or "index"
            (args.save / f"{stem}.html").write_bytes(response.content)
    rates = measure(client, urls, args.requests, args.rounds)
    floor = rates["/healthz"]
    print(f"{args.webinars:,} webinars; median of {args.rounds} rounds of {args.requests} requests")
    print("| page | pages/s (CPU) | ratio to /healthz |")
    print("| --- | ---: | ---: |")
    for name, rate in rates.items():
        print(f"| {name} `{urls[name]}` | {rate:.0f} | {rate / floor:.3f} |")


if __name__ == "__main__":
    main()
