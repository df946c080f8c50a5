"""METROLOGIA: an instant inspection, APROBADO or RECHAZADO (DOMAIN §3.2). Never occupies.

The third consecutive rejection (setting ZEUES_MAX_CICLOS, 0 = never) blocks the spool. Like
every action: row lock, recheck, transition, conditional write and audit in one transaction, so
two inspectors submitting at once cannot both apply a result.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from metrologia.exceptions import PendienteReparacion, YaAprobado
from occupation.engine import (
    Actor,
    ensure_not_blocked,
    lock_row,
    occupied_error,
    record,
    run_transition,
    write,
)
from occupation.exceptions import DependenciasNoSatisfechas
from occupation.permissions import ensure_worker_can
from occupation.services import BatchOutcome, batch_apply
from spools.models import EstadoCalidad, EstadoOperacion, EventType, Operacion, Spool, Worker

APROBADO, RECHAZADO = "APROBADO", "RECHAZADO"


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
    check_inspectable(spool, worker)
    with transaction.atomic():
        spool = lock_row(spool)
        check_inspectable(spool, worker)
        expected, now = spool.version, timezone.now()
        blocked = False
        if resultado == APROBADO:
            run_transition(spool, "aprobar", fecha=timezone.localdate(now))
        else:
            run_transition(spool, "rechazar")
            limit = settings.ZEUES_MAX_CICLOS
            blocked = bool(limit) and spool.ciclo >= limit
            if blocked:
                run_transition(spool, "bloquear")
        write(spool, expected_version=expected, worker=worker, ocupado_por__isnull=True)
        details = {"resultado": resultado, "ciclo": spool.ciclo}
        # The blocking rejection also records SPOOL_BLOQUEADO, in the same transaction.
        steps = [(EventType.COMPLETAR_METROLOGIA, "COMPLETAR")]
        if blocked:
            steps.append((EventType.SPOOL_BLOQUEADO, "BLOQUEAR"))
        for tipo, accion in steps:
            record(
                spool,
                worker,
                tipo=tipo,
                accion=accion,
                operacion=Operacion.METROLOGIA,
                actor=actor,
                now=now,
                details=details,
            )
    return spool


def spool_inspect_batch(
    *, tags: list[str], worker: Worker, resultado: str, actor: Actor = None
) -> list[BatchOutcome]:
    """Inspect each tag independently; every tag gets an outcome, in order."""
    ensure_worker_can(worker, Operacion.METROLOGIA)
    return batch_apply(
        tags,
        lambda spool: spool_inspect(spool=spool, worker=worker, resultado=resultado, actor=actor),
        lambda spool: f"Spool {spool.tag_spool}: {spool.estado_detalle}.",
    )
