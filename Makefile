# alima: `make run` serves the demo clinic; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

UV_VERSION := 0.13.9
# `make test` runs the test files on this many processes (pytest-xdist; each its own PostgreSQL database).
TEST_JOBS ?= auto

.PHONY: setup run test lint typecheck unit messages bench clean lock

# Installs exactly the versions of requirements-dev.lock (re-run when it or pyproject changes).
$(STAMP): pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/alima db upgrade
	$(BIN)/alima demo load --if-empty
	@echo "Open http://127.0.0.1:8000 and sign in with a demo login above (e.g. clinicien / alima-demo-2026)."
	$(BIN)/alima serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy

# Days that break calendars: a Sunday (a week's last day) in ISO week 53 at a year's turn, and
# a 29 February. `make test` runs the unit, integration and API tests (SQLite) again on each.
TEST_DAYS ?= 2027-01-03 2028-02-29

test: lint typecheck
	$(BIN)/pytest -n $(TEST_JOBS) --dist loadgroup
	for day in $(TEST_DAYS); do \
	  echo "The date-bound tests on $$day (ALIMA_TEST_TODAY)"; \
	  ALIMA_TEST_TODAY=$$day $(BIN)/pytest -q -n $(TEST_JOBS) --dist loadgroup -m "not postgresql" tests/unit tests/integration tests/api || exit 1; \
	done

messages: setup
	$(BIN)/pybabel extract -F babel.cfg -o src/alima/locale/messages.pot --no-location --sort-output -w 100 --ignore-dirs=".* _* .venv build tests benchmarks" .
	$(BIN)/pybabel update -i src/alima/locale/messages.pot -d src/alima/locale --no-fuzzy-matching --ignore-obsolete -w 100
	$(BIN)/pybabel compile -d src/alima/locale -D messages --statistics

bench: setup
	$(BIN)/python benchmarks/growth.py

# Re-resolves the lock files from pyproject.toml, keeping current pins; UPGRADE=--upgrade refreshes them.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --universal --custom-compile-command "make lock" --quiet $(UPGRADE) -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --universal --custom-compile-command "make lock" --quiet $(UPGRADE) -o requirements-dev.lock

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
