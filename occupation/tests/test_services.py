"""Every rule of docs/domain.md, "ARM and SOLD", through occupation/services.py, on the real database
and Redis."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from occupation import actions, engine, services
from occupation.exceptions import (
    DependenciasNoSatisfechas,
    NoAutorizado,
    OperacionNoPermitida,
    RolNoAutorizado,
    SpoolNoOcupado,
    SpoolOcupado,
)
from spools.exceptions import SpoolInactivo, TrabajadorInactivo
from spools.models import Event, Spool
from zeues.lib import locks
from zeues.lib.errors import ZeuesError

pytestmark = pytest.mark.django_db


@pytest.fixture
def armador(make_worker):
    return make_worker(id=93, nombre="Mauricio", apellido="Rodriguez", roles=["Armador"])


@pytest.fixture
def soldador(make_worker):
    return make_worker(id=94, nombre="Sofía", apellido="Lagos", roles=["Soldador"])


def _events(spool):
    return list(
        Event.objects.filter(spool=spool).order_by("timestamp").values_list("evento_tipo", "worker_id")
    )


def test_take_arm_occupies_spool_and_names_armador(armador, make_spool):
    spool = services.spool_take(spool=make_spool(), worker=armador, operacion="ARM")
    spool.refresh_from_db()
    assert spool.arm == "en_progreso"
    assert spool.ocupado_por_id == 93 and spool.operacion_actual == "ARM"
    assert spool.armador_id == 93
    assert spool.fecha_ocupacion is not None
    assert spool.version == 1
    assert _events(spool) == [("TOMAR_SPOOL", 93)]


def test_take_without_fecha_materiales_is_refused(armador, make_spool, nothing_written):
    spool = make_spool(fecha_materiales=None)
    with nothing_written(), pytest.raises(DependenciasNoSatisfechas):
        services.spool_take(spool=spool, worker=armador, operacion="ARM")
    assert Event.objects.count() == 0


def test_take_arm_refused_when_arm_completed(armador, make_spool, nothing_written):
    spool = make_spool(arm="completado")
    with nothing_written(), pytest.raises(OperacionNoPermitida):
        services.spool_take(spool=spool, worker=armador, operacion="ARM")


def test_take_arm_allowed_again_when_paused(armador, make_spool):
    spool = services.spool_take(spool=make_spool(arm="pausado"), worker=armador, operacion="ARM")
    assert spool.arm == "en_progreso"


def test_take_refused_for_worker_without_role(soldador, make_spool, nothing_written):
    spool = make_spool()
    with nothing_written(), pytest.raises(RolNoAutorizado):
        services.spool_take(spool=spool, worker=soldador, operacion="ARM")


def test_ayudante_may_take_arm_and_sold(make_worker, make_spool):
    ayudante = make_worker(roles=["Ayudante"])
    spool = services.spool_take(spool=make_spool(), worker=ayudante, operacion="ARM")
    spool = services.spool_pause(spool=spool, worker=ayudante)
    spool = services.spool_take(spool=spool, worker=ayudante, operacion="SOLD")
    assert spool.sold == "en_progreso"


def test_inactive_role_does_not_count(make_worker, make_spool, nothing_written):
    worker = make_worker(roles=[])
    worker.roles.create(rol="Armador", activo=False)
    spool = make_spool()
    with nothing_written(), pytest.raises(RolNoAutorizado):
        services.spool_take(spool=spool, worker=worker, operacion="ARM")


def test_inactive_worker_can_do_nothing(make_worker, make_spool, nothing_written):
    worker = make_worker(roles=["Armador"], activo=False)
    spool = make_spool()
    with nothing_written(), pytest.raises(TrabajadorInactivo):
        services.spool_take(spool=spool, worker=worker, operacion="ARM")


def test_inactive_spool_refuses_take(armador, make_spool, nothing_written):
    spool = make_spool(activo=False)
    with nothing_written(), pytest.raises(SpoolInactivo):
        services.spool_take(spool=spool, worker=armador, operacion="ARM")


def test_take_of_occupied_spool_says_who_holds_it(armador, make_worker, make_spool, nothing_written):
    other = make_worker(roles=["Armador"], nombre="Ana", apellido="Pérez")
    spool = services.spool_take(spool=make_spool(), worker=armador, operacion="ARM")
    with nothing_written(), pytest.raises(SpoolOcupado) as err:
        services.spool_take(spool=Spool.objects.get(pk=spool.pk), worker=other, operacion="ARM")
    assert err.value.data["ocupado_por"] == "MR(93)"
    assert "MR(93)" in err.value.message


def test_occupied_spool_refuses_the_other_operation_too(armador, soldador, make_spool, nothing_written):
    spool = services.spool_take(spool=make_spool(), worker=armador, operacion="ARM")
    with nothing_written(), pytest.raises(SpoolOcupado):
        services.spool_take(spool=Spool.objects.get(pk=spool.pk), worker=soldador, operacion="SOLD")


def test_take_sold_needs_arm_started(soldador, make_spool, nothing_written):
    spool = make_spool(arm="pendiente")
    with nothing_written(), pytest.raises(DependenciasNoSatisfechas):
        services.spool_take(spool=spool, worker=soldador, operacion="SOLD")


@pytest.mark.parametrize("arm", ["pausado", "completado"])
def test_take_sold_allowed_once_arm_started(soldador, make_spool, arm):
    spool = services.spool_take(spool=make_spool(arm=arm), worker=soldador, operacion="SOLD")
    assert spool.sold == "en_progreso" and spool.soldador_id == 94


def test_pause_keeps_progress_and_releases(armador, make_spool):
    spool = services.spool_take(spool=make_spool(), worker=armador, operacion="ARM")
    spool = services.spool_pause(spool=spool, worker=armador)
    spool.refresh_from_db()
    assert spool.arm == "pausado"
    assert spool.ocupado_por_id is None and spool.fecha_ocupacion is None and spool.operacion_actual == ""
    assert spool.armador_id == 93
    assert _events(spool) == [("TOMAR_SPOOL", 93), ("PAUSAR_SPOOL", 93)]


def test_second_worker_cannot_pause_someone_elses_spool(armador, make_worker, make_spool, nothing_written):
    other = make_worker(roles=["Armador"])
    spool = services.spool_take(spool=make_spool(), worker=armador, operacion="ARM")
    with nothing_written(), pytest.raises(NoAutorizado):
        services.spool_pause(spool=spool, worker=other)
    with nothing_written(), pytest.raises(NoAutorizado):
        services.spool_complete(spool=spool, worker=other)
    spool.refresh_from_db()
    assert spool.ocupado_por_id == 93 and spool.arm == "en_progreso"


def test_pause_of_free_spool_is_refused(armador, make_spool, nothing_written):
    spool = make_spool(arm="pausado")
    with nothing_written(), pytest.raises(SpoolNoOcupado):
        services.spool_pause(spool=spool, worker=armador)


def test_pause_with_wrong_operation_is_refused(armador, make_spool, nothing_written):
    spool = services.spool_take(spool=make_spool(), worker=armador, operacion="ARM")
    with nothing_written(), pytest.raises(OperacionNoPermitida):
        services.spool_pause(spool=spool, worker=armador, operacion="SOLD")


def test_complete_arm_sets_date_and_completer(armador, make_spool):
    spool = services.spool_take(spool=make_spool(), worker=armador, operacion="ARM")
    spool = services.spool_complete(spool=spool, worker=armador)
    spool.refresh_from_db()
    assert spool.arm == "completado"
    assert spool.fecha_armado == timezone.localdate()
    assert spool.ocupado_por_id is None
    assert _events(spool)[-1] == ("COMPLETAR_ARM", 93)


def test_complete_with_explicit_date(armador, make_spool):
    spool = services.spool_take(spool=make_spool(), worker=armador, operacion="ARM")
    day = timezone.localdate() - datetime.timedelta(days=2)
    spool = services.spool_complete(spool=spool, worker=armador, fecha=day)
    assert Spool.objects.get(pk=spool.pk).fecha_armado == day


def test_complete_sold_needs_arm_completed(armador, soldador, make_spool, nothing_written):
    spool = services.spool_take(spool=make_spool(arm="pausado"), worker=soldador, operacion="SOLD")
    with nothing_written(), pytest.raises(DependenciasNoSatisfechas):
        services.spool_complete(spool=spool, worker=soldador)
    spool.refresh_from_db()
    assert spool.sold == "en_progreso" and spool.ocupado_por_id == 94
    assert spool.fecha_soldadura is None


def test_complete_sold_sets_date_and_soldador(soldador, make_spool):
    spool = services.spool_take(spool=make_spool(arm="completado"), worker=soldador, operacion="SOLD")
    spool = services.spool_complete(spool=spool, worker=soldador)
    spool.refresh_from_db()
    assert spool.sold == "completado" and spool.soldador_id == 94
    assert spool.fecha_soldadura == timezone.localdate()
    assert _events(spool)[-1] == ("COMPLETAR_SOLD", 94)


def test_handoff_names_the_completer(armador, make_worker, make_spool):
    other = make_worker(id=95, nombre="Ana", apellido="Pérez", roles=["Armador"])
    spool = services.spool_take(spool=make_spool(), worker=armador, operacion="ARM")
    spool = services.spool_pause(spool=spool, worker=armador)
    spool = services.spool_take(spool=spool, worker=other, operacion="ARM")
    assert Spool.objects.get(pk=spool.pk).armador_id == 95
    spool = services.spool_complete(spool=spool, worker=other)
    spool.refresh_from_db()
    assert spool.armador_id == 95
    assert _events(spool) == [
        ("TOMAR_SPOOL", 93),
        ("PAUSAR_SPOOL", 93),
        ("TOMAR_SPOOL", 95),
        ("COMPLETAR_ARM", 95),
    ]


def test_worker_may_hold_several_spools(armador, make_spool):
    a = services.spool_take(spool=make_spool(), worker=armador, operacion="ARM")
    b = services.spool_take(spool=make_spool(), worker=armador, operacion="ARM")
    held = set(Spool.objects.occupied_by(armador).values_list("pk", flat=True))
    assert held == {a.pk, b.pk}


def test_take_with_stale_read_cannot_overwrite_a_newer_occupant(
    armador, make_worker, make_spool, nothing_written
):
    """A caller holding an old copy of the row loses to the conditional write."""
    other = make_worker(roles=["Armador"])
    stale = make_spool()
    fresh = Spool.objects.get(pk=stale.pk)
    services.spool_take(spool=fresh, worker=armador, operacion="ARM")
    with nothing_written(), pytest.raises(SpoolOcupado):
        services.spool_take(spool=stale, worker=other, operacion="ARM")
    assert Spool.objects.get(pk=stale.pk).ocupado_por_id == 93
    assert Event.objects.filter(spool=stale, evento_tipo="TOMAR_SPOOL").count() == 1


def test_conditional_write_refuses_when_version_moved(armador, make_spool, nothing_written):
    """Even with the lock and row lock bypassed, the version guard refuses a lost update."""
    spool = make_spool()
    Spool.objects.filter(pk=spool.pk).update(version=5)
    spool.tomar_arm(worker=armador, now=timezone.now())
    with nothing_written(), pytest.raises(SpoolOcupado):
        engine._write(spool, expected_version=0, worker=armador, ocupado_por__isnull=True)
    assert Spool.objects.get(pk=spool.pk).ocupado_por_id is None


def test_take_waits_for_the_lock_then_reports_busy(armador, make_spool, settings, nothing_written):
    spool = make_spool()
    with locks.hold(f"spool:{spool.pk}"), nothing_written(), pytest.raises(SpoolOcupado) as err:
        settings.ZEUES_LOCK_WAIT_MS = 50
        services.spool_take(spool=spool, worker=armador, operacion="ARM")
    assert "tomando" in err.value.message
    assert Spool.objects.get(pk=spool.pk).ocupado_por_id is None


@pytest.mark.parametrize("failure", ["role", "occupied", "materials", "state"])
def test_no_lock_outlives_a_failed_take(armador, make_worker, make_spool, nothing_written, failure):
    other = make_worker(roles=["Soldador"])
    spool = make_spool(fecha_materiales=None) if failure == "materials" else make_spool()
    if failure == "occupied":
        services.spool_take(spool=spool, worker=make_worker(roles=["Armador"]), operacion="ARM")
    if failure == "state":
        Spool.objects.filter(pk=spool.pk).update(arm="completado")
    worker = other if failure == "role" else armador
    with nothing_written(), pytest.raises(ZeuesError):
        services.spool_take(spool=Spool.objects.get(pk=spool.pk), worker=worker, operacion="ARM")
    assert locks.get_backend().holder(locks.lock_key(f"spool:{spool.pk}")) is None


def test_lock_released_after_success(armador, make_spool):
    spool = services.spool_take(spool=make_spool(), worker=armador, operacion="ARM")
    assert locks.get_backend().holder(locks.lock_key(f"spool:{spool.pk}")) is None


def test_failed_event_write_rolls_back_the_action(armador, make_spool, monkeypatch, nothing_written):
    """Nothing is best-effort: if the audit event cannot be written, the action does not happen."""
    from spools import services as spool_services

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(engine, "event_append", broken)
    spool = make_spool()
    with nothing_written(), pytest.raises(RuntimeError):
        services.spool_take(spool=spool, worker=armador, operacion="ARM")
    fresh = Spool.objects.get(pk=spool.pk)
    assert fresh.ocupado_por_id is None and fresh.arm == "pendiente" and fresh.version == 0
    # The failure happened while the lock was held: it must be released all the same.
    assert locks.get_backend().holder(locks.lock_key(f"spool:{spool.pk}")) is None
    assert spool_services.event_append is not broken


def test_batch_each_tag_succeeds_or_fails_on_its_own(armador, make_worker, make_spool):
    other = make_worker(roles=["Armador"])
    spools = [make_spool() for _ in range(5)]
    services.spool_take(spool=spools[1], worker=other, operacion="ARM")
    tags = [s.tag_spool for s in spools] + ["NO-EXISTE"]
    outcomes = actions.run_batch(
        tags, actions.get("ARM", "TOMAR"), lambda s: "ok", worker=armador, operacion="ARM"
    )
    assert [o.tag_spool for o in outcomes] == tags
    assert [o.success for o in outcomes] == [True, False, True, True, True, False]
    assert outcomes[1].error == "SPOOL_OCUPADO"
    assert outcomes[5].error == "SPOOL_NO_ENCONTRADO"
    assert Spool.objects.occupied_by(armador).count() == 4


def test_every_action_writes_exactly_one_event(armador, soldador, make_spool):
    spool = make_spool()
    steps = [
        lambda s: services.spool_take(spool=s, worker=armador, operacion="ARM"),
        lambda s: services.spool_pause(spool=s, worker=armador),
        lambda s: services.spool_take(spool=s, worker=armador, operacion="ARM"),
        lambda s: services.spool_complete(spool=s, worker=armador),
        lambda s: services.spool_take(spool=s, worker=soldador, operacion="SOLD"),
        lambda s: services.spool_complete(spool=s, worker=soldador),
    ]
    for n, step in enumerate(steps, start=1):
        spool = step(spool)
        assert Event.objects.filter(spool=spool).count() == n
    assert Spool.objects.get(pk=spool.pk).version == len(steps)
