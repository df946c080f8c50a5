"""TOMAR / PAUSAR / COMPLETAR of ARM and SOLD (DOMAIN §3.1), batches, and the force release.

The transaction, lock and conditional-write discipline lives in occupation/engine.py; this
module holds the rules: which checks, which transition, which audit event.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from occupation.engine import Actor, Step, ensure_not_blocked, occupied_error, occupy, release
from occupation.exceptions import (
    DependenciasNoSatisfechas,
    NoAutorizado,
    OperacionNoPermitida,
    SpoolNoOcupado,
)
from occupation.permissions import ensure_worker_can
from spools.exceptions import SpoolInactivo, SpoolNoEncontrado, TrabajadorInactivo
from spools.models import STARTED, TAKEABLE, EstadoOperacion, EventType, Operacion, Spool, Worker
from zeues.lib.errors import ZeuesError

ARM_SOLD = (Operacion.ARM, Operacion.SOLD)


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
    return occupy(
        spool=spool,
        worker=worker,
        operacion=operacion,
        actor=actor,
        check=lambda s: check_take(s, worker, operacion),
        transition=f"tomar_{operacion.lower()}",
        tipo=EventType.TOMAR_SPOOL,
    )


def spool_pause(*, spool: Spool, worker: Worker, operacion: str | None = None, actor: Actor = None) -> Spool:
    """PAUSAR: the occupant releases the spool; progress is kept."""

    def plan(s: Spool) -> Step:
        current = check_holder(s, worker, operacion, ARM_SOLD)
        return Step(current, f"pausar_{current.lower()}", EventType.PAUSAR_SPOOL)

    return release(
        spool=spool,
        worker=worker,
        plan=plan,
        accion="PAUSAR",
        actor=actor,
        guard={"ocupado_por_id": worker.pk},
    )


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

    def plan(s: Spool) -> Step:
        current = check_holder(s, worker, operacion, ARM_SOLD)
        ensure_worker_can(worker, current)
        if current == Operacion.SOLD and s.arm != EstadoOperacion.COMPLETADO:
            raise DependenciasNoSatisfechas(
                f"No se puede completar SOLD de {s.tag_spool}: el ARM no está completado.",
                data={"tag_spool": s.tag_spool, "falta": "ARM completado"},
            )
        tipo = EventType.COMPLETAR_ARM if current == Operacion.ARM else EventType.COMPLETAR_SOLD
        return Step(current, f"completar_{current.lower()}", tipo, {"worker": worker, "fecha": day})

    return release(
        spool=spool,
        worker=worker,
        plan=plan,
        accion="COMPLETAR",
        actor=actor,
        guard={"ocupado_por_id": worker.pk},
        details={"fecha_operacion": day.isoformat()},
    )


def occupation_force_release(*, spool: Spool, supervisor: Actor, motivo: str) -> Spool:
    """Supervisor's LIBERACION_FORZADA: the held operation goes to pausado; occupation cleared."""
    if spool.ocupado_por_id is None:
        raise SpoolNoOcupado(
            f"El spool {spool.tag_spool} no está ocupado.", data={"tag_spool": spool.tag_spool}
        )
    holder, holder_id = spool.ocupado_por, spool.ocupado_por_id

    def plan(s: Spool) -> Step:
        if s.ocupado_por_id != holder_id:
            raise SpoolNoOcupado(
                f"La ocupación de {s.tag_spool} cambió; revise de nuevo.", data={"tag_spool": s.tag_spool}
            )
        current = s.operacion_actual
        name = "pausar_reparacion" if current == Operacion.REPARACION else f"pausar_{current.lower()}"
        return Step(current, name, EventType.LIBERACION_FORZADA)

    return release(
        spool=spool,
        worker=holder,
        plan=plan,
        accion="LIBERAR",
        actor=supervisor,
        guard={"ocupado_por_id": holder_id},
        details={"motivo": motivo, "supervisor": getattr(supervisor, "username", "")},
    )


# --- batch -------------------------------------------------------------------------------


@dataclass
class BatchOutcome:
    """The result of one tag of a batch."""

    tag_spool: str
    success: bool
    message: str
    error: str | None = None
    spool: Spool | None = None


_DONE = {"tomar": "tomado", "pausar": "pausado", "completar": "completado"}


def _batch_one(
    accion: str,
    *,
    spool: Spool,
    worker: Worker,
    operacion: str | None,
    actor: Actor,
    fecha: datetime.date | None,
) -> Spool:
    if accion == "tomar":
        if not operacion:
            raise OperacionNoPermitida("Indique la operación (ARM o SOLD) para tomar.")
        return spool_take(spool=spool, worker=worker, operacion=operacion, actor=actor)
    if accion == "pausar":
        return spool_pause(spool=spool, worker=worker, operacion=operacion, actor=actor)
    return spool_complete(spool=spool, worker=worker, operacion=operacion, fecha=fecha, actor=actor)


def batch_apply(
    tags: list[str], apply: Callable[[Spool], Spool], done: Callable[[Spool], str]
) -> list[BatchOutcome]:
    """Run `apply` on each tag on its own; every tag gets an outcome, in the order given."""
    by_tag = {
        s.tag_spool: s
        for s in Spool.objects.select_related("ocupado_por", "armador", "soldador").filter(tag_spool__in=tags)
    }
    outcomes = []
    for tag in tags:
        spool = by_tag.get(tag)
        try:
            if spool is None:
                raise SpoolNoEncontrado(f"No existe el spool «{tag}».", data={"tag_spool": tag})
            result = apply(spool)
            outcomes.append(BatchOutcome(tag, True, done(result), spool=result))
        except ZeuesError as error:
            outcomes.append(BatchOutcome(tag, False, error.message, error.code))
    return outcomes


def spool_batch(
    *,
    accion: str,
    tags: list[str],
    worker: Worker,
    operacion: str | None,
    actor: Actor = None,
    fecha: datetime.date | None = None,
) -> list[BatchOutcome]:
    """Apply one occupation action to each tag independently (batch TOMAR/PAUSAR/COMPLETAR)."""
    return batch_apply(
        tags,
        lambda spool: _batch_one(
            accion, spool=spool, worker=worker, operacion=operacion, actor=actor, fecha=fecha
        ),
        lambda spool: f"Spool {spool.tag_spool} {_DONE[accion]}.",
    )
