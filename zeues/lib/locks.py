"""Short-lived per-spool locks around TOMAR.

Redis (`SET key token NX PX ttl`, released by compare-and-delete) when REDIS_URL is set;
otherwise an in-process table that is only valid for a single server process. The lock is an
optimisation that serialises competing takes; correctness never depends on it alone: the take
also does a conditional database write, so an expired or lost lock cannot make two occupants.
"""

from __future__ import annotations

import contextlib
import random
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import redis
from django.conf import settings


class LockBusy(Exception):
    """Someone else held the lock for the whole bounded wait."""


class LockBackendDown(Exception):
    """The lock store could not be reached; nothing was locked."""


_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class RedisLockBackend:
    """Locks in Redis shared by every server process."""

    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._release = self.client.register_script(_RELEASE)

    def try_acquire(self, key: str, token: str, ttl_ms: int) -> bool:
        """One `SET NX PX` attempt."""
        try:
            return bool(self.client.set(key, token, nx=True, px=ttl_ms))
        except redis.RedisError as exc:
            raise LockBackendDown(str(exc)) from exc

    def release(self, key: str, token: str) -> None:
        """Delete the key only if we still own it."""
        # The key expires by itself after its TTL; a failed release must not fail the action.
        with contextlib.suppress(redis.RedisError):
            self._release(keys=[key], args=[token])

    def holder(self, key: str) -> str | None:
        """The current token under `key` (tests and diagnostics)."""
        value = self.client.get(key)
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)


class LocalLockBackend:
    """In-process locks: correct only when a single server process serves every request."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held: dict[str, tuple[str, float]] = {}

    def try_acquire(self, key: str, token: str, ttl_ms: int) -> bool:
        now = time.monotonic()
        with self._mutex:
            current = self._held.get(key)
            if current is not None and current[1] > now:
                return False
            self._held[key] = (token, now + ttl_ms / 1000)
            return True

    def release(self, key: str, token: str) -> None:
        with self._mutex:
            current = self._held.get(key)
            if current is not None and current[0] == token:
                del self._held[key]

    def holder(self, key: str) -> str | None:
        with self._mutex:
            current = self._held.get(key)
            if current is None or current[1] <= time.monotonic():
                return None
            return current[0]


@lru_cache(maxsize=1)
def get_backend() -> RedisLockBackend | LocalLockBackend:
    """The process-wide lock backend chosen by REDIS_URL."""
    if settings.REDIS_URL:
        return RedisLockBackend(settings.REDIS_URL)
    return LocalLockBackend()


def lock_key(name: str) -> str:
    """Namespaced key for a lock."""
    return f"{settings.ZEUES_REDIS_PREFIX}:lock:{name}"


@contextmanager
def hold(name: str, *, ttl_ms: int | None = None, wait_ms: int | None = None) -> Iterator[str]:
    """Hold the lock `name` for the block; wait at most `wait_ms`, then raise LockBusy."""
    backend = get_backend()
    key = lock_key(name)
    token = secrets.token_hex(16)
    ttl = ttl_ms if ttl_ms is not None else settings.ZEUES_LOCK_TTL_MS
    wait = wait_ms if wait_ms is not None else settings.ZEUES_LOCK_WAIT_MS
    deadline = time.monotonic() + wait / 1000
    while not backend.try_acquire(key, token, ttl):
        if time.monotonic() >= deadline:
            raise LockBusy(name)
        # Jitter keeps a crowd of waiters from retrying in lockstep.
        time.sleep(random.uniform(0.005, 0.02))  # noqa: S311 - timing jitter, not a secret
    try:
        yield token
    finally:
        backend.release(key, token)
