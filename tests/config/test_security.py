"""Production hardening: security headers on every page, a CSP the pages keep, check --deploy."""

import os
import secrets
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests.config.run_manage import run_manage
from tests.factories import (
    add_speaker,
    make_disclaimer,
    make_organisation,
    make_registration,
    make_series,
    make_speaker,
    make_webinar,
)
from webinars.models import SiteSettings

CSP = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "manifest-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def _csp(response) -> dict[str, str]:
    """The policy's directives; their order in the header carries no meaning."""
    directives = [d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";")]
    return dict(directives)


class _InlineCode(HTMLParser):
    """Everything a strict CSP would block: inline scripts and styles, handlers, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and "src" not in a and a.get("type") != "application/ld+json":
            self._in_inline_script = True
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name.startswith("on"):
                self.problems.append(f"{name} handler on <{tag}>")
            if name in ("href", "src", "action") and (value or "").lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL on <{tag}>")

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.problems.append(f"inline script: {data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def _inline_code(response) -> list[str]:
    parser = _InlineCode()
    parser.feed(response.content.decode())
    return parser.problems


@pytest.fixture
def site(db):
    series = make_series(title="Supply chains", slug="supply")
    make_organisation(series)
    make_disclaimer(series)
    webinar = make_webinar(series=series, slug="mining", capacity=5)
    speaker = add_speaker(webinar)
    add_speaker(webinar, role="moderator")
    registration = make_registration(webinar)
    return {
        "series": series,
        "webinar": webinar,
        "speaker": speaker,
        "registration": registration,
        "organisation": series.partners.get().organisation,
    }


PUBLIC_URLS = [
    "/",
    "/?q=mining",
    "/series/supply/",
    "/series/supply/register/",
    "/series/supply/calendar.ics",
    "/webinars/mining/",
    "/webinars/mining/register/",
    "/webinars/mining/register/thanks/",
    "/webinars/mining/calendar.ics",
    "/speakers/SPEAKER/",
    "/registrations/TOKEN/",
    "/registrations/TOKEN/calendar.ics",
    "/calendar/MONTH/",
    "/calendar.ics",
    "/feed/",
    "/feed/atom/",
    "/sitemap.xml",
    "/robots.txt",
    "/privacy/",
    # Framed by no one while EMBED_ALLOWED_ORIGINS is empty (tests/webinars/test_embed.py).
    "/embed/",
    "/embed/series/supply/",
    "/embed/webinars/mining/register/",
    "/api/webinars",
    "/healthz",
    "/no-such-page/",
]


def _public_url(url, site):
    start = site["webinar"].local_start
    return (
        url.replace("SPEAKER", site["speaker"].slug)
        .replace("TOKEN", site["registration"].token)
        .replace("MONTH", f"{start.year:04d}/{start.month:02d}")
    )


def _assert_security_headers(response):
    assert _csp(response) == CSP
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_pages_send_security_headers_fresh_and_cached(client, site, url):
    url = _public_url(url, site)

    first = client.get(url)
    second = client.get(url)

    for response in (first, second):
        _assert_security_headers(response)
        assert "Strict-Transport-Security" not in response  # plain HTTP: no HSTS


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_pages_over_https_send_hsts(client, site, url):
    response = client.get(_public_url(url, site), secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    _assert_security_headers(response)


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_pages_have_no_inline_script_or_style(client, site, url):
    response = client.get(_public_url(url, site))

    assert _inline_code(response) == []


ADMIN_MODELS = [
    ("series", "series"),
    ("series", "organisation"),
    ("webinars", "webinar"),
    ("webinars", "speaker"),
    ("webinars", "registration"),
]


def _admin_urls(site):
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    for app, model in ADMIN_MODELS:
        obj = site[model]
        urls += [
            reverse(f"admin:{app}_{model}_changelist"),
            reverse(f"admin:{app}_{model}_change", args=[obj.pk]),
            reverse(f"admin:{app}_{model}_history", args=[obj.pk]),
        ]
        if model != "registration":
            urls.append(reverse(f"admin:{app}_{model}_add"))
            urls.append(reverse(f"admin:{app}_{model}_delete", args=[obj.pk]))
    urls.append(reverse("admin:webinars_webinar_changelist") + "?when=upcoming&q=Webinar")
    for model in admin.site._registry:  # every other registered model too (mail queue, users)
        # The site settings' list leads to its one record (here: to adding it).
        page = "add" if model is SiteSettings else "changelist"
        urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}"))
    urls.append(reverse("admin:auth_user_changelist"))
    urls.append(reverse("admin:auth_user_add"))
    return urls


def test_admin_pages_keep_the_csp_and_send_security_headers(admin_client, site):
    for url in _admin_urls(site):
        response = admin_client.get(url, secure=True)
        if response.status_code == 302:
            # The site settings' list goes straight to its one record (or to adding it).
            response = admin_client.get(response["Location"], secure=True)

        assert response.status_code == 200, url
        assert _inline_code(response) == [], url
        _assert_security_headers(response)
        assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_admin_login_page_keeps_the_csp(db):
    response = Client().get(reverse("admin:login"), secure=True)

    assert response.status_code == 200
    assert _inline_code(response) == []
    _assert_security_headers(response)


def test_admin_delete_action_confirmation_keeps_the_csp(admin_client, site):
    url = reverse("admin:webinars_speaker_changelist")
    spare = make_speaker(name="Spare speaker")

    response = admin_client.post(url, {"action": "delete_selected", "_selected_action": [spare.pk]})

    assert response.status_code == 200
    assert "Spare speaker" in response.content.decode()
    assert "delete the selected speaker" in response.content.decode()
    assert _inline_code(response) == []


def test_session_and_csrf_cookies_are_secure_and_httponly(client, django_user_model):
    django_user_model.objects.create_superuser("boss", "boss@example.org", "boss-pass")
    client = Client(enforce_csrf_checks=False)

    form = client.get(reverse("admin:login"), secure=True)
    login = client.post(
        reverse("admin:login"), {"username": "boss", "password": "boss-pass"}, secure=True
    )

    csrf = form.cookies["csrftoken"]
    session = login.cookies["sessionid"]
    assert csrf["secure"] is True and csrf["httponly"] is True
    assert session["secure"] is True and session["httponly"] is True


def test_ssl_redirect_sends_http_visitors_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/speakers/anyone/?x=1")
    probe = client.get("/healthz")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/speakers/anyone/?x=1"
    assert probe.status_code == 200  # load balancers' health checks are not redirected
    assert probe.content == b"ok"


PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "webinars.example.org",
    "SITE_URL": "https://webinars.example.org",
}


def _ratelimit_silenced() -> int:
    """django-ratelimit's checks that settings.py silences: its "not officially supported"
    warning on every backend, and its "not a shared cache" error on local memory."""
    return 1 if os.environ.get("CACHE_URL", "").startswith("redis://") else 2


def test_check_deploy_with_production_variables_has_no_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip()
        == f"System check identified no issues ({_ratelimit_silenced()} silenced)."
    )
    assert result.stderr == ""


def test_check_deploy_behind_a_tls_proxy_has_no_warnings():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", SECURE_PROXY_SSL_HEADER="on", **PRODUCTION
    )

    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip()
        == f"System check identified no issues ({_ratelimit_silenced()} silenced)."
    )


PRINT_SETTINGS = (
    "from django.conf import settings as s; "
    "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
    "s.SECURE_HSTS_SECONDS)"
)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "None True True 31536000"),
        (
            {"SECURE_PROXY_SSL_HEADER": "on"},
            "('HTTP_X_FORWARDED_PROTO', 'https') True True 31536000",
        ),
        ({"SECURE_SSL_REDIRECT": "off"}, "None False True 31536000"),
        ({"DEBUG": "on"}, "None False False 0"),
    ],
)
def test_tls_switches_follow_the_environment(env, expected):
    result = run_manage("shell", "--no-imports", "-c", PRINT_SETTINGS, **{**PRODUCTION, **env})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_check_deploy_warns_about_a_per_process_cache_with_several_workers():
    result = run_manage(
        "check", "--deploy", CACHE_URL="locmemcache://", WEB_CONCURRENCY="3", **PRODUCTION
    )

    assert "webinars.W002" in result.stderr + result.stdout
    assert "gunicorn.conf.py starts 3 workers" in result.stderr + result.stdout


@pytest.mark.parametrize(
    "environment",
    [
        {"CACHE_URL": "locmemcache://", "WEB_CONCURRENCY": "1"},
        # Without CACHE_URL, the file cache is shared by the workers of one machine.
        {"CACHE_URL": "", "WEB_CONCURRENCY": "3"},
    ],
)
def test_check_deploy_is_quiet_when_the_cache_is_shared_or_there_is_one_worker(environment):
    result = run_manage("check", "--deploy", **environment, **PRODUCTION)

    assert "webinars.W002" not in result.stderr + result.stdout


def test_without_cache_url_the_cache_is_files_under_cache_dir(tmp_path):
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; c = s.CACHES['default']; "
        "print(c['BACKEND'], c['LOCATION'])",
        CACHE_URL="",
        CACHE_DIR=str(tmp_path),
        **PRODUCTION,
    )

    assert result.stdout.splitlines()[-1].split() == [
        "django.core.cache.backends.filebased.FileBasedCache",
        str(tmp_path),
    ]


def test_redis_cache_has_short_timeouts_and_fails_fast():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; c = s.CACHES['default']; "
        "print(c['BACKEND'], c['OPTIONS']['socket_timeout'], c['OPTIONS']['socket_connect_timeout'])",
        CACHE_URL="redis://127.0.0.1:6379/11",
        **PRODUCTION,
    )

    assert result.stdout.splitlines()[-1].split() == [
        "webinars.cache_backends.FailFastRedisCache",
        "0.25",
        "0.25",
    ]
