# Everything a newcomer needs: `make run` serves the catalogue, `make test` runs every check.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# Local runs are development runs; production sets these in its own environment.
export DJANGO_DEBUG ?= 1

.PHONY: install run serve migrate ingest test test-fast lint typecheck format check browser axe lock clean-db fuzz bench

install: $(VENV)/.installed

# dev.txt carries hashes, so pip checks every download against them (--require-hashes implied).
$(VENV)/.installed: requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $@

migrate: install
	$(MANAGE) migrate --no-input

# Then a citable snapshot for the Data page (a second of work; none when nothing changed).
ingest: migrate
	$(MANAGE) ingest data/sources
	$(MANAGE) export_trials --snapshot --if-changed

run: ingest
	$(MANAGE) runserver 127.0.0.1:8000

# Headless Chromium for the browser tests (Debian's package; Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# axe-core, the accessibility rules the browser tests run in each page: a test-only asset from
# npm, in the git-ignored node_modules/ (the site never serves it). Pinned; a new version is a
# new stamp file, so changing AXE_VERSION installs it.
AXE_VERSION := 4.14.1
AXE_STAMP := node_modules/.axe-core-$(AXE_VERSION)
axe: $(AXE_STAMP)

$(AXE_STAMP):
	npm install --prefix . --no-save --no-package-lock --no-audit --no-fund --loglevel=error axe-core@$(AXE_VERSION)
	touch $@

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy over the packages listed in pyproject.toml's [tool.mypy] files.
typecheck: install
	$(BIN)/mypy

check: install
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

test: install browser axe lint typecheck check
	$(BIN)/pytest

# The quick loop while working: no Chromium, no docker-compose checks, no child processes,
# no slow (generated 100 MB) files; two worker processes, a test module per worker.
FAST := not browser and not compose and not subprocess and not slow
test-fast: install
	$(BIN)/pytest -m "$(FAST)" -n 2 --dist loadfile

# A long property-based run over every parser (minutes; CI runs a short one inside `make test`).
fuzz: install
	HYPOTHESIS_PROFILE=long $(BIN)/pytest tests/test_fuzz_parsers.py

# Every benchmark (ingest, list/detail pages at 10k and 100k trials, gunicorn under wrk) on
# throwaway databases; writes BENCHMARKS.md. About 10 minutes on 2 cores.
bench: install
	$(BIN)/python -m bench.run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Compile requirements/runtime.in and dev.in into runtime.txt and dev.txt, pinned and hashed.
# Pins already in a .txt stay as they are; `make lock UPGRADE=1` moves every package to its latest.
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" ../.lock-venv/bin/pip-compile --quiet \
	--generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
	$(if $(UPGRADE),--upgrade)
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet pip-tools==7.7.0
	cd requirements && $(PIP_COMPILE) runtime.in && $(PIP_COMPILE) dev.in
	rm -rf .lock-venv

# Stop the embedded PostgreSQL and delete its data (the next command starts a fresh one).
clean-db:
	-pkill -INT -f "$(CURDIR)/.pgdata" && sleep 2
	rm -rf .pgdata
