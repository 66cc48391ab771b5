"""Our webinar page, uncached, beside pretix's public event page, in the same run.

    .venv/bin/python benchmarks/pretix.py             # prints; puts its section in RESULTS.md
    .venv/bin/python benchmarks/pretix.py --markdown  # prints the section only (run.py's way)

pretix is the usual open-source answer to "sell tickets / take registrations for an event", so
its event page is a fair yardstick for ours. Both run the same way: gunicorn with 2 sync
workers, SQLite, nothing in front, measured with wrk one after the other on the same machine.
pretix runs with its defaults (no Redis, so no shared cache); ours with the page cache off, so
every request renders the page (the large data set: its series lists ~40 other webinars).

pretix lives in a virtualenv of its own, benchmarks/.pretix/venv (not tracked), installed on
first use with pip (PRETIX_VERSION), with its compiled static files (`pretix rebuild`) and its
data (benchmarks/.pretix/data: SQLite, an organizer and a live event with one item).
"""

import json
import os
import subprocess
import sys
import tempfile
import time

import run
from run import ROOT

# The newest release when this was written that installs on Python 3.11.
PRETIX_VERSION = os.environ.get("BENCH_PRETIX_VERSION", "2026.8.0")
PRETIX_DIR = ROOT / "benchmarks" / ".pretix"
VENV = PRETIX_DIR / "venv"
DATA = PRETIX_DIR / "data"
PORT = run.PORT + 3
OUR_PORT = run.PORT
WORKERS = 2
HEADING = "## Side by side with pretix"

PRETIX_CFG = """\
[pretix]
instance_name=Benchmark
url=http://127.0.0.1:{port}
currency=EUR
datadir={data}

[database]
backend=sqlite3
name={data}/db.sqlite3

[mail]
from=bench@example.org
"""

# Run by `python -m pretix shell`: pretix's models, as its own admin would create them.
CREATE_EVENT = """
from datetime import timedelta
from decimal import Decimal
from django.utils import timezone
from django_scopes import scopes_disabled
from pretix.base.models import Event, Item, Organizer, Quota

with scopes_disabled():
    org, _ = Organizer.objects.get_or_create(slug="bench", defaults={"name": "Benchmark"})
    start = timezone.now() + timedelta(days=30)
    event, _ = Event.objects.get_or_create(
        organizer=org, slug="webinar",
        defaults=dict(name="Benchmark webinar", currency="EUR", date_from=start,
                      date_to=start + timedelta(hours=1), live=True),
    )
    event.date_from, event.date_to, event.live = start, start + timedelta(hours=1), True
    event.save()
    item, _ = Item.objects.get_or_create(
        event=event, name="Seat", defaults={"default_price": Decimal("0")})
    quota, _ = Quota.objects.get_or_create(event=event, name="Seats", defaults={"size": 300})
    quota.items.add(item)
    print("EVENT", f"/{org.slug}/{event.slug}/")
"""


def log(message: str) -> None:
    # stdout is the Markdown section (run.py reads it); progress goes to stderr.
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", file=sys.stderr, flush=True)


def _run(args: list[str], what: str, timeout: int = 1200, **kwargs) -> str:
    started = time.monotonic()
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)
    if done.returncode != 0:
        raise SystemExit(f"{what} failed ({' '.join(args)}):\n{done.stderr[-3000:]}")
    log(f"{what}: {time.monotonic() - started:.0f} s")
    return done.stdout


def pretix_env() -> dict[str, str]:
    return dict(os.environ, PRETIX_CONFIG_FILE=str(PRETIX_DIR / "pretix.cfg"))


def install() -> None:
    """pretix in its own virtualenv, once per version; its static files compiled once."""
    marker = VENV / f".installed-{PRETIX_VERSION}"
    if marker.exists():
        return
    if not (VENV / "bin" / "python").exists():
        _run([sys.executable, "-m", "venv", str(VENV)], "virtualenv for pretix")
    python = str(VENV / "bin" / "python")
    _run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], "pip upgrade")
    _run(
        [python, "-m", "pip", "install", "--quiet", f"pretix=={PRETIX_VERSION}", "gunicorn"],
        f"pip install pretix=={PRETIX_VERSION}",
    )
    write_config()
    # Compiled stylesheets and compressed bundles: without them no page renders with DEBUG off.
    _run([python, "-m", "pretix", "rebuild"], "pretix rebuild", env=pretix_env(), cwd=PRETIX_DIR)
    marker.touch()


def write_config() -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    (PRETIX_DIR / "pretix.cfg").write_text(PRETIX_CFG.format(port=PORT, data=DATA))


def prepare_event() -> str:
    """Migrate pretix's database and create the event; returns the event page's path."""
    python = str(VENV / "bin" / "python")
    write_config()
    env = pretix_env()
    _run([python, "-m", "pretix", "migrate", "--noinput"], "pretix migrate", env=env, cwd=DATA)
    out = _run(
        [python, "-m", "pretix", "shell"],
        "pretix event",
        input=CREATE_EVENT,
        env=env,
        cwd=DATA,
    )
    return next(line.split()[1] for line in out.splitlines() if line.startswith("EVENT "))


