"""Estado_Detalle: the one-line description of a spool's combined state (docs/domain.md)."""

from __future__ import annotations

from typing import Any, Protocol

from django.conf import settings


class Spool(Protocol):
    """The fields of spools.models.Spool that the description reads."""

    arm: str
    sold: str
    calidad: str
    ciclo: int
    ocupado_por_id: int | None
    ocupado_por: Any
    operacion_actual: str


_HUMAN = {
    "pendiente": "pendiente",
    "en_progreso": "en progreso",
    "pausado": "pausado",
    "completado": "completado",
}


def ciclo_label(ciclo: int) -> str:
    """`Ciclo 2/3`, or `Ciclo 2` when the limit is 0 (unlimited)."""
    limit = settings.ZEUES_MAX_CICLOS
    return f"Ciclo {ciclo}/{limit}" if limit else f"Ciclo {ciclo}"


def _holder(spool: Spool) -> str:
    return spool.ocupado_por.token if spool.ocupado_por else f"({spool.ocupado_por_id})"


def _quality(spool: Spool) -> str | None:
    ciclo = ciclo_label(spool.ciclo)
    return {
        "aprobado": "METROLOGIA APROBADO ✓",
        "rechazado": f"RECHAZADO ({ciclo}) - Pendiente reparación",
        "en_reparacion": f"EN_REPARACION ({ciclo}) - Ocupado: {_holder(spool) if spool.ocupado_por_id else '-'}",
        "reparacion_pausada": f"REPARACION_PAUSADA ({ciclo})",
        "pendiente_metrologia": f"PENDIENTE_METROLOGIA ({ciclo})",
        "bloqueado": "BLOQUEADO - Contactar supervisor",
    }.get(spool.calidad)


def estado_detalle(spool: Spool) -> str:
    """Derive the display string from the spool's fields; it is never parsed back."""
    quality = _quality(spool)
    if quality is not None:
        return quality
    arm, sold = _HUMAN[spool.arm], _HUMAN[spool.sold]
    if spool.ocupado_por_id is not None:
        return f"{_holder(spool)} trabajando {spool.operacion_actual} (ARM {arm}, SOLD {sold})"
    if spool.arm == "completado" and spool.sold == "completado":
        return "Disponible - ARM completado, SOLD completado, Metrología pendiente"
    return f"Disponible - ARM {arm}, SOLD {sold}"
