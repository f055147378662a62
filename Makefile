# Every target sets up what it needs: `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
SEED   ?= 42
BENCH_SOAK ?= 60

.PHONY: run test check clean bench

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

# The state-backend tests run a real redis-server (Debian's package), installed if missing.
test: check
	@command -v redis-server >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null; }
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

# Load benchmark against Stoplight Prism (issue 7), about 6 minutes: installs wrk (apt-get)
# and Prism (npm, into bench/.tools) when missing, psutil into the venv; writes
# bench/results/report.md and report.json. BENCH_SOAK=<seconds> sets the soak (0 skips it).
bench: $(VENV)/.installed
	$(BIN)/python -c 'import psutil' 2>/dev/null || $(BIN)/python -m pip install --quiet psutil
	$(BIN)/python -m compileall -q src >/dev/null
	$(BIN)/python bench/run.py --soak $(BENCH_SOAK)