class Pretix(run._Background):
    """pretix's WSGI app under gunicorn with 2 sync workers, as ours runs."""

    def __init__(self, path: str):
        super().__init__(pretix_env())
        self.base = f"http://127.0.0.1:{PORT}"
        self.path = path

    def __enter__(self):
        self._start(
            [
                *(str(VENV / "bin" / "gunicorn"), "pretix.wsgi", "-k", "sync", "-w", str(WORKERS)),
                *("-b", f"127.0.0.1:{PORT}", "--timeout", "120", "--graceful-timeout", "5"),
                *("--log-level", "warning"),
            ],
            stdout=subprocess.DEVNULL,
        )
        # Each worker's first page takes seconds (pretix fills its caches): not measured.
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if run.status(self.base + self.path) == 200:
                for _ in range(2 * WORKERS):
                    run.status(self.base + self.path)
                return self
            time.sleep(0.5)
        raise SystemExit(f"pretix did not answer {self.base}{self.path}")


def ours() -> tuple[dict[str, str], str, tempfile.TemporaryDirectory]:
    """Our site on SQLite with the benchmark's data set, page cache off, 2 sync workers."""
    tmp = tempfile.TemporaryDirectory(prefix="bench-vs-pretix-")
    env = run.django_env(f"sqlite:///{tmp.name}/bench.sqlite3", "locmemcache://", False, OUR_PORT)
    env["WEB_CONCURRENCY"] = str(WORKERS)
    run.manage(env, "migrate", "--noinput", "-v0")
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        run.manage(env, "collectstatic", "--noinput", "-v0")
    run.manage(
        env,
        "generate_demo_data",
        f"--series={run.SIZES['series']}",
        f"--webinars={run.SIZES['webinars']}",
        f"--registrations={run.SIZES['registrations']}",
    )
    targets = json.loads(run.manage(env, "shell", "--no-imports", "-c", run.PREPARE).strip())
    return env, targets["webinar"], tmp


def measure(url: str) -> dict:
    for _ in range(2 * WORKERS):
        run.status(url)
    row = run.wrk(url)
    if row["rps"] == 0:
        row = run.sequential(url)
    return row


def compare() -> dict:
    install()
    event = prepare_event()
    env, webinar, tmp = ours()
    with tmp, run.Server(env) as server, Pretix(event) as pretix:
        # Ours before and after pretix: the shared machine's load drifts.
        log(f"ours: wrk {webinar}")
        first = measure(server.base + webinar)
        log(f"pretix: wrk {event}")
        theirs = measure(pretix.base + event)
        log(f"ours again: wrk {webinar}")
        second = measure(server.base + webinar)
        # pretix's /healthcheck/ answers 503 without a task queue: no floor of its own.
        floor = measure(server.base + "/healthz")
    mine = run._mean([first, second])
    return {"ours": mine, "pretix": theirs, "webinar": webinar, "event": event, "floor": floor}


def markdown(result: dict) -> str:
    mine, theirs = result["ours"], result["pretix"]
    ratio = mine["rps"] / theirs["rps"] if theirs["rps"] else float("inf")

    def row(label: str, r: dict) -> str:
        return (
            f"| {label} | {run._rate(r['rps'])} | {r['p50']:.1f} | {r['p90']:.1f} | "
            f"{r['p99']:.1f} | {r['errors']} |"
        )

    return "\n".join(
        [
            HEADING,
            "",
            f"pretix {PRETIX_VERSION} (`benchmarks/pretix.py`): its public event page for a live "
            "event with one item, beside our webinar page with nothing cached "
            "(`PAGE_CACHE_SECONDS=0`, the large data set). Both: gunicorn with "
            f"{WORKERS} sync workers, SQLite, no proxy, pretix with its defaults (no Redis); "
            f"wrk -t2 -c{run.CONNECTIONS} -d{run.DURATION}s, ours before and after pretix "
            "(the mean is shown).",
            "",
            "| page | requests/s | p50 ms | p90 ms | p99 ms | errors |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
            row(f"our webinar page, uncached `{result['webinar']}`", mine),
            row(f"pretix's event page `{result['event']}`", theirs),
            row("our `/healthz` (Django's floor, for scale)", result["floor"]),
            "",
            f"Our webinar page, uncached, answers **{ratio:.1f}x** the requests per second of "
            "pretix's event page.",
            "",
        ]
    )


def main() -> None:
    text = markdown(compare())
    if "--markdown" in sys.argv[1:]:
        print(text)
        return
    print(text)
    results = ROOT / "benchmarks" / "RESULTS.md"
    old = results.read_text() if results.exists() else ""
    # The section is the file's last: run.py writes it there.
    kept = old.split(HEADING, 1)[0].rstrip("\n")
    results.write_text((kept + "\n\n" if kept else "") + text)
    log(f"wrote the pretix section of {results}")


if __name__ == "__main__":
    main()
