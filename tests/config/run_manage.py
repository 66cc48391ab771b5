"""Run manage.py in a child process, as an operator would, with a clean environment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env_overrides):
    """Run manage.py in a fresh process with production-like settings from env_overrides."""
    env = {
        k: v
        for k, v in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' fixtures, never in production.
        if k
        not in {
            "SECRET_KEY",
            "DEBUG",
            "SECURE_SSL_REDIRECT",
            "SECURE_PROXY_SSL_HEADER",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(DJANGO_SETTINGS_MODULE="config.settings", **env_overrides)
    return subprocess.run(  # noqa: S603 (the arguments are this module's own constants)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
