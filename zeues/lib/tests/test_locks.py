"""The lock backends, Redis and in-process, and `hold` (zeues/lib/locks.py)."""

from __future__ import annotations

import threading

import pytest

from zeues.lib import locks


@pytest.mark.parametrize("backend_name", [pytest.param("redis", marks=pytest.mark.real_services), "local"])
def test_lock_is_exclusive_until_released(backend_name, settings):
    backend = (
        locks.RedisLockBackend(settings.REDIS_URL) if backend_name == "redis" else locks.LocalLockBackend()
    )
    key = locks.lock_key("test:exclusive")
    assert backend.try_acquire(key, "a", 5000)
    assert not backend.try_acquire(key, "b", 5000)
    backend.release(key, "b")  # not the owner: nothing happens
    assert backend.holder(key) == "a"
    backend.release(key, "a")
    assert backend.holder(key) is None
    assert backend.try_acquire(key, "b", 5000)
    backend.release(key, "b")


@pytest.mark.parametrize("backend_name", [pytest.param("redis", marks=pytest.mark.real_services), "local"])
def test_lock_expires_after_its_ttl(backend_name, settings):
    import time

    backend = (
        locks.RedisLockBackend(settings.REDIS_URL) if backend_name == "redis" else locks.LocalLockBackend()
    )
    key = locks.lock_key("test:ttl")
    assert backend.try_acquire(key, "a", 50)
    time.sleep(0.1)
    assert backend.try_acquire(key, "b", 5000)
    backend.release(key, "a")  # the expired owner cannot delete the new owner's lock
    assert backend.holder(key) == "b"
    backend.release(key, "b")


def test_hold_serialises_threads_and_times_out():
    inside = []
    errors = []

    def worker(n):
        try:
            with locks.hold("test:threads", wait_ms=3000):
                inside.append(n)
                assert len(inside) == 1
                inside.pop()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with locks.hold("test:busy"), pytest.raises(locks.LockBusy), locks.hold("test:busy", wait_ms=30):
        pass


def test_hold_releases_on_exception():
    with pytest.raises(ValueError), locks.hold("test:exc"):
        raise ValueError
    assert locks.get_backend().holder(locks.lock_key("test:exc")) is None


@pytest.mark.parametrize("backend_name", [pytest.param("redis", marks=pytest.mark.real_services), "local"])
def test_a_held_lock_outlives_its_ttl_while_renewed_and_expires_once_not(backend_name, settings):
    import time

    backend = (
        locks.RedisLockBackend(settings.REDIS_URL) if backend_name == "redis" else locks.LocalLockBackend()
    )
    key = locks.lock_key("test:renew")
    assert backend.try_acquire(key, "a", 900)
    locks.renewer.add(backend, key, "a", 900)
    try:
        time.sleep(2.0)  # over two TTLs: only the renewals (every 0.3 s) keep it
        assert backend.holder(key) == "a" and not backend.try_acquire(key, "b", 900)
    finally:
        locks.renewer.remove(key, "a")  # as if the process had died: nobody renews it any more
    time.sleep(1.3)
    assert backend.holder(key) is None and backend.try_acquire(key, "b", 900)
    backend.release(key, "b")


def test_hold_renews_only_while_inside_the_block(settings):
    settings.ZEUES_LOCK_TTL_MS = 400
    with locks.hold("test:renew-hold"):
        assert locks.renewer.held() >= 1
    assert locks.renewer.held() == 0


def test_renewing_a_lock_someone_else_now_owns_changes_nothing():
    backend = locks.LocalLockBackend()
    key = locks.lock_key("test:renew-other")
    assert backend.try_acquire(key, "b", 5000)
    backend.renew(key, "a", 60_000)  # "a" lost it long ago: no effect on b's lock
    assert backend._held[key][0] == "b" and backend._held[key][1] < __import__("time").monotonic() + 6


def test_a_stream_of_new_locks_does_not_starve_the_renewal_of_an_old_one():
    import time

    backend = locks.LocalLockBackend()
    old = locks.lock_key("test:starve-old")
    assert backend.try_acquire(old, "a", 600)
    locks.renewer.add(backend, old, "a", 600)
    try:
        for i in range(30):  # a new lock every 50 ms for 1.5 s: two and a half TTLs of the old one
            key = locks.lock_key(f"test:starve-{i}")
            backend.try_acquire(key, f"t{i}", 600)
            locks.renewer.add(backend, key, f"t{i}", 600)
            time.sleep(0.05)
        assert backend.holder(old) == "a"
    finally:
        locks.renewer.remove(old, "a")
        for i in range(30):
            locks.renewer.remove(locks.lock_key(f"test:starve-{i}"), f"t{i}")
