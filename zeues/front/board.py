"""The live occupation board (/tablero/) for supervisors and the wall TV."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Case, Count, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from spools.models import INSPECTABLE, EstadoCalidad, EstadoOperacion, Spool, stale_cutoff


def _counts() -> dict[str, int]:
    done = EstadoOperacion.COMPLETADO
    return Spool.objects.filter(activo=True).aggregate(
        total=Count("pk"),
        ocupados=Count("pk", filter=Q(ocupado_por__isnull=False)),
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


def board_context() -> dict[str, Any]:
    """Who holds what since when (stale flagged), the blocked spools, and counts per state."""
    cutoff = stale_cutoff()
    stale = Case(
        When(fecha_ocupacion__lt=cutoff, then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    occupied = list(
        Spool.objects.filter(ocupado_por__isnull=False)
        .select_related("ocupado_por")
        .annotate(stale=stale)
        .order_by("fecha_ocupacion")
    )
    return {
        "occupied": occupied,
        "blocked": list(Spool.objects.filter(calidad=EstadoCalidad.BLOQUEADO).order_by("tag_spool")[:200]),
        "counts": _counts(),
        "stale_count": sum(1 for s in occupied if s.stale),
        "now": timezone.now(),
    }


@require_GET
@vary_on_headers("HX-Request")
def board(request: HttpRequest) -> HttpResponse:
    """GET /tablero/ (add ?tv=1 for the wall TV): the page, or its live part for htmx."""
    context = {**board_context(), "tv": request.GET.get("tv") == "1"}
    if request.headers.get("HX-Request"):
        return render(request, "board/board.html#board", context)
    return render(request, "board/board.html", context)
