# Two commands on a fresh machine with Python 3.11+ and make: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The site needs only the runtime lock; the test and lint tools come from the dev lock, installed
# on top, so a production venv never carries them.
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
CHECK_PYTHON := $(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.x)")'

.PHONY: run test test-clock install install-dev lint format serve-prod lock clean messages

$(RUNTIME_STAMP): requirements.lock
	@$(CHECK_PYTHON)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $(RUNTIME_STAMP)

$(DEV_STAMP): $(RUNTIME_STAMP) requirements-dev.lock
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	touch $(DEV_STAMP)

install: $(RUNTIME_STAMP)

install-dev: $(DEV_STAMP)

# The lock tool lives in a venv of its own, so the project's locks never list it and `make lock`
# still works when a lock no longer installs. Both versions are pinned: pip-tools leans on pip's
# internals, and another pair may resolve differently.
LOCK_VENV := .venv-lock
PIP_TOOLS_VERSION := 7.6.2
LOCK_PIP_VERSION := 26.3
LOCK_TOOL := $(LOCK_VENV)/.pip-tools-$(PIP_TOOLS_VERSION)-pip-$(LOCK_PIP_VERSION)
# Index and find-links options come from this machine's pip configuration; they stay out of the
# locks. pip-compile keeps the pins already in a lock unless LOCK_ARGS says otherwise, e.g.
# `make lock LOCK_ARGS="--upgrade-package django"` or `LOCK_ARGS=--upgrade`.
PIP_COMPILE = $(LOCK_VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_ARGS)

$(LOCK_TOOL):
	@$(CHECK_PYTHON)
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet pip==$(LOCK_PIP_VERSION) pip-tools==$(PIP_TOOLS_VERSION)
	touch $(LOCK_TOOL)

# The dev lock is constrained by the runtime lock, so installing it on top never moves a runtime pin.
lock: $(LOCK_TOOL)
	$(PIP_COMPILE) --output-file=requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra=dev --constraint=requirements.lock --output-file=requirements-dev.lock pyproject.toml

# The test tools of package.json's dependencies: the Nu HTML checker (vnu.jar) for the HTML
# validation test, the calendar readers, and oidc-provider, the OpenID provider the single
# sign-on tests start on loopback. lighthouse is a devDependency, installed only by
# benchmarks/lighthouse.sh. Without npm those tests skip (and fail in CI). `make run` needs none.
NODE_STAMP := node_modules/.installed-runtime
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --omit=dev --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); \
	else echo "npm not found: the HTML validation test will skip (it fails in CI)"; fi

# Translations: `make messages` refreshes the .po files of every shipped language from the code
# and templates (then write the translations and commit the .po); the compiled .mo files are
# built from them here, never committed. A new language goes in MESSAGE_LANGUAGES and in
# SHIPPED_LANGUAGES (config/settings.py).
MESSAGE_LANGUAGES := nl fr
# compilemessages needs GNU gettext's msgfmt (Debian's gettext package).
MESSAGE_PO := $(wildcard locale/*/LC_MESSAGES/*.po)
MESSAGE_MO := $(MESSAGE_PO:.po=.mo)
MAKEMESSAGES_IGNORE := -i .venv -i .venv-lock -i node_modules -i benchmarks -i tests -i staticfiles \
	-i media -i artifacts -i scripts
locale/%.mo: locale/%.po | $(RUNTIME_STAMP)
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: install GNU gettext (apt-get install gettext)"; exit 1; }
	msgfmt --check-format -o $@ $<

messages: $(RUNTIME_STAMP)
	DEBUG=on $(BIN)/python manage.py makemessages $(MESSAGE_LANGUAGES:%=-l %) --add-location=file --no-obsolete $(MAKEMESSAGES_IGNORE)
	DEBUG=on $(BIN)/python manage.py makemessages -d djangojs $(MESSAGE_LANGUAGES:%=-l %) --add-location=file --no-obsolete $(MAKEMESSAGES_IGNORE)

run: $(RUNTIME_STAMP) $(MESSAGE_MO)
	DEBUG=$${DEBUG:-on} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-on} $(BIN)/python manage.py load_seed
	DEBUG=$${DEBUG:-on} $(BIN)/python manage.py load_demo
	DEBUG=$${DEBUG:-on} $(BIN)/python manage.py create_demo_organiser
	DEBUG=$${DEBUG:-on} $(BIN)/python manage.py runserver 127.0.0.1:8000

# The suite runs in TEST_WORKERS processes (pytest-xdist); the few tests marked `serial` time
# real waits and run alone afterwards (exit code 5: PYTEST_ARGS selected none of them).
TEST_WORKERS ?= 2
test: $(DEV_STAMP) $(NODE_STAMP) $(MESSAGE_MO)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)
	$(BIN)/python -m pytest --serial-only $(PYTEST_ARGS) || [ $$? -eq 5 ]

# The fast tests (SQLite, no browser) again with the suite's clock started at awkward instants
# (tests/conftest.py reads SUITE_NOW): 23:50 in Brussels, the daylight-saving nights of
# Brussels and New York, 29 February, New Year's Eve. A test that fails at only some of them
# reads the clock without saying what it expects. `make test-clock CLOCK_INSTANTS=...` picks
# others (.ci/run runs two of them).
CLOCK_INSTANTS ?= 2026-06-10T21:50:00Z 2027-03-28T00:30:00Z 2027-10-31T00:30:00Z \
	2027-03-14T06:30:00Z 2027-11-07T05:30:00Z 2028-02-29T23:30:00Z 2026-12-31T23:30:00Z
test-clock: $(DEV_STAMP) $(NODE_STAMP) $(MESSAGE_MO)
	@set -e; for at in $(CLOCK_INSTANTS); do \
		echo "== fast tests with the clock at $$at =="; \
		env -u DATABASE_URL -u CACHE_URL SUITE_NOW=$$at $(BIN)/python -m pytest -q \
			-p no:cacheprovider --ignore=tests/e2e -m "not e2e" $(PYTEST_ARGS); \
	done

# lint-imports holds the layer order of docs/architecture.md (contracts in pyproject.toml).
lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Production server: needs SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL... in the environment or .env.
serve-prod: $(RUNTIME_STAMP) $(MESSAGE_MO)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/gunicorn -c gunicorn.conf.py

clean:
	rm -rf $(VENV) $(LOCK_VENV) staticfiles .pytest_cache
