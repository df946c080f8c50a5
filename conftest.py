"""Shared fixtures: workers, spools and an authenticated API client (real DB, real Redis)."""

from __future__ import annotations

import datetime
import itertools
import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from spools.models import Spool, Worker, WorkerRole
from zeues.models import ApiToken

_ids = itertools.count(1000)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's deliberate slowness costs 0.3 s per user; tests don't need it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_worker(db):
    """Factory: `make_worker(roles=["Armador"], activo=True, nombre=..., apellido=..., id=...)`."""

    def make(*, roles: list[str] | tuple[str, ...] = ("Armador",), **fields: Any) -> Worker:
        fields.setdefault("id", next(_ids))
        fields.setdefault("nombre", "Mauricio")
        fields.setdefault("apellido", "Rodriguez")
        worker = Worker.objects.create(**fields)
        for rol in roles:
            WorkerRole.objects.create(worker=worker, rol=rol)
        return Worker.objects.prefetch_related("roles").get(pk=worker.pk)

    return make


@pytest.fixture
def make_spool(db):
    """Factory: `make_spool(tag_spool=..., fecha_materiales=date|None, arm=..., sold=..., ...)`."""

    def make(**fields: Any) -> Spool:
        n = next(_ids)
        fields.setdefault("tag_spool", f"MK-TEST-{n:05d}")
        fields.setdefault("nv", "NV0650")
        fields.setdefault("ot", "001")
        fields.setdefault("fecha_materiales", timezone.localdate() - datetime.timedelta(days=3))
        return Spool.objects.create(**fields)

    return make


class ApiClient:
    """A Django test client that sends a bearer token and JSON bodies."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def post(self, path: str, data: Any = None, *, raw: str | bytes | None = None, **kw: Any):
        body = raw if raw is not None else json.dumps(data if data is not None else {})
        return self.client.post(path, body, content_type="application/json", headers=self.headers, **kw)

    def get(self, path: str, params: dict[str, Any] | None = None):
        return self.client.get(path, params or {}, headers=self.headers)

    def put(self, path: str, data: Any = None):
        return self.client.put(
            path, json.dumps(data or {}), content_type="application/json", headers=self.headers
        )


@pytest.fixture
def api_user(db):
    return get_user_model().objects.create_user(username="tablet-1", password="x-secret-123")


@pytest.fixture
def api(api_user) -> ApiClient:
    """API client authenticated with a fresh token of `api_user`."""
    _, raw = ApiToken.issue(user=api_user, nombre="tests")
    return ApiClient(raw)


@pytest.fixture
def anon_api(db) -> ApiClient:
    """API client without a token."""
    return ApiClient(None)


@pytest.fixture
def supervisores_group(db):
    """The "Supervisores" group, exactly as the data migration builds it.

    Transactional tests flush the database, which removes migration-created rows; rebuilding it
    from the migration's own permission list keeps that list under test.
    """
    import importlib

    from django.contrib.auth.models import Group, Permission

    migration = importlib.import_module("spools.migrations.0003_supervisores_group")
    group, _ = Group.objects.get_or_create(name="Supervisores")
    for app_label, codename in migration.PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group
