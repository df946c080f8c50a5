"""GET /api/health (zeues/front/api.py, zeues/front/health.py): the database, Redis and the version."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zeues import __version__
from zeues.lib import locks


@pytest.mark.real_services
@pytest.mark.django_db
def test_health_reports_database_redis_and_version(api):
    body = api.get(reverse("health")).json()
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
    r = api.get(reverse("health"))
    assert r.status_code == 503 and r.json()["redis"].startswith("error")
