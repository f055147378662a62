"""Where the benchmark reads and writes: contracts, fixtures, wrk scripts, results, tools."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
RUN_SCRIPT = BENCH / "run.py"
"""The entry point; child processes run its subcommands (`profile`, `serve-quiet`, ...)."""
RESULTS = BENCH / "results"
TOOLS = BENCH / ".tools"
FIXTURES = ROOT / "fixtures"
OPENAPI = ROOT / "openapi"
MEASURE_LUA = BENCH / "measure.lua"
SOAK_LUA = BENCH / "soak.lua"
