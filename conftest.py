"""Shared fixtures: workers, spools, an authenticated API client (real DB, real Redis), one spool
through every service, and the Sheets API emulator the mirror and the client are tested against."""

from __future__ import annotations

import contextlib
import datetime
import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

import occupation.services as occupation
import reparacion.services as reparacion
from metrologia.services import spool_inspect
from spools.models import Spool, Worker, WorkerRole
from tools.sheets_emulator import SheetsEmulator
from zeues.models import ApiToken

_ids = itertools.count(1000)
SHEET_ID = "SHEET-TEST"  # the spreadsheet the `sheet_settings` fixture points the mirror at


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, on which the owner may TRUNCATE the audit trail (spools migration 0012).

    Django flushes the tables between transactional tests with TRUNCATE, which the trigger refuses
    unless `zeues.allow_truncate` is on for a role with the owner's privileges. The setting is
    stored on the test database only (ALTER DATABASE needs the database's owner), so every session
    opened on it, the end-to-end servers' too, starts with it; no production setting or code path
    turns it on. Pooled connections opened before the change are closed so none lacks it.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock():
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER DATABASE {name} SET zeues.allow_truncate = on")
        connection.close()
        connection.close_pool()


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


@pytest.fixture
def make_joints(db):
    """Factory: `make_joints(spool, [(n_union, dn, tipo), ...])` → the spool, refreshed, with those joints.

    A joint may carry work as a 4th item `{"arm": worker, "sold": worker}` (recorded yesterday).
    """
    from spools.joints import store_progress
    from spools.kpi_facts import union_days_add_joints
    from spools.models import Union
    from zeues.lib.dn import parse_dn

    def make(spool: Spool, joints: list[tuple[Any, ...]]) -> Spool:
        yesterday = timezone.now() - datetime.timedelta(days=1)
        created = []
        for n, dn, tipo, *work in joints:
            done = work[0] if work else {}
            fields: dict[str, Any] = {}
            for op in ("arm", "sold"):
                if done.get(op):
                    fields |= {
                        f"{op}_worker": done[op],
                        f"{op}_inicio": yesterday - datetime.timedelta(hours=1),
                        f"{op}_fin": yesterday,
                        f"{op}_fecha": timezone.localdate(yesterday),
                    }
            created.append(Union.objects.create(spool=spool, n_union=n, dn=parse_dn(dn), tipo=tipo, **fields))
        store_progress([spool.pk])
        union_days_add_joints(created)
        return Spool.objects.with_people().get(pk=spool.pk)

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
def manager(client, django_user_model):
    """The test client logged in as a member of Gerencia (history, KPIs, exports)."""
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username="gerente", password="x-123456789")
    user.groups.add(Group.objects.get_or_create(name="Gerencia")[0])
    client.force_login(user)
    return client


@pytest.fixture
def supervisores_group(db):
    """The "Supervisores" group, exactly as the data migration builds it.

    Transactional tests flush the database, which removes migration-created rows; rebuilding it
    from the migration's own permission list keeps that list under test.
    """
    import importlib

    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="Supervisores")
    for name in (
        "spools.migrations.0003_supervisores_group",
        "spools.migrations.0010_defect_catalogue_and_alert_permission",
        "zeues.migrations.0006_tablet_sessions",
        "zeues.migrations.0007_login_unlock_permission",
        "spools.migrations.0015_supervisores_union_permissions",
    ):
        migration = importlib.import_module(name)
        for app_label, codename in migration.PERMISSIONS:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    return group


