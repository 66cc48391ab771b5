"""A real OpenID provider (tests/oidc/provider.mjs, the `oidc-provider` npm package) on
127.0.0.1, and a person who signs in through it with plain HTTP requests."""

import json
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

from tests.e2e.conftest import require

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"
CLIENT_ID = "webinars"
CLIENT_SECRET = "webinars-test-secret"  # noqa: S105 (the test provider's own client)
CALLBACK = "http://testserver/oidc/callback/"
AFTER_SIGN_OUT = "http://127.0.0.1:8000/admin/login/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen
    log: Path

    def set_account(self, account: str, claims: dict) -> None:
        response = requests.post(f"{self.issuer}/test/accounts/{account}", json=claims, timeout=5)
        response.raise_for_status()

    def sync_clock(self) -> None:
        """Give the provider the suite's clock (tests/conftest.py), as tokens carry times."""
        response = requests.post(f"{self.issuer}/test/clock", json={"now": time.time()}, timeout=5)
        response.raise_for_status()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_provider() -> Provider:
    node = shutil.which("node")
    require(node is not None, "node (for the OpenID provider of the sign-on tests)")
    require((ROOT / "node_modules" / "oidc-provider").exists(), "oidc-provider (run npm ci)")
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="oidc-provider-", suffix=".log")[1])
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 (node with the suite's own script)
            [
                node,
                str(SCRIPT),
                "--port",
                str(port),
                "--client-id",
                CLIENT_ID,
                "--client-secret",
                CLIENT_SECRET,
                "--redirect-uri",
                CALLBACK,
                "--post-logout-redirect-uri",
                AFTER_SIGN_OUT,
            ],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    provider = Provider(f"http://127.0.0.1:{port}", process, log)
    for _ in range(200):
        if process.poll() is not None:
            break
        try:
            requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=1)
            return provider
        except requests.ConnectionError:
            time.sleep(0.1)
    provider.stop()
    raise RuntimeError(f"the OpenID provider did not start:\n{log.read_text()}")


_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*method="post"', re.IGNORECASE)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', re.IGNORECASE)


def _submit(browser: requests.Session, page: requests.Response, fields: dict):
    """Post the page's form, as a browser would."""
    match = _FORM.search(page.text)
    assert match, page.text
    data = {name: unescape(value) for name, value in _HIDDEN.findall(page.text)} | fields
    return browser.post(urljoin(page.url, unescape(match[1])), data=data, allow_redirects=False)


def _follow(browser: requests.Session, response: requests.Response, issuer: str):
    """Follow redirects while they stay at the provider; the last one leads back to the site."""
    while response.is_redirect:
        target = urljoin(response.url, response.headers["Location"])
        if not target.startswith(issuer):
            return response, target
        response = browser.get(target, allow_redirects=False)
    return response, None


def through_provider(provider: Provider, authorize_url: str, account: str) -> str:
    """Sign in at the provider as `account` (any password), consent, and return the address
    it sends the browser back to (the site's callback with code and state)."""
    browser = requests.Session()
    page, back = _follow(
        browser, browser.get(authorize_url, allow_redirects=False), provider.issuer
    )
    for _ in range(3):
        if back:
            return back
        assert page.status_code == 200, page.text
        fields = {"login": account, "password": "anything"} if 'name="login"' in page.text else {}
        page, back = _follow(browser, _submit(browser, page, fields), provider.issuer)
    raise AssertionError(f"the provider did not send the browser back: {page.text[:500]}")


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def claims(groups: list[str], **more) -> dict:
    return {"email_verified": True, "groups": groups, **more}


def discovery_document(provider: Provider) -> dict:
    return json.loads(
        requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=5).text
    )
