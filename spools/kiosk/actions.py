"""Run a kiosk action on a selection of spools through the workflows' own services."""

from __future__ import annotations

from collections.abc import Callable

from metrologia.services import spool_inspect
from occupation.engine import Actor
from occupation.services import BatchOutcome, batch_apply, spool_complete, spool_pause, spool_take
from reparacion.services import repair_cancel, repair_complete, repair_pause, repair_take
from spools.kiosk.availability import ACTIONS_BY_OPERATION, RESULTS
from spools.models import Operacion, Spool, Worker

_DONE = {
    "TOMAR": "Tomado",
    "PAUSAR": "Pausado",
    "COMPLETAR": "Completado",
    "CANCELAR": "Reparación cancelada",
    "APROBADO": "APROBADO en metrología",
    "RECHAZADO": "RECHAZADO en metrología",
}


def _service(accion: str, operacion: str, worker: Worker, actor: Actor) -> Callable[[Spool], Spool]:
    if operacion == Operacion.METROLOGIA:
        return lambda s: spool_inspect(spool=s, worker=worker, resultado=accion, actor=actor)
    if operacion == Operacion.REPARACION:
        repair = {
            "TOMAR": repair_take,
            "PAUSAR": repair_pause,
            "COMPLETAR": repair_complete,
            "CANCELAR": repair_cancel,
        }
        return lambda s: repair[accion](spool=s, worker=worker, actor=actor)
    if accion == "TOMAR":
        return lambda s: spool_take(spool=s, worker=worker, operacion=operacion, actor=actor)
    if accion == "PAUSAR":
        return lambda s: spool_pause(spool=s, worker=worker, operacion=operacion, actor=actor)
    return lambda s: spool_complete(spool=s, worker=worker, operacion=operacion, actor=actor)


def run(*, accion: str, operacion: str, tags: list[str], worker: Worker, actor: Actor) -> list[BatchOutcome]:
    """Apply `accion` of `operacion` to every tag, each on its own."""
    allowed = RESULTS if operacion == Operacion.METROLOGIA else ACTIONS_BY_OPERATION[operacion]
    if accion not in allowed:
        raise ValueError(f"{accion} is not an action of {operacion}")
    return batch_apply(
        tags,
        _service(accion, operacion, worker, actor),
        lambda s: f"{_DONE[accion]}. Ahora: {s.estado_detalle}",
    )
