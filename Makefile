# lsp_portal - development and CI tasks (GNU make).
#   make run    development server on http://127.0.0.1:8000 with demo data
#   make test   full check: ruff, import contracts, mypy, migrations check, pytest (PostgreSQL,
#               Redis, Chromium) on PYTEST_WORKERS pytest-xdist workers (2; 0: serially)

SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTHON := $(shell command -v python3.11 2>/dev/null || command -v python3)

PYTEST_ARGS ?=
# pytest-xdist workers. Worker gwN has its own test database (test_<name>_gwN) and Redis database
# (base - N of REDIS_URL, tests/conftest.py). --dist load: see README "Tests".
PYTEST_WORKERS ?= 2

.PHONY: help venv run chromium services test lint format messages clean backup restore bench

help:
	@echo "make run       migrate, load demo data, serve http://127.0.0.1:8000 (default)"
	@echo "make test      ruff + imports + mypy + migrations + pytest on PYTEST_WORKERS=2 (PYTEST_ARGS=...)"
	@echo "make venv      create .venv and install requirements.txt"
	@echo "make chromium  install Debian chromium, poppler-utils, gettext if missing"
	@echo "make services  check/start PostgreSQL and Redis on 127.0.0.1"
	@echo "make backup    database (pg_dump) + MEDIA_ROOT files into one archive (OUT=file.tar.gz)"
	@echo "make restore   restore an archive (IN=file.tar.gz; FORCE=1 replaces existing data)"
	@echo "make bench     web benchmark: fills lsp_portal_perf1k / lsp_portal_perf100k once, then"
	@echo "               gunicorn + wrk on the busiest pages (DURATION=10 seconds a page)"
	@echo "make lint | format | messages | clean"

# --- virtualenv: reinstall only when requirements.txt is newer than the stamp ---
venv: $(STAMP)

$(STAMP): requirements.txt
	@test -x $(BIN)/python || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install -r requirements.txt
	@touch $(STAMP)

# --- development server ---
# DEBUG defaults to 1 here (the settings default to off); DATABASE_URL / REDIS_URL pass through from
# the environment. With REDIS_URL a Celery worker (with embedded beat) runs in the background and is
# stopped when `make run` exits.
run: venv
	@set -euo pipefail; \
	export DEBUG="$${DEBUG:-1}"; \
	$(BIN)/python manage.py migrate --noinput; \
	$(BIN)/python manage.py seed_demo; \
	if [ -n "$${REDIS_URL:-}" ]; then \
		echo "REDIS_URL is set: starting a Celery worker (with beat) in the background"; \
		$(BIN)/celery -A lsp_portal worker -B --loglevel=info & \
		celery_pid=$$!; \
		trap 'kill $$celery_pid 2>/dev/null || true; wait $$celery_pid 2>/dev/null || true' EXIT; \
		trap 'exit 130' INT; \
		trap 'exit 143' TERM; \
	fi; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# --- system packages needed by the tests (browser tests, PDF checks, translations) ---
chromium:
	@set -e; \
	if [ "$$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi; \
	missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v msgfmt >/dev/null 2>&1 || missing="$$missing gettext"; \
	command -v zbarimg >/dev/null 2>&1 || missing="$$missing zbar-tools"; \
	fc-list 2>/dev/null | grep -qi dejavu || missing="$$missing fonts-dejavu-core"; \
	ldconfig -p | grep -q libpangoft2-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	ldconfig -p | grep -q libharfbuzz-subset || missing="$$missing libharfbuzz-subset0"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update; \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	else \
		echo "chromium, poppler-utils, gettext, zbar-tools, DejaVu fonts, Pango and HarfBuzz-subset are installed"; \
	fi

services:
	@scripts/check-services.sh

# --- full test run (what CI runs through .ci/run) ---
test: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/lsp_portal
test: export REDIS_URL ?= redis://127.0.0.1:6379/15
test: venv chromium services
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	DEBUG=1 $(BIN)/mypy .
	env -u DATABASE_URL DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	@mkdir -p test-artifacts
	$(BIN)/pytest --create-db -n $(PYTEST_WORKERS) --dist load $(PYTEST_ARGS)

# --- backup and restore (PostgreSQL of DATABASE_URL, files under MEDIA_ROOT; see README) ---
# No `venv` prerequisite: a backup on a production machine must never start a pip install.
backup:
	$(BIN)/python manage.py backup $(if $(OUT),--output "$(OUT)")

restore:
	@test -n "$(IN)" || { echo "usage: make restore IN=backup.tar.gz [FORCE=1]"; exit 2; }
	$(BIN)/python manage.py restore "$(IN)" $(if $(FORCE),--force)

# --- web benchmark (issue 8): generated databases of 1,000 and 100,000 cases, filled once ---
PERF_DB := postgres://postgres@127.0.0.1:5432
bench: venv services
	@command -v wrk >/dev/null || { if [ "$$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; }
	@set -euo pipefail; for size in 1k:1000 100k:100000; do \
	  name=lsp_portal_perf$${size%%:*}; count=$${size##*:}; \
	  psql -h 127.0.0.1 -U postgres -tAc "select 1 from pg_database where datname='$$name'" | grep -q 1 \
	    || psql -h 127.0.0.1 -U postgres -qc "create database $$name"; \
	  export DATABASE_URL=$(PERF_DB)/$$name DEBUG=1; \
	  $(BIN)/python manage.py migrate -v0; \
	  have=$$($(BIN)/python manage.py shell -c "from lsp_site.datagen import generated_applications as g; print(g())" | tail -1); \
	  if [ "$$have" != "$$count" ]; then $(BIN)/python manage.py bench_generate --applications $$count --flush; fi; \
	done
	$(BIN)/python bench/web.py --duration $${DURATION:-10}

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Developer tools: DEBUG=1 (development settings) as for mypy in `test`, so that they run on a plain
# checkout whatever the production settings come to require.
messages: venv
	DEBUG=1 $(BIN)/python manage.py makemessages -l id --ignore=.venv
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 private-media staticfiles test-artifacts
