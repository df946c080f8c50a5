"""An existing database of the last release upgrades with `migrate` and loses nothing.

The schema is taken back to the migrations the release shipped (RELEASE), filled through the
historical models of that state, then migrated forward to today's leaves; every row must still be
there, unchanged, and readable through today's models.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from spools.models import Event, KpiSession, Spool, Worker
from zeues.models import ApiToken, SheetSpoolChange, SheetSyncState

# The last migration of each of our apps with models in the release before the layout change
# (commit ccecb44); occupation, metrologia and reparacion have no tables of their own.
RELEASE = [("spools", "0008_kpi_facts_backfill"), ("zeues", "0003_gerencia_group")]


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def _fill(apps) -> dict[str, object]:
    """One of everything the release stored, written with the release's own models."""
    now = timezone.now()
    user = apps.get_model("auth", "User").objects.create(username="integracion", password="!")
    worker = apps.get_model("spools", "Worker").objects.create(id=93, nombre="Mauricio", apellido="Rodriguez")
    apps.get_model("spools", "WorkerRole").objects.create(worker=worker, rol="Armador")
    spool = apps.get_model("spools", "Spool").objects.create(
        tag_spool="MK-UPGRADE-1",
        nv="NV0650",
        ot="001",
        fecha_materiales=datetime.date(2026, 11, 2),
        arm="completado",
        sold="en_progreso",
        calidad="pendiente",
        armador=worker,
        fecha_armado=datetime.date(2026, 11, 20),
        ocupado_por=worker,
        fecha_ocupacion=now,
        operacion_actual="SOLD",
        version=4,
    )
    event = apps.get_model("spools", "Event").objects.create(
        timestamp=now,
        evento_tipo="TOMAR_SPOOL",
        spool=spool,
        tag_spool=spool.tag_spool,
        worker=worker,
        worker_token="MR(93)",
        operacion="SOLD",
        accion="TOMAR",
        fecha_operacion=now.date(),
        actor=user,
        details={"version": 4, "estado_detalle": "MR(93) trabajando SOLD"},
    )
    apps.get_model("spools", "KpiSession").objects.create(
        spool=spool,
        worker=worker,
        operacion="ARM",
        fecha=now.date(),
        inicio=now - datetime.timedelta(hours=2),
        fin=now - datetime.timedelta(hours=1),
        segundos=3600.0,
        seq=event.seq + 1000,
    )
    apps.get_model("zeues", "ApiToken").objects.create(user=user, key_hash="a" * 64, prefix="aaaaaaaa")
    apps.get_model("zeues", "SheetSpoolChange").objects.create(spool=spool, version=4, first_change_at=now)
    apps.get_model("zeues", "SheetSyncState").objects.create(
        id=1, event_cursor=event.seq, metadata_last_row=7
    )
    return {"event_id": event.id, "seq": event.seq}


@pytest.mark.django_db(transaction=True)
def test_the_last_release_upgrades_without_losing_a_row():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        executor = _migrate(RELEASE)
        saved = _fill(executor.loader.project_state(RELEASE).apps)
        _migrate(latest)

        spool = Spool.objects.select_related("ocupado_por", "armador").get(tag_spool="MK-UPGRADE-1")
        assert (spool.arm, spool.sold, spool.calidad, spool.version) == (
            "completado",
            "en_progreso",
            "pendiente",
            4,
        )
        assert spool.ocupado_por.token == "MR(93)" and spool.armador_id == 93
        # A spool of the release before joints is a whole-spool spool: no joints, figures zero.
        assert (spool.uniones_total, spool.uniones_sold_listas, spool.pulgadas_arm) == (0, 0, 0)
        assert not spool.uniones.exists()
        assert spool.estado_detalle == "MR(93) trabajando SOLD (ARM completado, SOLD en progreso)"
        assert list(Worker.objects.get(pk=93).active_roles()) == ["Armador"]
        event = Event.objects.get(seq=saved["seq"])
        assert event.id == saved["event_id"] and event.actor.username == "integracion"
        assert event.details == {"version": 4, "estado_detalle": "MR(93) trabajando SOLD"}
        assert KpiSession.objects.get(spool=spool).segundos == 3600.0
        assert ApiToken.objects.get().prefix == "aaaaaaaa"
        assert SheetSpoolChange.objects.get(spool=spool).version == 4
        state = SheetSyncState.load()
        assert (state.event_cursor, state.metadata_last_row) == (saved["seq"], 7)
    finally:
        _migrate(latest)
