"""When each sandbox was last marked used by this process, so that a shared backend
writes the mark (what idle expiry and eviction go by) only now and then.
"""

from __future__ import annotations

import time

from cachetools import TTLCache


class Uses:
    """Marks at most every twentieth of `idle` seconds per sandbox: a write on every
    request would serialise every worker on the store for a figure that needs no more
    precision. Remembers at most `4 * bound` names, the least recently marked dropped
    first (a cachetools TTLCache whose entries live a twentieth of `idle`).
    """

    def __init__(self, idle: float, bound: int) -> None:
        self._marked: TTLCache[str, float] = TTLCache(maxsize=4 * bound, ttl=idle / 20)

    def due(self, name: str, force: bool = False) -> float | None:
        """The wall-clock time to mark `name` used with, or None when it was marked lately."""
        if not force and name in self._marked:
            return None
        now = time.time()
        self._marked[name] = now
        return now
