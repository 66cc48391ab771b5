"""Benchmark the site against the Django floor (/healthz) on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/run.py            # about 8 minutes; writes benchmarks/RESULTS.md
    .venv/bin/python benchmarks/run.py --post-only  # registration POSTs only; prints, writes nothing

For each database it loads the large data set (generate_demo_data: 50 series, 2,000 webinars,
100,000 registrations), serves it with gunicorn (gunicorn.conf.py, access log off) and measures
with wrk the requests per second and latency percentiles of /healthz and the public pages, with
nothing cached, with only the rendered list items cached, and with the page cache on (MODES), each
as a ratio to /healthz measured in the same server run. Registration POSTs are driven by wrk with
benchmarks/register.lua (GET the form once for a CSRF cookie and token, then POST), counting
errors, as production is recommended to run: MAIL_SEND_IMMEDIATELY off and the mail worker
(`send_queued_mail --loop 1`) running on the same machine; after the POSTs the worker's queue is
timed until it is empty, and a query checks that no webinar has more confirmed registrations than
seats. The peak resident memory (VmHWM) of the gunicorn workers is read from /proc.

Needs: wrk on PATH, PostgreSQL at BENCH_PG (default postgres://postgres@127.0.0.1:5432) where it
may create the database BENCH_PG_DB (default `bench_webinars`), Redis at BENCH_REDIS (default
redis://127.0.0.1:6379/13).
"""

