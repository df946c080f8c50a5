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
