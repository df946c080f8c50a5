"""The mirror's health: lag, backlog, last success, last error, pause reason."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone

from spools.models import Event, EventType
from zeues.models import SheetSpoolChange, SheetSyncState, SheetUnionChange

# Beyond this lag (seconds) the mirror is reported as behind ("atrasado").
BEHIND_AFTER = 60


def _iso(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _pending(outbox: type[SheetSpoolChange] | type[SheetUnionChange]) -> dict[str, Any]:
    """Rows of one outbox, those with a problem, and the oldest change without one (the lag)."""
    return outbox.objects.aggregate(
        total=Count("pk"),
        con_problema=Count("pk", filter=~Q(problema="")),
        oldest=Min("first_change_at", filter=Q(problema="")),
    )


def backlog() -> dict[str, Any]:
    """What the sheet has not received: spools and joints (with or without a row problem), events."""
    cursor = SheetSyncState.objects.filter(pk=1).values_list("event_cursor", flat=True).first() or 0
    spools, unions = _pending(SheetSpoolChange), _pending(SheetUnionChange)
    events = Event.objects.filter(seq__gt=cursor, spool__isnull=False).exclude(evento_tipo=EventType.IMPORT)
    oldest_event = events.order_by("seq").values_list("timestamp", flat=True).first()
    candidates = (spools["oldest"], unions["oldest"], oldest_event)
    oldest = min((t for t in candidates if t is not None), default=None)
    return {
        "spools": spools["total"],
        "spools_sin_fila": spools["con_problema"],
        "uniones": unions["total"],
        "uniones_sin_fila": unions["con_problema"],
        "eventos": events.count(),
        "desde": oldest,
    }


def mirror_status() -> dict[str, Any]:
    """The mirror's state for /api/health and admin (JSON-ready)."""
    state = SheetSyncState.objects.filter(pk=1).first() or SheetSyncState()
    pending = backlog()
    now = timezone.now()
    lag = (now - pending["desde"]).total_seconds() if pending["desde"] else 0.0
    failing = bool(state.last_error_at) and (
        state.last_success_at is None or state.last_error_at > state.last_success_at  # type: ignore[operator]
    )
    avisos = state.avisos or {}
    # A joints-only pause (Uniones lacks a column ZEUES writes) is a pause people must fix too.
    pausado = state.paused_reason or avisos.get("uniones_pausado", "")
    if not settings.GOOGLE_SHEET_ID:
        estado = "desactivado"
    elif pausado:
        estado = "pausado"
    elif failing:
        estado = "error"
    elif lag > BEHIND_AFTER:
        estado = "atrasado"
    else:
        estado = "ok"
    return {
        "estado": estado,
        "atraso_segundos": round(lag, 1),
        "pendientes_spools": pending["spools"],
        "pendientes_eventos": pending["eventos"],
        "spools_sin_fila": pending["spools_sin_fila"],
        "pendientes_uniones": pending["uniones"],
        "uniones_sin_fila": pending["uniones_sin_fila"],
        "ultimo_exito": _iso(state.last_success_at),
        "ultimo_ciclo": _iso(state.last_cycle_at),
        "ultimo_error": state.last_error if failing else "",
        "ultimo_error_en": _iso(state.last_error_at),
        "pausado": pausado,
        "uniones_pausado": avisos.get("uniones_pausado", ""),
        "avisos": avisos,
    }
