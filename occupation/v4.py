"""The v4 occupation API of the system ZEUES replaces, kept so its tablets and scripts keep working.

`POST /api/v4/occupation/iniciar` is TOMAR; `POST /api/v4/occupation/finalizar` is the finish
of docs/joints.md with v4's names: `selected_unions` are the joints ticked, `action_override`
forces PAUSAR or COMPLETAR (COMPLETAR = every open joint), and the answer's `action_taken` says
`CANCELADO` where ZEUES says LIBERAR. Same rules, same error envelope as /api/occupation/.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from occupation.api import finish_message
from occupation.forms import V4FinalizarForm, V4IniciarForm
from occupation.services import spool_finish, spool_take
from spools.models import Accion, EstadoCalidad, EstadoOperacion, Spool
from spools.serializers import spool_to_dict
from spools.services import spool_get, worker_get
from zeues.lib.api import api_view, json_body, ok, validate

# ZEUES's verb → v4's word for it.
V4_ACTION = {Accion.PAUSAR: "PAUSAR", Accion.COMPLETAR: "COMPLETAR", Accion.LIBERAR: "CANCELADO"}


def _ready_for_metrologia(spool: Spool) -> bool:
    return (
        spool.arm == EstadoOperacion.COMPLETADO
        and spool.sold == EstadoOperacion.COMPLETADO
        and spool.calidad in (EstadoCalidad.PENDIENTE, EstadoCalidad.PENDIENTE_METROLOGIA)
    )


@api_view("POST")
def iniciar(request: HttpRequest) -> JsonResponse:
    """POST /api/v4/occupation/iniciar {tag_spool, worker_id, operacion}: TOMAR."""
    data = validate(V4IniciarForm, json_body(request))
    worker = worker_get(worker_id=data["worker_id"])
    spool = spool_take(
        spool=spool_get(tag_spool=data["tag_spool"]),
        worker=worker,
        operacion=data["operacion"],
        actor=request.user,
    )
    return ok(
        {
            "success": True,
            "tag_spool": spool.tag_spool,
            "message": f"Spool {spool.tag_spool} tomado para {data['operacion']} por {worker.token}.",
            "new_state": spool.estado_detalle,
            "spool": spool_to_dict(spool),
        }
    )


@api_view("POST")
def finalizar(request: HttpRequest) -> JsonResponse:
    """POST /api/v4/occupation/finalizar {tag_spool, worker_id, operacion, selected_unions, action_override?}."""
    data = validate(V4FinalizarForm, json_body(request))
    worker = worker_get(worker_id=data["worker_id"])
    spool = spool_get(tag_spool=data["tag_spool"])
    override = data["action_override"] or None
    selected = data["selected_unions"]
    finish = spool_finish(
        spool=spool,
        worker=worker,
        operacion=data["operacion"],
        # COMPLETAR without a list is "every open joint"; a list given is exactly those.
        uniones=selected if selected or override != Accion.COMPLETAR else None,
        accion=override,
        fecha=data.get("fecha_operacion"),
        actor=request.user,
    )
    was_ready = _ready_for_metrologia(spool)
    return ok(
        {
            "success": True,
            "tag_spool": finish.spool.tag_spool,
            "message": finish_message(finish, data["operacion"], worker),
            "action_taken": V4_ACTION[finish.accion],  # type: ignore[index]
            "unions_processed": len(finish.uniones),
            "pulgadas": float(finish.pulgadas),
            "metrologia_triggered": _ready_for_metrologia(finish.spool) and not was_ready,
            "new_state": finish.spool.estado_detalle,
        }
    )
