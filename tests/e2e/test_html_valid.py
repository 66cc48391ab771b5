"""Every public page type and state is valid HTML for the Nu HTML checker (vnu.jar, system Java).

The checker refuses loopback URLs, so the pages are saved to artifacts/html/ and checked as
files, in one run. A deliberately broken file rides along to prove the checker is listening.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, require
from tests.e2e.site import build_site

VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
HTML_DIR = ROOT / "artifacts" / "html"
BROKEN = "guard-broken.html"


def run_vnu(files: list[Path]) -> dict[str, list[str]]:
    """{file name: [error lines]} for every file with errors."""
    java = shutil.which("java")
    require(java is not None, "Java (for the Nu HTML checker)")
    require(VNU_JAR.exists(), f"vnu.jar ({VNU_JAR.relative_to(ROOT)}; run npm ci)")
    result = subprocess.run(  # noqa: S603 (fixed argument list, no shell)
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "gnu", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    errors: dict[str, list[str]] = {}
    for line in result.stderr.splitlines() + result.stdout.splitlines():
        if not line.strip():
            continue
        # gnu format: "file:/path/name.html":line.col-line.col: error: message
        quoted = re.match(r'^"([^"]+)"', line)
        name = Path(quoted.group(1)).name if quoted else "(checker)"
        errors.setdefault(name, []).append(line)
    return errors


@pytest.mark.e2e
def test_public_pages_are_valid_html(client, db):
    site = build_site()
    HTML_DIR.mkdir(parents=True, exist_ok=True)
    files = []
    for name, path in site.items():
        response = client.get(path)
        assert response.status_code == (404 if name.endswith("not-found") else 200), name
        file = HTML_DIR / f"{name}.html"
        file.write_bytes(response.content)
        files.append(file)
    broken = HTML_DIR / BROKEN
    broken.write_text("<!doctype html><html lang=en><title>x</title><p><div></p>")

    errors = run_vnu([*files, broken])

    assert BROKEN in errors, "the checker did not flag a broken page: is it running?"
    del errors[BROKEN]
    assert errors == {}, "\n".join(line for lines in errors.values() for line in lines)
