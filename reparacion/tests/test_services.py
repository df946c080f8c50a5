"""REPARACION rules (docs/domain.md, "Reparación"), the full quality loop to BLOQUEADO, supervisor acts."""

from __future__ import annotations

import pytest
from django.utils import timezone

from metrologia.services import spool_inspect
from occupation import services as occupation
from occupation.exceptions import NoAutorizado, SpoolNoOcupado, SpoolOcupado
from reparacion import services
from reparacion.exceptions import NoBloqueado, NoReparable
from spools.exceptions import SpoolBloqueado, TrabajadorInactivo
from spools.models import Event, Spool

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspector(make_worker):
    return make_worker(id=97, nombre="Óscar", apellido="Pérez", roles=["Metrologia"])


@pytest.fixture
def reparador(make_worker):
    # Any active worker may repair, whatever their roles.
    return make_worker(id=93, nombre="Mauricio", apellido="Rodriguez", roles=["Pintura"])


@pytest.fixture
def rejected(make_spool):
    return make_spool(arm="completado", sold="completado", calidad="rechazado", ciclo=1)


def _fresh(spool):
    return Spool.objects.select_related("ocupado_por").get(pk=spool.pk)


def test_take_pause_resume_complete_keeps_the_counter(reparador, make_worker, rejected):
    other = make_worker(id=94, nombre="Ana", apellido="Lagos", roles=[])
    spool = services.repair_take(spool=rejected, worker=reparador)
    assert _fresh(spool).estado_detalle == "EN_REPARACION (Ciclo 1/3) - Ocupado: MR(93)"
    spool = services.repair_pause(spool=spool, worker=reparador)
    assert _fresh(spool).estado_detalle == "REPARACION_PAUSADA (Ciclo 1/3)"
    spool = services.repair_take(spool=spool, worker=other)
    spool = services.repair_complete(spool=spool, worker=other)
    fresh = _fresh(spool)
    assert fresh.calidad == "pendiente_metrologia" and fresh.ciclo == 1 and fresh.ocupado_por_id is None
    assert fresh.estado_detalle == "PENDIENTE_METROLOGIA (Ciclo 1/3)"
    types = list(Event.objects.filter(spool=spool).values_list("evento_tipo", "worker_id"))
    assert types == [
        ("TOMAR_REPARACION", 93),
        ("PAUSAR_REPARACION", 93),
        ("TOMAR_REPARACION", 94),
        ("COMPLETAR_REPARACION", 94),
    ]


def test_repair_needs_a_rejected_spool(reparador, make_spool, nothing_written):
    spool = make_spool(arm="completado", sold="completado")
    with nothing_written(), pytest.raises(NoReparable):
        services.repair_take(spool=spool, worker=reparador)


def test_inactive_worker_cannot_repair(make_worker, rejected, nothing_written):
    worker = make_worker(roles=["Armador"], activo=False)
    with nothing_written(), pytest.raises(TrabajadorInactivo):
        services.repair_take(spool=rejected, worker=worker)


def test_only_the_occupant_pauses_or_completes_a_repair(reparador, make_worker, rejected, nothing_written):
    other = make_worker(roles=[])
    spool = services.repair_take(spool=rejected, worker=reparador)
    with nothing_written(), pytest.raises(SpoolOcupado):
        services.repair_take(spool=_fresh(spool), worker=other)
    with nothing_written(), pytest.raises(NoAutorizado):
        services.repair_pause(spool=_fresh(spool), worker=other)
    with nothing_written(), pytest.raises(NoAutorizado):
        services.repair_complete(spool=_fresh(spool), worker=other)


def test_cancel_by_occupant_returns_to_rechazado_counter_kept(reparador, rejected):
    spool = services.repair_take(spool=rejected, worker=reparador)
    spool = services.repair_cancel(spool=spool, worker=reparador)
    fresh = _fresh(spool)
    assert fresh.calidad == "rechazado" and fresh.ciclo == 1 and fresh.ocupado_por_id is None
    assert Event.objects.filter(spool=spool).last().evento_tipo == "CANCELAR_REPARACION"


def test_cancel_by_another_worker_refused_while_occupied(reparador, make_worker, rejected, nothing_written):
    spool = services.repair_take(spool=rejected, worker=reparador)
    other = make_worker(roles=[])
    with nothing_written(), pytest.raises(NoAutorizado):
        services.repair_cancel(spool=_fresh(spool), worker=other)


def test_anyone_may_cancel_a_paused_repair(reparador, make_worker, rejected):
    spool = services.repair_pause(
        spool=services.repair_take(spool=rejected, worker=reparador), worker=reparador
    )
    spool = services.repair_cancel(spool=_fresh(spool), worker=make_worker(roles=[]))
    assert _fresh(spool).calidad == "rechazado"


def test_cancel_without_repair_in_progress_is_refused(reparador, rejected, nothing_written):
    with nothing_written(), pytest.raises(NoReparable):
        services.repair_cancel(spool=rejected, worker=reparador)


