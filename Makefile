# duijie — the two commands a newcomer needs are `make demo` and `make test` (README.md).
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.lock 2>/dev/null | cut -c1-12)
PYTEST_WORKERS ?= 2
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test test-fast test-sqlite test-postgres test-slow lint install lock serve worker bench clean-demo messages

install: $(STAMP)

$(STAMP): requirements.lock
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade "pip>=24"
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .   # the project itself: the duijie-match console script
	bash scripts/install-pdf-deps.sh      # pango and a CJK font for the PDF reports (apt, when root)
	@rm -f $(VENV)/.installed-*; touch $@

lock:
	$(BIN)/pip-compile -q --strip-extras --extra dev --generate-hashes --allow-unsafe -o requirements.lock pyproject.toml

## make demo: install, migrate, load the demo data, start the worker and the web server (SQLite).
demo: install
	DUIJIE_DEMO=1 $(BIN)/python manage.py migrate --noinput -v0
	DUIJIE_DEMO=1 $(BIN)/python manage.py demo_data --if-empty
	DUIJIE_DEMO=1 $(BIN)/python manage.py calendar_tick --schedule   # today's closures, then daily by the worker
	DUIJIE_DEMO=1 $(BIN)/python manage.py collectstatic --noinput -v0
	DUIJIE_DEMO=1 $(BIN)/python manage.py rebuild_index --if-missing   # lexical at once; vectors by the bulk worker
	@DUIJIE_DEMO=1 $(BIN)/python manage.py demo_logins
	@echo "Starting the background worker and the web server on http://127.0.0.1:$(PORT)/ (Ctrl-C stops both)"
	@# Two workers: edits (default + match-interactive) never wait behind bulk work (match-bulk: imports,
	@# rebuilds, vector encoding).
	@DUIJIE_DEMO=1 $(BIN)/python manage.py db_worker --queue-name default,match-interactive --no-reload > data/worker.log 2>&1 & WORKER=$$!; \
	  DUIJIE_DEMO=1 $(BIN)/python manage.py db_worker --queue-name match-bulk --no-reload > data/worker-bulk.log 2>&1 & BULK=$$!; \
	  trap "kill $$WORKER $$BULK 2>/dev/null" EXIT INT TERM; \
	  DUIJIE_DEMO=1 $(BIN)/gunicorn config.wsgi:application --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 \
	    --access-logfile - --log-level warning

## make test: lint, checks, the fast suite on SQLite and on PostgreSQL, the slow tests once on PostgreSQL.
test: install lint test-sqlite test-postgres

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo   # the dependency direction ([tool.importlinter] in pyproject.toml)
	$(BIN)/mypy                     # types on matchkit and core's services/selectors/scope ([tool.mypy])
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

test-sqlite: install
	TEST_DB=sqlite $(BIN)/pytest -q -n $(PYTEST_WORKERS) -m "not slow"

test-postgres: install
	bash scripts/install-browser.sh
	TEST_DB=postgres $(BIN)/pytest -q -n $(PYTEST_WORKERS)

## make test-fast: everyday loop (SQLite, no slow tests, no lint).
test-fast: install
	TEST_DB=sqlite $(BIN)/pytest -q -n $(PYTEST_WORKERS) -m "not slow" -x

bench: install
	$(BIN)/python bench/run.py

## make messages: refresh the zh-Hans catalogue and compile it (the compiled .mo is committed).
messages:
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=data --no-obsolete
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

clean-demo:
	rm -f data/duijie.sqlite3 data/duijie.sqlite3-wal data/duijie.sqlite3-shm
	rm -rf data/match
