"""Read-only JSON API of master data: workers, the defect catalogue, and one spool by its tag."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from spools.models import Defecto, Worker
from spools.serializers import defect_to_dict, spool_detail_to_dict, worker_to_dict
from spools.services import spool_get
from zeues.lib.api import api_view, ok


@api_view("GET")
def workers(request: HttpRequest) -> JsonResponse:
    """GET /api/workers: active workers with their active roles."""
    active = Worker.objects.filter(activo=True).prefetch_related("roles")
    items = [worker_to_dict(w) for w in active]
    return ok({"workers": items, "total": len(items)})


@api_view("GET")
def spool_detail(request: HttpRequest, tag: str) -> JsonResponse:
    """GET /api/spools/{tag}: the spool, its joints and their progress."""
    return ok(spool_detail_to_dict(spool_get(tag_spool=tag)))


@api_view("GET")
def defectos(request: HttpRequest) -> JsonResponse:
    """GET /api/defectos: the defect catalogue a RECHAZADO names (inactive ones flagged)."""
    items = [defect_to_dict(d) for d in Defecto.objects.all()]
    return ok({"defectos": items, "total": len(items)})
