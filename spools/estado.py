"""Estado_Detalle: the one-line description of a spool's combined state (DOMAIN §5)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spools.models import Spool

_HUMAN = {
    "pendiente": "pendiente",
    "en_progreso": "en progreso",
    "pausado": "pausado",
    "completado": "completado",
}


def estado_detalle(spool: Spool) -> str:
    """Derive the display string from the spool's fields; it is never parsed back."""
    arm, sold = _HUMAN[spool.arm], _HUMAN[spool.sold]
    if spool.ocupado_por_id is not None:
        token = spool.ocupado_por.token if spool.ocupado_por else f"({spool.ocupado_por_id})"
        return f"{token} trabajando {spool.operacion_actual} (ARM {arm}, SOLD {sold})"
    if spool.arm == "completado" and spool.sold == "completado":
        return "Disponible - ARM completado, SOLD completado, Metrología pendiente"
    return f"Disponible - ARM {arm}, SOLD {sold}"
