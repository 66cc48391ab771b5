"""The site uses its frameworks through their public API, except in webinars/internals.py,
whose every use is checked here against the installed framework."""

import re
from pathlib import Path

import pytest
from csp.middleware import CSPMiddleware
from django.core.exceptions import BadRequest
from django.http import HttpResponse, QueryDict
from django.test import RequestFactory

from webinars.csp import allow_frame_src
from webinars.internals import replace_form

ROOT = Path(__file__).resolve().parents[2]
APPLICATION_PACKAGES = (
    "webinars",
    "series",
    "afterwards",
    "following",
    "privacy",
    "api",
    "config",
    "core",
    "pages",
)
ALLOWED = {ROOT / "webinars" / "internals.py"}
PRIVATE = re.compile(
    r"_create_alternatives|request\._post|request\._files|_mutable|\._servers|trans_real|_csp_update|_csp_replace|_csp_exempt|xframe_options_exempt ="
)


def _application_sources():
    for package in APPLICATION_PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def test_private_framework_names_appear_only_in_the_internals_module():
    sources = list(_application_sources())
    assert ROOT / "webinars" / "request_charset.py" in sources

    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources
        if path not in ALLOWED
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if PRIVATE.search(line)
    ]

    assert found == []


def _latin1_form_request():
    return RequestFactory().generic(
        "POST",
        "/",
        b"name=Ad%E9",
        content_type="application/x-www-form-urlencoded; charset=latin1",
    )


def test_django_still_reads_forms_only_in_utf8():
    # When Django reads other charsets itself, replace_form and its middleware can go.
    with pytest.raises(BadRequest):
        _latin1_form_request().POST  # noqa: B018 (reading it parses the body)


def test_replace_form_becomes_the_requests_post_and_files():
    request = _latin1_form_request()
    form = QueryDict("name=Ad%E9", encoding="latin1")

    replace_form(request, form)

    assert request.POST is form
    assert request.POST["name"] == "Adé"
    assert not request.FILES
    # Reading the files did not parse the body again over the form.
    assert request.POST is form


def test_allow_frame_src_reaches_the_content_security_policy(settings):
    request = RequestFactory().get("/")
    middleware = CSPMiddleware(
        lambda request: allow_frame_src(HttpResponse(), "https://player.example.org")
    )

    response = middleware(request)

    policy = response["Content-Security-Policy"]
    assert "frame-src https://player.example.org" in policy
    assert "default-src 'none'" in policy
