"""zeues.lib.lockout: counting wrong tries, the growing lock, tries left, clearing, expiry once."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache, caches

from zeues.lib import lockout

POLICY = lockout.Policy("test", max_tries=3, lock_seconds=60, max_lock_seconds=200, memory_seconds=3600)
T0 = 1_000_000.0


@pytest.fixture(autouse=True)
def _clean():
    cache.delete_many([f"lockout:test:{s}:{p}" for s in (1, 2, 3) for p in ("level", "until", "ended")])
    for subject in (1, 2, 3):
        for level in range(6):
            cache.delete(f"lockout:test:{subject}:fails:{level}")
    cache.delete(f"lockout:test:1:ended-seen:{T0 + 60}")
    yield


def test_tries_left_count_down_and_the_last_one_locks():
    assert lockout.status(POLICY, 1, now=T0) == lockout.Status(False, 3)
    assert lockout.record_failure(POLICY, 1, now=T0).tries_left == 2
    assert lockout.record_failure(POLICY, 1, now=T0).tries_left == 1
    locked = lockout.record_failure(POLICY, 1, now=T0)
    assert locked.locked and locked.just_locked and locked.tries_left == 0
    assert locked.seconds_left == 60 and locked.until == T0 + 60 and locked.level == 1
    later = lockout.status(POLICY, 1, now=T0 + 59.5)
    assert later.locked and later.seconds_left == 1 and not later.just_locked


def test_while_locked_nothing_is_counted_and_subjects_are_apart():
    for _ in range(3):
        lockout.record_failure(POLICY, 1, now=T0)
    again = lockout.record_failure(POLICY, 1, now=T0 + 10)
    assert again.locked and not again.just_locked and again.until == T0 + 60
    assert lockout.status(POLICY, 2, now=T0 + 10) == lockout.Status(False, 3)


def test_each_lock_in_a_row_doubles_up_to_the_cap():
    periods = []
    now = T0
    for _ in range(4):
        for _ in range(3):
            state = lockout.record_failure(POLICY, 1, now=now)
        periods.append(state.seconds_left)
        now = state.until + 1  # wait it out (the cache's own expiry is not waited for here)
        cache.delete("lockout:test:1:until")
        assert lockout.status(POLICY, 1, now=now).tries_left == 3
    assert periods == [60, 120, 200, 200]
    assert [lockout.lock_period(POLICY, n) for n in (0, 1, 2, 3)] == [0, 60, 120, 200]


def test_success_forgets_the_tries_and_the_growth():
    for _ in range(3):
        lockout.record_failure(POLICY, 1, now=T0)
    cache.delete("lockout:test:1:until")
    lockout.record_failure(POLICY, 1, now=T0 + 100)
    lockout.record_success(POLICY, 1)
    assert lockout.status(POLICY, 1, now=T0 + 100) == lockout.Status(False, 3)
    for _ in range(3):
        state = lockout.record_failure(POLICY, 1, now=T0 + 200)
    assert state.seconds_left == 60  # back to the first period


def test_clear_unlocks_at_once_and_reports_what_it_cleared():
    for _ in range(3):
        lockout.record_failure(POLICY, 1, now=T0)
    before = lockout.clear(POLICY, 1, now=T0 + 1)
    assert before.locked and before.level == 1
    assert lockout.status(POLICY, 1, now=T0 + 1) == lockout.Status(False, 3)
    assert not lockout.clear(POLICY, 1, now=T0 + 1).locked
    assert lockout.take_expired(POLICY, 1, now=T0 + 1000) is None  # cleared, not expired


def test_an_expired_lock_is_reported_once():
    for _ in range(3):
        lockout.record_failure(POLICY, 1, now=T0)
    assert lockout.take_expired(POLICY, 1, now=T0 + 30) is None  # still locked
    assert lockout.take_expired(POLICY, 1, now=T0 + 61) == T0 + 60
    assert lockout.take_expired(POLICY, 1, now=T0 + 62) is None


def test_concurrent_failures_lock_exactly_once():
    results: list[lockout.Status] = []
    barrier = threading.Barrier(8)

    def fail() -> None:
        barrier.wait()
        results.append(lockout.record_failure(POLICY, 3))

    threads = [threading.Thread(target=fail) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.just_locked for r in results) == 1
    assert lockout.status(POLICY, 3).locked


def test_another_connection_to_the_store_sees_the_lock():
    """What a second server process sees: a fresh cache connection, the same store."""
    for _ in range(3):
        lockout.record_failure(POLICY, 2)
    other = caches.create_connection("default")
    level = other.get("lockout:test:2:level")
    assert level == 1 and other.get("lockout:test:2:until") is not None
