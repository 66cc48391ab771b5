"""docs/deploy.md shows the nginx configuration that docs/nginx.conf holds and the benchmark runs."""

import re
from pathlib import Path

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
