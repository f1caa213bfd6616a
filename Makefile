# Two commands on a fresh machine:
#   make run    set everything up and serve the portal on http://$(HOST):$(PORT)
#   make test   set everything up (plus dev tools) and run the whole test suite

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
WORKERS ?= 2
THREADS ?= 4
export HOST PORT WORKERS THREADS

.PHONY: run setup test test-postgres lint security clean-venv

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
	$(BIN)/python -m portal.instance_setup
	$(BIN)/flask --app app init-db

run: setup
	$(BIN)/gunicorn --config gunicorn.conf.py app:app

test: $(VENV)/.dev
	$(BIN)/python -m portal.instance_setup
	$(BIN)/flask --app app init-db
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The whole suite again against a real PostgreSQL server, installed from Debian's packages
# if missing and started for the run by scripts/with-postgres.sh.
test-postgres: $(VENV)/.dev
	scripts/with-postgres.sh $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check portal tests app.py

clean-venv:
	rm -rf $(VENV)
