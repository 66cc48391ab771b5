"""Benchmark the organisers' background work: the mail worker, reminders, a message to many,
the purge and the CSV export, on a throwaway database.

    .venv/bin/python benchmarks/background.py                      # SQLite in a temporary file
    .venv/bin/python benchmarks/background.py --database-url postgres://postgres@127.0.0.1:5432/bench_background
    .venv/bin/python benchmarks/background.py --sections worker,export --write

Each section runs in a process of its own (so its peak memory is its own) on a flushed database:
it writes its rows with bulk inserts, then measures the work as cron or admin would run it, with
its wall time, queries and the growth of the process's peak resident memory (ru_maxrss) over
what it held before the work started. --write puts the table in benchmarks/RESULTS.md (section
"Organisers' background work"), replacing an earlier run on the same database.

A PostgreSQL database named in --database-url is emptied: give it one of its own.
"""

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = {
    "worker": 10_000,
    "refusing": 10_000,
    "reminders": 10_000,
    "message": 10_000,
    "purge": 250_000,
    "export": 265_000,
}
BATCH = 5000


def child_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="off",
        SECRET_KEY="benchmark-only-" + "k" * 50,
        DATABASE_URL=database_url,
        CACHE_URL="dummycache://",
        EMAIL_URL="dummymail://",
        MAIL_SEND_IMMEDIATELY="off",
        LOG_LEVEL="ERROR",
        REMINDERS="1d, 1h",
    )
    return env


# -- in the child process --------------------------------------------------------------------


def _rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Measure:
    """Wall time, queries and peak memory growth of the block."""

    def __enter__(self):
        from django.db import connection

        self.queries = 0

        def count(execute, sql, params, many, context):
            self.queries += 1
            return execute(sql, params, many, context)

        self._wrapper = connection.execute_wrapper(count)
        self._wrapper.__enter__()
        self.rss_before = _rss_kb()
        self.cpu_start = time.process_time()
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        self.cpu_seconds = time.process_time() - self.cpu_start
        self._wrapper.__exit__(*exc)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.rss_growth_mb = max(0, peak - self.rss_before) / 1024
        return False

    def row(self, **extra) -> dict:
        return {
            "seconds": round(self.seconds, 2),
            "cpu_seconds": round(self.cpu_seconds, 2),
            "queries": self.queries,
            "rss_growth_mb": round(self.rss_growth_mb, 1),
            **extra,
        }


def _webinars(count: int, *, start):
    from django.utils import timezone

    from series.models import Organisation, Series, SeriesOrganisation
    from webinars.models import Speaker, Webinar, WebinarSpeaker

    series = Series.objects.create(title="Background benchmark", slug="background-benchmark")
    organisation = Organisation.objects.create(name="Benchmark organisers")
    SeriesOrganisation.objects.create(series=series, organisation=organisation, role="organiser")
    speaker = Speaker.objects.create(name="Ada Speaker", slug="ada-speaker", affiliation="KU")
    webinars = Webinar.objects.bulk_create(
        Webinar(
            series=series,
            number=i + 1,
            title=f"Background webinar {i + 1}",
            slug=f"background-webinar-{i + 1}",
            start=start + timedelta(hours=i),
            end=start + timedelta(hours=i, minutes=90),
            time_zone="Europe/Brussels",
            created=timezone.now(),
        )
        for i in range(count)
    )
    WebinarSpeaker.objects.bulk_create(
        WebinarSpeaker(webinar=w, speaker=speaker, role="speaker") for w in webinars
    )
    return webinars


def _registrations(webinars, count: int, *, created=None):
    from django.utils import timezone

    from webinars.models import Registration

    created = created or timezone.now() - timedelta(days=200)
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        Registration.objects.bulk_create(
            Registration(
                webinar=webinars[(made + i) % len(webinars)],
                name=f"Registrant {made + i}",
                email=f"r{made + i}@example.org",
                organisation="Benchmark",
                status="confirmed",
                consent_at=created,
                created=created,
            )
            for i in range(size)
        )
        made += size


