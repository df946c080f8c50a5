"""The live occupation board (/tablero/) for supervisors and the wall TV.

Current work comes first (the newest occupation on top); occupations older than
ZEUES_STALE_HOURS form their own group with a count (oldest first), collapsed unless the link
says `antiguas=1`. The list can be filtered by operation and worker; the filters live in the
query string, so a filtered board is a link to share and the live refresh (htmx re-fetches the
`#board` part on every stream event) keeps them. The TV (`tv=1`) shows the rows in pages of
`filas` rows (default TV_ROWS, which fits 1280×800) that static/board.js turns every
`segundos` seconds. A spool tracked joint by joint shows its progress (`ARM 3/7 · SOLD 1/6`)
beside the operation; the live refresh brings the new figures with the rest of the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import batched
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from spools import joints as spool_joints
from spools.models import (
    INSPECTABLE,
    Alerta,
    EstadoCalidad,
    EstadoOperacion,
    Operacion,
    Spool,
    Worker,
    stale_cutoff,
)
from zeues.front import words
from zeues.front.permissions import office_required
from zeues.lib.edge import query_int

TV_ROWS = 12  # rows per TV page: what a 1280×800 TV shows under the counts (tests/browser/test_board.py)
TV_ROWS_RANGE = (3, 40)
TV_SECONDS = 12  # seconds per TV page
TV_SECONDS_RANGE = (2, 300)
TV_BLOCKED_SHOWN = 8  # the TV names this many BLOQUEADO spools, then "y N más"


def _bounded(raw: str | None, default: int, bounds: tuple[int, int]) -> int:
    try:
        value = int(raw or "")
    except ValueError:
        return default
    return min(max(value, bounds[0]), bounds[1])


@dataclass(frozen=True)
class BoardQuery:
    """What the link asks for: filters, TV mode and its paging. Unknown values are ignored."""

    operacion: str = ""
    trabajador: int | None = None
    antiguas: bool = False
    tv: bool = False
    filas: int = TV_ROWS
    segundos: int = TV_SECONDS

    @classmethod
    def from_get(cls, get: QueryDict) -> BoardQuery:
        operacion = get.get("operacion", "")
        trabajador = get.get("trabajador", "")
        return cls(
            operacion=operacion if operacion in Operacion.values else "",
            trabajador=query_int(trabajador, None),
            antiguas=get.get("antiguas") == "1",
            tv=get.get("tv") == "1",
            filas=_bounded(get.get("filas"), TV_ROWS, TV_ROWS_RANGE),
            segundos=_bounded(get.get("segundos"), TV_SECONDS, TV_SECONDS_RANGE),
        )

    @property
    def filtered(self) -> bool:
        return bool(self.operacion) or self.trabajador is not None

    def params(self, **change: Any) -> dict[str, str]:
        """The query string's parameters (defaults left out), with `change` applied."""
        values = {**self.__dict__, **change}
        out: dict[str, str] = {}
        if values["tv"]:
            out["tv"] = "1"
        if values["operacion"]:
            out["operacion"] = values["operacion"]
        if values["trabajador"] is not None:
            out["trabajador"] = str(values["trabajador"])
        if values["antiguas"]:
            out["antiguas"] = "1"
        if values["tv"] and values["filas"] != TV_ROWS:
            out["filas"] = str(values["filas"])
        if values["tv"] and values["segundos"] != TV_SECONDS:
            out["segundos"] = str(values["segundos"])
        return out

    def url(self, **change: Any) -> str:
        query = urlencode(self.params(**change))
        return reverse("board") + (f"?{query}" if query else "")


def _counts() -> dict[str, int]:
    done = EstadoOperacion.COMPLETADO
    return Spool.objects.filter(activo=True).aggregate(
        total=Count("pk"),
        ocupados=Count("pk", filter=Q(ocupado_por__isnull=False)),
        antiguos=Count("pk", filter=Q(ocupado_por__isnull=False, fecha_ocupacion__lt=stale_cutoff())),
        arm_pendiente=Count("pk", filter=Q(arm=EstadoOperacion.PENDIENTE)),
        arm_en_progreso=Count("pk", filter=Q(arm=EstadoOperacion.EN_PROGRESO)),
        arm_pausado=Count("pk", filter=Q(arm=EstadoOperacion.PAUSADO)),
        sold_en_progreso=Count("pk", filter=Q(sold=EstadoOperacion.EN_PROGRESO)),
        sold_pausado=Count("pk", filter=Q(sold=EstadoOperacion.PAUSADO)),
        metrologia_pendiente=Count("pk", filter=Q(arm=done, sold=done, calidad__in=INSPECTABLE)),
        rechazados=Count("pk", filter=Q(calidad=EstadoCalidad.RECHAZADO)),
        en_reparacion=Count(
            "pk", filter=Q(calidad__in=[EstadoCalidad.EN_REPARACION, EstadoCalidad.REPARACION_PAUSADA])
        ),
        bloqueados=Count("pk", filter=Q(calidad=EstadoCalidad.BLOQUEADO)),
        aprobados=Count("pk", filter=Q(calidad=EstadoCalidad.APROBADO)),
    )


