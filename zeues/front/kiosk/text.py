"""Sentences for the kiosk's screens: the shop's codes in words, dates that never wrap.

The services' messages are written for every client (API, admin); a few carry a code
(`REPARACION`, a spool's Estado_Detalle `EN_REPARACION (Ciclo 1/3)`). On the kiosk they are
said in words (zeues/front/words.py), and a date keeps its pieces on one line.
"""

from __future__ import annotations

import datetime
import re

from django.utils import timezone

from spools.models import Operacion, Spool
from zeues.front import words

NBSP, NB_HYPHEN = "\u00a0", "\u2011"
_DATE = re.compile(r"\b(\d{1,2})-(\d{1,2})(?:-(\d{4}))?(?: (\d{1,2}:\d{2}))?\b")
_OPERATION = re.compile(r"\b(REPARACION|METROLOGIA)\b")
# A quality state as Estado_Detalle spells it, when the message is not about a spool at hand.
_RAW_STATE = re.compile(
    r"\b(PENDIENTE_METROLOGIA|EN_REPARACION|REPARACION_PAUSADA|RECHAZADO|BLOQUEADO) \(Ciclo (\d+)/\d+\)"
)
_STATE_WORDS = {
    "PENDIENTE_METROLOGIA": "reparado, espera metrología",
    "EN_REPARACION": "en reparación",
    "REPARACION_PAUSADA": "reparación pausada",
    "RECHAZADO": "rechazado, espera reparación",
    "BLOQUEADO": "bloqueado",
}


def nowrap_dates(text: str) -> str:
    """`01-12-2026 10:42` with non-breaking hyphens and space: never "01-" on one line, "12-2026" on the next."""

    def glue(match: re.Match[str]) -> str:
        day, month, year, clock = match.groups()
        value = NB_HYPHEN.join(p for p in (day, month, year) if p)
        return value + (NBSP + clock if clock else "")

    return _DATE.sub(glue, text)


def in_words(message: str, spool: Spool | None = None) -> str:
    """A service's message as the kiosk says it: operations with their accents, states in words."""
    if spool is not None and spool.estado_detalle and spool.estado_detalle in message:
        message = message.replace(spool.estado_detalle, words.estado(spool))
    message = _RAW_STATE.sub(
        lambda m: f"{_STATE_WORDS[m.group(1)]} · {words.intento(int(m.group(2)))}", message
    )
    message = _OPERATION.sub(lambda m: words.operacion(Operacion(m.group(1))), message)
    return nowrap_dates(message)


def elapsed(since: datetime.datetime, now: datetime.datetime | None = None) -> str:
    """How long since `since`, as the held rows say it after "llevas": `12 min`, `1 h 12 min`, `2 d 3 h`."""
    seconds = max(0, int(((now or timezone.now()) - since).total_seconds()))
    days, hours, minutes = seconds // 86_400, seconds % 86_400 // 3600, seconds % 3600 // 60
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"
