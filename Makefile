# alima: `make run` serves the demo clinic; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run test lint typecheck unit messages bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
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

test: lint typecheck
	$(BIN)/pytest

messages: setup
	$(BIN)/pybabel extract -F babel.cfg -o src/alima/locale/messages.pot --no-location --sort-output -w 100 --ignore-dirs=".* _* .venv build tests benchmarks" .
	$(BIN)/pybabel update -i src/alima/locale/messages.pot -d src/alima/locale --no-fuzzy-matching --ignore-obsolete -w 100

bench: setup
	$(BIN)/python benchmarks/growth.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
