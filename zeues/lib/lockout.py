"""Lock a secret (a kiosk PIN, later a password) after too many wrong tries, for a growing period.

No models and no app imports: the state lives in Django's cache (Redis in production, so every
tablet and every server process sees one lock; process-local on the embedded default, which
runs one process). A `Policy` names the scope ("pin", "login") and the numbers; the subject is
whoever is being guessed (a worker's id, a username).

    policy = Policy("pin", max_tries=5, lock_seconds=300)
    if status(policy, 93).locked: refuse without checking the secret
    elif secret_ok: record_success(policy, 93)
    else: after = record_failure(policy, 93)   # after.tries_left, after.just_locked

The n-th wrong try in a row locks for `lock_seconds`; each further lock before a success (or a
`clear`) lasts twice the one before, up to `max_lock_seconds`. While locked nothing is counted
and the secret must not even be checked. Wrong tries and the lock level are forgotten after
`memory_seconds` without a lock. Counting is atomic (`cache.add` + `cache.incr`): when several
requests fail at once exactly one of them locks (`just_locked`), so the caller audits once.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis
from django.core.cache import cache

try:
    from django_redis.exceptions import ConnectionInterrupted
except ImportError:  # pragma: no cover - django-redis is in requirements.txt
    ConnectionInterrupted = redis.RedisError


class StoreDown(Exception):
    """The shared store (Redis) did not answer: whether the subject is locked is unknown.

    Each caller decides what that means: the kiosk PIN refuses (a 4-digit PIN must never be
    guessable without a counter), a password login may go ahead on the password alone.
    """


def _store[**P, R](fn: Callable[P, R]) -> Callable[P, R]:
    """Turn the cache backend's connection errors into StoreDown."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except (ConnectionInterrupted, redis.RedisError, ConnectionError) as exc:
            raise StoreDown(str(exc)) from exc

    return wrapper


@dataclass(frozen=True)
class Policy:
    """How many wrong tries lock, and for how long."""

    scope: str
    max_tries: int = 5
    lock_seconds: int = 300
    max_lock_seconds: int = 86_400
    memory_seconds: int = 86_400

    @classmethod
    def from_settings(cls, scope: str) -> Policy:
        """The scope's numbers from settings ZEUES_<SCOPE>_MAX_TRIES, _LOCK_SECONDS,
        _LOCK_MAX_SECONDS and _MEMORY_SECONDS (read each time: tests change them)."""
        from django.conf import settings

        prefix = f"ZEUES_{scope.upper()}_"
        return cls(
            scope,
            max_tries=getattr(settings, prefix + "MAX_TRIES"),
            lock_seconds=getattr(settings, prefix + "LOCK_SECONDS"),
            max_lock_seconds=getattr(settings, prefix + "LOCK_MAX_SECONDS"),
            memory_seconds=getattr(settings, prefix + "MEMORY_SECONDS"),
        )


@dataclass(frozen=True)
class Status:
    """Where one subject stands: locked or not, and how many tries are left before the next lock."""

    locked: bool
    tries_left: int
    seconds_left: int = 0  # of the current lock; 0 when not locked
    until: float | None = None  # epoch seconds at which the current lock ends
    level: int = 0  # locks in a row without a success in between
    just_locked: bool = False  # this very failure started the lock


def lock_period(policy: Policy, level: int) -> int:
    """Seconds the `level`-th lock in a row lasts: lock_seconds, doubled each time, capped."""
    if level <= 0:
        return 0
    return int(min(policy.lock_seconds * 2 ** (level - 1), policy.max_lock_seconds))


def _key(policy: Policy, subject: object, part: str) -> str:
    return f"lockout:{policy.scope}:{subject}:{part}"


def _level(policy: Policy, subject: object) -> int:
    return int(cache.get(_key(policy, subject, "level"), 0))


@_store
def status(policy: Policy, subject: object, *, now: float | None = None) -> Status:
    """The subject's state now (reads only)."""
    now = time.time() if now is None else now
    level = _level(policy, subject)
    until = cache.get(_key(policy, subject, "until"))
    if until is not None and float(until) > now:
        left = max(1, math.ceil(float(until) - now))
        return Status(True, 0, left, float(until), level)
    fails = int(cache.get(_key(policy, subject, f"fails:{level}"), 0))
    return Status(False, max(0, policy.max_tries - fails), level=level)


@_store
def record_failure(policy: Policy, subject: object, *, now: float | None = None) -> Status:
    """Count one wrong try; the max_tries-th in a row locks. Returns the state after it."""
    now = time.time() if now is None else now
    current = status(policy, subject, now=now)
    if current.locked:
        return current
    level = current.level
    fails_key = _key(policy, subject, f"fails:{level}")
    cache.add(fails_key, 0, policy.memory_seconds)
    try:
        fails = cache.incr(fails_key)
    except ValueError:  # expired between add and incr: this is the first try of a new round
        cache.add(fails_key, 1, policy.memory_seconds)
        fails = 1
    if fails < policy.max_tries:
        return Status(False, policy.max_tries - fails, level=level)
    if fails > policy.max_tries:  # a concurrent failure locked it a moment ago
        return status(policy, subject, now=now)
    level += 1
    seconds = lock_period(policy, level)
    until = now + seconds
    cache.set(_key(policy, subject, "level"), level, policy.memory_seconds + seconds)
    cache.set(_key(policy, subject, "until"), until, seconds)
    cache.set(_key(policy, subject, "ended"), until, policy.memory_seconds + seconds)
    cache.delete(fails_key)  # the next round counts under the new level's key
    return Status(True, 0, seconds, until, level, just_locked=True)


@_store
def record_success(policy: Policy, subject: object) -> None:
    """The right secret: forget the wrong tries and the growing period."""
    cache.delete_many(
        [*_round_keys(policy, subject, _level(policy, subject)), _key(policy, subject, "until")]
    )


def _round_keys(policy: Policy, subject: object, level: int) -> list[str]:
    """The level's key and every round's wrong-try counter up to `level`."""
    return [_key(policy, subject, "level"), *(_key(policy, subject, f"fails:{n}") for n in range(level + 1))]


@_store
def clear(policy: Policy, subject: object, *, now: float | None = None) -> Status:
    """Unlock at once (a supervisor's act) and start from scratch; returns the state before."""
    before = status(policy, subject, now=now)
    cache.delete_many(
        [
            *_round_keys(policy, subject, before.level),
            _key(policy, subject, "until"),
            _key(policy, subject, "ended"),
        ]
    )
    return before


@_store
def take_expired(policy: Policy, subject: object, *, now: float | None = None) -> float | None:
    """When a lock ended by itself since the last call: its end (epoch), once; else None.

    Lets the caller audit "unlocked by time" exactly once, across processes.
    """
    now = time.time() if now is None else now
    ended = cache.get(_key(policy, subject, "ended"))
    if ended is None or float(ended) > now:
        return None
    cache.delete(_key(policy, subject, "ended"))
    # `add` is atomic: of several processes noticing the same end, one gets True.
    claimed = cache.add(_key(policy, subject, f"ended-seen:{ended}"), 1, policy.memory_seconds)
    return float(ended) if claimed else None
