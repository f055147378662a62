"""A real `redis-server` on a free loopback port, and the `--state` URLs of every backend,
for the tests that run against each (never a fake: Debian's redis-server, which
`make test` installs when it is missing).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from tests.e2e.test_serve import _free_port

BACKENDS = ("memory", "sqlite", "redis")


free_port = _free_port
"""A free loopback port (the one the e2e tests' servers take)."""


@contextmanager
def redis_server() -> Iterator[str]:
    """A fresh redis-server on loopback, no persistence; yields its URL (database 0)."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is missing: `make test` installs Debian's redis-server"
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                folder,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}/0"
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    redis.Redis.from_url(url).ping()
                    break
                except redis.ConnectionError:
                    assert process.poll() is None, "redis-server exited at start"
                    assert time.monotonic() < deadline, "redis-server did not start"
                    time.sleep(0.05)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)


def state_url(kind: str, folder: Path, redis_url: str, database: int = 0) -> str:
    """The `--state` URL of backend `kind`: a file in `folder`, or database `database` of
    the Redis at `redis_url`.
    """
    if kind == "memory":
        return "memory:"
    if kind == "sqlite":
        return f"sqlite:///{folder / 'state.db'}"
    return redis_url.rsplit("/", 1)[0] + f"/{database}"
