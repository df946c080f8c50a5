"""JSON API of TOMAR / PAUSAR / COMPLETAR, single and batch (v3-compatible), and what can be taken."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, JsonResponse

from occupation import actions
from occupation.forms import (
    BatchForm,
    BatchTomarForm,
    CompletarForm,
    FinalizarForm,
    IniciarQueryForm,
    OcupadosQueryForm,
    PausarForm,
    TomarForm,
)
from occupation.permissions import ensure_worker_can
from occupation.services import Finish, spool_finish
from spools.models import Accion, Spool, Worker
from spools.serializers import spool_to_dict
from spools.services import spool_get, worker_get
from zeues.lib.api import api_view, batch_response, json_body, ok, validate
from zeues.lib.dn import format_dn

FORMS = {Accion.TOMAR: TomarForm, Accion.PAUSAR: PausarForm, Accion.COMPLETAR: CompletarForm}
MESSAGES = {
    Accion.TOMAR: "Spool {tag} tomado para {op} por {worker}.",
    Accion.PAUSAR: "Spool {tag} pausado ({op}) por {worker}.",
    Accion.COMPLETAR: "{op} del spool {tag} completado por {worker}.",
}
DONE = {Accion.TOMAR: "tomado", Accion.PAUSAR: "pausado", Accion.COMPLETAR: "completado"}
DEFAULT_LIMIT = 1000


def _single(request: HttpRequest, accion: Accion) -> JsonResponse:
    data = validate(FORMS[accion], json_body(request))
    worker = worker_get(worker_id=data["worker_id"])
    spool = spool_get(tag_spool=data["tag_spool"])
    operacion = data["operacion"] or spool.operacion_actual
    request_ = actions.Request(
        spool=spool,
        worker=worker,
        actor=request.user,
        operacion=data["operacion"] or None,
        fecha=data.get("fecha_operacion"),
        uniones=data.get("uniones"),
    )
    spool = actions.get(request_.operacion, accion)(request_)
    message = MESSAGES[accion].format(tag=spool.tag_spool, op=operacion, worker=worker.token)
    return ok(
        {"success": True, "tag_spool": spool.tag_spool, "message": message, "spool": spool_to_dict(spool)}
    )


def _batch(request: HttpRequest, accion: Accion) -> JsonResponse:
    data = validate(BatchTomarForm if accion == Accion.TOMAR else BatchForm, json_body(request))
    operacion = data["operacion"] or None
    outcomes = actions.run_batch(
        data["tag_spools"],
        actions.get(operacion, accion),
        lambda spool: f"Spool {spool.tag_spool} {DONE[accion]}.",
        worker=worker_get(worker_id=data["worker_id"]),
        actor=request.user,
        operacion=operacion,
        fecha=data.get("fecha_operacion"),
    )
    return batch_response(outcomes)


@api_view("POST")
def tomar(request: HttpRequest) -> JsonResponse:
    """POST /api/occupation/tomar."""
    return _single(request, Accion.TOMAR)


@api_view("POST")
def pausar(request: HttpRequest) -> JsonResponse:
    """POST /api/occupation/pausar."""
    return _single(request, Accion.PAUSAR)


@api_view("POST")
def completar(request: HttpRequest) -> JsonResponse:
    """POST /api/occupation/completar."""
    return _single(request, Accion.COMPLETAR)


FINISHED: dict[str, str] = {
    Accion.PAUSAR: "{op} del spool {tag} pausado por {worker}",
    Accion.COMPLETAR: "{op} del spool {tag} completado por {worker}",
    Accion.LIBERAR: "Spool {tag} liberado por {worker} sin registrar uniones",
}


def finish_message(finish: Finish, operacion: str, worker: Worker) -> str:
    """The Spanish line of a finish: what happened, and the joints and PD recorded."""
    line = FINISHED[finish.accion].format(tag=finish.spool.tag_spool, op=operacion, worker=worker.token)
    if finish.uniones:
        listed = ", ".join(f"#{n}" for n in finish.uniones)
        line += (
            f": {len(finish.uniones)} unión(es) ({listed}), {format_dn(finish.pulgadas)} pulgadas-diámetro"
        )
    return line + "."


@api_view("POST")
def finalizar(request: HttpRequest) -> JsonResponse:
    """POST /api/occupation/finalizar: record the joints ticked; complete, pause or release."""
    data = validate(FinalizarForm, json_body(request))
    worker = worker_get(worker_id=data["worker_id"])
    spool = spool_get(tag_spool=data["tag_spool"])
    operacion = data["operacion"] or spool.operacion_actual
    finish = spool_finish(
        spool=spool,
        worker=worker,
        operacion=data["operacion"] or None,
        uniones=data["uniones"],
        fecha=data.get("fecha_operacion"),
        actor=request.user,
    )
    return ok(
        {
            "success": True,
            "tag_spool": finish.spool.tag_spool,
            "accion": finish.accion,
            "uniones_registradas": finish.uniones,
            "pulgadas": float(finish.pulgadas),
            "message": finish_message(finish, operacion, worker),
            "spool": spool_to_dict(finish.spool),
        }
    )


@api_view("POST")
def batch_tomar(request: HttpRequest) -> JsonResponse:
    """POST /api/occupation/batch-tomar."""
    return _batch(request, Accion.TOMAR)


@api_view("POST")
def batch_pausar(request: HttpRequest) -> JsonResponse:
    """POST /api/occupation/batch-pausar."""
    return _batch(request, Accion.PAUSAR)


@api_view("POST")
def batch_completar(request: HttpRequest) -> JsonResponse:
    """POST /api/occupation/batch-completar."""
    return _batch(request, Accion.COMPLETAR)


@api_view("GET")
def iniciar(request: HttpRequest) -> JsonResponse:
    """GET /api/spools/iniciar?operacion=ARM|SOLD[&worker_id=&q=&limit=]: what can be taken now."""
    params = validate(IniciarQueryForm, request.GET.dict())
    operacion = params["operacion"]
    if params["worker_id"]:
        ensure_worker_can(worker_get(worker_id=params["worker_id"]), operacion)
    qs = Spool.objects.available_for(operacion).select_related("armador", "soldador")
    if params["q"]:
        qs = qs.filter(Q(tag_spool__icontains=params["q"]) | Q(nv__iexact=params["q"]))
    total = qs.count()
    limit = params["limit"] or DEFAULT_LIMIT
    return ok({"spools": [spool_to_dict(s) for s in qs[:limit]], "total": total, "limit": limit})


@api_view("GET")
def ocupados(request: HttpRequest) -> JsonResponse:
    """GET /api/spools/ocupados?worker_id=: the spools that worker holds now."""
    params = validate(OcupadosQueryForm, request.GET.dict())
    worker = worker_get(worker_id=params["worker_id"])
    qs = Spool.objects.occupied_by(worker).with_people()
    items = [spool_to_dict(s) for s in qs]
    return ok({"worker_id": worker.pk, "spools": items, "total": len(items)})
