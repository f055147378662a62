"""The `redis:` state backend: a real Redis server, shared by replicas on many hosts.

Keys, under `billing-mock:`: `format` and `counter` (the Stamps' versions); per sandbox
a hash of its record (`sandbox:<name>`), a hash of its changed accounts
(`accounts:<name>`) and a list of its events (`events:<name>`); a sorted set of every
sandbox by last use (`used`). A commit WATCHes the sandbox's hash and writes in
MULTI/EXEC, so it lands only over the Stamp it read. Idle sandboxes expire by the keys'
TTLs (renewed as they are used); `default` has none.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping
from typing import Any

import redis

from billing_mock.data.backends.uses import Uses
from billing_mock.data.stores import DEFAULT_SANDBOX
from billing_mock.domain.persistence import BackendError, SandboxRecord, Stamp, Write
from billing_mock.domain.state import EVENTS_KEPT

FORMAT = "billing-mock-state/1"
PREFIX = "billing-mock:"
TIMEOUT = 5.0
"""Seconds to connect to, or wait on, the Redis server before giving up."""


class RedisBackend:
    """State in the Redis server at `url` (`redis://host:port/db`), bounded to
    `max_sandboxes` besides `default` and `idle` seconds unused. Raises BackendError when
    the server cannot be reached or holds another format. Thread-safe (redis-py's pool).
    """

    def __init__(self, url: str, max_sandboxes: int, idle: float) -> None:
        self.url = url
        self._max, self._idle = max_sandboxes, idle
        self._uses = Uses(idle, max_sandboxes)
        try:
            self._redis = redis.Redis.from_url(
                url,
                decode_responses=True,
                socket_timeout=TIMEOUT,
                socket_connect_timeout=TIMEOUT,
                max_connections=64,
            )
            self._redis.set(PREFIX + "format", FORMAT, nx=True)
            found = self._redis.get(PREFIX + "format")
        except (redis.RedisError, ValueError) as error:
            raise BackendError(f"cannot use the Redis state at {url}: {error}") from None
        if found != FORMAT:
            raise BackendError(
                f"{url} holds state of format {found!r}; this version reads {FORMAT!r} "
                "only: use another database, or flush this one"
            )

    def stamp(self, name: str) -> Stamp | None:
        """See `StateBackend.stamp`."""
        generation, version = self._call(self._redis.hmget, _record(name), "generation", "version")
        if generation is None or version is None:
            return None
        self._touch(name)
        return Stamp(generation, int(version))

    def load(self, name: str) -> SandboxRecord | None:
        """See `StateBackend.load`."""
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.hgetall(_record(name))
            pipe.hgetall(_accounts(name))
            fields, accounts = self._call(pipe.execute)
        if not fields:
            return None
        self._touch(name, force=True)
        return _parsed(name, fields, accounts)

    def create(
        self, name: str, seed: int, scenarios: Mapping[str, str], *, replace: bool
    ) -> tuple[SandboxRecord, bool]:
        """See `StateBackend.create`."""
        key = _record(name)
        version = int(self._call(self._redis.incr, PREFIX + "counter"))
        fields: dict[Any, Any] = {
            "seed": seed,
            "scenarios": json.dumps(dict(scenarios), sort_keys=True),
            "generation": secrets.token_hex(8),
            "version": version,
            "events_made": 0,
        }
        with self._redis.pipeline(transaction=True) as pipe:
            try:
                pipe.watch(key)  # type: ignore[no-untyped-call]
                existed = bool(pipe.exists(key))
                if existed and not replace:
                    pipe.unwatch()
                    found = self.load(name)
                    if found is not None:
                        return found, False
                pipe.multi()
                pipe.delete(key, _accounts(name), _events(name))
                pipe.hset(key, mapping=fields)
                self._expire(pipe, name)
                pipe.execute()
            except redis.WatchError:
                found = self.load(name)  # made by another process just now: that one
                if found is None:
                    raise BackendError(f"{self.url}: sandbox {name} kept changing") from None
                return found, False
            except redis.RedisError as error:
                raise BackendError(f"the Redis state at {self.url} failed: {error}") from None
        self._evict()
        made = SandboxRecord(name, seed, dict(scenarios), Stamp(str(fields["generation"]), version))
        return made, not existed

    def commit(self, name: str, expected: Stamp, write: Write) -> Stamp | None:
        """See `StateBackend.commit`."""
        key = _record(name)
        version = int(self._call(self._redis.incr, PREFIX + "counter"))
        with self._redis.pipeline(transaction=True) as pipe:
            try:
                pipe.watch(key)  # type: ignore[no-untyped-call]
                generation, current = pipe.hmget(key, "generation", "version")
                if current is None or Stamp(str(generation), int(current)) != expected:
                    pipe.unwatch()
                    return None
                pipe.multi()
                _written(pipe, name, write, version)
                self._expire(pipe, name)
                pipe.execute()
            except redis.WatchError:
                return None
            except redis.RedisError as error:
                raise BackendError(f"the Redis state at {self.url} failed: {error}") from None
        return Stamp(expected.generation, version)

    def events(self, name: str) -> list[str]:
        """See `StateBackend.events`."""
        return list(self._call(self._redis.lrange, _events(name), 0, -1))

    def delete(self, name: str) -> bool:
        """See `StateBackend.delete`."""
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(_record(name))
            pipe.delete(_accounts(name), _events(name))
            pipe.zrem(PREFIX + "used", name)
            dropped, *_ = self._call(pipe.execute)
        return bool(dropped)

    def listing(self) -> list[tuple[str, int, dict[str, str]]]:
        """See `StateBackend.listing`."""
        found = []
        for name in sorted(self._call(self._redis.zrange, PREFIX + "used", 0, -1)):
            seed, scenarios = self._call(self._redis.hmget, _record(name), "seed", "scenarios")
            if seed is None:  # expired: its keys are gone
                self._call(self._redis.zrem, PREFIX + "used", name)
                continue
            found.append((name, int(seed), json.loads(scenarios or "{}")))
        return found

    def close(self) -> None:
        """See `StateBackend.close`."""
        self._redis.close()

    def _call(self, method: Any, *args: Any) -> Any:
        try:
            return method(*args)
        except redis.RedisError as error:
            raise BackendError(f"the Redis state at {self.url} failed: {error}") from None

    def _touch(self, name: str, force: bool = False) -> None:
        """Renew the sandbox's TTLs and mark it used, at most every twentieth of `idle`
        unless `force`.
        """
        if self._uses.due(name, force) is None:
            return
        with self._redis.pipeline(transaction=False) as pipe:
            self._expire(pipe, name)
            self._call(pipe.execute)

    def _expire(self, pipe: Any, name: str) -> None:
        pipe.zadd(PREFIX + "used", {name: time.time()})
        if name != DEFAULT_SANDBOX:
            for key in (_record(name), _accounts(name), _events(name)):
                pipe.expire(key, max(1, int(self._idle)))

    def _evict(self) -> None:
        """Drop the least recently used sandboxes beyond the bound (never `default`)."""
        names = self._call(self._redis.zrevrange, PREFIX + "used", 0, -1)
        others = [name for name in names if name != DEFAULT_SANDBOX]
        for name in others[self._max :]:
            self.delete(name)


def _written(pipe: Any, name: str, write: Write, version: int) -> None:
    if write.restart:
        pipe.delete(_accounts(name), _events(name))
    if write.accounts:
        pipe.hset(_accounts(name), mapping=dict(write.accounts))
    if write.events:
        pipe.rpush(_events(name), *write.events)
        pipe.ltrim(_events(name), -EVENTS_KEPT, -1)
    fields: dict[str, Any] = {"version": version, "events_made": write.events_made}
    if write.now is not None:
        fields["now"] = write.now
    pipe.hset(_record(name), mapping=fields)


def _parsed(name: str, fields: Mapping[str, str], accounts: Mapping[str, str]) -> SandboxRecord:
    return SandboxRecord(
        name=name,
        seed=int(fields["seed"]),
        scenarios=json.loads(fields["scenarios"]),
        stamp=Stamp(fields["generation"], int(fields["version"])),
        now=fields.get("now"),
        events_made=int(fields["events_made"]),
        accounts=dict(accounts),
    )


def _record(name: str) -> str:
    return f"{PREFIX}sandbox:{name}"


def _accounts(name: str) -> str:
    return f"{PREFIX}accounts:{name}"


def _events(name: str) -> str:
    return f"{PREFIX}events:{name}"
