"""`serve`'s defaults that depend on the machine: worker processes."""

from __future__ import annotations

import os

from billing_mock.cli import default_workers


def test_workers_default_to_one_in_memory_and_to_the_cores_with_shared_state() -> None:
    cores = len(os.sched_getaffinity(0))
    assert default_workers("memory:") == 1
    assert default_workers("memory") == 1
    assert default_workers("sqlite:///tmp/state.db") == cores
    assert default_workers("redis://127.0.0.1:6379/0") == cores