def _tv_pages(current: list[Spool], stale: list[Spool], q: BoardQuery) -> list[dict[str, Any]]:
    """The TV's pages: current work, then (with `antiguas=1`) the stale group; never mixed."""
    groups = [("current", current)] + ([("stale", stale)] if q.antiguas else [])
    pages = []
    for group, rows in groups:
        for i, chunk in enumerate(batched(rows, q.filas)):
            first = i * q.filas + 1
            last = first + len(chunk) - 1
            pages.append({"group": group, "rows": chunk, "first": first, "last": last, "of": len(rows)})
    if not current:  # the TV still says that nobody is working
        pages.insert(0, {"group": "current", "rows": (), "first": 0, "last": 0, "of": 0})
    for number, page in enumerate(pages, start=1):
        page["number"] = number
    return pages


def _filter_label(q: BoardQuery, workers: list[Worker]) -> str:
    parts = [words.operacion(q.operacion)] if q.operacion else []
    if q.trabajador is not None:
        found = next((w for w in workers if w.pk == q.trabajador), None)
        parts.append(found.token if found else f"({q.trabajador})")
    return " · ".join(parts)


def board_context(q: BoardQuery | None = None) -> dict[str, Any]:
    """Current work first, stale occupations grouped, blocked spools, counts; filtered by `q`."""
    q = q or BoardQuery()
    cutoff = stale_cutoff()
    occupied = Spool.objects.filter(ocupado_por__isnull=False).select_related("ocupado_por")
    if q.operacion:
        occupied = occupied.filter(operacion_actual=q.operacion)
    if q.trabajador is not None:
        occupied = occupied.filter(ocupado_por_id=q.trabajador)
    current = list(occupied.filter(fecha_ocupacion__gte=cutoff).order_by("-fecha_ocupacion", "tag_spool"))
    stale = list(occupied.filter(fecha_ocupacion__lt=cutoff).order_by("fecha_ocupacion", "tag_spool"))
    for s in stale:
        s.stale = True  # type: ignore[attr-defined]
    for s in (*current, *stale):
        # `ARM 3/7 · SOLD 1/6` from the spool row's own figures (no query); "" for a whole spool,
        # and left out in metrología and repair, where every joint is done.
        fitting = s.operacion_actual in (Operacion.ARM, Operacion.SOLD)
        s.progreso = spool_joints.label(s) if fitting else ""  # type: ignore[attr-defined]
    shown = Q(activo=True) | Q(pk=q.trabajador) if q.trabajador is not None else Q(activo=True)
    workers = list(Worker.objects.filter(shown).order_by("pk"))
    blocked = list(Spool.objects.filter(calidad=EstadoCalidad.BLOQUEADO).order_by("tag_spool")[:200])
    return {
        "q": q,
        "current": current,
        "stale": stale,
        "occupied_count": len(current) + len(stale),
        "blocked": blocked,
        "alerts": list(
            Alerta.objects.abiertas().select_related("spool", "llamada_por").order_by("creada_en")[:20]
        ),
        "blocked_tv": blocked[:TV_BLOCKED_SHOWN],
        "blocked_more": max(0, len(blocked) - TV_BLOCKED_SHOWN),
        "counts": _counts(),
        "stale_hours": settings.ZEUES_STALE_HOURS,
        "pages": _tv_pages(current, stale, q) if q.tv else [],
        "operaciones": [(op, words.operacion(op)) for op in Operacion.values],
        "workers": workers,
        "filter_label": _filter_label(q, workers),
        "live_url": q.url(),
        "tv_url": q.url(tv=True),
        "clear_url": q.url(operacion="", trabajador=None),
        "now": timezone.now(),
    }


@require_GET
@vary_on_headers("HX-Request")
@office_required
def board(request: HttpRequest) -> HttpResponse:
    """GET /tablero/ (?tv=1 for the wall TV; ?operacion=, ?trabajador=, ?antiguas=1 filter and open
    the stale group; ?filas= and ?segundos= size the TV's pages): the page, or its live part for htmx."""
    context = board_context(BoardQuery.from_get(request.GET))
    if request.headers.get("HX-Request"):
        return render(request, "board/board.html#board", context)
    return render(request, "board/board.html", context)
