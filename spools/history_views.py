"""The spool history: search page, timeline page (/historial/) and its JSON twin (/api/history/)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from spools.history import SIN_CIERRE, EventRow, History, Session, spool_history
from spools.models import Spool
from spools.permissions import management_required
from spools.services import spool_get
from zeues.lib.api import api_view, ok

SEARCH_LIMIT = 100


@require_GET
@management_required
def search(request: HttpRequest) -> HttpResponse:
    """GET /historial/?q=: spools whose TAG contains q, or whose NV or OT is q."""
    q = request.GET.get("q", "").strip()
    results: list[Spool] = []
    if q:
        match = Q(tag_spool__icontains=q) | Q(nv__iexact=q) | Q(ot__iexact=q)
        results = list(Spool.objects.filter(match).order_by("tag_spool")[: SEARCH_LIMIT + 1])
    context = {"q": q, "results": results[:SEARCH_LIMIT], "more": len(results) > SEARCH_LIMIT}
    return render(request, "spools/history_search.html", context)


@require_GET
@management_required
def timeline(request: HttpRequest, tag: str) -> HttpResponse:
    """GET /historial/<tag>/: the spool's sessions, totals, metrología and supervisor acts."""
    spool = Spool.objects.filter(tag_spool=tag.strip()).first()
    if spool is None:
        raise Http404(f"No existe el spool «{tag}».")
    h = spool_history(spool)
    context = {"h": h, "rows": [session_row(x) for x in h.sessions]}
    return render(request, "spools/history.html", context)


def _text(value: datetime.datetime) -> str:
    # strftime on the local time: Django's `date` filter costs ~20 µs a call, and a long-lived
    # spool has hundreds of rows (bench/history.py).
    return timezone.localtime(value).strftime("%d-%m-%Y %H:%M:%S")


def session_row(s: Session) -> dict[str, Any]:
    """One session's table cells, formatted once in Python (the page's hot loop)."""
    start = timezone.localtime(s.start)
    end: str
    duration: str
    if s.en_curso:
        end = format_html("<strong>{}</strong>", _("en curso"))
        duration = format_html('<time data-since="{}">{}</time>', start.isoformat(), s.duration)
    else:
        end = format_html('<time datetime="{}">{}</time>', _iso(s.end), _text(s.end)) if s.end else "—"
        duration = s.duration
    cierre = (
        format_html('<span class="flag">{}</span>', _("sin cierre registrado"))
        if s.cierre == SIN_CIERRE
        else s.cierre
    )
    return {
        "worker": f"{s.worker_token} {s.worker_nombre}",
        "operacion": s.operacion,
        "start": format_html('<time datetime="{}">{}</time>', start.isoformat(), _text(start)),
        "end": end,
        "duration": duration,
        "cierre": cierre,
        "en_curso": s.en_curso,
    }


def _iso(value: Any) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


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
    """The API's answer: `{tag_spool, sessions, events}`."""
    return {
        "tag_spool": h.spool.tag_spool,
        "sessions": [session_to_dict(s) for s in h.sessions],
        "events": [event_to_dict(e) for e in h.events],
    }


@api_view("GET")
def api_history(request: HttpRequest, tag: str) -> JsonResponse:
    """GET /api/history/{tag}: the spool's sessions and raw events (404 SPOOL_NO_ENCONTRADO)."""
    return ok(history_to_dict(spool_history(spool_get(tag_spool=tag))))
