# The two commands of README.md: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
SEED   ?= 42
SCALE  ?= 1
export PORT

.PHONY: help install migrate run test lint seed messages compilemessages clean distclean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the lock file changed.
$(VENV)/.installed: requirements.lock | $(PY)
	$(PY) -m pip install --disable-pip-version-check --no-input -q -r requirements.lock
	@touch $@

install: $(VENV)/.installed  ## create .venv and install requirements.lock

migrate: install  ## apply migrations (SQLite in data/ unless DATABASE_URL is set)
	$(PY) manage.py migrate --noinput

run: install  ## migrate, compile translations, load demo data, start the worker and the web server on $PORT
	scripts/run.sh

test: install  ## the whole suite on SQLite, again on PostgreSQL if DATABASE_URL names one, and ruff
	scripts/test.sh

lint: install  ## ruff check
	$(VENV)/bin/ruff check .

seed: migrate  ## load the demo data (SEED=42 SCALE=1)
	$(PY) manage.py seed_demo --seed $(SEED) --scale $(SCALE)

messages: install  ## update the translation catalogues (locale/zh_Hans, locale/en)
	scripts/i18n.sh make

compilemessages: install  ## compile the translation catalogues
	scripts/i18n.sh compile

clean:  ## remove caches (keeps .venv and the database in data/)
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -print0 | xargs -0 rm -rf
	rm -rf .pytest_cache .ruff_cache

distclean: clean  ## also remove .venv and data/ (the local SQLite database and task queue)
	rm -rf $(VENV) data
