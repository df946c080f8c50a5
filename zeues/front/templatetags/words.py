"""Filters that say the shop's codes in words: `{{ spool|en_palabras }}`, `{{ op|operacion }}`."""

from typing import Any

from django import template

from spools.models import Spool
from zeues.front import words

register = template.Library()


@register.filter
def en_palabras(spool: Spool) -> str:
    """The spool's state in words (the sheet keeps Estado_Detalle as it is)."""
    return words.estado(spool)


@register.filter
def operacion(code: str) -> str:
    """An operation as the shop writes it: ARM, SOLD, METROLOGÍA, REPARACIÓN."""
    return words.operacion(code)


@register.filter
def evento(tipo: str, details: dict[str, Any] | None = None) -> str:
    """An audit event type in words (`{{ e.evento_tipo|evento:e.details }}`)."""
    return words.evento(tipo, details)