@pytest.fixture
def real_loop(make_worker, make_spool, django_user_model, settings, defectos) -> Spool:
    """Spool "H-REAL" through every service, as the shop would: ARM by worker 11 with a pause; SOLD
    by 12, force-released by supervisor "jefa" ("Turno terminado") and finished; rejected by
    inspector 13; repaired by 12; approved. Returns the spool as the last service left it."""
    settings.ZEUES_MAX_CICLOS = 3
    boss = django_user_model.objects.create_user(username="jefa", password="x-123456789")
    arm = make_worker(id=11, roles=["Armador"])
    sold = make_worker(id=12, roles=["Soldador"])
    qc = make_worker(id=13, roles=["Metrologia"])
    spool = make_spool(tag_spool="H-REAL")
    spool = occupation.spool_take(spool=spool, worker=arm, operacion="ARM")
    spool = occupation.spool_pause(spool=spool, worker=arm)
    spool = occupation.spool_take(spool=spool, worker=arm, operacion="ARM")
    spool = occupation.spool_complete(spool=spool, worker=arm)
    spool = occupation.spool_take(spool=spool, worker=sold, operacion="SOLD")
    spool = reparacion.spool_force_release(spool=spool, supervisor=boss, motivo="Turno terminado")
    spool = occupation.spool_take(spool=spool, worker=sold, operacion="SOLD")
    spool = occupation.spool_complete(spool=spool, worker=sold)
    spool = spool_inspect(spool=spool, worker=qc, resultado="RECHAZADO", defecto="POROSIDAD")
    spool = reparacion.repair_take(spool=spool, worker=sold)
    spool = reparacion.repair_complete(spool=spool, worker=sold)
    return spool_inspect(spool=spool, worker=qc, resultado="APROBADO")


@pytest.fixture
def emulator() -> Iterator[SheetsEmulator]:
    """A fresh emulator on a free port, no latency, no faults."""
    with SheetsEmulator(port=0) as emu:
        emu.set_latency(0)
        yield emu


@pytest.fixture
def sheet_settings(settings, emulator):
    """Point the mirror at the emulator; short retry sleeps; no client-side rate ceiling."""
    settings.GOOGLE_SHEET_ID = SHEET_ID
    settings.GOOGLE_CREDENTIALS_FILE = ""
    settings.ZEUES_SHEETS_ENDPOINT = emulator.base_url
    settings.ZEUES_SHEETS_RETRIES = 4
    settings.ZEUES_SHEETS_RETRY_BASE = 0.01
    settings.ZEUES_SHEETS_RETRY_MAX_WAIT = 0.2
    settings.ZEUES_SHEETS_MAX_PER_MINUTE = 0
    settings.ZEUES_SHEETS_TIMEOUT = 5
    return settings


def _written() -> dict[str, Any]:
    """Everything an action may write: spool state, joints, audit events, KPI facts, the sheet's outboxes."""
    from spools.models import Event, KpiCompletion, KpiInspection, KpiSession, KpiStage, Union
    from zeues.models import SheetSpoolChange, SheetUnionChange

    state = [f for f in Spool._meta.concrete_fields if f.name not in ("created_at", "updated_at")]
    joint = [f for f in Union._meta.concrete_fields if f.name not in ("created_at", "updated_at")]
    return {
        "spools": list(Spool.objects.order_by("pk").values_list(*(f.attname for f in state))),
        "joints": list(Union.objects.order_by("pk").values_list(*(f.attname for f in joint))),
        "events": list(Event.objects.order_by("seq").values_list("seq", flat=True)),
        "outbox": list(SheetSpoolChange.objects.order_by("spool_id").values_list("spool_id", "version")),
        "joint_outbox": list(
            SheetUnionChange.objects.order_by("union_id").values_list("union_id", "version")
        ),
        "kpi": [m.objects.count() for m in (KpiSession, KpiInspection, KpiStage, KpiCompletion)],
    }


@pytest.fixture
def nothing_written(db):
    """`with nothing_written(): ...` fails unless the block changed no spool, event, fact or outbox row.

    For refusal tests: `with nothing_written(), pytest.raises(SpoolOcupado): spool_take(...)`.
    """

    @contextlib.contextmanager
    def check() -> Iterator[None]:
        before = _written()
        yield
        assert _written() == before, "a refused action wrote something"

    return check


@pytest.fixture
def defectos(db):
    """The defect catalogue as its data migration seeds it (a transactional test's flush removes it)."""
    import importlib

    from spools.models import Defecto

    migration = importlib.import_module("spools.migrations.0010_defect_catalogue_and_alert_permission")
    for orden, (codigo, nombre) in enumerate(migration.DEFECTOS, start=1):
        Defecto.objects.get_or_create(codigo=codigo, defaults={"nombre": nombre, "orden": orden})
    return {d.codigo: d for d in Defecto.objects.all()}
