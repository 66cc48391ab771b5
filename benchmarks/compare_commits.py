"""Render the public pages of two versions of the code, side by side, as a ratio.

    .venv/bin/python benchmarks/compare_commits.py BASE_REVISION [--head REVISION] [--rounds 5]
        [--requests 40]

Checks BASE_REVISION (and --head, else this working tree) out into temporary git worktrees, then,
for each,
starts one Python process each that migrates a fresh SQLite database, loads the seed (three
more copies of its webinars and a few hundred registrations) and renders each page with the
page cache off through Django's test client. Rounds alternate between the two trees, so a
machine that is busy at one moment slows both; the figure is the CPU time of the rendering
process (not wall time), and the report is this tree's time over the base's per page, median
of the rounds. It needs no server, no wrk, and neither PostgreSQL nor Redis.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/", "/nl/", "{webinar}", "{series}", "{speaker}", "{register}", "/calendar.ics", "/feed/"]

# Runs inside each tree: prints {page: cpu_seconds} for one round.
WORKER = r"""
import json, os, sys, time
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
requests = int(sys.argv[1])
if not os.path.exists(os.environ["BENCH_READY"]):
    call_command("migrate", verbosity=0)
    call_command("loaddata", "seed", verbosity=0)
    open(os.environ["BENCH_READY"], "w").close()
from webinars.models import Speaker, Webinar
webinar = Webinar.objects.filter(is_published=True).order_by("start").first()
pages = {
    "{webinar}": webinar.get_absolute_url(),
    "{series}": webinar.series.get_absolute_url(),
    "{speaker}": Speaker.objects.order_by("pk").first().get_absolute_url(),
    "{register}": webinar.get_absolute_url() + "register/",
}
client = Client()
result = {}
for page in json.loads(os.environ["BENCH_PAGES"]):
    path = pages.get(page, page)
    assert client.get(path).status_code == 200, path
    started = time.process_time()
    for _ in range(requests):
        client.get(path)
    result[page] = (time.process_time() - started) / requests
print(json.dumps(result))
"""


def run_round(tree: Path, database: Path, requests: int) -> dict[str, float]:
    env = {
        **os.environ,
        # The test settings: production settings with plain static files (no collectstatic).
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "SECRET_KEY": "benchmark-only",
        "DEBUG": "off",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"sqlite:///{database}",
        "PAGE_CACHE_SECONDS": "0",
        "SECURE_SSL_REDIRECT": "off",
        "CACHE_DIR": str(database.parent / "cache"),
        "BENCH_READY": str(database) + ".ready",
        "BENCH_PAGES": json.dumps(PAGES),
        "MAIL_SEND_IMMEDIATELY": "off",
    }
    for name in ("CACHE_URL", "EMAIL_URL"):
        env.pop(name, None)
    out = subprocess.run(  # noqa: S603 (this interpreter, fixed code)
        [sys.executable, "-c", WORKER, str(requests)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        sys.exit(f"{tree}: the benchmark process failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def add_worktree(tree: Path, revision: str) -> None:
    """The revision's files in tree, with its message catalogues compiled (they are not kept)."""
    subprocess.run(  # noqa: S603
        ["git", "worktree", "add", "--detach", "--quiet", str(tree), revision],  # noqa: S607
        cwd=ROOT,
        check=True,
    )
    for catalogue in tree.glob("locale/*/LC_MESSAGES/*.po"):
        subprocess.run(  # noqa: S603
            ["msgfmt", "-o", str(catalogue.with_suffix(".mo")), str(catalogue)],  # noqa: S607
            check=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base", help="the git revision to compare with")
    parser.add_argument("--head", help="a git revision to measure instead of this working tree")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as folder:
        folder = Path(folder)
        trees = {"base": folder / "base", "this": folder / "head" if args.head else ROOT}
        revisions = {"base": args.base, "this": args.head}
        try:
            for name, tree in trees.items():
                if tree != ROOT:
                    add_worktree(tree, revisions[name])

            times: dict[str, dict[str, list[float]]] = {name: {} for name in trees}
            for round_number in range(args.rounds):
                order = list(trees) if round_number % 2 == 0 else list(reversed(trees))
                for name in order:
                    database = folder / name / "db.sqlite3"
                    database.parent.mkdir(exist_ok=True)
                    for page, seconds in run_round(trees[name], database, args.requests).items():
                        times[name].setdefault(page, []).append(seconds)
        finally:
            for tree in trees.values():
                if tree != ROOT:
                    subprocess.run(  # noqa: S603
                        ["git", "worktree", "remove", "--force", str(tree)],  # noqa: S607
                        cwd=ROOT,
                        check=False,
                    )
    print(f"| page | base ms | this ms | this / base |  (median of {args.rounds} rounds)")
    print("| --- | --- | --- | --- |")
    for page in PAGES:
        base = statistics.median(times["base"][page])
        this = statistics.median(times["this"][page])
        print(f"| `{page}` | {base * 1000:.1f} | {this * 1000:.1f} | {this / base:.2f} |")


if __name__ == "__main__":
    main()
