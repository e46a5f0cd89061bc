# Two commands: `make run` serves the product, `make test` runs the whole suite.
# Both create .venv and install what they need on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py

.PHONY: help run test fuzz setup demo bench bench-pages bench-load bench-writes lint typecheck messages clean
.DEFAULT_GOAL := help

# `make` alone lists the targets: the text after "## " on each target's line.
help: ## list the targets (the default)
	@echo "Targets (PORT=$(PORT)):"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /  make \1\t/' | expand -t 20

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

# Everything the site needs, in one idempotent command shared with docker-compose: migrate,
# the cache table, the roles, the plan, the snapshot history, the nightly schedule, an
# administrator (once) and the static files. What an administrator entered or changed is
# never overwritten.
setup: $(VENV)/.runtime-installed .env ## set up or update the database and static files (run does this)
	$(MANAGE) setup

# The web server and the scheduler (celery beat: the nightly recompute) together; one
# Ctrl-C stops both. Plain http on this machine only: USE_HTTPS=0 turns off the HTTPS
# redirect, HSTS and the secure-only cookies that production has by default (settings.py).
run: setup ## set up, then serve on http://127.0.0.1:PORT/ with the nightly schedule running
	USE_HTTPS=0 $(MANAGE) serve --bind 127.0.0.1:$(PORT)

# The same result on every run: property tests draw from a fixed seed (HYPOTHESIS_SEED, default
# 0) after replaying the failures kept in tests/hypothesis-examples/, and Python's hashing is
# fixed too (set iteration order feeds the API fuzzer's generated bodies).
# TEST_WORKERS pytest-xdist processes (default 2, this machine's cores; 0 runs in one process).
TEST_WORKERS ?= 2
test: $(VENV)/.dev-installed .env ## run the whole test suite
	PYTHONHASHSEED=$${PYTHONHASHSEED:-0} $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

# Random exploration, not part of `make test`: rounds of the property-based tests with new
# random seeds for FUZZ_MINUTES (default 10). Failures are saved to tests/hypothesis-examples/
# (commit them with the fix); each failed round's seed is printed with the command to replay it.
FUZZ_MINUTES ?= 10
fuzz: $(VENV)/.dev-installed .env ## property-based tests with random seeds for FUZZ_MINUTES (default 10)
	$(BIN)/python tests/fuzz.py --minutes $(FUZZ_MINUTES)

# Synthetic figures for the targets without published data, so that every chart has
# something to show; every page then says the figures are not official.
# `$(MANAGE) remove_demo_data` takes them out again.
demo: setup ## add synthetic demo figures (flagged as such on every page)
	$(MANAGE) generate_demo_data

# The progress engine's benchmark: builds a synthetic 1,000-target plan in a throwaway
# PostgreSQL database (DATABASE_URL, default .../hangzhou_ai_zone_bench) and times a recompute.
bench: $(VENV)/.runtime-installed .env ## benchmark the progress engine (needs the local PostgreSQL)
	$(BIN)/python bench/recompute.py

# The pages and the API at 1,000 and 5,000 targets, in-process: render times, sizes (gzip),
# the date picker, 200 against 304, streamed CSV. A throwaway PostgreSQL database too.
bench-pages: $(VENV)/.runtime-installed .env ## benchmark the pages and the API at 1,000 and 5,000 targets
	$(BIN)/python bench/pages.py

# `make run`'s server (gunicorn, 2 workers) on PostgreSQL with demo data, driven by wrk at 50
# concurrent clients: prints "overview p99 / trivial p99" and the overview's requests/s.
# Then the PDF flood: 16 PDFs at once with junk parameters ("pdf flood: plain page p99",
# "pdf flood: peak rss"); BENCH_LOAD_ONLY=pdf runs it alone.
bench-load: $(VENV)/.runtime-installed .env ## load benchmark of the served site (wrk, 50 clients; PostgreSQL)
	$(BIN)/python bench/load.py

# Saves, a set's approvals and the plan recompute at once for 60 s, on PostgreSQL: prints
# "concurrent writes: N deadlocks in 60 s" (goal 0) and the writes that failed (goal 0).
bench-writes: $(VENV)/.runtime-installed .env ## concurrent write test: saves against the recompute (PostgreSQL)
	$(BIN)/python bench/writes.py

# Refresh the Chinese catalogue after changing interface text (needs gettext), translate
# the new entries in locale/zh_Hans/LC_MESSAGES/django.po, then compile. Both the .po and
# the compiled .mo are committed, so a fresh checkout shows Chinese without gettext.
messages: $(VENV)/.runtime-installed ## refresh and compile the Chinese catalogue (needs gettext)
	$(MANAGE) makemessages -l zh_Hans --no-location --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=test-artifacts
	msgattrib --no-obsolete -o locale/zh_Hans/LC_MESSAGES/django.po locale/zh_Hans/LC_MESSAGES/django.po
	$(MANAGE) compilemessages -l zh_Hans --ignore=.venv

lint: $(VENV)/.dev-installed ## ruff
	$(BIN)/ruff check .

# The files, the plugin and the strict engine are set in pyproject.toml ([tool.mypy]).
typecheck: $(VENV)/.dev-installed .env ## mypy on the services, selectors and engine (strict on the engine)
	$(BIN)/mypy

clean: ## remove .venv, collected static files and caches
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .mypy_cache
