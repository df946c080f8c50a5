"""Read-only JSON API of spools and workers."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, JsonResponse

from occupation.permissions import ensure_worker_can
from spools.forms import IniciarQueryForm, OcupadosQueryForm
from spools.models import Spool, Worker
from spools.serializers import spool_to_dict, worker_to_dict
from spools.services import spool_get, worker_get
from zeues.lib.api import api_view, ok, validate

DEFAULT_LIMIT = 1000


@api_view("GET")
def workers(request: HttpRequest) -> JsonResponse:
    """GET /api/workers: active workers with their active roles."""
    active = Worker.objects.filter(activo=True).prefetch_related("roles")
    items = [worker_to_dict(w) for w in active]
    return ok({"workers": items, "total": len(items)})


@api_view("GET")
def spool_detail(request: HttpRequest, tag: str) -> JsonResponse:
    """GET /api/spools/{tag}."""
    return ok(spool_to_dict(spool_get(tag_spool=tag)))


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
    qs = Spool.objects.occupied_by(worker).select_related("ocupado_por", "armador", "soldador")
    items = [spool_to_dict(s) for s in qs]
    return ok({"worker_id": worker.pk, "spools": items, "total": len(items)})
