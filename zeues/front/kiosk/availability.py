"""What a worker can do right now with each spool, and why not — for the kiosk's lists.

Never a second copy of the rules: each row is evaluated with the same check functions the
services run before acting, and a refusal's data becomes a short Spanish reason.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from metrologia.services import check_inspectable
from occupation.exceptions import SpoolOcupado
from occupation.services import check_take
from reparacion.services import check_repair_take
from spools.exceptions import SpoolBloqueado
from spools.models import STARTED, Accion, EstadoCalidad, EstadoOperacion, Operacion, Resultado, Spool, Worker
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
PAGE_SIZE = 30


@dataclass
class Row:
    """One spool as the kiosk shows it to one worker."""

    spool: Spool
    actions: list[str] = field(default_factory=list)
    reason: str = ""

    @property
    def mine(self) -> bool:
        return bool(self.actions) and PAUSAR in self.actions


def _since(value: str | None) -> str:
    if not value:
        return "?"
    moment = timezone.localtime(datetime.datetime.fromisoformat(value))
    return f"{moment:%H:%M}" if moment.date() == timezone.localdate() else f"{moment:%d-%m %H:%M}"


def short_reason(error: ZeuesError) -> str:
    """A refusal in a few words for a greyed-out row ("ocupado por MR(93) desde 10:42")."""
    data = error.data
    if isinstance(error, SpoolOcupado) and data.get("ocupado_por"):
        return f"ocupado por {data['ocupado_por']} desde {_since(data.get('fecha_ocupacion'))}"
    if isinstance(error, SpoolBloqueado):
        return "BLOQUEADO: requiere supervisor"
    falta = data.get("falta")
    if falta == "Fecha_Materiales":
        return "faltan materiales"
    if falta:
        return "falta " + (" y ".join(falta) if isinstance(falta, list) else str(falta))
    return error.message


def _held_actions(spool: Spool, operacion: str) -> tuple[list[str], str]:
    if operacion == Operacion.REPARACION:
        return [PAUSAR, COMPLETAR, CANCELAR], ""
    if operacion == Operacion.SOLD and spool.arm != EstadoOperacion.COMPLETADO:
        return [PAUSAR], "falta ARM completado para COMPLETAR"
    return [PAUSAR, COMPLETAR], ""


def evaluate(spool: Spool, worker: Worker, operacion: str) -> Row:
    """The actions `worker` may take on `spool` for `operacion` now, or the reason there are none."""
    if spool.ocupado_por_id == worker.pk and spool.operacion_actual == operacion and not spool.bloqueado:
        actions, note = _held_actions(spool, operacion)
        return Row(spool, actions, note)
    try:
        if operacion == Operacion.METROLOGIA:
            check_inspectable(spool, worker)
            return Row(spool, [INSPECCIONAR])
        if operacion == Operacion.REPARACION:
            check_repair_take(spool, worker)
            paused = spool.calidad == EstadoCalidad.REPARACION_PAUSADA
            return Row(spool, [TOMAR, CANCELAR] if paused else [TOMAR])
        check_take(spool, worker, operacion)
        return Row(spool, [TOMAR])
    except ZeuesError as error:
        return Row(spool, [], short_reason(error))


def relevant(operacion: str) -> QuerySet[Spool]:
    """Spools an operation's list shows: those it could act on now or once something changes."""
    qs = Spool.objects.filter(activo=True).select_related("ocupado_por")
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


def rows_for(
    worker: Worker, operacion: str, *, q: str = "", offset: int = 0, limit: int = PAGE_SIZE
) -> tuple[list[Row], int]:
    """One page of the operation's list for `worker`: their own spools first, then free ones."""
    qs = relevant(operacion)
    if q:
        qs = qs.filter(Q(tag_spool__icontains=q) | Q(nv__iexact=q) | Q(ot__iexact=q))
    qs = qs.annotate(
        rank=Case(
            When(ocupado_por=worker, then=Value(0)),
            When(ocupado_por__isnull=True, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rank", "tag_spool")
    total = qs.count()
    return [evaluate(s, worker, operacion) for s in qs[offset : offset + limit]], total


def held_by(worker: Worker) -> list[Row]:
    """Every spool the worker holds now, whatever the operation ("Mis spools")."""
    spools = Spool.objects.occupied_by(worker).select_related("ocupado_por").order_by("fecha_ocupacion")
    return [evaluate(s, worker, s.operacion_actual) for s in spools]