import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime
from html.parser import HTMLParser
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PORT = int(os.environ.get("BENCH_PORT", "8613"))
BASE = f"http://127.0.0.1:{PORT}"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_DB = os.environ.get("BENCH_PG_DB", "bench_webinars")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13")
DURATION = int(os.environ.get("BENCH_SECONDS", "6"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
SIZES = {"series": 50, "webinars": 2000, "registrations": 100_000}
CAPACITY = 300  # seats of the webinar the POST benchmark registers for


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


# The three ways a page is served, as the table's "cache" column names them: nothing cached
# (every webinar item rendered), the page cache off with rendered items cached (a search or a
# filter: each query string is a page-cache miss), and the page cache on.
MODES = {
    "none": {"page_cache": False, "fragments": False},
    "items": {"page_cache": False, "fragments": True},
    "page": {"page_cache": True, "fragments": True},
}
# Pages measured with nothing cached at all (the others are not built from items).
COLD_PAGES = ("/", "search", "webinar page")


def django_env(
    database_url: str, cache_url: str, page_cache: bool, fragments: bool = True
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="off",
        SECRET_KEY="benchmark-only-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="off",  # plain HTTP on the loopback, no proxy in front
        DATABASE_URL=database_url,
        CACHE_URL=cache_url,
        CACHE_KEY_PREFIX="bench",
        PAGE_CACHE_SECONDS="3600" if page_cache else "0",
        FRAGMENT_CACHE_SECONDS="86400" if fragments else "0",
        EMAIL_URL="dummymail://",
        # Production with a supervised mail worker: requests only record their mail.
        MAIL_SEND_IMMEDIATELY="off",
        # One client sends every POST: the per-client registration limit would answer 429.
        REGISTRATION_RATE_LIMIT="100000000",
        LOG_LEVEL="WARNING",
        GUNICORN_BIND=f"127.0.0.1:{PORT}",
        GUNICORN_ACCESS_LOG="off",
        GUNICORN_LOG_LEVEL="warning",
        # No recycling during the run, so the memory figure is the worker's real peak.
        GUNICORN_MAX_REQUESTS="0",
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def reset_postgres() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")


PREPARE = """
import json
from datetime import timedelta
from django.utils import timezone
from webinars.models import Webinar
now = timezone.now()
bench, _ = Webinar.objects.update_or_create(
    slug="benchmark-registration",
    defaults=dict(title="Benchmark registration target", start=now + timedelta(days=30),
                  end=now + timedelta(days=30, hours=1), capacity=CAPACITY, time_zone="Europe/Brussels"),
)
page = Webinar.objects.filter(slug__startswith="generated-", start__gt=now, series__isnull=False).order_by("start").first()
month = timezone.localdate() + timedelta(days=40)
print(json.dumps({"webinar": page.get_absolute_url(), "register": bench.slug,
                  "month": f"/calendar/{month.year}/{month.month:02d}/"}))
""".replace("CAPACITY", str(CAPACITY))

OVERBOOKING = """
from django.db.models import Count, F, Q
from webinars.models import Webinar, Registration
over = Webinar.objects.filter(capacity__isnull=False).annotate(
    c=Count("registrations", filter=Q(registrations__status="confirmed"))).filter(c__gt=F("capacity"))
bench = Webinar.objects.get(slug="benchmark-registration")
print(over.count(), bench.registrations.filter(status="confirmed").count(),
      bench.registrations.filter(status="waitlisted").count())
"""


class _Background:
    """A process of the project's, run for the length of a `with` block, stopped with SIGTERM."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.proc: subprocess.Popen | None = None

    def _start(self, args: list[str], **popen) -> None:
        self.proc = subprocess.Popen(args, cwd=ROOT, env=self.env, start_new_session=True, **popen)

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


class Server(_Background):
    """gunicorn with gunicorn.conf.py, on the benchmark port."""

    def __enter__(self):
        self._start([GUNICORN, "-c", "gunicorn.conf.py"])
        for _ in range(100):
            if status(f"{BASE}/healthz") == 200:
                return self
            time.sleep(0.2)
        raise SystemExit("gunicorn did not answer /healthz")

    def worker_rss_mb(self) -> tuple[float, float]:
        """(peak, current) resident memory of the largest worker, in MB."""
        peaks, now = [], []
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True
        ).stdout
        for pid in out.split():
            text = Path(f"/proc/{pid}/status").read_text()
            peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", text).group(1)) / 1024)
            now.append(int(re.search(r"VmRSS:\s+(\d+) kB", text).group(1)) / 1024)
        return max(peaks), max(now)


def status(url: str) -> int:
    parts = urllib.parse.urlsplit(url)
    try:
        conn = HTTPConnection(parts.hostname, parts.port, timeout=10)
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        code = conn.getresponse().status
        conn.close()
        return code
    except OSError:
        return 0


def wrk(url: str) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--timeout", "20s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return _parse_wrk(out)


def _parse_wrk(out: str) -> dict:
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct in ("50", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        result[f"p{pct}"] = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["errors"] = (int(non2xx.group(1)) if non2xx else 0) + (
        sum(int(g) for g in errors.groups()[::3]) if errors else 0  # connect + timeout
    )
    return result


def sequential(url: str, count: int = 3) -> dict:
    """Requests one at a time on an idle server: for pages too slow for a wrk run."""
    times = []
    for _ in range(count):
        started = time.perf_counter()
        code = status(url)
        times.append((time.perf_counter() - started) * 1000)
        if code != 200:
            return {"skipped": f"HTTP {code}"}
    times.sort()
    return {
        "rps": 1000 / (sum(times) / len(times)),
        "p50": times[len(times) // 2],
        "p90": times[-1],
        "p99": times[-1],
        "errors": 0,
        "note": f"one at a time ({count} requests; wrk completed none in {DURATION} s)",
    }


class _Form(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.checkboxes: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            if a.get("type") == "checkbox":
                self.checkboxes.append(a["name"])
            elif a.get("type") not in ("submit", "button"):
                self.fields[a["name"]] = a.get("value") or ""
        elif tag == "textarea" and a.get("name"):
            self.fields[a["name"]] = ""


def _form_template(form: _Form) -> str:
    """The form as a browser would send it, with __N__ where each POST puts a unique number.

    The addresses also carry this run's own tag: wrk numbers its POSTs from 1 in every run,
    and a repeated address registers nothing (it re-sends the details).
    """
    data = dict(form.fields)
    tag = f"{time.monotonic_ns():x}"
    for name in data:
        low = name.lower()
        if "email" in low:
            data[name] = f"load__N__-{tag}@bench.invalid"
        elif "organi" in low:
            data[name] = "Benchmark Ltd"
        elif "name" in low:
            data[name] = "Load Tester __N__"
    for name in form.checkboxes:
        data[name] = "on"
    return urllib.parse.urlencode(data, safe="_")


def _mail_counts(database_url: str) -> tuple[int, int]:
    """(mail waiting to be composed or sent, mail sent) straight from the database."""
    sql = (
        "SELECT (SELECT COUNT(*) FROM webinars_pendingmail) + (SELECT COUNT(*) FROM mailer_message),"
        " (SELECT COUNT(*) FROM mailer_messagelog WHERE result = '1')"
    )
    if database_url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=20) as conn:
            return conn.execute(sql).fetchone()
    import psycopg

    with psycopg.connect(database_url) as conn:
        return conn.execute(sql).fetchone()


class MailWorker(_Background):
    """`manage.py send_queued_mail --loop 1` beside gunicorn, as docs/deploy.md runs it."""

    def __enter__(self):
        # Nice=10, as the systemd unit in docs/deploy.md runs it.
        self._start(
            ["nice", "-n", "10", PYTHON, "manage.py", "send_queued_mail", "--loop", "1"],
            stdout=subprocess.DEVNULL,
        )
        return self

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _post_env(path: str) -> dict[str, str] | str:
    """The environment of benchmarks/register.lua for the form at `path` (one visitor's CSRF
    cookie and token), or why the form cannot be posted."""
    conn = HTTPConnection("127.0.0.1", PORT, timeout=30)
    conn.request("GET", path)
    reply = conn.getresponse()
    html = reply.read().decode(errors="replace")
    conn.close()
    if reply.status != 200:
        return f"GET {path} is {reply.status}: registration not built yet"
    form = _Form()
    form.feed(html)
    cookie = "; ".join(
        v.split(";", 1)[0] for k, v in reply.getheaders() if k.lower() == "set-cookie"
    )
    return dict(os.environ, BENCH_PATH=path, BENCH_COOKIE=cookie, BENCH_BODY=_form_template(form))


def post_benchmark(slug: str, env: dict[str, str]) -> dict:
    """wrk POSTs new registrations with one visitor's CSRF cookie and token (benchmarks/register.lua),
    while the mail worker runs; then how long the worker takes to empty the mail queue."""
    path = f"/webinars/{slug}/register/"
    wrk_env = _post_env(path)
    if isinstance(wrk_env, str):
        return {"skipped": wrk_env}
    database = env["DATABASE_URL"]
    with MailWorker(env) as worker:
        _, sent_before = _mail_counts(database)
        out = _wrk_posts(path, wrk_env)
        stopped = time.monotonic()
        waiting, _ = _mail_counts(database)
        left = waiting
        while left and time.monotonic() - stopped < 300:
            time.sleep(0.1)
            left, _ = _mail_counts(database)
        drain = time.monotonic() - stopped
        _, sent_after = _mail_counts(database)
        worker_cpu = worker.cpu_seconds()
    result = _parse_wrk(out)
    counted = re.search(r"REGISTRATIONS ok=(\d+) bad=(\d+)", out)
    result["posts"] = int(counted.group(1)) + int(counted.group(2))
    result["errors"] += int(counted.group(2))
    result["mail"] = {
        "sent": sent_after - sent_before,
        "waiting_when_posts_stopped": waiting,
        "left": left,
        "drain_seconds": drain,
        "worker_cpu_seconds": worker_cpu,
    }
    return result


def _wrk_script(script: str, path: str, connections: int = CONNECTIONS) -> list[str]:
    threads = min(2, connections)
    return [
        *("wrk", f"-t{threads}", f"-c{connections}", f"-d{DURATION}s", "--timeout", "20s"),
        *("--latency", "-s", str(ROOT / "benchmarks" / script), BASE + path),
    ]


def _wrk_posts(path: str, env: dict[str, str]) -> str:
    return subprocess.run(
        _wrk_script("register.lua", path), capture_output=True, text=True, check=True, env=env
    ).stdout


def rush_benchmark(slug: str) -> dict:
    """The page of a webinar while registrations for it pour in, page cache on: wrk GETs the
    page (benchmarks/rush.lua counts hits, stale copies and renders) beside wrk POSTs to its
    form. Every registration changes the page (seats left), so without the render claim in
    webinars/cache.py every visitor after each one would render it."""
    page = f"/webinars/{slug}/"
    post_env = _post_env(f"{page}register/")
    if isinstance(post_env, str):
        return {"skipped": post_env}
    half = max(1, CONNECTIONS // 2)
    posts = subprocess.Popen(
        _wrk_script("register.lua", f"{page}register/", half),
        stdout=subprocess.PIPE,
        text=True,
        env=post_env,
    )
    gets = subprocess.run(
        _wrk_script("rush.lua", page, half), capture_output=True, text=True, check=True
    ).stdout
    post_out, _ = posts.communicate()
    result = _parse_wrk(gets)
    counted = re.search(r"PAGES hit=(\d+) stale=(\d+) miss=(\d+) other=(\d+)", gets)
    hit, stale, miss, other = (int(g) for g in counted.groups())
    total = max(1, hit + stale + miss + other)
    result["errors"] += other
    result["note"] = (
        f"beside {_rate(_parse_wrk(post_out)['rps'])} registration POSTs/s for the same webinar: "
        f"{100 * hit / total:.0f}% from the cache, {100 * stale / total:.0f}% the previous copy "
        f"while another worker rendered, {100 * miss / total:.0f}% rendered"
    )
    return result


def bench_database(name: str, database_url: str, cache_url: str, post_only: bool = False) -> dict:
    log(f"{name}: migrate and load {SIZES}")
    env = django_env(database_url, cache_url, page_cache=True)
    manage(env, "migrate", "--noinput", "-v0")
    started = time.monotonic()
    manage(
        env,
        "generate_demo_data",
        f"--series={SIZES['series']}",
        f"--webinars={SIZES['webinars']}",
        f"--registrations={SIZES['registrations']}",
    )
    load_seconds = time.monotonic() - started
    targets = json.loads(manage(env, "shell", "--no-imports", "-c", PREPARE).strip())
    urls = {
        "/healthz": "/healthz",
        "/": "/",
        "search": "/?q=policy",
        "month page": targets["month"],
        "webinar page": targets["webinar"],
        "/calendar.ics": "/calendar.ics",
    }
    result = {"load_seconds": load_seconds, "urls": urls, "modes": {}}
    peak = after = 0.0
    for mode in ("items",) if post_only else MODES:
        env = django_env(database_url, cache_url, **MODES[mode])
        with Server(env) as server:
            rows = {}
            floors = []
            previous = None
            for label, path in urls.items():
                if label == "/healthz" or post_only or (mode == "none" and label not in COLD_PAGES):
                    continue
                code = status(BASE + path)
                if code != 200:
                    rows[label] = {"skipped": f"HTTP {code} (not built yet)"}
                    continue
                for _ in range(3):
                    status(BASE + path)  # warm the worker caches (and the page cache)
                # /healthz right before and after each page: the shared machine's load drifts.
                before = previous or wrk(BASE + "/healthz")
                log(f"{name} {mode}: wrk {path}")
                rows[label] = wrk(BASE + path)
                if rows[label]["rps"] == 0:
                    # Slower than the whole wrk run: time a few requests one after another.
                    rows[label] = sequential(BASE + path)
                previous = wrk(BASE + "/healthz")
                rows[label]["floor"] = (before["rps"] + previous["rps"]) / 2
                floors += [before, previous] if not floors else [previous]
            rows = {"/healthz": _mean(floors or [wrk(BASE + "/healthz")]), **rows}
            if mode == "items":
                log(f"{name}: registration POSTs")
                rows["registration POST"] = post_benchmark(targets["register"], env)
            if mode == "page":
                log(f"{name}: the webinar page during registrations")
                rush = rush_benchmark(targets["register"])
                if "skipped" not in rush:
                    rush["floor"] = rows["/healthz"]["rps"]
                rows["webinar page, registrations pouring in"] = rush
                result["urls"]["webinar page, registrations pouring in"] = (
                    f"/webinars/{targets['register']}/"
                )
            worker_peak, worker_now = server.worker_rss_mb()
            peak = max(peak, worker_peak)
            after = max(after, worker_now)
        result["modes"][mode] = rows
    over, confirmed, waitlisted = manage(env, "shell", "--no-imports", "-c", OVERBOOKING).split()
    result.update(
        overbooked_webinars=int(over),
        bench_confirmed=int(confirmed),
        bench_waitlisted=int(waitlisted),
        peak_rss_mb=peak,
        after_rss_mb=after,
    )
    return result


def machine() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    versions = subprocess.run(
        [
            PYTHON,
            "-c",
            "import django, gunicorn, psycopg; "
            "print(django.get_version(), gunicorn.__version__, psycopg.__version__)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    import psycopg

    with psycopg.connect(f"{PG}/postgres") as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    redis_info = subprocess.run(
        ["redis-cli", "-u", REDIS, "INFO", "server"], capture_output=True, text=True
    ).stdout
    redis_version = re.search(r"redis_version:(\S+)", redis_info)
    return {
        "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "machine": f"{platform.node()}: {cpu}, {os.cpu_count()} CPUs, {mem_kb // 1024} MB RAM",
        "os": platform.platform(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "software": (
            f"Python {platform.python_version()}, Django {versions[0]}, gunicorn {versions[1]} "
            f"({os.cpu_count() * 2 + 1} sync workers), psycopg {versions[2]}, PostgreSQL {pg}, "
            f"Redis {redis_version.group(1) if redis_version else '?'}, wrk "
            f"-t2 -c{CONNECTIONS} -d{DURATION}s"
        ),
    }


def _mean(runs: list[dict]) -> dict:
    keys = ("rps", "p50", "p90", "p99")
    mean = {k: sum(r[k] for r in runs) / len(runs) for k in keys}
    mean["errors"] = sum(r["errors"] for r in runs)
    return mean


def _rate(rps: float) -> str:
    return f"{rps:.0f}" if rps >= 10 else f"{rps:.2f}"


def _ratio(row: dict, floor: dict) -> str:
    base = row.get("floor") or floor.get("rps")
    if not base:
        return "-"
    ratio = row["rps"] / base
    return f"{ratio:.2f}" if ratio >= 0.01 else f"{ratio:.4f}"


def markdown(info: dict, results: dict[str, dict], seconds: float) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"- Date: {info['date']} (whole run: {seconds / 60:.1f} minutes)",
        f"- Machine: {info['machine']}; {info['os']}",
        f"- Load average when the run started: {info['load']} (the machine is shared: "
        "figures are indicative, compare the ratios)",
        f"- Software: {info['software']}",
        f"- Data: {SIZES['series']} series, {SIZES['webinars']:,} webinars, "
        f"{SIZES['registrations']:,} registrations (`generate_demo_data`)",
        "- Ratio: requests/s of the row divided by the mean requests/s of `/healthz` measured "
        "right before and right after it on the same server; the `/healthz` row is the mean "
        "of all its runs.",
        "- Cache column: `none` = nothing cached (page cache and list-item cache off: every "
        "webinar item rendered); `items` = page cache off, rendered list items cached "
        "(`webinars/fragments.py`), as for a search or a filter, whose every query string "
        "misses the page cache; `page` = page cache on (a visitor's usual answer).",
        "- Webinar page, registrations pouring in: on the `page` server, wrk GETs the page of "
        "the webinar the POSTs register for (half the connections, `benchmarks/rush.lua`) "
        "while wrk POSTs registrations for it (the other half); each registration changes "
        "the page's seats, so its stored copy is out of date many times a second.",
        "- Registration POSTs: wrk with `benchmarks/register.lua` on the `items` server, "
        "one visitor's CSRF cookie and token, a new email address in every POST; an error is "
        "any answer other than a redirect or a page without form errors. As production is "
        "recommended to run (docs/deploy.md): `MAIL_SEND_IMMEDIATELY=off`, with the mail worker "
        "(`manage.py send_queued_mail --loop 1`, `EMAIL_URL=dummymail://`) running on the same "
        "machine during the POSTs and until its queue is empty.",
        "",
        "Reproduce: `.venv/bin/python benchmarks/run.py` (see README, Benchmarks).",
        "",
        "Lighthouse scores (accessibility, best practices, SEO, performance) are measured by "
        "`benchmarks/lighthouse.sh` and kept in [LIGHTHOUSE.md](LIGHTHOUSE.md).",
        "",
        "Reading the figures: `/healthz` is Django's floor (one `SELECT 1`, no template). A cached "
        "page costs about as much, and a cached webinar page also mints a CSRF token and cookie "
        "for its form. Pages not in the page cache are bounded by the ORM and by rendering: the "
        "calendar shows 40 webinars (20 upcoming, 20 past) after 5 queries, a webinar page "
        "lists the ~40 other webinars of its series (a cached block unless `none`), "
        "`/calendar.ics` holds every webinar of the past year and all upcoming ones (about "
        "2,000 events here). A registration POST takes the webinar's row lock, counts the seats "
        "and records the registration and its mail intent; composing the mail (text, HTML and "
        "calendar invitation) is the worker's job. That work does not vanish: the worker line "
        "under each table says how long it took to send everything after the POSTs stopped.",
        "",
    ]
    for name, result in results.items():
        lines += [
            f"## {name}",
            "",
            f"Data loaded in {result['load_seconds']:.0f} s. Largest worker after the run "
            f"(VmRSS): **{result['after_rss_mb']:.0f} MB**, its peak (VmHWM) "
            f"{result['peak_rss_mb']:.0f} MB. Webinars with more confirmed registrations "
            f"than seats after the run: **{result['overbooked_webinars']}** (benchmark webinar: "
            f"{result['bench_confirmed']} confirmed of {CAPACITY} seats, "
            f"{result['bench_waitlisted']} on the waiting list).",
            "",
            "| page | cache | requests/s | ratio to /healthz | p50 ms | p90 ms | p99 ms | errors |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for mode, rows in result["modes"].items():
            floor = rows["/healthz"]
            for label, row in rows.items():
                shown = (
                    label if label == "registration POST" else f"{label} `{result['urls'][label]}`"
                )
                cache = "-" if label == "registration POST" else mode
                if "skipped" in row:
                    lines.append(
                        f"| {shown} | {cache} | not measured: {row['skipped']} | | | | | |"
                    )
                    continue
                errors = str(row["errors"])
                if row.get("note"):
                    shown += f" ({row['note']})"
                lines.append(
                    f"| {shown} | {cache} | {_rate(row['rps'])} | {_ratio(row, floor)} | "
                    f"{row['p50']:.1f} | {row['p90']:.1f} | {row['p99']:.1f} | {errors} |"
                )
        post = result["modes"]["items"].get("registration POST", {})
        if "mail" in post:
            lines += ["", _mail_line(post)]
        lines.append("")
    return "\n".join(lines)


def _mail_line(post: dict) -> str:
    mail = post["mail"]
    drained = (
        f"the queue was empty **{mail['drain_seconds']:.1f} s** after the POSTs stopped"
        if not mail["left"]
        else f"**{mail['left']} still waiting** {mail['drain_seconds']:.0f} s after the POSTs"
    )
    return (
        f"Mail worker (`nice -n 10 manage.py send_queued_mail --loop 1`, same machine): "
        f"**{mail['sent']} mails sent**; {mail['waiting_when_posts_stopped']} "
        f"were waiting when the POSTs stopped and {drained}. The worker used "
        f"{mail['worker_cpu_seconds']:.1f} s of CPU (composing and sending)."
    )


def post_summary(results: dict[str, dict]) -> str:
    """The registration POST figures of a --post-only run, for the terminal."""
    lines = []
    for name, result in results.items():
        rows = result["modes"]["items"]
        post, floor = rows["registration POST"], rows["/healthz"]
        if "skipped" in post:
            lines.append(f"{name}: registration POST not measured: {post['skipped']}")
            continue
        lines += [
            f"{name}: registration POST {_rate(post['rps'])}/s, /healthz {_rate(floor['rps'])}/s, "
            f"ratio {_ratio(post, floor)}, p50/p90/p99 {post['p50']:.1f}/{post['p90']:.1f}/"
            f"{post['p99']:.1f} ms, errors {post['errors']}, overbooked webinars "
            f"{result['overbooked_webinars']} (benchmark webinar: {result['bench_confirmed']} "
            f"confirmed of {CAPACITY}, {result['bench_waitlisted']} waiting)",
            "  " + _mail_line(post),
        ]
    return "\n".join(lines)


def main() -> None:
    # --post-only: the registration POSTs alone (while working on them); prints, writes nothing.
    post_only = "--post-only" in sys.argv[1:]
    began = time.monotonic()
    info = machine()
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-webinars-") as tmp:
        log("collectstatic")
        manage(
            django_env(f"sqlite:///{tmp}/x.sqlite3", "locmemcache://", True),
            "collectstatic",
            "--noinput",
            "-v0",
        )
        results["SQLite, local-memory cache"] = bench_database(
            "sqlite", f"sqlite:///{tmp}/bench.sqlite3", "locmemcache://", post_only
        )
    reset_postgres()
    results["PostgreSQL, Redis cache"] = bench_database(
        "postgresql", f"{PG}/{PG_DB}", REDIS, post_only
    )
    seconds = time.monotonic() - began
    if post_only:
        print(post_summary(results))
        return
    out = ROOT / "benchmarks" / "RESULTS.md"
    out.write_text(markdown(info, results, seconds) + "\n")
    log(f"wrote {out} after {seconds / 60:.1f} minutes")


if __name__ == "__main__":
    sys.exit(main())