def _analyze():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def section_worker(n: int) -> dict:
    from django.utils import timezone

    from webinars.mail import queue_flush
    from webinars.models import PendingMail, Registration

    webinars = _webinars(5, start=timezone.now() + timedelta(days=10))
    _registrations(webinars, n)
    for start in range(0, n, BATCH):
        PendingMail.objects.bulk_create(
            PendingMail(registration_id=pk, kind="details", status="confirmed")
            for pk in Registration.objects.order_by("pk").values_list("pk", flat=True)[
                start : start + BATCH
            ]
        )
    _analyze()
    with Measure() as m:
        counts = queue_flush()
    return m.row(
        sent=counts["sent"],
        per_second=round(counts["sent"] / m.seconds, 1),
        per_cpu_second=round(counts["sent"] / m.cpu_seconds, 1),
    )


def section_refusing(n: int) -> dict:
    import socket

    from django.conf import settings
    from django.utils import timezone

    from webinars.mail import queue_flush
    from webinars.models import PendingMail, Registration

    webinars = _webinars(5, start=timezone.now() + timedelta(days=10))
    _registrations(webinars, n)
    PendingMail.objects.bulk_create(
        PendingMail(registration_id=pk, kind="details", status="confirmed")
        for pk in Registration.objects.values_list("pk", flat=True)
    )
    _analyze()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    with socket.create_server(("127.0.0.1", 0)) as closed:
        settings.EMAIL_PORT = closed.getsockname()[1]
    with Measure() as m:
        counts = queue_flush()
    return m.row(tried=counts["failed"], sent=counts["sent"])


def section_reminders(n: int) -> dict:
    from django.utils import timezone

    from webinars.services import reminders_send_due

    webinars = _webinars(5, start=timezone.now() + timedelta(minutes=30))
    _registrations(webinars, n, created=timezone.now() - timedelta(days=3))
    _analyze()
    with Measure() as due:
        queued = reminders_send_due()
    with Measure() as again:
        second = reminders_send_due()
    return due.row(
        queued=queued,
        again_seconds=round(again.seconds, 3),
        again_queries=again.queries,
        again_queued=second,
    )


def section_message(n: int) -> dict:
    from django.utils import timezone

    from webinars.mail import queue_flush
    from webinars.models import PendingMail, RegistrantMessage
    from webinars.services import message_send

    webinars = _webinars(1, start=timezone.now() + timedelta(days=10))
    _registrations(webinars, n)
    _analyze()
    message = RegistrantMessage.objects.create(
        webinar=webinars[0], subject="A word before we start", body="Bring questions."
    )
    with Measure() as request:
        message_send(message=message)
    with Measure() as worker:
        queue_flush()
    return request.row(
        worker_seconds=round(worker.seconds, 2),
        worker_queries=worker.queries,
        queued=PendingMail.objects.filter(kind="message").count(),
    )


def section_purge(n: int) -> dict:
    from django.utils import timezone

    from webinars.models import Registration
    from webinars.services import registrations_purge

    webinars = _webinars(50, start=timezone.now() - timedelta(days=150))
    _registrations(webinars, n)
    _analyze()
    with Measure() as m:
        count = registrations_purge(older_than_days=90)
    left = Registration.objects.filter(anonymised_at__isnull=True).count()
    return m.row(anonymised=count, left=left)


def section_export(n: int) -> dict:
    from django.utils import timezone

    from webinars.admin.export import registrations_csv
    from webinars.models import Registration

    webinars = _webinars(50, start=timezone.now() - timedelta(days=10))
    _registrations(webinars, n)
    _analyze()
    size = lines = 0
    with Measure() as m:
        response = registrations_csv(Registration.objects.all(), filename="all.csv")
        content = iter(response.streaming_content if response.streaming else [response.content])
        first = next(content)
        first_byte = time.perf_counter() - m.start
        size, lines = len(first), first.count(b"\n")
        for chunk in content:
            size += len(chunk)
            lines += chunk.count(b"\n")
    return m.row(
        first_byte_seconds=round(first_byte, 3), megabytes=round(size / 1e6, 1), rows=lines - 1
    )


SECTIONS = {
    "worker": section_worker,
    "refusing": section_refusing,
    "reminders": section_reminders,
    "message": section_message,
    "purge": section_purge,
    "export": section_export,
}


