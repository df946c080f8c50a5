"""Run a kiosk action on a selection of spools through the action table (occupation/actions.py)."""

from __future__ import annotations

from occupation import actions
from occupation.actions import BatchOutcome
from occupation.engine import Actor
from spools.models import Accion, Operacion, Resultado, Worker
from zeues.front.kiosk.availability import ACTIONS_BY_OPERATION, RESULTS

_DONE = {
    Accion.TOMAR: "Tomado",
    Accion.PAUSAR: "Pausado",
    Accion.COMPLETAR: "Completado",
    Accion.CANCELAR: "Reparación cancelada",
    Resultado.APROBADO: "APROBADO en metrología",
    Resultado.RECHAZADO: "RECHAZADO en metrología",
}


def run(*, accion: str, operacion: str, tags: list[str], worker: Worker, actor: Actor) -> list[BatchOutcome]:
    """Apply `accion` of `operacion` to every tag, each on its own.

    On METROLOGIA the kiosk's action is the result itself (APROBADO or RECHAZADO).
    """
    allowed = RESULTS if operacion == Operacion.METROLOGIA else ACTIONS_BY_OPERATION[operacion]
    if accion not in allowed:
        raise ValueError(f"{accion} is not an action of {operacion}")
    inspecting = operacion == Operacion.METROLOGIA
    return actions.run_batch(
        tags,
        actions.get(operacion, Accion.COMPLETAR if inspecting else accion),
        lambda s: f"{_DONE[accion]}. Ahora: {s.estado_detalle}",  # type: ignore[index]
        worker=worker,
        actor=actor,
        operacion=operacion,
        resultado=accion if inspecting else None,
    )
