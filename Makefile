# Every target sets up what it needs: `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
SEED   ?= 42
BENCH_SOAK ?= 60

.PHONY: run test check clean bench browser typescript screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# One stamp per extra, remade whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Bytecode is compiled up front because PYTHONDONTWRITEBYTECODE machines would otherwise
# compile src/ on every start (a tenth of the start-up); only changed files are redone.
run: $(VENV)/.installed
	$(BIN)/python -m compileall -q src >/dev/null
	$(BIN)/billing-mock serve --host $(HOST) --port $(PORT) --seed $(SEED)

# Lint, format and types first, so CI (`make test`) holds the line too.
check: $(VENV)/.installed-dev
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

# The browser tests' Chromium and playwright-core (and redis-server, which the state
# backends' tests need), each installed only when missing: quick once they are there.
browser:
	bash tests/browser/setup.sh

# openapi-typescript and typescript (npm, pinned) for the typed-client test, when missing.
typescript:
	bash tests/typescript/setup.sh

test: check browser typescript
	$(BIN)/python -m pytest

# docs/dashboard.png, timeline.png and journal.png, taken by the browser test from the real page.
screenshots: $(VENV)/.installed-dev browser
	DASHBOARD_SCREENSHOTS=$(CURDIR)/docs $(BIN)/python -m pytest -q tests/e2e/test_dashboard.py -k every_part

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis tests/browser/node_modules

# Load benchmark against Stoplight Prism (issues 7, 20), about 12 minutes: installs wrk (apt-get)
# and Prism (npm, into bench/.tools) when missing, psutil into the venv; writes
# bench/results/report.md and report.json. BENCH_SOAK=<seconds> sets the soak (0 skips it).
bench: $(VENV)/.installed
	$(BIN)/python -c 'import psutil' 2>/dev/null || $(BIN)/python -m pip install --quiet psutil
	$(BIN)/python -m compileall -q src >/dev/null
	$(BIN)/python bench/run.py --soak $(BENCH_SOAK)
