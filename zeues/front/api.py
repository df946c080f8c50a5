"""JSON endpoints of the pages: health, the live stream, the board's list, a spool's history.

Like every JSON view they go through zeues.lib.api (bearer token, error envelope); the workflows'
own endpoints are in occupation/, metrologia/ and reparacion/api.py.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_eventstream import views as eventstream_views

import zeues
from spools.joints import progress_to_dict
from spools.models import Spool
from spools.serializers import rejection_to_dict
from spools.services import spool_get
from zeues.front.errors import SinPermiso
from zeues.front.health import check_database, check_redis, check_sheets
from zeues.front.permissions import KIOSK, OFFICE, may_open, own_auth, public
from zeues.lib import live
from zeues.lib.api import api_view, bearer_user, error_response, ok
from zeues.lib.errors import NoAutenticado, RecursoNoEncontrado, ServicioNoDisponible
from zeues.reports.history import EventRow, History, JointRow, JointWork, Session, spool_history


@api_view("GET")
def health(request: HttpRequest) -> JsonResponse:
    """GET /api/health: database, Redis, the Sheets mirror and version; 503 when a dependency is down."""
    database, redis_state = check_database(), check_redis()
    healthy = database == "ok" and not redis_state.startswith("error")
    payload = {
        "status": "ok" if healthy else "degradado",
        "database": database,
        "database_engine": connection.vendor,
        "redis": redis_state,
        "sheets": check_sheets(),
        "version": zeues.__version__,
    }
    return ok(payload, status=200 if healthy else 503)


@public
def api_not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Unknown /api/ paths answer in the envelope, not with an HTML page."""
    return error_response(RecursoNoEncontrado(data={"path": request.path}))


# --- the board's list -------------------------------------------------------------------


def occupied_item(spool: Spool) -> dict[str, Any]:
    """One occupied spool as /api/dashboard/occupied lists it."""
    return {
        "tag_spool": spool.tag_spool,
        "worker_nombre": spool.ocupado_por.token if spool.ocupado_por else None,
        "operacion": spool.operacion_actual,
        "estado_detalle": spool.estado_detalle,
        "fecha_ocupacion": timezone.localtime(spool.fecha_ocupacion).isoformat()
        if spool.fecha_ocupacion
        else None,
    }


@api_view("GET")
def dashboard_occupied(request: HttpRequest) -> JsonResponse:
    """GET /api/dashboard/occupied: the board's occupied spools as JSON, oldest first."""
    spools = (
        Spool.objects.filter(ocupado_por__isnull=False)
        .select_related("ocupado_por")
        .order_by("fecha_ocupacion")
    )
    return ok([occupied_item(s) for s in spools], safe=False)


# --- a spool's history ------------------------------------------------------------------


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None  # already in the shop's zone (spool_events)


def session_to_dict(s: Session) -> dict[str, Any]:
    """One session as /api/history lists it."""
    return {
        "worker_nombre": s.worker_token,
        "worker_id": s.worker_id,
        "operacion": s.operacion,
        "start_time": _iso(s.start),
        "end_time": _iso(s.end),
        "duration": s.duration if s.duration_seconds is not None else None,
        "duration_seconds": s.duration_seconds,
        "en_curso": s.en_curso,
        "cierre": s.cierre or None,
        # The joints the session recorded and their PD; null when its close names none.
        "uniones": s.uniones,
        "pulgadas": float(s.pulgadas) if s.pulgadas is not None else None,
    }


def _joint_work(w: JointWork | None) -> dict[str, Any] | None:
    if w is None:
        return None
    return {
        "worker": w.worker_token or None,
        "worker_id": w.worker_id,
        "inicio": _iso(w.inicio),
        "fin": _iso(w.fin),
        "segundos": w.seconds,
    }


def joint_to_dict(j: JointRow) -> dict[str, Any]:
    """One joint as /api/history lists it (the shape of /api/spools/{tag}'s, plus seconds)."""
    ndt = None
    if j.has_ndt:
        ndt = {
            "metodo": j.ndt_metodo or None,
            "informe": j.ndt_informe or None,
            "fecha": _iso(j.ndt_fecha),
            "resultado": j.ndt_resultado or None,
        }
    return {
        "n_union": j.n_union,
        "dn": float(j.dn),
        "tipo": j.tipo,
        "anulada": j.anulada,
        "motivo_anulacion": j.motivo or None,
        "arm": _joint_work(j.arm),
        "sold": _joint_work(j.sold),
        "ndt": ndt,
    }


def event_to_dict(e: EventRow) -> dict[str, Any]:
    """One audit event as /api/history lists it."""
    return {
        "id": str(e.id),
        "timestamp": _iso(e.timestamp),
        "evento_tipo": e.evento_tipo,
        "worker_nombre": e.worker_token or None,
        "operacion": e.operacion,
        "accion": e.accion,
        "details": e.details,
    }


def history_to_dict(h: History) -> dict[str, Any]:
    """The API's answer: `{tag_spool, ultimo_rechazo, progreso, sessions, uniones, events}`."""
    return {
        "tag_spool": h.spool.tag_spool,
        "ultimo_rechazo": rejection_to_dict(h.spool),
        "progreso": progress_to_dict(h.spool),
        "sessions": [session_to_dict(s) for s in h.sessions],
        "uniones": [joint_to_dict(j) for j in h.joints],
        "events": [event_to_dict(e) for e in h.events],
    }


@api_view("GET")
def api_history(request: HttpRequest, tag: str) -> JsonResponse:
    """GET /api/history/{tag}: the spool's sessions, joints and raw events (404 SPOOL_NO_ENCONTRADO)."""
    return ok(history_to_dict(spool_history(spool_get(tag_spool=tag))))


# --- the live stream --------------------------------------------------------------------


def _stream_user(request: HttpRequest) -> object | None:
    """The logged-in user, or the owner of a valid bearer token; None otherwise."""
    if request.user.is_authenticated:
        return request.user
    return bearer_user(request)


# The stream's own check (a session or a token), so the access middleware leaves it alone.
@own_auth
@require_GET
def sse_stream(request: HttpRequest) -> HttpResponse:
    """GET /api/sse/stream: every spool change, live (django-eventstream; replay by Last-Event-ID)."""
    user = _stream_user(request)
    if user is None:
        return error_response(NoAutenticado())
    # A session is a page's: the kiosk's and the office's hear the stream, a plain account not.
    if request.user.is_authenticated and not may_open(request.user, frozenset({KIOSK, OFFICE})):
        return error_response(SinPermiso())
    if isinstance(request, WSGIRequest):
        # Plain WSGI (e.g. a test server) cannot stream; 204 tells EventSource not to retry.
        return HttpResponse(status=204)
    if settings.REDIS_URL and check_redis() != "ok":
        return error_response(
            ServicioNoDisponible("El canal en vivo no está disponible (Redis no responde).")
        )
    request.user = user  # type: ignore[assignment]
    response = eventstream_views.events(request, channels=[live.CHANNEL])
    # A stream lives for hours: it must not keep this request's database connection.
    connections.close_all()
    return response
