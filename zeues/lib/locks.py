"""Short-lived per-spool locks around TOMAR.

Redis (`SET key token NX PX ttl`, released by compare-and-delete) when REDIS_URL is set;
otherwise an in-process table that is only valid for a single server process. The lock is an
optimisation that serialises competing takes; correctness never depends on it alone: the take
also does a conditional database write, so an expired or lost lock cannot make two occupants.

The TTL is short (ZEUES_LOCK_TTL_MS, 2 s) and renewed while the lock is held: one background
thread per process extends every lock the process holds each third of its TTL. A process that
dies (kill -9, a lost machine) stops renewing, so its locks free the spool within the TTL rather
than after a TTL long enough for the slowest request.
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

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""


class RedisLockBackend:
    """Locks in Redis shared by every server process."""

    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._release = self.client.register_script(_RELEASE)
        self._renew = self.client.register_script(_RENEW)

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

    def renew(self, key: str, token: str, ttl_ms: int) -> None:
        """Extend the TTL, only if we still own the lock (a failure just lets it expire)."""
        with contextlib.suppress(redis.RedisError):
            self._renew(keys=[key], args=[token, ttl_ms])

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

    def renew(self, key: str, token: str, ttl_ms: int) -> None:
        with self._mutex:
            current = self._held.get(key)
            if current is not None and current[0] == token:
                self._held[key] = (token, time.monotonic() + ttl_ms / 1000)

    def holder(self, key: str) -> str | None:
        with self._mutex:
            current = self._held.get(key)
            if current is None or current[1] <= time.monotonic():
                return None
            return current[0]


Backend = RedisLockBackend | LocalLockBackend
MIN_RENEWED_TTL_MS = 300  # shorter TTLs (tests of expiry) are left to expire


class _Renewer:
    """One daemon thread per process that keeps this process's held locks alive.

    Each lock is renewed a third of its TTL after it was taken or last renewed; the thread sleeps
    until the earliest such moment (woken early when a lock is added, never starved by new ones).
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held: dict[tuple[str, str], tuple[Backend, int, float]] = {}  # → backend, ttl, due
        self._thread: threading.Thread | None = None
        self._added = threading.Event()

    def add(self, backend: Backend, key: str, token: str, ttl_ms: int) -> None:
        if ttl_ms < MIN_RENEWED_TTL_MS:
            return
        with self._mutex:
            self._held[(key, token)] = (backend, ttl_ms, time.monotonic() + ttl_ms / 3000)
            self._added.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="zeues-lock-renewer", daemon=True)
                self._thread.start()

    def remove(self, key: str, token: str) -> None:
        with self._mutex:
            self._held.pop((key, token), None)

    def held(self) -> int:
        with self._mutex:
            return len(self._held)

    def _loop(self) -> None:
        while True:
            with self._mutex:
                self._added.clear()
                next_due = min((due for _, _, due in self._held.values()), default=None)
            if next_due is None:
                self._added.wait()  # nothing held: sleep until a lock is taken
                continue
            if self._added.wait(max(0.0, next_due - time.monotonic())):
                continue  # a lock was added: look again (the earliest due time is unchanged)
            now = time.monotonic()
            with self._mutex:
                due_now = [(k, e) for k, e in self._held.items() if e[2] <= now]
                for (key, token), (backend, ttl, _) in due_now:
                    self._held[(key, token)] = (backend, ttl, now + ttl / 3000)
            for (key, token), (backend, ttl, _) in due_now:
                backend.renew(key, token, ttl)


renewer = _Renewer()


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
    renewer.add(backend, key, token, ttl)
    try:
        yield token
    finally:
        renewer.remove(key, token)
        backend.release(key, token)