def run_child(section: str, n: int) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    print(json.dumps(SECTIONS[section](n)))


# -- in the parent process -------------------------------------------------------------------


def _vendor(database_url: str) -> str:
    return "PostgreSQL" if database_url.startswith("postgres") else "SQLite"


def run(database_url: str, sections: list[str], sizes: dict[str, int]) -> dict[str, dict]:
    env = child_env(database_url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    results = {}
    for section in sections:
        started = datetime.now(UTC)
        out = subprocess.run(
            [sys.executable, __file__, "--child", section, "--size", str(sizes[section])],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            raise SystemExit(f"section {section} failed:\n{out.stderr[-4000:]}")
        results[section] = {"n": sizes[section], **json.loads(out.stdout.strip().splitlines()[-1])}
        print(f"[{started:%H:%M:%S}] {section}: {results[section]}", flush=True)
    return results


def _row(section: str, r: dict) -> str:
    n = f"{r['n']:,}"
    common = f"{r['seconds']} s | {r['queries']:,} | {r['rss_growth_mb']} MB"
    if section == "worker":
        return f"| worker: {n} queued to `dummymail://` | {common} | {r['per_second']} msg/s |"
    if section == "refusing":
        return (
            f"| worker, server refusing: {n} queued | {common} | {r['tried']} tried, then stopped |"
        )
    if section == "reminders":
        return (
            f"| reminders: {n} due | {common} | {r['queued']} queued; nothing due then: "
            f"{r['again_seconds']} s, {r['again_queries']} queries |"
        )
    if section == "message":
        return (
            f'| message "Send" to {n} (the request) | {common} | worker then queued and sent '
            f"{r['queued']:,} in {r['worker_seconds']} s, {r['worker_queries']:,} queries |"
        )
    if section == "purge":
        return f"| purge: {n} due | {common} | {r['anonymised']:,} anonymised, {r['left']} left |"
    return (
        f"| CSV export: {n} registrations | {common} | first byte {r['first_byte_seconds']} s, "
        f"{r['megabytes']} MB, {r['rows']:,} rows |"
    )


def markdown(vendor: str, results: dict[str, dict]) -> str:
    lines = [
        f"### {vendor}",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node() or 'this machine'} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}), shared with other jobs: "
        "read the times as orders of magnitude; queries and memory hold.",
        "",
        "| what | time | queries | peak RSS growth | result |",
        "| --- | ---: | ---: | ---: | --- |",
        *(_row(section, r) for section, r in results.items()),
        "",
    ]
    return "\n".join(lines)


HEADING = "## Organisers' background work (`background.py`)"


def write_results(vendor: str, table: str) -> None:
    path = ROOT / "benchmarks" / "RESULTS.md"
    text = path.read_text()
    intro = (
        f"{HEADING}\n\n`.venv/bin/python benchmarks/background.py [--database-url URL] --write`: "
        "each row in a process of its own on a flushed database; the peak RSS growth is the "
        "process's peak resident memory over what it held before the work began.\n\n"
    )
    if HEADING not in text:
        text = text.rstrip("\n") + "\n\n\n" + intro
    start = text.index(HEADING)
    following = text.find("\n## ", start + len(HEADING))
    body = text[start : following if following != -1 else len(text)]
    rest = text[following:] if following != -1 else ""
    body = re.sub(rf"### {vendor}\n.*?(?=\n### |\Z)", "", body, flags=re.S).rstrip("\n")
    body = f"{body}\n\n{table}"
    path.write_text(text[:start] + body.rstrip("\n") + "\n" + rest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--sections", default=",".join(SECTIONS))
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every size")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.size)
        return
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"Unknown sections: {', '.join(sorted(unknown))}")
    sizes = {name: max(1, int(n * args.scale)) for name, n in SIZES.items()}
    with tempfile.TemporaryDirectory(prefix="background-bench-") as folder:
        database_url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
        results = run(database_url, sections, sizes)
    table = markdown(_vendor(database_url), results)
    print(table)
    if args.write:
        write_results(_vendor(database_url), table)


if __name__ == "__main__":
    main()
