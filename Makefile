# The two commands of the README: `make run` (server with demo data on SQLite) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# The demo runs the scheduled jobs in the server (timers, revisits, reassessment), so it behaves
# as documented with one process.
run: $(STAMP)
	STREETRELIEF_RUN_JOBS_IN_SERVER=$${STREETRELIEF_RUN_JOBS_IN_SERVER:-true} $(BIN)/streetrelief serve --demo

test: $(STAMP)
	@if echo "$${STREETRELIEF_TEST_DATABASES:-sqlite,postgresql}" | grep -q postgresql; then \
		scripts/ensure-postgres.sh; fi
	scripts/ensure-chromium.sh
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/intake.py
	scripts/ensure-chromium.sh
	$(BIN)/python bench/console.py

clean:
	rm -rf $(VENV) var .pytest_cache
