"""TOMAR / PAUSAR / COMPLETAR of ARM and SOLD (docs/domain.md, "ARM and SOLD").

The transaction, lock and conditional-write discipline is the engine's one step
(occupation/engine.py, `apply`); this module holds the rules: which checks, which transition,
which audit event. Its rows of the action table are at the end.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from occupation import actions
from occupation.engine import Actor, Change, Transition, apply, change, ensure_not_blocked, occupied_error
from occupation.exceptions import (
    DependenciasNoSatisfechas,
    NoAutorizado,
    OperacionNoPermitida,
    SpoolNoOcupado,
)
from occupation.permissions import ensure_worker_can
from spools.exceptions import SpoolInactivo, TrabajadorInactivo
from spools.models import STARTED, TAKEABLE, Accion, EstadoOperacion, EventType, Operacion, Spool, Worker

ARM_SOLD = (Operacion.ARM, Operacion.SOLD)
# The transitions of each operation, as the model's methods.
TAKE: dict[str, Transition] = {Operacion.ARM: Spool.tomar_arm, Operacion.SOLD: Spool.tomar_sold}
PAUSE: dict[str, Transition] = {
    Operacion.ARM: Spool.pausar_arm,
    Operacion.SOLD: Spool.pausar_sold,
    Operacion.REPARACION: Spool.pausar_reparacion,
}
COMPLETE: dict[str, Transition] = {Operacion.ARM: Spool.completar_arm, Operacion.SOLD: Spool.completar_sold}
COMPLETED_EVENT: dict[str, str] = {
    Operacion.ARM: EventType.COMPLETAR_ARM,
    Operacion.SOLD: EventType.COMPLETAR_SOLD,
}


# --- checks ------------------------------------------------------------------------------


def check_take(spool: Spool, worker: Worker, operacion: str) -> None:
    """Every rule of TOMAR that depends on the spool's state."""
    ensure_not_blocked(spool)
    if not spool.activo:
        raise SpoolInactivo(data={"tag_spool": spool.tag_spool})
    if spool.ocupado_por_id is not None:
        raise occupied_error(spool, worker)
    if spool.fecha_materiales is None:
        raise DependenciasNoSatisfechas(
            f"El spool {spool.tag_spool} no tiene Fecha_Materiales: faltan materiales para {operacion}.",
            data={"tag_spool": spool.tag_spool, "falta": "Fecha_Materiales"},
        )
    estado = spool.estado(operacion)
    if estado not in TAKEABLE:
        raise OperacionNoPermitida(
            f"{operacion} del spool {spool.tag_spool} está {EstadoOperacion(estado).label}: no se puede tomar.",
            data={"tag_spool": spool.tag_spool, "operacion": operacion, "estado": estado},
        )
    if operacion == Operacion.SOLD and spool.arm not in STARTED:
        raise DependenciasNoSatisfechas(
            f"No se puede soldar {spool.tag_spool}: el ARM aún no ha comenzado.",
            data={"tag_spool": spool.tag_spool, "falta": "ARM iniciado"},
        )


def check_holder(spool: Spool, worker: Worker, operacion: str | None, allowed: tuple[str, ...]) -> str:
    """Rules shared by every occupant-only release; returns the operation held."""
    ensure_not_blocked(spool)
    if not worker.activo:
        raise TrabajadorInactivo(
            f"{worker.token} está inactivo y no puede registrar operaciones.", data={"worker_id": worker.pk}
        )
    if spool.ocupado_por_id is None:
        raise SpoolNoOcupado(
            f"El spool {spool.tag_spool} no está ocupado: no hay trabajo en curso.",
            data={"tag_spool": spool.tag_spool},
        )
    if spool.ocupado_por_id != worker.pk:
        holder = spool.ocupado_por.token if spool.ocupado_por else str(spool.ocupado_por_id)
        raise NoAutorizado(
            f"El spool {spool.tag_spool} lo tiene {holder}; solo esa persona puede pausarlo o completarlo.",
            data={
                "tag_spool": spool.tag_spool,
                "ocupado_por": holder,
                "ocupado_por_id": spool.ocupado_por_id,
            },
        )
    current = spool.operacion_actual
    if (operacion and operacion != current) or current not in allowed:
        raise OperacionNoPermitida(
            f"El spool {spool.tag_spool} está tomado para {current}, no para {operacion or '/'.join(allowed)}.",
            data={"tag_spool": spool.tag_spool, "operacion_actual": current},
        )
    return current


