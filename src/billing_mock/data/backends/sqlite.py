"""The `sqlite:` state backend: one file, stdlib `sqlite3` in WAL mode, shared by every
worker on the host and kept across restarts.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from billing_mock.data.backends.uses import Uses
from billing_mock.data.stores import DEFAULT_SANDBOX
from billing_mock.domain.persistence import BackendError, SandboxRecord, Stamp, Write
from billing_mock.domain.state import EVENTS_KEPT

FORMAT = "billing-mock-state/1"
"""What the file says it holds; a file that says anything else is refused, not misread."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sandboxes (
    name TEXT PRIMARY KEY, seed INTEGER NOT NULL, scenarios TEXT NOT NULL,
    generation TEXT NOT NULL, version INTEGER NOT NULL, now TEXT,
    events_made INTEGER NOT NULL, used REAL NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    sandbox TEXT NOT NULL, handle TEXT NOT NULL, account TEXT NOT NULL,
    PRIMARY KEY (sandbox, handle));
CREATE TABLE IF NOT EXISTS events (
    sandbox TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL,
    PRIMARY KEY (sandbox, seq));
"""

BUSY_TIMEOUT_MS = 10_000
"""How long a writer waits for another process's write to finish before giving up."""


class SqliteBackend:
    """State in the SQLite file at `path` (made when missing), bounded to `max_sandboxes`
    besides `default` and `idle` seconds unused. Raises BackendError when the file cannot
    be opened or written, or holds another format. Thread-safe (one connection, a lock).

    Idle time is measured in wall-clock seconds, the one clock two processes share; it
    decides only when a sandbox expires, never any data.
    """

    def __init__(self, path: Path, max_sandboxes: int, idle: float) -> None:
        self.url = f"sqlite:///{path}"
        self._max, self._idle = max_sandboxes, idle
        self._lock = threading.Lock()
        self._uses = Uses(idle, max_sandboxes)
        try:
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._db.execute("PRAGMA journal_mode = WAL")
            # WAL's usual pairing: a commit survives the process (a restart, a crash) and
            # only a power cut can lose the newest; FULL fsyncs every write, which was a
            # third of a checkout's time.
            self._db.execute("PRAGMA synchronous = NORMAL")
            with self._write() as db:
                for statement in filter(str.strip, SCHEMA.split(";")):
                    db.execute(statement)
                found = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
                if found is None:
                    db.execute("INSERT INTO meta VALUES ('format', ?), ('counter', '0')", (FORMAT,))
                elif found[0] != FORMAT:
                    raise BackendError(
                        f"{path} holds state of format {found[0]!r}; this version reads "
                        f"{FORMAT!r} only: use another file, or delete this one"
                    )
        except sqlite3.Error as error:
            raise BackendError(f"cannot use the SQLite state file {path}: {error}") from None

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE), so a read-then-write
        cannot interleave with another process's.
        """
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as error:
                raise BackendError(f"the SQLite state file failed: {error}") from None

    def _read(self, sql: str, args: tuple[object, ...]) -> list[tuple[object, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.Error as error:
                raise BackendError(f"the SQLite state file failed: {error}") from None

    def stamp(self, name: str) -> Stamp | None:
        """See `StateBackend.stamp`."""
        rows = self._read("SELECT generation, version FROM sandboxes WHERE name = ?", (name,))
        if not rows:
            return None
        self._touch(name)
        return Stamp(str(rows[0][0]), int(rows[0][1]))  # type: ignore[call-overload]

    def load(self, name: str) -> SandboxRecord | None:
        """See `StateBackend.load`."""
        self._touch(name, force=True)
        with self._write() as db:
            return _record(db, name)

    def create(
        self, name: str, seed: int, scenarios: Mapping[str, str], *, replace: bool
    ) -> tuple[SandboxRecord, bool]:
        """See `StateBackend.create`."""
        with self._write() as db:
            self._expire(db)
            if not replace:
                found = _record(db, name)
                if found is not None:
                    return found, False
            existed = _drop(db, name)
            version = _next_version(db)
            db.execute(
                "INSERT INTO sandboxes VALUES (?, ?, ?, ?, ?, NULL, 0, ?)",
                (
                    name,
                    seed,
                    json.dumps(dict(scenarios), sort_keys=True),
                    secrets.token_hex(8),
                    version,
                    time.time(),
                ),
            )
            self._evict(db)
            made = _record(db, name)
            assert made is not None
            return made, not existed

    def commit(self, name: str, expected: Stamp, write: Write) -> Stamp | None:
        """See `StateBackend.commit`."""
        with self._write() as db:
            row = db.execute(
                "SELECT generation, version FROM sandboxes WHERE name = ?", (name,)
            ).fetchone()
            if row is None or Stamp(row[0], row[1]) != expected:
                return None
            if write.restart:
                db.execute("DELETE FROM accounts WHERE sandbox = ?", (name,))
                db.execute("DELETE FROM events WHERE sandbox = ?", (name,))
            db.executemany(
                "INSERT OR REPLACE INTO accounts VALUES (?, ?, ?)",
                [(name, handle, text) for handle, text in write.accounts.items()],
            )
            first = write.events_made - len(write.events)
            db.executemany(
                "INSERT OR REPLACE INTO events VALUES (?, ?, ?)",
                [(name, first + index, text) for index, text in enumerate(write.events)],
            )
            db.execute(
                "DELETE FROM events WHERE sandbox = ? AND seq < ?",
                (name, write.events_made - EVENTS_KEPT),
            )
            version = _next_version(db)
            db.execute(
                "UPDATE sandboxes SET version = ?, now = ?, events_made = ?, used = ? "
                "WHERE name = ?",
                (version, write.now, write.events_made, time.time(), name),
            )
            return Stamp(expected.generation, version)

    def events(self, name: str) -> list[str]:
        """See `StateBackend.events`."""
        rows = self._read("SELECT event FROM events WHERE sandbox = ? ORDER BY seq", (name,))
        return [str(row[0]) for row in rows]

    def delete(self, name: str) -> bool:
        """See `StateBackend.delete`."""
        with self._write() as db:
            return _drop(db, name)

    def listing(self) -> list[tuple[str, int, dict[str, str]]]:
        """See `StateBackend.listing`."""
        with self._write() as db:
            self._expire(db)
            rows = db.execute("SELECT name, seed, scenarios FROM sandboxes ORDER BY name")
            return [(name, seed, json.loads(scenarios)) for name, seed, scenarios in rows]

    def close(self) -> None:
        """See `StateBackend.close`."""
        with self._lock:
            self._db.close()

    def _touch(self, name: str, force: bool = False) -> None:
        """Mark the sandbox used, at most every twentieth of `idle` unless `force`: a
        write per request would serialise every worker on the file.
        """
        now = self._uses.due(name, force)
        if now is None:
            return
        with self._write() as db:
            db.execute("UPDATE sandboxes SET used = ? WHERE name = ?", (now, name))

    def _expire(self, db: sqlite3.Connection) -> None:
        cutoff = time.time() - self._idle
        stale = db.execute(
            "SELECT name FROM sandboxes WHERE name != ? AND used < ?", (DEFAULT_SANDBOX, cutoff)
        ).fetchall()
        for (name,) in stale:
            _drop(db, name)

    def _evict(self, db: sqlite3.Connection) -> None:
        names = db.execute(
            "SELECT name FROM sandboxes WHERE name != ? ORDER BY used DESC, name",
            (DEFAULT_SANDBOX,),
        ).fetchall()
        for (name,) in names[self._max :]:
            _drop(db, name)


def _next_version(db: sqlite3.Connection) -> int:
    db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'counter'")
    return int(db.execute("SELECT value FROM meta WHERE key = 'counter'").fetchone()[0])


def _drop(db: sqlite3.Connection, name: str) -> bool:
    db.execute("DELETE FROM accounts WHERE sandbox = ?", (name,))
    db.execute("DELETE FROM events WHERE sandbox = ?", (name,))
    return db.execute("DELETE FROM sandboxes WHERE name = ?", (name,)).rowcount > 0


def _record(db: sqlite3.Connection, name: str) -> SandboxRecord | None:
    row = db.execute(
        "SELECT seed, scenarios, generation, version, now, events_made FROM sandboxes "
        "WHERE name = ?",
        (name,),
    ).fetchone()
    if row is None:
        return None
    seed, scenarios, generation, version, now, events_made = row
    accounts = db.execute("SELECT handle, account FROM accounts WHERE sandbox = ?", (name,))
    return SandboxRecord(
        name=name,
        seed=seed,
        scenarios=json.loads(scenarios),
        stamp=Stamp(generation, version),
        now=now,
        events_made=events_made,
        accounts=dict(accounts.fetchall()),
    )
