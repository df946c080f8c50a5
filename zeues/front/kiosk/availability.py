"""What a worker can do right now with each spool, and why not — for the kiosk's lists.

Never a second copy of the rules: each row is evaluated with the same check functions the
services run before acting, and a refusal's data becomes a short Spanish reason.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from metrologia.exceptions import YaAprobado
from metrologia.services import check_inspectable
from occupation.exceptions import SpoolOcupado
from occupation.services import check_take
from reparacion.exceptions import NoReparable
from reparacion.services import check_repair_take
from spools.exceptions import SpoolBloqueado, SpoolInactivo
from spools.models import (
    STARTED,
    Accion,
    Alerta,
    EstadoCalidad,
    EstadoOperacion,
    Operacion,
    Resultado,
    Spool,
    Worker,
    available_q,
)
from zeues.front import words
from zeues.front.kiosk import codes, text
from zeues.front.kiosk.joints import TERMINAR
from zeues.front.words import ESTADO_OPERACION
from zeues.lib.errors import ZeuesError

TOMAR, PAUSAR, COMPLETAR, CANCELAR = Accion.TOMAR, Accion.PAUSAR, Accion.COMPLETAR, Accion.CANCELAR
# The kiosk's own step before a verdict: choose spools, then the result on a screen of its own.
INSPECCIONAR = "INSPECCIONAR"
OPERATIONS = (Operacion.ARM, Operacion.SOLD, Operacion.METROLOGIA, Operacion.REPARACION)
ACTIONS_BY_OPERATION: dict[str, tuple[str, ...]] = {
    Operacion.ARM: (TOMAR, PAUSAR, COMPLETAR),
    Operacion.SOLD: (TOMAR, PAUSAR, COMPLETAR),
    # Inspectors choose spools, then the result on a screen with two huge buttons.
    Operacion.METROLOGIA: (INSPECCIONAR,),
    Operacion.REPARACION: (TOMAR, PAUSAR, COMPLETAR, CANCELAR),
}
RESULTS = tuple(Resultado)
# Run on one tap: each is undone by the other (a paused spool is taken again, a taken one paused).
# COMPLETAR, CANCELAR and the verdicts cannot be undone: they ask to confirm.
ONE_TAP = (TOMAR, PAUSAR)
PAGE_SIZE = 30
READY, OFF = "ready", "off"  # the list's two groups: can act now, cannot (collapsed, with reasons)


@dataclass
class Row:
    """One spool as the kiosk shows it to one worker."""

    spool: Spool
    actions: list[str] = field(default_factory=list)
    reason: str = ""
    operacion: str = ""
    key: str = ""  # the one-time key of the row's one-tap form (TOMAR, PAUSAR), set by the view
    alerta: Alerta | None = None  # a blocked spool's open alert: supervisors already called

    @property
    def mine(self) -> bool:
        return bool(self.actions) and (PAUSAR in self.actions or TERMINAR in self.actions)

    @property
    def held_since(self) -> datetime.datetime | None:
        """When the worker took the spool they hold (the running timer's start)."""
        return self.spool.fecha_ocupacion if self.mine else None

    @property
    def held_for(self) -> str:
        return text.elapsed(self.spool.fecha_ocupacion) if self.mine and self.spool.fecha_ocupacion else ""

    @property
    def one_tap(self) -> list[str]:
        """Actions that run at once (they are undone by the other one); the rest ask to confirm."""
        return [a for a in self.actions if a in ONE_TAP]

    @property
    def confirmed(self) -> list[str]:
        return [a for a in self.actions if a not in ONE_TAP]


def _since(value: str | None) -> str:
    if not value:
        return "?"
    moment = timezone.localtime(datetime.datetime.fromisoformat(value))
    return f"{moment:%H:%M}" if moment.date() == timezone.localdate() else f"{moment:%d-%m %H:%M}"


_MISSING = {
    "Fecha_Materiales": "faltan materiales",
    "ARM iniciado": "falta empezar el ARM",
    "REPARACION completada": "falta completar la REPARACIÓN",
}


def short_reason(error: ZeuesError) -> str:
    """A refusal in a few words for a greyed-out row ("ocupado por MR(93) desde 10:42")."""
    data = error.data
    if isinstance(error, SpoolOcupado) and data.get("ocupado_por"):
        return text.nowrap_dates(
            f"ocupado por {data['ocupado_por']} desde {_since(data.get('fecha_ocupacion'))}"
        )
    if isinstance(error, SpoolBloqueado):
        return "BLOQUEADO: requiere supervisor"
    if isinstance(error, YaAprobado):
        return "ya aprobado en metrología"
    if isinstance(error, NoReparable):
        return "no espera reparación"
    if isinstance(error, SpoolInactivo):
        return "spool inactivo"
    falta = data.get("falta")
    if isinstance(falta, str) and falta in _MISSING:
        return _MISSING[falta]
    if falta:
        return "falta " + (" y ".join(falta) if isinstance(falta, list) else str(falta))
    estado, operacion = data.get("estado"), data.get("operacion")
    if estado in ESTADO_OPERACION and operacion:
        return f"{words.operacion(operacion)} {ESTADO_OPERACION[estado]}"
    return text.in_words(error.message)


def _held_actions(spool: Spool, operacion: str) -> tuple[list[str], str]:
    if operacion == Operacion.REPARACION:
        return [PAUSAR, COMPLETAR, CANCELAR], ""
    if spool.uniones_total:
        # A spool with joints: the holder ticks the joints done («Terminar»), which pauses,
        # completes or releases it (zeues/front/kiosk/joints.py).
        return [TERMINAR], ""
    if operacion == Operacion.SOLD and spool.arm != EstadoOperacion.COMPLETADO:
        return [PAUSAR], "falta ARM completado para COMPLETAR"
    return [PAUSAR, COMPLETAR], ""


def evaluate(spool: Spool, worker: Worker, operacion: str) -> Row:
    """The actions `worker` may take on `spool` for `operacion` now, or the reason there are none.

    A blocked spool also says whether its supervisors were already called (its open alert).
    """
    row = _evaluate(spool, worker, operacion)
    if spool.bloqueado:
        row.alerta = Alerta.objects.abiertas().filter(spool=spool).first()
    return row


def _evaluate(spool: Spool, worker: Worker, operacion: str) -> Row:
    if spool.ocupado_por_id == worker.pk and spool.operacion_actual == operacion and not spool.bloqueado:
        actions, note = _held_actions(spool, operacion)
        return Row(spool, actions, note, operacion)
    try:
        if operacion == Operacion.METROLOGIA:
            check_inspectable(spool, worker)
            return Row(spool, [INSPECCIONAR], operacion=operacion)
        if operacion == Operacion.REPARACION:
            check_repair_take(spool, worker)
            paused = spool.calidad == EstadoCalidad.REPARACION_PAUSADA
            return Row(spool, [TOMAR, CANCELAR] if paused else [TOMAR], operacion=operacion)
        check_take(spool, worker, operacion)
        return Row(spool, [TOMAR], operacion=operacion)
    except ZeuesError as error:
        return Row(spool, [], short_reason(error), operacion)


def relevant(operacion: str) -> QuerySet[Spool]:
    """Spools an operation's list shows: those it could act on now or once something changes."""
    qs = Spool.objects.filter(activo=True).with_people()
    open_states = (EstadoOperacion.PENDIENTE, EstadoOperacion.PAUSADO, EstadoOperacion.EN_PROGRESO)
    if operacion == Operacion.ARM:
        return qs.filter(arm__in=open_states)
    if operacion == Operacion.SOLD:
        return qs.filter(sold__in=open_states, arm__in=STARTED)
    if operacion == Operacion.METROLOGIA:
        return qs.filter(arm=EstadoOperacion.COMPLETADO, sold=EstadoOperacion.COMPLETADO).exclude(
            calidad=EstadoCalidad.APROBADO
        )
    return qs.filter(
        calidad__in=[
            EstadoCalidad.RECHAZADO,
            EstadoCalidad.EN_REPARACION,
            EstadoCalidad.REPARACION_PAUSADA,
            EstadoCalidad.BLOQUEADO,
        ]
    )


def search(qs: QuerySet[Spool], q: str) -> QuerySet[Spool]:
    """TAG (any part, any case; a label's URL works), NV or OT."""
    q = codes.clean(q)
    if not q:
        return qs
    return qs.filter(Q(tag_spool__icontains=q) | Q(nv__iexact=q) | Q(ot__iexact=q))


def _groups(
    worker: Worker, operacion: str, q: str
) -> tuple[QuerySet[Spool], QuerySet[Spool], QuerySet[Spool]]:
    """The list's spools (`base`), the worker's own (`mine`), and those free for this operation now.

    `free` only orders the list: `Spool.objects.available_for` (the same conditions the services
    check, as a query) brings the actionable spools to the top; the buttons and the reasons of
    every row shown still come from `evaluate`, i.e. from the services' own checks. `free` is
    combined with `&` (one WHERE, no subquery) so a page is a walk of the tag index, not a sort.
    """
    base = search(relevant(operacion), q)
    return base, base.filter(ocupado_por=worker), base & Spool.objects.available_for(operacion)


@dataclass
class Counts:
    """How many spools of the list the worker can act on now (`ready`), and how many not (`off`)."""

    ready: int
    off: int

    @property
    def total(self) -> int:
        return self.ready + self.off


def counts(worker: Worker, operacion: str, *, q: str = "") -> Counts:
    """Both groups' sizes, in one scan of the list's spools."""
    base, _, _ = _groups(worker, operacion, q)
    totals = base.aggregate(
        total=Count("pk"),
        mine=Count("pk", filter=Q(ocupado_por=worker)),
        free=Count("pk", filter=available_q(operacion) or Q(pk__in=[])),
    )
    ready = totals["mine"] + totals["free"]
    return Counts(ready, totals["total"] - ready)


def rows_for(
    worker: Worker,
    operacion: str,
    *,
    q: str = "",
    offset: int = 0,
    limit: int = PAGE_SIZE,
    group: str = READY,
) -> list[Row]:
    """One page of one group of the operation's list for `worker`, each group in tag order.

    READY: their own spools, then those free for them now; OFF: the rest, with their reasons.
    """
    base, mine, free = _groups(worker, operacion, q)
    if group == OFF:
        off = base.exclude(ocupado_por=worker).exclude(
            pk__in=Spool.objects.available_for(operacion).values("pk")
        )
        spools = list(off.order_by("tag_spool")[offset : offset + limit])
    else:
        spools = list(mine.order_by("tag_spool")[offset : offset + limit])
        if len(spools) < limit:
            start = max(0, offset - mine.count()) if not spools else 0
            spools += list(free.order_by("tag_spool")[start : start + limit - len(spools)])
    return [evaluate(s, worker, operacion) for s in spools]


def explain(worker: Worker, operacion: str, q: str) -> Row | None:
    """A searched tag that is not on the operation's list at all: the spool, and why not."""
    spool = codes.find_spool(q)
    return evaluate(spool, worker, operacion) if spool is not None else None


def for_spool(spool: Spool, worker: Worker, operaciones: list[str]) -> list[Row]:
    """A scanned spool's rows for `worker`: one per operation whose list shows it."""
    rows = []
    for operacion in operaciones:
        if relevant(operacion).filter(pk=spool.pk).exists():
            rows.append(evaluate(spool, worker, operacion))
    return rows


def held_by(worker: Worker) -> list[Row]:
    """Every spool the worker holds now, whatever the operation ("Mis spools")."""
    spools = Spool.objects.occupied_by(worker).with_people().order_by("fecha_ocupacion")
    return [evaluate(s, worker, s.operacion_actual) for s in spools]