# --- actions -----------------------------------------------------------------------------


def spool_take(*, spool: Spool, worker: Worker, operacion: str, actor: Actor = None) -> Spool:
    """TOMAR: the worker occupies the spool for ARM or SOLD."""
    if operacion not in ARM_SOLD:
        raise OperacionNoPermitida(f"TOMAR aquí es solo para ARM o SOLD, no {operacion}.")
    ensure_not_blocked(spool)
    ensure_worker_can(worker, operacion)

    def plan(s: Spool, now: datetime.datetime) -> Change:
        check_take(s, worker, operacion)
        return change(operacion, TAKE[operacion], EventType.TOMAR_SPOOL, Accion.TOMAR, worker=worker, now=now)

    return apply(
        spool, plan=plan, worker=worker, actor=actor, guard={"ocupado_por__isnull": True}, exclusive=True
    )


def spool_pause(*, spool: Spool, worker: Worker, operacion: str | None = None, actor: Actor = None) -> Spool:
    """PAUSAR: the occupant releases the spool; progress is kept."""

    def plan(s: Spool, now: datetime.datetime) -> Change:
        current = check_holder(s, worker, operacion, ARM_SOLD)
        return change(current, PAUSE[current], EventType.PAUSAR_SPOOL, Accion.PAUSAR)

    return apply(spool, plan=plan, worker=worker, actor=actor, guard={"ocupado_por_id": worker.pk})


def spool_complete(
    *,
    spool: Spool,
    worker: Worker,
    operacion: str | None = None,
    fecha: datetime.date | None = None,
    actor: Actor = None,
) -> Spool:
    """COMPLETAR: the occupant finishes ARM or SOLD; the spool is released."""
    day = fecha or timezone.localdate()

    def plan(s: Spool, now: datetime.datetime) -> Change:
        current = check_holder(s, worker, operacion, ARM_SOLD)
        ensure_worker_can(worker, current)
        if current == Operacion.SOLD and s.arm != EstadoOperacion.COMPLETADO:
            raise DependenciasNoSatisfechas(
                f"No se puede completar SOLD de {s.tag_spool}: el ARM no está completado.",
                data={"tag_spool": s.tag_spool, "falta": "ARM completado"},
            )
        return Change(
            current,
            [(COMPLETE[current], {"worker": worker, "fecha": day})],
            [(COMPLETED_EVENT[current], Accion.COMPLETAR)],
            {"fecha_operacion": day.isoformat()},
        )

    return apply(spool, plan=plan, worker=worker, actor=actor, guard={"ocupado_por_id": worker.pk})


# --- the action table's rows for ARM and SOLD ----------------------------------------------

actions.register(
    ARM_SOLD,
    Accion.TOMAR,
    lambda r: spool_take(spool=r.spool, worker=r.worker, operacion=str(r.operacion), actor=r.actor),
)
actions.register(
    (*ARM_SOLD, None),
    Accion.PAUSAR,
    lambda r: spool_pause(spool=r.spool, worker=r.worker, operacion=r.operacion, actor=r.actor),
)
actions.register(
    (*ARM_SOLD, None),
    Accion.COMPLETAR,
    lambda r: spool_complete(
        spool=r.spool, worker=r.worker, operacion=r.operacion, fecha=r.fecha, actor=r.actor
    ),
)
