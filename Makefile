# Scorecard — two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
export FLASK_APP := scorecard:create_app

.PHONY: run test install install-dev migrate seed serve lint format bench load translations clean

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

## make test: install the dev dependencies, check style, run every test (the kit's script
## modules with Node's own test runner, then pytest)
test: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	node --test tests/js/*.test.mjs
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format:
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

## make bench: the speed figures of scoring.md / the issues, as ratios measured in one run
bench: install-dev
	$(BIN)/python scripts/bench_scoring.py
	$(BIN)/python scripts/bench_compare.py
	$(BIN)/python scripts/bench_kit.py

## make load: R3–R5 at full size (50 interviewers × 60 s) on DATABASE_URL or a temp SQLite
load: install-dev
	$(BIN)/python scripts/load_autosave.py --duration 60 --clients 50 \
	  --database-url "$${DATABASE_URL:-sqlite:////tmp/scorecard-load.db}"

clean:
	rm -rf $(VENV) instance/*.db*
