"""docs/deploy.md shows the nginx configuration that docs/nginx.conf holds and the benchmark runs;
that nginx, gunicorn.conf.py and the app's settings agree on every limit they share."""

import json
import os
import re
import runpy
from pathlib import Path

from tests.config.run_manage import run_manage

ROOT = Path(__file__).resolve().parents[2]


def _directives(text: str) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line and line not in ("{", "}")]


def test_deploy_guide_shows_lines_of_the_nginx_conf():
    guide = (ROOT / "docs" / "deploy.md").read_text()
    section = guide.split("## 5. nginx in front", 1)[1].split("\n## 6.", 1)[0]
    shown = re.search(r"```nginx\n(.*?)```", section, re.S).group(1)
    conf = set(_directives((ROOT / "docs" / "nginx.conf").read_text()))
    missing = [line for line in _directives(shown) if line not in conf]
    assert not missing, f"docs/deploy.md shows nginx lines that docs/nginx.conf lacks: {missing}"


def test_the_nginx_conf_caches_only_what_the_app_marks_public():
    conf = _directives((ROOT / "docs" / "nginx.conf").read_text())
    assert "proxy_cache_bypass $cookie_sessionid;" in conf
    assert "proxy_no_cache $cookie_sessionid;" in conf
    assert "proxy_cache_methods GET HEAD;" in conf
    assert not [line for line in conf if line.startswith("proxy_cache_valid")]


def _nginx_size_mb(value: str) -> float:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1 / 1024**2, "k": 1 / 1024, "m": 1, "g": 1024}[unit.lower()]


def _nginx_seconds(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)(s|m)?", value).groups()
    return int(number) * (60 if unit == "m" else 1)


def _nginx_value(name: str) -> str:
    conf = _directives((ROOT / "docs" / "nginx.conf").read_text())
    [value] = [line.split()[1].rstrip(";") for line in conf if line.split()[0] == name]
    return value


def _production_settings() -> dict:
    # The defaults an operator starts from, read in a clean process (not the test settings).
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "import json; from django.conf import settings;"
        "print(json.dumps({n: getattr(settings, n) for n in dir(settings) if n.isupper()},"
        " default=str))",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="webinars.example.org",
        # Not opened: read for the SQLite options the settings add.
        DATABASE_URL="sqlite:////nonexistent/site.sqlite3",
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_nginx_conf_accepts_every_upload_the_app_accepts():
    settings = _production_settings()
    # Every *_MAX_MB the app checks an upload against, present and future.
    upload_limits = {n: mb for n, mb in settings.items() if n.endswith("_MAX_MB")}
    assert {"MATERIAL_MAX_MB", "ATTENDANCE_REPORT_MAX_MB"} <= upload_limits.keys()
    body_mb = _nginx_size_mb(_nginx_value("client_max_body_size"))

    # A megabyte at least for the multipart envelope and the form's other fields.
    too_small = {name: mb for name, mb in upload_limits.items() if body_mb < mb + 1}
    assert not too_small, f"client_max_body_size {body_mb} MB refuses uploads of {too_small}"
    # Django's own limit is on the form's fields, not its files: it must not be the tighter one.
    assert settings["DATA_UPLOAD_MAX_MEMORY_SIZE"] <= body_mb * 1024**2


def test_the_nginx_conf_waits_longer_than_gunicorn_lets_a_request_run():
    gunicorn = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    # With GUNICORN_TIMEOUT unset (as it is in the suite): the documented default.
    assert "GUNICORN_TIMEOUT" not in os.environ
    read_timeout = _nginx_seconds(_nginx_value("proxy_read_timeout"))

    assert read_timeout > gunicorn["timeout"]
    # A worker on its way out still answers what it holds before nginx gives up on it.
    assert read_timeout > gunicorn["graceful_timeout"]


def test_gunicorn_lets_a_request_outwait_what_it_may_wait_for():
    gunicorn = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    settings = _production_settings()

    # A registration waiting for SQLite's write lock gives up before gunicorn kills its worker.
    assert gunicorn["timeout"] > settings["DATABASES"]["default"]["OPTIONS"]["timeout"]
    # On shutdown, the mail thread's message in flight is sent (or times out) before the kill.
    assert gunicorn["graceful_timeout"] > settings["EMAIL_TIMEOUT"]
    assert settings["CACHE_SOCKET_TIMEOUT"] < gunicorn["timeout"]
