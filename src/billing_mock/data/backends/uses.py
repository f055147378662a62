"""When each sandbox was last marked used by this process, so that a shared backend
writes the mark (what idle expiry and eviction go by) only now and then.
"""

from __future__ import annotations

import time


class Uses:
    """Marks at most every twentieth of `idle` seconds per sandbox: a write on every
    request would serialise every worker on the store for a figure that needs no more
    precision. Remembers at most `4 * bound` names (then starts afresh).
    """

    def __init__(self, idle: float, bound: int) -> None:
        self._every, self._bound = idle / 20, 4 * bound
        self._marked: dict[str, float] = {}

    def due(self, name: str, force: bool = False) -> float | None:
        """The wall-clock time to mark `name` used with, or None when it was marked lately."""
        now = time.time()
        if not force and now - self._marked.get(name, 0.0) < self._every:
            return None
        if len(self._marked) > self._bound:
            self._marked.clear()
        self._marked[name] = now
        return now
