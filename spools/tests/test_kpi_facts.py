"""KPI facts: kept in step with the audit trail by every action, equal to a fresh fold, rebuildable."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from spools import kpi_facts
from spools.models import EventType, KpiCompletion, KpiInspection, KpiSession, KpiStage
from spools.services import event_append

pytestmark = pytest.mark.django_db

TZ = zoneinfo.ZoneInfo("America/Santiago")
T0 = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=TZ)
H = 3600


def at(hours: float) -> datetime.datetime:
    return T0 + datetime.timedelta(hours=hours)


def ev(spool, tipo, worker, op, when, **details):
    return event_append(tipo=tipo, spool=spool, worker=worker, operacion=op, now=when, details=details)


def test_every_service_keeps_the_facts_in_step(real_loop):
    sessions = KpiSession.objects.filter(spool=real_loop).order_by("seq")
    assert [(s.worker_id, s.operacion) for s in sessions] == [
        (11, "ARM"),
        (11, "ARM"),
        (12, "SOLD"),  # ended by the supervisor's LIBERACION_FORZADA
        (12, "SOLD"),
        (12, "REPARACION"),
    ]
    inspections = KpiInspection.objects.filter(spool=real_loop).order_by("seq")
    assert [(i.worker_id, i.intento, i.aprobado) for i in inspections] == [(13, 1, False), (13, 2, True)]
    stages = sorted(KpiStage.objects.filter(spool=real_loop).values_list("etapa", "worker_id"))
    assert stages == [("ARM", 11), ("ARM_SOLD", 11), ("SOLD", 12), ("SOLD_METROLOGIA", 12)]
    completions = KpiCompletion.objects.filter(spool=real_loop).order_by("seq")
    assert [(c.operacion, c.worker_id) for c in completions] == [
        ("ARM", 11),
        ("SOLD", 12),
        ("METROLOGIA", 13),
    ]
    assert kpi_facts.check() == []


def test_the_facts_of_a_rolled_back_action_roll_back_too(make_worker, make_spool, nothing_written):
    a, spool = make_worker(), make_spool()
    ev(spool, EventType.TOMAR_SPOOL, a, "ARM", at(0))
    with nothing_written(), pytest.raises(RuntimeError), transaction.atomic():
        ev(spool, EventType.PAUSAR_SPOOL, a, "ARM", at(1))
        assert KpiSession.objects.filter(spool=spool).count() == 1
        raise RuntimeError("the action failed after its event")
    assert KpiSession.objects.filter(spool=spool).count() == 0


def test_durations_and_dates_come_from_the_take(make_worker, make_spool):
    a, spool = make_worker(), make_spool()
    ev(spool, EventType.TOMAR_SPOOL, a, "ARM", at(20))  # 04:00 on the 3rd, plant time
    ev(spool, EventType.COMPLETAR_ARM, a, "ARM", at(20 + 50))  # two days and two hours later
    (s,) = KpiSession.objects.filter(spool=spool)
    assert (s.fecha, s.segundos) == (datetime.date(2026, 3, 3), 50 * H)
    (arm,) = KpiStage.objects.filter(spool=spool)
    assert (arm.etapa, arm.fecha, arm.segundos) == ("ARM", datetime.date(2026, 3, 5), 50 * H)


def test_odd_histories_make_no_sessions_from_closes_without_opens(make_worker, make_spool):
    a, b, spool = make_worker(), make_worker(), make_spool()
    ev(spool, EventType.PAUSAR_SPOOL, a, "ARM", at(0))  # a close with nothing open
    ev(spool, EventType.TOMAR_SPOOL, a, "ARM", at(1))
    ev(spool, EventType.TOMAR_SPOOL, b, "ARM", at(2))  # a second open: the first never closed
    ev(spool, EventType.PAUSAR_SPOOL, b, "ARM", at(5))
    assert list(KpiSession.objects.filter(spool=spool).values_list("worker_id", "segundos")) == [
        (b.pk, 3 * H)
    ]


def test_waits_appear_when_the_next_step_starts(make_worker, make_spool):
    a, b, qc, spool = make_worker(), make_worker(), make_worker(), make_spool()
    ev(spool, EventType.TOMAR_SPOOL, a, "ARM", at(0))
    ev(spool, EventType.COMPLETAR_ARM, a, "ARM", at(1))
    assert set(KpiStage.objects.values_list("etapa", flat=True)) == {"ARM"}  # SOLD not taken yet
    ev(spool, EventType.TOMAR_SPOOL, b, "SOLD", at(4))
    wait = KpiStage.objects.get(etapa="ARM_SOLD")
    assert (wait.worker_id, wait.segundos) == (a.pk, 3 * H)  # anchored on the ARM completion
    ev(spool, EventType.COMPLETAR_SOLD, b, "SOLD", at(6))
    ev(spool, EventType.COMPLETAR_METROLOGIA, qc, "METROLOGIA", at(10), resultado="APROBADO", ciclo=0)
    assert KpiStage.objects.get(etapa="SOLD_METROLOGIA").segundos == 4 * H


def test_check_finds_drift_and_rebuild_repairs_it(real_loop, capsys):
    call_command("kpi_facts", "--check")
    assert "al día" in capsys.readouterr().out
    KpiSession.objects.filter(spool=real_loop).first().delete()
    KpiStage.objects.create(spool=real_loop, etapa="ARM", fecha=T0.date(), segundos=1, seq=10**9)
    with pytest.raises(CommandError, match="KPI_DESCUADRE: 1 spools"):
        call_command("kpi_facts", "--check")
    call_command("kpi_facts", "--rebuild")
    assert "5 sesiones, 2 inspecciones, 4 etapas, 3 completados" in capsys.readouterr().out
    assert kpi_facts.check() == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_facts_of_an_existing_trail(real_loop):
    before = sorted(KpiSession.objects.values_list("seq", "segundos"))
    executor = MigrationExecutor(connection)
    executor.migrate([("spools", "0006_event_kpi_indexes")])  # the tables are dropped
    executor.loader.build_graph()
    # Recreated and backfilled; every app's latest, since going back also unapplied the migrations
    # of other apps that depend on later spools ones (zeues' joint outbox).
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert sorted(KpiSession.objects.values_list("seq", "segundos")) == before
    assert KpiInspection.objects.count() == 2 and KpiStage.objects.count() == 4
    assert KpiCompletion.objects.count() == 3  # ARM, SOLD, the approval
    assert kpi_facts.check() == []


KINDS = [
    (EventType.TOMAR_SPOOL, "ARM"),
    (EventType.TOMAR_SPOOL, "SOLD"),
    (EventType.PAUSAR_SPOOL, "ARM"),
    (EventType.PAUSAR_SPOOL, "SOLD"),
    (EventType.COMPLETAR_ARM, "ARM"),
    (EventType.COMPLETAR_SOLD, "SOLD"),
    (EventType.LIBERACION_FORZADA, "SOLD"),
    (EventType.COMPLETAR_METROLOGIA, "METROLOGIA"),
    (EventType.TOMAR_REPARACION, "REPARACION"),
    (EventType.PAUSAR_REPARACION, "REPARACION"),
    (EventType.COMPLETAR_REPARACION, "REPARACION"),
    (EventType.CANCELAR_REPARACION, "REPARACION"),
    (EventType.SUPERVISOR_OVERRIDE, "REPARACION"),
    (EventType.SPOOL_BLOQUEADO, "METROLOGIA"),
]


@pytest.mark.parametrize("seed", range(6))
def test_incremental_facts_equal_a_fresh_fold_over_random_histories(seed, make_worker, make_spool):
    """Whatever order events come in, even ones the services would refuse (imported histories,
    completions before takes), the rows each event adds equal re-folding the spool's trail."""
    import random

    rng = random.Random(seed)
    workers = [make_worker() for _ in range(3)]
    spools = [make_spool() for _ in range(3)]
    when = T0
    for _ in range(80):
        tipo, op = rng.choice(KINDS)
        when += datetime.timedelta(minutes=rng.randint(-30, 600))  # sometimes backwards in time
        resultado = rng.choice(["APROBADO", "RECHAZADO"])
        ev(rng.choice(spools), tipo, rng.choice(workers), op, when, resultado=resultado)
    assert all(m.objects.exists() for m in (KpiSession, KpiStage, KpiInspection, KpiCompletion))
    assert kpi_facts.check() == []