def _cycle(spool, inspector, reparador):
    """One rejection followed by a full repair (take, pause, resume, complete)."""
    spool = spool_inspect(spool=_fresh(spool), worker=inspector, resultado="RECHAZADO", defecto="POROSIDAD")
    if spool.bloqueado:
        return spool
    spool = services.repair_take(spool=_fresh(spool), worker=reparador)
    spool = services.repair_pause(spool=spool, worker=reparador)
    spool = services.repair_take(spool=_fresh(spool), worker=reparador)
    return services.repair_complete(spool=spool, worker=reparador)


def test_three_rejections_in_a_row_block_then_supervisor_unblock_resets(
    inspector, reparador, make_spool, django_user_model, nothing_written
):
    spool = make_spool(arm="completado", sold="completado")
    for expected in (1, 2):
        spool = _cycle(spool, inspector, reparador)
        assert _fresh(spool).ciclo == expected and _fresh(spool).calidad == "pendiente_metrologia"
    spool = _cycle(spool, inspector, reparador)
    assert _fresh(spool).calidad == "bloqueado" and _fresh(spool).ciclo == 3
    for attempt in (
        lambda: services.repair_take(spool=_fresh(spool), worker=reparador),
        lambda: services.repair_cancel(spool=_fresh(spool), worker=reparador),
        lambda: spool_inspect(spool=_fresh(spool), worker=inspector, resultado="APROBADO"),
        lambda: occupation.spool_take(spool=_fresh(spool), worker=reparador, operacion="ARM"),
    ):
        with nothing_written(), pytest.raises(SpoolBloqueado):
            attempt()
    boss = django_user_model.objects.create_user(username="jefe", password="x-123456789")
    spool = services.spool_unblock(
        spool=_fresh(spool), supervisor=boss, motivo="Revisado en terreno con calidad"
    )
    fresh = _fresh(spool)
    assert fresh.calidad == "rechazado" and fresh.ciclo == 0
    override = Event.objects.filter(spool=spool, evento_tipo="SUPERVISOR_OVERRIDE").get()
    assert override.actor == boss and override.details["motivo"] == "Revisado en terreno con calidad"
    assert override.details["ciclo_previo"] == 3
    spool = services.repair_complete(
        spool=services.repair_take(spool=fresh, worker=reparador), worker=reparador
    )
    spool = spool_inspect(spool=_fresh(spool), worker=inspector, resultado="APROBADO")
    assert _fresh(spool).calidad == "aprobado" and _fresh(spool).ciclo == 0


def test_approval_between_rejections_resets_the_count(inspector, reparador, make_spool):
    """Consecutive only: a later spool's history does not carry over an approval's reset."""
    spool = make_spool(arm="completado", sold="completado")
    spool = _cycle(spool, inspector, reparador)
    spool = _cycle(spool, inspector, reparador)
    assert _fresh(spool).ciclo == 2
    spool = spool_inspect(spool=_fresh(spool), worker=inspector, resultado="APROBADO")
    assert _fresh(spool).ciclo == 0


def test_unblock_of_a_spool_that_is_not_blocked_is_refused(rejected, django_user_model, nothing_written):
    boss = django_user_model.objects.create_user(username="jefe", password="x-123456789")
    with nothing_written(), pytest.raises(NoBloqueado):
        services.spool_unblock(spool=rejected, supervisor=boss, motivo="por si acaso")
    assert not Event.objects.filter(spool=rejected).exists()


@pytest.mark.parametrize("operacion", ["ARM", "SOLD", "REPARACION"])
def test_force_release_pauses_the_held_operation(make_worker, make_spool, django_user_model, operacion):
    holder = make_worker(id=93, roles=["Armador", "Soldador"])
    fields = {
        "ARM": {"arm": "en_progreso"},
        "SOLD": {"arm": "completado", "sold": "en_progreso"},
        "REPARACION": {"arm": "completado", "sold": "completado", "calidad": "en_reparacion", "ciclo": 1},
    }[operacion]
    spool = make_spool(
        ocupado_por=holder, fecha_ocupacion=timezone.now(), operacion_actual=operacion, **fields
    )
    boss = django_user_model.objects.create_user(username="jefe", password="x-123456789")
    spool = services.spool_force_release(spool=_fresh(spool), supervisor=boss, motivo="Se fue a casa")
    fresh = _fresh(spool)
    assert fresh.ocupado_por_id is None and fresh.operacion_actual == ""
    expected = {
        "ARM": ("arm", "pausado"),
        "SOLD": ("sold", "pausado"),
        "REPARACION": ("calidad", "reparacion_pausada"),
    }[operacion]
    assert getattr(fresh, expected[0]) == expected[1]
    event = Event.objects.get(spool=spool)
    assert (event.evento_tipo, event.worker_id, event.actor, event.details["motivo"]) == (
        "LIBERACION_FORZADA",
        93,
        boss,
        "Se fue a casa",
    )


def test_force_release_of_free_spool_is_refused(make_spool, django_user_model, nothing_written):
    boss = django_user_model.objects.create_user(username="jefe", password="x-123456789")
    spool = make_spool()
    with nothing_written(), pytest.raises(SpoolNoOcupado):
        services.spool_force_release(spool=spool, supervisor=boss, motivo="nada que liberar")
