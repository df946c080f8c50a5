"""JSON API of METROLOGIA: one result, or one result for a whole lot."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from metrologia.forms import BatchInspeccionForm, InspeccionForm
from metrologia.services import spool_inspect, spool_inspect_batch
from occupation.services import BatchOutcome
from spools.services import spool_get, worker_get
from zeues.lib.api import api_view, batch_response, json_body, ok, validate


@api_view("POST")
def completar(request: HttpRequest) -> JsonResponse:
    """POST /api/metrologia/completar {tag_spool, worker_id, resultado}."""
    data = validate(InspeccionForm, json_body(request))
    worker = worker_get(worker_id=data["worker_id"])
    spool = spool_inspect(
        spool=spool_get(tag_spool=data["tag_spool"]),
        worker=worker,
        resultado=data["resultado"],
        actor=request.user,
    )
    return ok(
        {
            "success": True,
            "tag_spool": spool.tag_spool,
            "resultado": data["resultado"],
            "estado_detalle": spool.estado_detalle,
            "ciclo": spool.ciclo,
            "bloqueado": spool.bloqueado,
            "message": f"Metrología {data['resultado']} registrada por {worker.token}: {spool.estado_detalle}.",
        }
    )


@api_view("POST")
def batch_completar(request: HttpRequest) -> JsonResponse:
    """POST /api/metrologia/batch-completar {tag_spools, worker_id, resultado}."""
    data = validate(BatchInspeccionForm, json_body(request))
    worker = worker_get(worker_id=data["worker_id"])
    outcomes = spool_inspect_batch(
        tags=data["tag_spools"], worker=worker, resultado=data["resultado"], actor=request.user
    )

    def extra(o: BatchOutcome) -> dict[str, object]:
        return {"estado_detalle": o.spool.estado_detalle, "ciclo": o.spool.ciclo} if o.spool else {}

    return batch_response(outcomes, extra)
