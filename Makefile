# Two commands for a fresh machine with Python 3.11: `make run` (demo on http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run test install demo worker beat lint lock

install: $(VENV)/.installed

# Every package at the version locked in requirements-dev.lock (requirements.lock: the runtime set, for production).
$(VENV)/.installed: requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements-dev.lock
	touch $@

# After changing a pin in requirements.txt or requirements-dev.txt: lock every transitive dependency again.
# Existing pins are kept where they still fit; `make lock LOCK_ARGS=--upgrade` moves everything to the newest.
lock: install
	$(BIN)/pip-compile --quiet --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links $(LOCK_ARGS) \
		-o requirements.lock requirements.txt
	$(BIN)/pip-compile --quiet --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links $(LOCK_ARGS) \
		-o requirements-dev.lock requirements-dev.txt

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py setup_schedules

run: demo
	$(BIN)/python manage.py runserver $(HOST)

# Parallel workers (pytest-xdist; each its own test database and Redis key prefix); PYTEST_WORKERS=0 runs serially.
PYTEST_WORKERS ?= 2

test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

worker: install
	$(BIN)/celery -A config worker --loglevel=INFO

beat: install
	$(BIN)/celery -A config beat --loglevel=INFO

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
