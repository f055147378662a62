"""The run's progress lines on standard output."""

from __future__ import annotations

import sys


def say(text: str) -> None:
    """Progress on standard output, at once."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
