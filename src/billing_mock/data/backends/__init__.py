"""State backends by URL: `memory:` (none: this process's own), `sqlite:///path`,
`redis://host:port/db`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from billing_mock.domain.persistence import BackendError, StateBackend

SCHEMES = ("memory:", "sqlite:///path/to/state.db", "redis://host:port/db")
"""What `--state` takes, for messages."""


def open_backend(url: str, max_sandboxes: int, idle: float) -> StateBackend | None:
    """The backend `url` names, opened and checked, bounded by `max_sandboxes` and `idle`
    seconds; None for `memory:` (state in this process). Raises BackendError for an
    unknown scheme, an unwritable SQLite path, an unreachable Redis, or state of another
    format.
    """
    scheme = urlsplit(url).scheme
    if url in ("memory:", "memory"):
        return None
    if scheme == "sqlite" and url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        from billing_mock.data.backends.sqlite import SqliteBackend

        return SqliteBackend(Path(url[len("sqlite://") :]), max_sandboxes, idle)
    if scheme in ("redis", "rediss"):
        from billing_mock.data.backends.redis import RedisBackend

        return RedisBackend(url, max_sandboxes, idle)
    raise BackendError(f"unknown state {url!r}: use one of {', '.join(SCHEMES)}")
