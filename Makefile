# Scorecard — two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
export FLASK_APP := scorecard:create_app

.PHONY: run test install install-dev migrate seed serve lint format bench translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(MAKE) --no-print-directory translations

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	$(MAKE) --no-print-directory translations

translations:
	@$(BIN)/pybabel compile -f -d scorecard/translations >/dev/null

migrate:
	@mkdir -p instance
	$(BIN)/flask db upgrade

seed:
	$(BIN)/flask seed-demo

serve:
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

## make run: install, migrate, seed the demo once, serve on http://127.0.0.1:$(PORT)
run: install migrate seed serve

## make test: install the dev dependencies, check style, run every test
test: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format:
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

bench: install-dev
	$(BIN)/python scripts/bench_scoring.py

clean:
	rm -rf $(VENV) instance/*.db*
