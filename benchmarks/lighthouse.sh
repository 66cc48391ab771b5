#!/usr/bin/env bash
# Lighthouse (mobile profile) on the calendar, a webinar page and the registration page, served
# as in production (DEBUG off, gunicorn, hashed and compressed static files) from a throwaway
# SQLite database with the seed and demo content. Writes the scores to benchmarks/LIGHTHOUSE.md.
#
#   benchmarks/lighthouse.sh            # port 8765; PORT=... to change
#
# Needs: make install, npm (installs the pinned lighthouse), Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PORT:-8765}"
BASE="http://127.0.0.1:${PORT}"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
CHROME_FLAGS="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run --disable-quic"
PAGES=(
  "calendar|/"
  "webinar|/webinars/demo-getting-started/"
  "registration|/webinars/demo-getting-started/register/"
)

make --no-print-directory install
[ -x node_modules/.bin/lighthouse ] || npm ci --no-audit --no-fund --loglevel=error

WORK="$(mktemp -d)"
export DEBUG=off SECRET_KEY="lighthouse-only-not-secret" ALLOWED_HOSTS="127.0.0.1"
export DATABASE_URL="sqlite:///${WORK}/db.sqlite3" SITE_URL="$BASE"
unset CACHE_URL
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py loaddata seed -v0
.venv/bin/python manage.py load_demo -v0
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/gunicorn config.wsgi --bind "127.0.0.1:${PORT}" --workers 2 --log-level warning &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do curl -fs "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

ROWS=""
for entry in "${PAGES[@]}"; do
  name="${entry%%|*}"; path="${entry#*|}"
  status="$(curl -s -o /dev/null -w '%{http_code}' "$BASE$path")"
  if [ "$status" != "200" ]; then
    echo "skip $name ($path answers $status)"
    ROWS+="| $name | \`$path\` | not measured: HTTP $status | | | |"$'\n'
    continue
  fi
  echo "lighthouse $name ($path)"
  node_modules/.bin/lighthouse "$BASE$path" --quiet --output=json --output-path="$WORK/$name.json" \
    --only-categories=performance,accessibility,best-practices,seo \
    --form-factor=mobile --chrome-flags="$CHROME_FLAGS" >/dev/null
  ROWS+="$(.venv/bin/python - "$WORK/$name.json" "$name" "$path" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
c = report["categories"]
score = lambda k: round(c[k]["score"] * 100)
print(f"| {sys.argv[2]} | `{sys.argv[3]}` | {score('performance')} | {score('accessibility')} "
      f"| {score('best-practices')} | {score('seo')} |")
failed = [a["id"] for a in report["audits"].values()
          if a.get("score") is not None and a["score"] < 1 and a.get("scoreDisplayMode") == "binary"]
if failed:
    print("failed binary audits:", ", ".join(failed), file=sys.stderr)
PY
)"$'\n'
done

{
  echo "# Lighthouse scores"
  echo
  echo "Latest run of \`benchmarks/lighthouse.sh\`: Lighthouse $(node_modules/.bin/lighthouse --version), mobile profile"
  echo "(simulated throttling), Debian Chromium $(${CHROME_PATH} --version 2>/dev/null | awk '{print $2}'), production settings"
  echo "(DEBUG off, gunicorn, whitenoise), seed + demo content. Date: $(date -u +%Y-%m-%d)."
  echo
  echo "Targets: accessibility, best practices and SEO 100; performance at least 98."
  echo
  echo "| page | path | performance | accessibility | best practices | SEO |"
  echo "| --- | --- | --- | --- | --- | --- |"
  printf "%s" "$ROWS"
} > benchmarks/LIGHTHOUSE.md
cat benchmarks/LIGHTHOUSE.md
