"""Benchmark the site against the Django floor (/healthz) on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/run.py            # about 12 minutes; writes benchmarks/RESULTS.md
    .venv/bin/python benchmarks/run.py --post-only  # registration POSTs only; prints, writes nothing
    .venv/bin/python benchmarks/run.py --no-pretix  # without the side by side with pretix

For each database it loads the large data set (generate_demo_data: 50 series, 2,000 webinars,
100,000 registrations), serves it with gunicorn (gunicorn.conf.py, access log off) and measures
with wrk the requests per second and latency percentiles of /healthz and the public pages, with
the page cache off and on (MODES), each as a ratio to /healthz measured in the same server run.
Registration POSTs are driven by wrk with benchmarks/register.lua (no cookie, no token: an
`Origin` header equal to SITE_URL, as a browser sends it), counting errors, as production is
recommended to run: MAIL_SEND_IMMEDIATELY off and the mail worker (`send_queued_mail --loop 1`)
running on the same machine; after the POSTs the worker's queue is timed until it is empty, and
a query checks that no webinar has more confirmed registrations than seats. The peak resident
memory (VmHWM) of the gunicorn workers is read from /proc. The webinar page is also measured
while registrations for it pour in (benchmarks/rush.lua beside register.lua).

On PostgreSQL + Redis it then runs production's shape: nginx in front (the configuration is
docs/nginx.conf, rendered with this run's ports and folders) with its proxy cache, and two app
servers behind it sharing the database and Redis. nginx comes from the distribution's packages:
installed with apt-get when running as root, otherwise downloaded and unpacked into
benchmarks/.nginx. The rows through nginx are ratios to /healthz measured directly on one app
server in the same run.

Last, benchmarks/pretix.py serves pretix's public event page beside our uncached webinar page,
both with 2 sync workers on SQLite (see that file; its row is added to the results).

Needs: wrk on PATH, PostgreSQL at BENCH_PG (default postgres://postgres@127.0.0.1:5432) where it
may create the database BENCH_PG_DB (default `bench_webinars`), Redis at BENCH_REDIS (default
redis://127.0.0.1:6379/13). Ports BENCH_PORT (default 8613) to BENCH_PORT + 2.
"""

