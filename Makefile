# Two commands on a fresh machine:
#   make run    set everything up and serve the portal on http://$(HOST):$(PORT)
#   make test   set everything up (plus dev tools, and a ClamAV daemon for the run) and run the whole test suite

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
WORKERS ?= 2
THREADS ?= 4
export HOST PORT WORKERS THREADS

.PHONY: run setup test test-postgres e2e lint security clean-venv translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

# Idempotent: keeps every row and file; adds only what is missing.
setup: $(VENV)/.runtime
	$(BIN)/pybabel -q compile -d portal/translations
	$(BIN)/python -m portal.instance_setup
	$(BIN)/flask --app app init-db

run: setup
	$(BIN)/gunicorn --config gunicorn.conf.py app:app

test: $(VENV)/.dev
	$(BIN)/pybabel -q compile -d portal/translations
	$(BIN)/python -m portal.instance_setup
	$(BIN)/flask --app app init-db
	REQUIRE_ANTIVIRUS_TESTS=1 scripts/with-clamd.sh $(BIN)/python -m pytest --ignore=tests/e2e $(PYTEST_ARGS)

# The whole suite again against a real PostgreSQL server, installed from Debian's packages
# if missing and started for the run by scripts/with-postgres.sh (and clamd, as for `make test`).
test-postgres: $(VENV)/.dev
	$(BIN)/pybabel -q compile -d portal/translations
	REQUIRE_ANTIVIRUS_TESTS=1 scripts/with-postgres.sh scripts/with-clamd.sh \
		$(BIN)/python -m pytest --ignore=tests/e2e $(PYTEST_ARGS)

# End-to-end tests: Debian's Chromium (installed if missing) driven by Playwright, axe-core from npm.
e2e: $(VENV)/.dev tests/e2e/node_modules/.installed
	scripts/ensure-chromium.sh
	$(BIN)/pybabel -q compile -d portal/translations
	$(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

tests/e2e/node_modules/.installed: tests/e2e/package.json tests/e2e/package-lock.json
	cd tests/e2e && npm ci --silent --no-audit --no-fund
	touch $@

# Interface text: extract every message of portal/ and templates/ (babel.cfg) and merge it into the
# catalogues portal/translations/<lang>/LC_MESSAGES/messages.po. New messages arrive empty, changed ones
# marked fuzzy: translate them, remove the fuzzy flags, and tests/test_i18n.py turns green again.
# The template (.pot) is a by-product, not kept. A new language (e.g. Arabic) is one more catalogue:
#   make translations POT_KEEP=1 && .venv/bin/pybabel init -i portal/translations/messages.pot -d portal/translations -l ar
I18N_KEYWORDS := -k _l -k lazy_gettext -k _ln:1,2 -k lazy_ngettext:1,2 -k _lp:1c,2 -k lazy_pgettext:1c,2
POT := portal/translations/messages.pot
translations: $(VENV)/.runtime
	$(BIN)/pybabel -q extract -F babel.cfg $(I18N_KEYWORDS) -c TRANSLATORS: --add-location=file --no-wrap \
		--project="WSIS contribution portal" --copyright-holder="ITU" \
		--ignore-dirs=".* ._ instance benchmarks node_modules" -o $(POT) .
	$(BIN)/pybabel -q update -i $(POT) -d portal/translations --no-wrap --ignore-obsolete
	$(if $(POT_KEEP),,rm -f $(POT))
	$(BIN)/pybabel -q compile -d portal/translations

lint: $(VENV)/.dev
	$(BIN)/ruff check portal tests app.py benchmarks

# bandit on the portal (exceptions justified where they are made) and pip-audit on the pins.
security: $(VENV)/.dev
	$(BIN)/bandit -q -r portal -c pyproject.toml
	$(BIN)/pip-audit -r requirements.txt --progress-spinner off

clean-venv:
	rm -rf $(VENV)
