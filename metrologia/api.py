"""JSON API of METROLOGIA: one result, or one result for a whole lot."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from metrologia.forms import BatchInspeccionForm, InspeccionForm
from occupation import actions
from occupation.actions import BatchOutcome
from occupation.permissions import ensure_worker_can
from spools.models import Accion, Operacion
from spools.serializers import rejection_to_dict
from spools.services import spool_get, worker_get
from zeues.lib.api import api_view, batch_response, json_body, ok, validate


@api_view("POST")
def completar(request: HttpRequest) -> JsonResponse:
    """POST /api/metrologia/completar {tag_spool, worker_id, resultado, defecto?, nota?}."""
    data = validate(InspeccionForm, json_body(request))
    worker = worker_get(worker_id=data["worker_id"])
    inspect = actions.get(Operacion.METROLOGIA, Accion.COMPLETAR)
    spool = inspect(
        actions.Request(
            spool=spool_get(tag_spool=data["tag_spool"]),
            worker=worker,
            actor=request.user,
            resultado=data["resultado"],
            defecto=data["defecto"] or None,
            nota=data["nota"],
        )
    )
    return ok(
        {
            "success": True,
            "tag_spool": spool.tag_spool,
            "resultado": data["resultado"],
            "estado_detalle": spool.estado_detalle,
            "ciclo": spool.ciclo,
            "bloqueado": spool.bloqueado,
            "ultimo_rechazo": rejection_to_dict(spool),
            "message": f"Metrología {data['resultado']} registrada por {worker.token}: {spool.estado_detalle}.",
        }
    )


@api_view("POST")
def batch_completar(request: HttpRequest) -> JsonResponse:
    """POST /api/metrologia/batch-completar {tag_spools, worker_id, resultado, defecto?, nota?}."""
    data = validate(BatchInspeccionForm, json_body(request))
    worker = worker_get(worker_id=data["worker_id"])
    ensure_worker_can(worker, Operacion.METROLOGIA)
    outcomes = actions.run_batch(
        data["tag_spools"],
        actions.get(Operacion.METROLOGIA, Accion.COMPLETAR),
        lambda spool: f"Spool {spool.tag_spool}: {spool.estado_detalle}.",
        worker=worker,
        actor=request.user,
        resultado=data["resultado"],
        defecto=data["defecto"] or None,
        nota=data["nota"],
    )

    def extra(o: BatchOutcome) -> dict[str, object]:
        if o.spool is None:
            return {}
        return {
            "estado_detalle": o.spool.estado_detalle,
            "ciclo": o.spool.ciclo,
            "ultimo_rechazo": rejection_to_dict(o.spool),
        }

    return batch_response(outcomes, extra)
