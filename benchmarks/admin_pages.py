"""Organisers' pages at two sizes: time and query count of each, signed in as an organiser.

Runs Django in this process with its test client against a fresh database (SQLite in a
temporary file, or the PostgreSQL database named by BENCH_ADMIN_DATABASE_URL, which it
empties), fills it with `--small` then `--large` webinars (registrations per webinar and
feedback on past ones), and prints a Markdown table to append to benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/admin_pages.py [--small 200] [--large 2000] [--per-webinar 20]

Times are the median of five requests after one warm-up; the machine is shared, so read the
ratio between sizes. The query count is what the targets bound (at most 15, flat).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(database_url: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="on",
        ALLOWED_HOSTS="testserver",
        SECRET_KEY="benchmark-only-" + "k" * 50,
        DATABASE_URL=database_url,
        CACHE_URL="locmemcache://",
        PAGE_CACHE_SECONDS="0",
        EMAIL_URL="dummymail://",
        LOG_LEVEL="ERROR",
    )
    import django

    django.setup()


def fill(count: int, per_webinar: int, tag: str) -> None:
    from django.utils import timezone

    from afterwards.models import Feedback
    from series.models import Series
    from webinars.models import Registration, Speaker, Webinar, WebinarSpeaker

    now = timezone.now()
    series = Series.objects.create(title=f"Long series {tag}", slug=f"long-{tag}")
    speaker = Speaker.objects.create(name=f"Busy speaker {tag}", slug=f"busy-{tag}")
    webinars = Webinar.objects.bulk_create(
        Webinar(
            series=series,
            number=n + 1,
            title=f"Talk {tag} {n}",
            slug=f"talk-{tag}-{n}",
            start=now + timedelta(days=n - count // 2, hours=1),
            end=now + timedelta(days=n - count // 2, hours=2),
            time_zone="Europe/Brussels",
            is_published=True,
        )
        for n in range(count)
    )
    WebinarSpeaker.objects.bulk_create(WebinarSpeaker(webinar=w, speaker=speaker) for w in webinars)
    for start in range(0, len(webinars), 100):
        registrations = Registration.objects.bulk_create(
            Registration(
                webinar=w,
                name=f"Person {i}",
                email=f"p{i}-{w.pk}@example.org",
                status=Registration.Status.CONFIRMED,
            )
            for w in webinars[start : start + 100]
            for i in range(per_webinar)
        )
        Feedback.objects.bulk_create(
            Feedback(registration=r, rating=1 + r.pk % 5)
            for r in registrations
            if r.webinar.start < now and r.pk % 3 == 0
        )


def pages(tag: str) -> list[tuple[str, str, str, dict]]:
    from django.urls import reverse

    from series.models import Series
    from webinars.models import Webinar

    series = Series.objects.get(slug=f"long-{tag}")
    one = Webinar.objects.filter(series=series).order_by("start")[len(Webinar.objects.all()) // 4]
    run = reverse("admin:series_series_run", args=[series.pk])
    return [
        ("dashboard", "GET", reverse("admin:index"), {}),
        ("webinars", "GET", reverse("admin:webinars_webinar_changelist"), {}),
        ("registrations", "GET", reverse("admin:webinars_registration_changelist"), {}),
        (
            "registrations, address search",
            "GET",
            reverse("admin:webinars_registration_changelist"),
            {"q": "p1-"},
        ),
        (
            "registrations of one webinar",
            "GET",
            reverse("admin:webinars_registration_changelist"),
            {"webinar__id__exact": one.pk},
        ),
        ("feedback", "GET", reverse("admin:afterwards_feedback_changelist"), {}),
        ("figures and attendance", "GET", reverse("admin:afterwards_webinarrecord_changelist"), {}),
        ("speakers", "GET", reverse("admin:webinars_speaker_changelist"), {}),
        (
            "series page (its webinars)",
            "GET",
            reverse("admin:series_series_change", args=[series.pk]),
            {},
        ),
        (
            "run of webinars, preview of 100",
            "POST",
            run,
            {
                "first_date": "2027-01-05",
                "start_time": "10:00",
                "time_zone": "Europe/Brussels",
                "duration": "60",
                "repeat": "weekly",
                "count": "100",
                "title_pattern": "{series} #{n}",
            },
        ),
    ]


def measure(client, method: str, url: str, data: dict) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call = client.post if method == "POST" else client.get
    assert call(url, data).status_code == 200, url
    times, queries = [], 0
    for _ in range(5):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = call(url, data)
            times.append(time.perf_counter() - began)
        assert response.status_code == 200, url
        queries = len(captured)
    return statistics.median(times) * 1000, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--large", type=int, default=2000)
    parser.add_argument("--per-webinar", type=int, default=20)
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_ADMIN_DATABASE_URL")
    folder = tempfile.mkdtemp(prefix="admin-bench-")
    setup(database_url or f"sqlite:///{folder}/bench.sqlite3")

    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    if database_url:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    user = User.objects.create_user("bench-organiser", is_staff=True)
    user.groups.add(Group.objects.get(name="Organisers"))
    client = Client()
    client.force_login(user)

    results = {}
    for tag, count in (("small", args.small), ("large", args.large - args.small)):
        fill(count, args.per_webinar, tag)
        total = args.small if tag == "small" else args.large
        label = f"{total:,} webinars, {total * args.per_webinar:,} registrations"
        results[label] = {name: measure(client, m, u, d) for name, m, u, d in pages(tag)}
    small, large = results.values()
    print(f"Database: {connection.vendor}. Median of 5 requests, in this process (test client).\n")
    labels = list(results)
    print(f"| page | {labels[0]}: ms | queries | {labels[1]}: ms | queries |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in small:
        (ms_a, q_a), (ms_b, q_b) = small[name], large[name]
        print(f"| {name} | {ms_a:.0f} | {q_a} | {ms_b:.0f} | {q_b} |")


if __name__ == "__main__":
    main()