import json
import os
import platform
import re
import shutil
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
# Behind nginx: a second app server, and nginx itself.
PORT_2 = PORT + 1
NGINX_PORT = PORT + 2
NGINX_TEMPLATE = ROOT / "docs" / "nginx.conf"
# Where nginx is unpacked when it cannot be installed (not root).
NGINX_DIR = ROOT / "benchmarks" / ".nginx"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_DB = os.environ.get("BENCH_PG_DB", "bench_webinars")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13")
DURATION = int(os.environ.get("BENCH_SECONDS", "6"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
SIZES = {"series": 50, "webinars": 2000, "registrations": 100_000}
CAPACITY = 300  # seats of the webinar the POST benchmark registers for


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


# The ways a page is served, as the table's "cache" column names them: the Django page cache off
# (every page rendered, as for a search or a filter whose every query string misses the cache)
# and on. The rows through nginx are in the column as `nginx`.
MODES = {
    "none": {"page_cache": False},
    "page": {"page_cache": True},
}
# Pages measured with nothing cached at all (the others are slow enough to hold a run up).
COLD_PAGES = ("/", "search", "webinar page")
# Each row that registers has a webinar of its own, so each starts with every seat free.
REGISTER_SLUGS = {
    "posts": "benchmark-registration",
    "timing": "benchmark-timing",
    "rush": "benchmark-rush",
    "rush nginx": "benchmark-rush-nginx",
}
RUSH_LABEL = "webinar page, registrations pouring in"
# One POST at a time, alternately a new address and one already registered, with mail sent
# immediately (MAIL_SEND_IMMEDIATELY's default): the answer must not tell them apart.
NEW_LABEL = "registration POST, new address"
KNOWN_LABEL = "registration POST, known address"
POST_LABELS = ("registration POST", NEW_LABEL, KNOWN_LABEL)
TIMING_POSTS = int(os.environ.get("BENCH_TIMING_POSTS", "100"))


def django_env(
    database_url: str, cache_url: str, page_cache: bool, port: int = PORT, site_url: str = ""
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="off",
        SECRET_KEY="benchmark-only-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="off",  # plain HTTP on the loopback
        # What visitors' browsers see: registration POSTs must come from this origin.
        SITE_URL=site_url or f"http://127.0.0.1:{port}",
        DATABASE_URL=database_url,
        CACHE_URL=cache_url,
        CACHE_KEY_PREFIX="bench",
        PAGE_CACHE_SECONDS="3600" if page_cache else "0",
        EMAIL_URL="dummymail://",
        # Production with a supervised mail worker: requests only record their mail.
        MAIL_SEND_IMMEDIATELY="off",
        # One client sends every POST: the per-client registration limit would answer 429.
        REGISTRATION_RATE_LIMIT="100000000",
        LOG_LEVEL="WARNING",
        GUNICORN_BIND=f"127.0.0.1:{port}",
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
for slug in SLUGS:
    Webinar.objects.update_or_create(
        slug=slug,
        defaults=dict(title="Benchmark registration target", start=now + timedelta(days=30),
                      end=now + timedelta(days=30, hours=1), capacity=CAPACITY,
                      time_zone="Europe/Brussels"),
    )
page = Webinar.objects.filter(slug__startswith="generated-", start__gt=now, series__isnull=False).order_by("start").first()
month = timezone.localdate() + timedelta(days=40)
print(json.dumps({"webinar": page.get_absolute_url(),
                  "month": f"/calendar/{month.year}/{month.month:02d}/"}))
""".replace("CAPACITY", str(CAPACITY)).replace("SLUGS", repr(sorted(REGISTER_SLUGS.values())))

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
    """A process run for the length of a `with` block, stopped with SIGTERM."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.proc: subprocess.Popen | None = None

    def _start(self, args: list[str], **popen) -> None:
        self.proc = subprocess.Popen(args, cwd=ROOT, env=self.env, start_new_session=True, **popen)

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Server(_Background):
    """gunicorn with gunicorn.conf.py, on the port of its environment's GUNICORN_BIND."""

    def __init__(self, env: dict[str, str]):
        super().__init__(env)
        self.base = "http://" + env["GUNICORN_BIND"]

    def __enter__(self):
        self._start([GUNICORN, "-c", "gunicorn.conf.py"])
        for _ in range(100):
            if status(f"{self.base}/healthz") == 200:
                return self
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer {self.base}/healthz")

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


def nginx_binary() -> str:
    """Debian's nginx: the installed one, else installed (root) or unpacked here (not root)."""
    local = NGINX_DIR / "usr" / "sbin" / "nginx"
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx", str(local)):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    if os.geteuid() == 0:
        for package in ("nginx-light", "nginx"):
            log(f"apt-get install {package}")
            done = subprocess.run(
                ["apt-get", "install", "-y", "--no-install-recommends", package],
                env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
                capture_output=True,
                text=True,
            )
            if done.returncode == 0 and os.access("/usr/sbin/nginx", os.X_OK):
                return "/usr/sbin/nginx"
    else:
        # Without root, the package's files are enough: nginx runs with its own prefix and
        # configuration, and its libraries are those of any Debian system.
        NGINX_DIR.mkdir(parents=True, exist_ok=True)
        for package in ("nginx-light", "nginx"):
            log(f"apt-get download {package}")
            got = subprocess.run(
                ["apt-get", "download", package], cwd=NGINX_DIR, capture_output=True, text=True
            )
            debs = sorted(NGINX_DIR.glob(f"{package}_*.deb"))
            if got.returncode == 0 and debs:
                subprocess.run(["dpkg", "-x", str(debs[-1]), str(NGINX_DIR)], check=True)
                if os.access(local, os.X_OK):
                    return str(local)
    raise SystemExit("nginx is not installed and could not be installed (apt-get install nginx)")


def render_nginx_conf(app_ports: list[int], cache_dir: Path, listen_port: int) -> str:
    """docs/nginx.conf with this run's ports and folders, as docs/deploy.md fills it in."""
    values = {
        "APP_SERVERS": " ".join(f"server 127.0.0.1:{port};" for port in app_ports),
        "CACHE_DIR": str(cache_dir),
        "LISTEN": f"listen 127.0.0.1:{listen_port};",
        "SERVER_NAME": "127.0.0.1",
        "STATIC_ROOT": str(ROOT / "staticfiles"),
        "MEDIA_ROOT": str(ROOT / "media"),
    }
    text = NGINX_TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        raise SystemExit(f"{NGINX_TEMPLATE} has placeholders the benchmark does not fill: {left}")
    return text


# What Debian's /etc/nginx/nginx.conf gives the site configuration, minus everything the
# benchmark must not touch (system paths, logs): nginx runs from its own folder.
NGINX_MAIN = """
daemon off;
worker_processes auto;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    types {{
        text/html html; text/css css; text/javascript js mjs; application/json json map;
        application/manifest+json webmanifest; image/svg+xml svg; image/png png;
        image/jpeg jpg jpeg; image/webp webp; image/x-icon ico; font/woff2 woff2;
        font/woff woff; text/plain txt; application/xml xml; text/calendar ics;
        application/gzip gz; application/octet-stream br;
    }}
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/webinars.conf;
}}
"""


class Nginx(_Background):
    """nginx in the foreground with docs/nginx.conf in front of the given app servers."""

    def __init__(self, app_ports: list[int], port: int = NGINX_PORT):
        super().__init__(dict(os.environ))
        self.app_ports, self.port = app_ports, port
        self.base = f"http://127.0.0.1:{port}"
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-nginx-"))

    def __enter__(self):
        binary = nginx_binary()
        # nginx's workers drop root for nobody: they must reach the cache folder.
        self.tmp.chmod(0o755)
        (self.tmp / "webinars.conf").write_text(
            render_nginx_conf(self.app_ports, self.tmp / "cache", self.port)
        )
        user = "user nobody nogroup;" if os.geteuid() == 0 else ""
        conf = self.tmp / "nginx.conf"
        conf.write_text(NGINX_MAIN.format(tmp=self.tmp, user=user))
        check = subprocess.run(
            [
                binary,
                "-t",
                "-q",
                "-p",
                str(self.tmp),
                "-e",
                str(self.tmp / "error.log"),
                "-c",
                str(conf),
            ],
            capture_output=True,
            text=True,
        )
        if check.returncode != 0:
            raise SystemExit(f"nginx rejects the configuration:\n{check.stderr}")
        self._start(
            [binary, "-p", str(self.tmp), "-e", str(self.tmp / "error.log"), "-c", str(conf)]
        )
        for _ in range(100):
            if status(f"{self.base}/healthz") == 200:
                return self
            time.sleep(0.1)
        raise SystemExit(f"nginx did not answer: {(self.tmp / 'error.log').read_text()[-2000:]}")

    def __exit__(self, *exc):
        super().__exit__(*exc)
        shutil.rmtree(self.tmp, ignore_errors=True)


def status(url: str) -> int:
    return fetch(url)[0]


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """(status, headers with lower-case names, body) of one GET; status 0 if unreachable."""
    parts = urllib.parse.urlsplit(url)
    try:
        conn = HTTPConnection(parts.hostname, parts.port, timeout=30)
        conn.request(
            "GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {}
        )
        reply = conn.getresponse()
        body = reply.read()
        conn.close()
        return reply.status, {k.lower(): v for k, v in reply.getheaders()}, body
    except OSError:
        return 0, {}, b""


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
    and a repeated address registers nothing (it re-sends the details). A CSRF token, if a
    page still had one, is left out: the Origin header is what lets a registration through.
    """
    data = {k: v for k, v in form.fields.items() if k != "csrfmiddlewaretoken"}
    tag = f"{time.monotonic_ns():x}"
    for name in data:
        low = name.lower()
        if "email" in low:
            data[name] = f"load__N__-{tag}@bench.example.org"
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
        "SELECT (SELECT COUNT(*) FROM webinars_pendingmail WHERE sent_at IS NULL),"
        " (SELECT COUNT(*) FROM webinars_pendingmail WHERE sent_at IS NOT NULL)"
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


def _post_env(base: str, path: str, origin: str) -> dict[str, str] | str:
    """The environment of benchmarks/register.lua for the form at `path`, or why the form
    cannot be posted. `origin` is the site's own (SITE_URL), as a browser's POST carries it."""
    code, _, body = fetch(base + path)
    if code != 200:
        return f"GET {path} is {code}: registration not built yet"
    form = _Form()
    form.feed(body.decode(errors="replace"))
    return dict(os.environ, BENCH_PATH=path, BENCH_ORIGIN=origin, BENCH_BODY=_form_template(form))


def _posts_result(out: str) -> dict:
    result = _parse_wrk(out)
    counted = re.search(r"REGISTRATIONS ok=(\d+) bad=(\d+)", out)
    result["posts"] = int(counted.group(1)) + int(counted.group(2))
    result["errors"] += int(counted.group(2))
    return result


def post_benchmark(base: str, slug: str, env: dict[str, str]) -> dict:
    """wrk POSTs new registrations (benchmarks/register.lua) while the mail worker runs; then
    how long the worker takes to empty the mail queue."""
    path = f"/webinars/{slug}/register/"
    wrk_env = _post_env(base, path, env["SITE_URL"])
    if isinstance(wrk_env, str):
        return {"skipped": wrk_env}
    database = env["DATABASE_URL"]
    with MailWorker(env) as worker:
        _, sent_before = _mail_counts(database)
        out = subprocess.run(
            _wrk_script("register.lua", base + path),
            capture_output=True,
            text=True,
            check=True,
            env=wrk_env,
        ).stdout
        stopped = time.monotonic()
        waiting, _ = _mail_counts(database)
        left = waiting
        while left and time.monotonic() - stopped < 300:
            time.sleep(0.1)
            left, _ = _mail_counts(database)
        drain = time.monotonic() - stopped
        _, sent_after = _mail_counts(database)
        worker_cpu = worker.cpu_seconds()
    result = _posts_result(out)
    result["mail"] = {
        "sent": sent_after - sent_before,
        "waiting_when_posts_stopped": waiting,
        "left": left,
        "drain_seconds": drain,
        "worker_cpu_seconds": worker_cpu,
    }
    return result


def _post_once(base: str, path: str, body: str, origin: str) -> tuple[int, float]:
    """(status, milliseconds) of one form POST, its redirect not followed."""
    host, port = base.removeprefix("http://").split(":")
    conn = HTTPConnection(host, int(port), timeout=60)
    started = time.perf_counter()
    conn.request(
        "POST",
        path,
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": origin},
    )
    response = conn.getresponse()
    response.read()
    elapsed = (time.perf_counter() - started) * 1000
    conn.close()
    return response.status, elapsed


def _timing_row(times: list[float], errors: int, floor_rps: float) -> dict:
    times = sorted(times)

    def at(share: float) -> float:
        return times[min(len(times) - 1, int(len(times) * share))]

    return {
        "rps": 1000 / (sum(times) / len(times)),
        "p50": at(0.5),
        "p90": at(0.9),
        "p99": at(0.99),
        "errors": errors,
        "floor": floor_rps,
    }


def address_timing_benchmark(base: str, slug: str, env: dict[str, str]) -> dict[str, dict]:
    """TIMING_POSTS pairs of POSTs, one at a time: a new address, then one already registered
    for the webinar, on a server that sends mail immediately. Ratios to /healthz timed the same
    way; the known row's note gives its p50 over the new row's (1.00: indistinguishable)."""
    path = f"/webinars/{slug}/register/"
    wrk_env = _post_env(base, path, env["SITE_URL"])
    if isinstance(wrk_env, str):
        return {NEW_LABEL: {"skipped": wrk_env}, KNOWN_LABEL: {"skipped": wrk_env}}
    template, origin = wrk_env["BENCH_BODY"], env["SITE_URL"]
    known = template.replace("__N__", "known")
    _post_once(base, path, known, origin)  # registers it
    times = {NEW_LABEL: [], KNOWN_LABEL: []}
    errors = dict.fromkeys(times, 0)
    healthz = []
    for n in range(TIMING_POSTS):
        pair = [(NEW_LABEL, template.replace("__N__", f"t{n}")), (KNOWN_LABEL, known)]
        # Each kind as often first as second: a POST right after a new registration shares the
        # machine with that one's mail being composed.
        for label, body in pair if n % 2 else reversed(pair):
            code, ms = _post_once(base, path, body, origin)
            times[label].append(ms)
            errors[label] += code not in (302, 303)
        started = time.perf_counter()
        status(base + "/healthz")
        healthz.append((time.perf_counter() - started) * 1000)
    floor = 1000 / (sum(healthz) / len(healthz))
    rows = {label: _timing_row(times[label], errors[label], floor) for label in times}
    note = "one at a time, MAIL_SEND_IMMEDIATELY=on"
    rows[NEW_LABEL]["note"] = note
    rows[KNOWN_LABEL]["note"] = (
        f"{note}; p50 known / new: {rows[KNOWN_LABEL]['p50'] / rows[NEW_LABEL]['p50']:.2f}"
    )
    return rows


def _wrk_script(script: str, url: str, connections: int = CONNECTIONS) -> list[str]:
    threads = min(2, connections)
    return [
        *("wrk", f"-t{threads}", f"-c{connections}", f"-d{DURATION}s", "--timeout", "20s"),
        *("--latency", "-s", str(ROOT / "benchmarks" / script), url),
    ]


# How benchmarks/rush.lua's counts read: the header it counts by, and what each value means.
RUSH_HEADERS = {
    "X-Page-Cache": {
        "hit": "from the page cache",
        "stale": "the previous copy while another worker rendered",
        "miss": "rendered",
    },
    "X-Cache-Status": {
        "hit": "from nginx's cache",
        "stale": "nginx's previous copy while the app was asked",
        "updating": "nginx's previous copy while it asked the app",
        "revalidated": "revalidated by the app (304)",
        "expired": "from the app (copy expired)",
        "miss": "from the app",
        "bypass": "from the app (bypass)",
    },
}


def rush_benchmark(base: str, slug: str, env: dict[str, str], header: str) -> dict:
    """The page of a webinar while registrations for it pour in: wrk GETs the page
    (benchmarks/rush.lua counts the answers by `header`) beside wrk POSTs to its form, with the
    mail worker running. Every registration changes the page (seats left)."""
    page = f"/webinars/{slug}/"
    post_env = _post_env(base, f"{page}register/", env["SITE_URL"])
    if isinstance(post_env, str):
        return {"skipped": post_env}
    half = max(1, CONNECTIONS // 2)
    with MailWorker(env):
        posts = subprocess.Popen(
            _wrk_script("register.lua", f"{base}{page}register/", half),
            stdout=subprocess.PIPE,
            text=True,
            env=post_env,
        )
        gets = subprocess.run(
            _wrk_script("rush.lua", base + page, half),
            capture_output=True,
            text=True,
            check=True,
            env=dict(os.environ, BENCH_CACHE_HEADER=header),
        ).stdout
        post_out, _ = posts.communicate()
    result = _parse_wrk(gets)
    counted = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", gets.split("PAGES", 1)[1])}
    total = max(1, sum(counted.values()))
    result["errors"] += counted.pop("other", 0)
    meaning = RUSH_HEADERS[header]
    shares = [
        f"{100 * n / total:.0f}% {meaning.get(name, f'{header}: {name}')}"
        for name, n in sorted(counted.items(), key=lambda kv: -kv[1])
        if n
    ]
    result["posts"] = _posts_result(post_out)
    result["note"] = (
        f"beside {_rate(result['posts']['rps'])} registration POSTs/s for the same webinar, "
        f"{result['posts']['errors']} POST errors: " + ", ".join(shares)
    )
    return result


def measure_pages(mode: str, base: str, urls: dict[str, str], name: str) -> dict:
    """wrk on each page of `urls`, with /healthz right before and after each one."""
    rows = {}
    floors = []
    previous = None
    for label, path in urls.items():
        if label in ("/healthz", RUSH_LABEL, *POST_LABELS) or (
            mode == "none" and label not in COLD_PAGES
        ):
            continue
        code = status(base + path)
        if code != 200:
            rows[label] = {"skipped": f"HTTP {code} (not built yet)"}
            continue
        for _ in range(3):
            status(base + path)  # warm the worker caches (and the page cache)
        # /healthz right before and after each page: the shared machine's load drifts.
        before = previous or wrk(base + "/healthz")
        log(f"{name} {mode}: wrk {path}")
        rows[label] = wrk(base + path)
        if rows[label]["rps"] == 0:
            # Slower than the whole wrk run: time a few requests one after another.
            rows[label] = sequential(base + path)
        previous = wrk(base + "/healthz")
        rows[label]["floor"] = (before["rps"] + previous["rps"]) / 2
        floors += [before, previous] if not floors else [previous]
    return {"/healthz": _mean(floors or [wrk(base + "/healthz")]), **rows}


def bench_nginx(name: str, database_url: str, cache_url: str, urls: dict[str, str]) -> dict:
    """nginx (docs/nginx.conf) in front of two app servers on the same database and Redis.

    The floor is /healthz measured directly on the first app server, before and after each
    row: what one app server answers without any cache against what nginx's cache answers."""
    nginx = Nginx([PORT, PORT_2])
    envs = [
        django_env(database_url, cache_url, page_cache=True, port=port, site_url=nginx.base)
        for port in (PORT, PORT_2)
    ]
    rows = {}
    floors = []
    with Server(envs[0]) as first, Server(envs[1]), nginx:
        for label in ("webinar page", "/"):
            path = urls[label]
            code, headers, _ = fetch(nginx.base + path)
            if code != 200:
                rows[label] = {"skipped": f"HTTP {code} through nginx"}
                continue
            # The first GET fills nginx's cache (if the app allows it); the next ones read it.
            for _ in range(3):
                _, headers, _ = fetch(nginx.base + path)
            before = floors[-1] if floors else wrk(first.base + "/healthz")
            log(f"{name} nginx: wrk {path}")
            rows[label] = wrk(nginx.base + path)
            after = wrk(first.base + "/healthz")
            rows[label]["floor"] = (before["rps"] + after["rps"]) / 2
            rows[label]["note"] = _nginx_note(headers)
            floors += [before, after] if not floors else [after]
        log(f"{name} nginx: the webinar page during registrations")
        rush = rush_benchmark(nginx.base, REGISTER_SLUGS["rush nginx"], envs[0], "X-Cache-Status")
        if "skipped" not in rush:
            after = wrk(first.base + "/healthz")
            rush["floor"] = (floors[-1]["rps"] + after["rps"]) / 2 if floors else after["rps"]
            floors.append(after)
        rows[RUSH_LABEL] = rush
    return {"/healthz": _mean(floors), **rows}


def _nginx_note(headers: dict[str, str]) -> str:
    """What the last warm-up GET said about caching, so a row that nginx could not cache says
    why rather than looking like a slow nginx."""
    return (
        f"through nginx, X-Cache-Status {headers.get('x-cache-status', '-')}, "
        f"Cache-Control `{headers.get('cache-control', '-')}`"
    )


def bench_database(
    name: str, database_url: str, cache_url: str, post_only: bool = False, with_nginx: bool = False
) -> dict:
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
        "registration POST": f"/webinars/{REGISTER_SLUGS['posts']}/register/",
        NEW_LABEL: f"/webinars/{REGISTER_SLUGS['timing']}/register/",
        KNOWN_LABEL: f"/webinars/{REGISTER_SLUGS['timing']}/register/",
        RUSH_LABEL: f"/webinars/{REGISTER_SLUGS['rush']}/",
    }
    result = {"load_seconds": load_seconds, "urls": urls, "modes": {}}
    peak = after = 0.0
    for mode in ("page",) if post_only else MODES:
        env = django_env(database_url, cache_url, **MODES[mode])
        with Server(env) as server:
            rows = measure_pages(mode, server.base, {} if post_only else urls, name)
            if mode == "page":
                log(f"{name}: registration POSTs")
                rows["registration POST"] = post_benchmark(
                    server.base, REGISTER_SLUGS["posts"], env
                )
            if mode == "page" and not post_only:
                log(f"{name}: the webinar page during registrations")
                rush = rush_benchmark(server.base, REGISTER_SLUGS["rush"], env, "X-Page-Cache")
                if "skipped" not in rush:
                    rush["floor"] = rows["/healthz"]["rps"]
                rows[RUSH_LABEL] = rush
            worker_peak, worker_now = server.worker_rss_mb()
            peak = max(peak, worker_peak)
            after = max(after, worker_now)
        result["modes"][mode] = rows
    if not post_only:
        log(f"{name}: new and known addresses, one POST at a time, mail sent immediately")
        immediate = dict(django_env(database_url, cache_url, page_cache=True))
        immediate["MAIL_SEND_IMMEDIATELY"] = "on"
        with Server(immediate) as server:
            result["modes"]["page"].update(
                address_timing_benchmark(server.base, REGISTER_SLUGS["timing"], immediate)
            )
    if with_nginx and not post_only:
        result["modes"]["nginx"] = bench_nginx(name, database_url, cache_url, urls)
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
        "- Cache column: `none` = Django's page cache off (`PAGE_CACHE_SECONDS=0`: every page "
        "rendered, as for a search or a filter, whose every query string misses the cache); "
        "`page` = the page cache on (a visitor's usual answer from one app server); `nginx` = "
        "production's shape, PostgreSQL only: nginx with its proxy cache "
        "([docs/nginx.conf](../docs/nginx.conf), as docs/deploy.md installs it) in front of two "
        "app servers (gunicorn, page cache on) sharing the database and Redis; its ratio is to "
        "`/healthz` measured directly on one app server right before and after the row.",
        "- Webinar page, registrations pouring in: wrk GETs the page of the webinar the POSTs "
        "register for (half the connections, `benchmarks/rush.lua`) while wrk POSTs "
        "registrations for it (the other half) and the mail worker runs; each registration "
        "changes the page's seats, so its stored copy is out of date many times a second. "
        "Measured on the `page` server (the answers counted by `X-Page-Cache`) and through "
        "nginx (counted by `X-Cache-Status`); each on a webinar of its own.",
        "- Registration POSTs: wrk with `benchmarks/register.lua` on the `page` server: no "
        "cookie and no token, an `Origin` header equal to `SITE_URL` as a browser sends it, a "
        "new email address in every POST; an error is any answer other than a redirect or a "
        "page without form errors. As production is recommended to run (docs/deploy.md): "
        "`MAIL_SEND_IMMEDIATELY=off`, with the mail worker (`manage.py send_queued_mail --loop "
        "1`, `EMAIL_URL=dummymail://`) running on the same machine during the POSTs and until "
        "its queue is empty.",
        "- Registration POST, new / known address: one POST at a time on a server of its own "
        "with `MAIL_SEND_IMMEDIATELY=on` (the default), alternately a new address and one "
        "already registered for the webinar; its ratio is to `/healthz` timed one at a time in "
        "the same loop, and the known row's note compares the two medians: the answer must not "
        "tell whether an address is registered.",
        "",
        "Reproduce: `.venv/bin/python benchmarks/run.py` (see README, Benchmarks).",
        "",
        "Lighthouse scores (accessibility, best practices, SEO, performance) are measured by "
        "`benchmarks/lighthouse.sh` and kept in [LIGHTHOUSE.md](LIGHTHOUSE.md).",
        "",
        "Reading the figures: `/healthz` is Django's floor (one `SELECT 1`, no template). A cached "
        "page costs about as much; nginx's cached copy costs no Python at all. Pages not in the page cache are bounded by the ORM and by rendering: the "
        "calendar shows 40 webinars (20 upcoming, 20 past) after 5 queries, a webinar page "
        "lists the ~40 other webinars of its series, "
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
                cache = "-" if label in POST_LABELS else mode
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
        post = result["modes"]["page"].get("registration POST", {})
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
        rows = result["modes"]["page"]
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
    with_pretix = "--no-pretix" not in sys.argv[1:] and not post_only
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
        "postgresql", f"{PG}/{PG_DB}", REDIS, post_only, with_nginx=True
    )
    if post_only:
        print(post_summary(results))
        return
    pretix = ""
    if with_pretix:
        # Its own process: pretix.py sets up pretix's virtualenv and data on first use.
        log("side by side with pretix (benchmarks/pretix.py)")
        done = subprocess.run(
            [PYTHON, str(ROOT / "benchmarks" / "pretix.py"), "--markdown"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        sys.stderr.write(done.stderr)
        if done.returncode == 0:
            pretix = done.stdout
        else:
            pretix = (
                "## Side by side with pretix\n\nNot measured: `benchmarks/pretix.py` failed:\n\n"
                f"```\n{done.stderr.strip()[-2000:]}\n```\n"
            )
    seconds = time.monotonic() - began
    out = ROOT / "benchmarks" / "RESULTS.md"
    out.write_text(markdown(info, results, seconds) + "\n" + pretix)
    log(f"wrote {out} after {seconds / 60:.1f} minutes")


if __name__ == "__main__":
    sys.exit(main())
