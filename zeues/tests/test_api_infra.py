"""Health, tokens, the lock backends, and the landing page's access rules."""

from __future__ import annotations

import threading

import pytest
from django.core.management import CommandError, call_command

from zeues import __version__
from zeues.lib import locks
from zeues.models import ApiToken


@pytest.mark.real_services
@pytest.mark.django_db
def test_health_reports_database_redis_and_version(api):
    body = api.get("/api/health").json()
    assert body.pop("sheets")["estado"] == "desactivado"  # no GOOGLE_SHEET_ID in tests
    assert body == {
        "status": "ok",
        "database": "ok",
        "database_engine": "postgresql",
        "redis": "ok",
        "version": __version__,
    }


@pytest.mark.real_services
@pytest.mark.django_db
def test_health_is_503_when_redis_is_down(api, monkeypatch):
    dead = locks.RedisLockBackend("redis://127.0.0.1:1/0")
    monkeypatch.setattr("zeues.front.health.get_backend", lambda: dead)
    r = api.get("/api/health")
    assert r.status_code == 503 and r.json()["redis"].startswith("error")


@pytest.mark.django_db
def test_healthz_is_anonymous_and_says_nothing_else(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.content == b"ok"


@pytest.mark.django_db
def test_create_api_token_prints_the_token_on_the_last_line(django_user_model, capsys):
    user = django_user_model.objects.create_user(username="tablet-7", password="pw-123456789")
    call_command("create_api_token", "tablet-7")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    token = ApiToken.objects.authenticate(raw)
    assert token is not None and token.user == user
    assert raw not in token.key_hash


@pytest.mark.django_db
def test_create_api_token_for_unknown_user_fails():
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody")


@pytest.mark.django_db
def test_landing_page_requires_login(client, django_user_model):
    assert client.get("/").status_code == 302
    client.force_login(django_user_model.objects.create_user(username="boss", password="pw-123456789"))
    assert client.get("/").status_code == 200


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
