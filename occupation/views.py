"""JSON API of TOMAR / PAUSAR / COMPLETAR, single and batch (v3-compatible)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from occupation import services
from occupation.forms import BatchForm, BatchTomarForm, CompletarForm, PausarForm, TomarForm
from spools.serializers import spool_to_dict
from spools.services import spool_get, worker_get
from zeues.lib.api import api_view, batch_response, json_body, ok, validate

_MESSAGES = {
    "tomar": "Spool {tag} tomado para {op} por {worker}.",
    "pausar": "Spool {tag} pausado ({op}) por {worker}.",
    "completar": "{op} del spool {tag} completado por {worker}.",
}


def _single(request: HttpRequest, accion: str) -> JsonResponse:
    form_class = {"tomar": TomarForm, "pausar": PausarForm, "completar": CompletarForm}[accion]
    data = validate(form_class, json_body(request))
    worker = worker_get(worker_id=data["worker_id"])
    spool = spool_get(tag_spool=data["tag_spool"])
    operacion = data["operacion"] or spool.operacion_actual
    if accion == "tomar":
        spool = services.spool_take(
            spool=spool, worker=worker, operacion=data["operacion"], actor=request.user
        )
    elif accion == "pausar":
        spool = services.spool_pause(
            spool=spool, worker=worker, operacion=data["operacion"] or None, actor=request.user
        )
    else:
        spool = services.spool_complete(
            spool=spool,
            worker=worker,
            operacion=data["operacion"] or None,
            fecha=data["fecha_operacion"],
            actor=request.user,
        )
    message = _MESSAGES[accion].format(tag=spool.tag_spool, op=operacion, worker=worker.token)
    return ok(
        {"success": True, "tag_spool": spool.tag_spool, "message": message, "spool": spool_to_dict(spool)}
    )


def _batch(request: HttpRequest, accion: str) -> JsonResponse:
    data = validate(BatchTomarForm if accion == "tomar" else BatchForm, json_body(request))
    worker = worker_get(worker_id=data["worker_id"])
    outcomes = services.spool_batch(
        accion=accion,
        tags=data["tag_spools"],
        worker=worker,
        operacion=data["operacion"] or None,
        actor=request.user,
        fecha=data.get("fecha_operacion"),
    )
    return batch_response(outcomes)


@api_view("POST")
def tomar(request: HttpRequest) -> JsonResponse:
    """POST /api/occupation/tomar."""
    return _single(request, "tomar")


@api_view("POST")
def pausar(request: HttpRequest) -> JsonResponse:
    """POST /api/occupation/pausar."""
    return _single(request, "pausar")


@api_view("POST")
def completar(request: HttpRequest) -> JsonResponse:
    """POST /api/occupation/completar."""
    return _single(request, "completar")


@api_view("POST")
def batch_tomar(request: HttpRequest) -> JsonResponse:
    """POST /api/occupation/batch-tomar."""
    return _batch(request, "tomar")


@api_view("POST")
def batch_pausar(request: HttpRequest) -> JsonResponse:
    """POST /api/occupation/batch-pausar."""
    return _batch(request, "pausar")


@api_view("POST")
def batch_completar(request: HttpRequest) -> JsonResponse:
    """POST /api/occupation/batch-completar."""
    return _batch(request, "completar")
