"""REPARACION of rejected spools (DOMAIN §3.3) and the supervisor's unblock (§3.4).

Occupation rules are those of ARM/SOLD (one holder, occupant-only PAUSAR/COMPLETAR, a locked
take), through the same engine. The consecutive-rejection counter is never touched here except
by the supervisor's unblock, which resets it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from occupation.engine import (
    Actor,
    Step,
    ensure_not_blocked,
    lock_row,
    occupied_error,
    occupy,
    record,
    release,
    run_transition,
    write,
)
from occupation.exceptions import NoAutorizado
from occupation.permissions import ensure_worker_can
from occupation.services import check_holder
from reparacion.exceptions import NoBloqueado, NoReparable
from spools.exceptions import TrabajadorInactivo
from spools.models import REPAIRABLE, EstadoCalidad, EventType, Operacion, Spool, Worker

REP = Operacion.REPARACION


def check_repair_take(spool: Spool, worker: Worker) -> None:
    ensure_not_blocked(spool)
    if spool.ocupado_por_id is not None:
        raise occupied_error(spool, worker)
    if spool.calidad not in REPAIRABLE:
        raise NoReparable(
            f"El spool {spool.tag_spool} no está pendiente de reparación ({spool.estado_detalle}).",
            data={"tag_spool": spool.tag_spool, "calidad": spool.calidad},
        )


def repair_take(*, spool: Spool, worker: Worker, actor: Actor = None) -> Spool:
    """TOMAR REPARACION: any active worker occupies a rejected (or paused) repair."""
    ensure_not_blocked(spool)
    ensure_worker_can(worker, REP)
    return occupy(
        spool=spool,
        worker=worker,
        operacion=REP,
        actor=actor,
        check=lambda s: check_repair_take(s, worker),
        transition="tomar_reparacion",
        tipo=EventType.TOMAR_REPARACION,
    )


def _occupant_release(
    spool: Spool, worker: Worker, *, transition: str, tipo: str, accion: str, actor: Actor
) -> Spool:
    def plan(s: Spool) -> Step:
        check_holder(s, worker, REP, (REP,))
        return Step(REP, transition, tipo)

    return release(
        spool=spool, worker=worker, plan=plan, accion=accion, actor=actor, guard={"ocupado_por_id": worker.pk}
    )


def repair_pause(*, spool: Spool, worker: Worker, actor: Actor = None) -> Spool:
    """PAUSAR REPARACION: the occupant releases; the repair can be resumed by anyone."""
    return _occupant_release(
        spool,
        worker,
        transition="pausar_reparacion",
        tipo=EventType.PAUSAR_REPARACION,
        accion="PAUSAR",
        actor=actor,
    )


def repair_complete(*, spool: Spool, worker: Worker, actor: Actor = None) -> Spool:
    """COMPLETAR REPARACION: back to METROLOGIA; the cycle counter is kept."""
    return _occupant_release(
        spool,
        worker,
        transition="completar_reparacion",
        tipo=EventType.COMPLETAR_REPARACION,
        accion="COMPLETAR",
        actor=actor,
    )


def repair_cancel(*, spool: Spool, worker: Worker, actor: Actor = None) -> Spool:
    """CANCELAR: the occupant, or anyone when nobody occupies it, returns the spool to rechazado."""

    def plan(s: Spool) -> Step:
        ensure_not_blocked(s)
        if not worker.activo:
            raise TrabajadorInactivo(f"{worker.token} está inactivo.", data={"worker_id": worker.pk})
        if s.calidad not in (EstadoCalidad.EN_REPARACION, EstadoCalidad.REPARACION_PAUSADA):
            raise NoReparable(
                f"El spool {s.tag_spool} no tiene una reparación en curso ({s.estado_detalle}).",
                data={"tag_spool": s.tag_spool, "calidad": s.calidad},
            )
        if s.ocupado_por_id not in (None, worker.pk):
            holder = s.ocupado_por.token if s.ocupado_por else str(s.ocupado_por_id)
            raise NoAutorizado(
                f"La reparación de {s.tag_spool} la tiene {holder}; solo esa persona puede cancelarla.",
                data={"tag_spool": s.tag_spool, "ocupado_por": holder, "ocupado_por_id": s.ocupado_por_id},
            )
        return Step(REP, "cancelar_reparacion", EventType.CANCELAR_REPARACION)

    guard = (
        {"ocupado_por_id": spool.ocupado_por_id} if spool.ocupado_por_id else {"ocupado_por__isnull": True}
    )
    return release(spool=spool, worker=worker, plan=plan, accion="CANCELAR", actor=actor, guard=guard)


def spool_unblock(*, spool: Spool, supervisor: Actor, motivo: str) -> Spool:
    """Supervisor unblock: BLOQUEADO → rechazado with the counter reset; audited with the reason."""
    with transaction.atomic():
        spool = lock_row(spool)
        if spool.calidad != EstadoCalidad.BLOQUEADO:
            raise NoBloqueado(
                f"El spool {spool.tag_spool} no está BLOQUEADO.", data={"tag_spool": spool.tag_spool}
            )
        expected, now, ciclo_previo = spool.version, timezone.now(), spool.ciclo
        run_transition(spool, "desbloquear")
        write(spool, expected_version=expected, worker=None)
        record(
            spool,
            None,
            tipo=EventType.SUPERVISOR_OVERRIDE,
            accion="DESBLOQUEAR",
            operacion=REP,
            actor=supervisor,
            now=now,
            details={
                "motivo": motivo,
                "ciclo_previo": ciclo_previo,
                "supervisor": getattr(supervisor, "username", ""),
            },
        )
    return spool
