"""METROLOGIA: an instant inspection, APROBADO or RECHAZADO (docs/domain.md, "Metrología").

Never occupies. The ZEUES_MAX_CICLOS-th consecutive rejection (3 by default, 0 = never) blocks
the spool. Like every action it goes through the engine's one step (row lock, recheck,
transition, conditional write, audit), so two inspectors submitting at once cannot both apply a
result.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from metrologia.exceptions import PendienteReparacion, YaAprobado
from occupation import actions
from occupation.engine import Actor, Change, apply, ensure_not_blocked, occupied_error
from occupation.exceptions import DependenciasNoSatisfechas
from occupation.permissions import ensure_worker_can
from spools.models import (
    Accion,
    EstadoCalidad,
    EstadoOperacion,
    EventType,
    Operacion,
    Resultado,
    Spool,
    Worker,
)


def check_inspectable(spool: Spool, worker: Worker | None = None) -> None:
    """Every rule that must hold before a result can be recorded."""
    ensure_not_blocked(spool)
    if spool.ocupado_por_id is not None:
        raise occupied_error(spool, worker)
    missing = [
        op for op, state in (("ARM", spool.arm), ("SOLD", spool.sold)) if state != EstadoOperacion.COMPLETADO
    ]
    if missing:
        raise DependenciasNoSatisfechas(
            f"No se puede inspeccionar {spool.tag_spool}: falta {' y '.join(missing)} completado.",
            data={"tag_spool": spool.tag_spool, "falta": [f"{op} completado" for op in missing]},
        )
    if spool.calidad == EstadoCalidad.APROBADO:
        raise YaAprobado(
            f"El spool {spool.tag_spool} ya fue APROBADO en metrología.", data={"tag_spool": spool.tag_spool}
        )
    if spool.calidad not in (EstadoCalidad.PENDIENTE, EstadoCalidad.PENDIENTE_METROLOGIA):
        raise PendienteReparacion(
            f"El spool {spool.tag_spool} fue RECHAZADO y espera reparación ({spool.estado_detalle}).",
            data={"tag_spool": spool.tag_spool, "calidad": spool.calidad, "falta": "REPARACION completada"},
        )


def spool_inspect(*, spool: Spool, worker: Worker, resultado: str, actor: Actor = None) -> Spool:
    """Record APROBADO or RECHAZADO; the limit-th consecutive rejection blocks the spool."""
    ensure_not_blocked(spool)
    ensure_worker_can(worker, Operacion.METROLOGIA)

    def plan(s: Spool, now: datetime.datetime) -> Change:
        check_inspectable(s, worker)
        details = {"resultado": resultado}
        if resultado == Resultado.APROBADO:
            return Change(
                Operacion.METROLOGIA,
                [(Spool.aprobar, {"fecha": timezone.localdate(now)})],
                [(EventType.COMPLETAR_METROLOGIA, Accion.COMPLETAR)],
                details,
            )
        limit = settings.ZEUES_MAX_CICLOS
        if limit and s.ciclo + 1 >= limit:
            # The blocking rejection also records SPOOL_BLOQUEADO, in the same transaction.
            return Change(
                Operacion.METROLOGIA,
                [(Spool.rechazar, {}), (Spool.bloquear, {})],
                [
                    (EventType.COMPLETAR_METROLOGIA, Accion.COMPLETAR),
                    (EventType.SPOOL_BLOQUEADO, Accion.BLOQUEAR),
                ],
                details,
            )
        return Change(
            Operacion.METROLOGIA,
            [(Spool.rechazar, {})],
            [(EventType.COMPLETAR_METROLOGIA, Accion.COMPLETAR)],
            details,
        )

    return apply(spool, plan=plan, worker=worker, actor=actor, guard={"ocupado_por__isnull": True})


# --- the action table's row for METROLOGIA ------------------------------------------------

actions.register(
    [Operacion.METROLOGIA],
    Accion.COMPLETAR,
    lambda r: spool_inspect(spool=r.spool, worker=r.worker, resultado=str(r.resultado), actor=r.actor),
)
