# Two commands on a fresh machine with Python 3.11+ and make: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint format serve-prod clean

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.x)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

# The Nu HTML checker (vnu.jar) for the HTML validation test; lighthouse is a devDependency,
# installed only by benchmarks/lighthouse.sh. Without npm the check skips (and fails in CI).
NODE_STAMP := node_modules/.installed-runtime
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --omit=dev --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); \
	else echo "npm not found: the HTML validation test will skip (it fails in CI)"; fi

run: $(STAMP)
	DEBUG=$${DEBUG:-on} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-on} $(BIN)/python manage.py loaddata seed
	DEBUG=$${DEBUG:-on} $(BIN)/python manage.py load_demo
	DEBUG=$${DEBUG:-on} $(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Production server: needs SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL... in the environment or .env.
serve-prod: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/gunicorn -c gunicorn.conf.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
