# Two commands: `make run` serves the product, `make test` runs the whole suite.
# Both create .venv and install what they need on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py

.PHONY: run test setup demo bench lint messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: $(BIN)/python requirements.txt
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.runtime-installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# A random SECRET_KEY for this checkout, written once; an existing .env is never changed.
.env:
	$(BIN)/python -c "import secrets; print('SECRET_KEY=' + secrets.token_urlsafe(50))" > $@

# Migrate, create the cache table (the API's throttle counts) and load the plan. Loading
# creates only what is missing: what an administrator entered or changed is never overwritten.
setup: $(VENV)/.runtime-installed .env
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable
	$(MANAGE) setup_roles
	$(MANAGE) load_plan
	$(MANAGE) recompute_snapshots --since baseline
	$(MANAGE) setup_schedule
	$(MANAGE) ensure_admin
	$(MANAGE) collectstatic --noinput --verbosity 0

# Plain http on this machine only: USE_HTTPS=0 turns off the HTTPS redirect, HSTS and the
# secure-only cookies that production has by default (see settings.py). Behind a TLS proxy,
# run gunicorn without it.
run: setup
	@echo "Serving on http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	USE_HTTPS=0 $(BIN)/gunicorn hangzhou_ai_zone.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile -

test: $(VENV)/.dev-installed .env
	$(BIN)/python -m pytest

# Synthetic figures for the targets without published data, so that every chart has
# something to show; every page then says the figures are not official.
# `$(MANAGE) remove_demo_data` takes them out again.
demo: setup
	$(MANAGE) generate_demo_data

# The progress engine's benchmark: builds a synthetic 1,000-target plan in a throwaway
# PostgreSQL database (DATABASE_URL, default .../hangzhou_ai_zone_bench) and times a recompute.
bench: $(VENV)/.runtime-installed .env
	$(BIN)/python bench/recompute.py

# Refresh the Chinese catalogue after changing interface text (needs gettext), translate
# the new entries in locale/zh_Hans/LC_MESSAGES/django.po, then compile. Both the .po and
# the compiled .mo are committed, so a fresh checkout shows Chinese without gettext.
messages: $(VENV)/.runtime-installed
	$(MANAGE) makemessages -l zh_Hans --no-location --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=test-artifacts
	msgattrib --no-obsolete -o locale/zh_Hans/LC_MESSAGES/django.po locale/zh_Hans/LC_MESSAGES/django.po
	$(MANAGE) compilemessages -l zh_Hans --ignore=.venv

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
