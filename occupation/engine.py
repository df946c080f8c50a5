"""The one write path for occupying and releasing a spool, shared by ARM/SOLD and REPARACION.

Each action is one transaction: validate on a plain read (no lock taken for a hopeless
request), then lock, re-read the row under `SELECT … FOR UPDATE`, check again, run the
django-fsm transition in memory, write it *conditionally* on the version read, append the audit
event, and publish after commit. Occupying is additionally serialised by a per-spool Redis
lock; the conditional write means even an expired or lost lock cannot produce two occupants.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django_fsm import TransitionNotAllowed

from occupation.exceptions import OperacionNoPermitida, SpoolOcupado
from spools.exceptions import SpoolBloqueado, SpoolNoEncontrado
from spools.models import Spool, Worker
from spools.services import event_append
from zeues.lib import live, locks
from zeues.lib.errors import ServicioNoDisponible

Actor = User | AnonymousUser | None

# Fields a transition may change; the conditional write sends exactly these.
WRITE_FIELDS = (
    "arm",
    "sold",
    "calidad",
    "ciclo",
    "armador_id",
    "soldador_id",
    "fecha_armado",
    "fecha_soldadura",
    "fecha_qc_metrologia",
    "ocupado_por_id",
    "fecha_ocupacion",
    "operacion_actual",
)


def ensure_not_blocked(spool: Spool) -> None:
    """BLOQUEADO refuses every action until a supervisor releases it."""
    if spool.bloqueado:
        raise SpoolBloqueado(
            f"El spool {spool.tag_spool} está BLOQUEADO tras {spool.ciclo} rechazos consecutivos: "
            "un supervisor debe desbloquearlo.",
            data={"tag_spool": spool.tag_spool, "ciclo": spool.ciclo},
        )


def occupied_error(spool: Spool, worker: Worker | None) -> SpoolOcupado:
    """409 naming who holds the spool, for what, and since when."""
    since = timezone.localtime(spool.fecha_ocupacion) if spool.fecha_ocupacion else None
    since_txt = date_format(since, "d-m-Y H:i") if since else "?"
    token = spool.ocupado_por.token if spool.ocupado_por else str(spool.ocupado_por_id)
    if worker is not None and spool.ocupado_por_id == worker.pk:
        message = f"Ya tienes el spool {spool.tag_spool} ({spool.operacion_actual}) desde {since_txt}."
    else:
        message = (
            f"El spool {spool.tag_spool} está ocupado por {token} "
            f"({spool.operacion_actual}) desde {since_txt}."
        )
    return SpoolOcupado(
        message,
        data={
            "tag_spool": spool.tag_spool,
            "ocupado_por": token,
            "ocupado_por_id": spool.ocupado_por_id,
            "operacion": spool.operacion_actual,
            "fecha_ocupacion": since.isoformat() if since else None,
        },
    )


def lock_row(spool: Spool) -> Spool:
    """Re-read the spool under `SELECT … FOR UPDATE` (its workers joined, not locked)."""
    locked = (
        Spool.objects.select_for_update(of=("self",))
        .select_related("ocupado_por", "armador", "soldador")
        .filter(pk=spool.pk)
        .first()
    )
    if locked is None:
        raise SpoolNoEncontrado(data={"tag_spool": spool.tag_spool})
    return locked


def write(spool: Spool, *, expected_version: int, worker: Worker | None, **guard: Any) -> None:
    """Write the transition only if nobody changed the row since it was read."""
    spool.version = expected_version + 1
    values = {name: getattr(spool, name) for name in WRITE_FIELDS}
    updated = Spool.objects.filter(pk=spool.pk, version=expected_version, **guard).update(
        version=spool.version, updated_at=timezone.now(), **values
    )
    if updated != 1:
        fresh = Spool.objects.select_related("ocupado_por").get(pk=spool.pk)
        if fresh.ocupado_por_id is not None:
            raise occupied_error(fresh, worker)
        raise SpoolOcupado(
            f"El spool {spool.tag_spool} cambió mientras se procesaba la acción; reintente.",
            data={"tag_spool": spool.tag_spool},
        )


def run_transition(spool: Spool, name: str, **kwargs: Any) -> None:
    """Call the django-fsm transition `name`; its guards are the last line of defence."""
    try:
        getattr(spool, name)(**kwargs)
    except TransitionNotAllowed as exc:
        raise OperacionNoPermitida(
            f"El estado actual de {spool.tag_spool} no permite esta acción.",
            data={
                "tag_spool": spool.tag_spool,
                "arm": spool.arm,
                "sold": spool.sold,
                "calidad": spool.calidad,
            },
        ) from exc


def record(
    spool: Spool,
    worker: Worker | None,
    *,
    tipo: str,
    accion: str,
    operacion: str,
    actor: Actor,
    now: datetime.datetime,
    details: dict[str, Any] | None = None,
) -> None:
    """Append the audit event (same transaction) and publish the change after commit."""
    event = event_append(
        tipo=tipo,
        spool=spool,
        worker=worker,
        operacion=operacion,
        accion=accion,
        actor=actor,
        now=now,
        details={
            "arm": spool.arm,
            "sold": spool.sold,
            "calidad": spool.calidad,
            "ciclo": spool.ciclo,
            "version": spool.version,
            "estado_detalle": spool.estado_detalle,
            **(details or {}),
        },
    )
    live.send_on_commit(
        live.FROM_AUDIT[tipo],
        live.payload(
            event_id=str(event.id),
            tag_spool=spool.tag_spool,
            operacion=operacion,
            worker_id=worker.pk if worker else None,
            worker_nombre=worker.token if worker else None,
            estado_detalle=spool.estado_detalle,
            ocupado_por=spool.ocupado_por.token if spool.ocupado_por else None,
            timestamp=timezone.localtime(now),
        ),
    )


def occupy(
    *,
    spool: Spool,
    worker: Worker,
    operacion: str,
    check: Callable[[Spool], None],
    transition: str,
    tipo: str,
    actor: Actor,
) -> Spool:
    """Generic TOMAR: validate, take the spool lock, recheck on the locked row, write, audit."""
    check(spool)
    try:
        with locks.hold(f"spool:{spool.pk}"):
            with transaction.atomic():
                spool = lock_row(spool)
                check(spool)
                expected, now = spool.version, timezone.now()
                run_transition(spool, transition, worker=worker, now=now)
                write(spool, expected_version=expected, worker=worker, ocupado_por__isnull=True)
                record(spool, worker, tipo=tipo, accion="TOMAR", operacion=operacion, actor=actor, now=now)
    except locks.LockBusy:
        # A fresh read, not refresh_from_db(): django-fsm's FSMModelMixin.refresh_from_db flips
        # the shared field's `protected` flag, which races with other threads of the process.
        spool = Spool.objects.select_related("ocupado_por").get(pk=spool.pk)
        if spool.ocupado_por_id is not None:
            raise occupied_error(spool, worker) from None
        raise SpoolOcupado(
            f"Otro trabajador está tomando el spool {spool.tag_spool} en este momento.",
            data={"tag_spool": spool.tag_spool},
        ) from None
    except locks.LockBackendDown as exc:
        raise ServicioNoDisponible(
            "El servicio de bloqueos no responde; no se registró nada. Reintente en unos segundos.",
            data={"detalle": str(exc)},
        ) from exc
    return spool


@dataclass(frozen=True)
class Step:
    """What a release does to a spool, decided by the action's check on the locked row."""

    operacion: str
    transition: str
    tipo: str
    kwargs: dict[str, Any] = field(default_factory=dict)


def release(
    *,
    spool: Spool,
    worker: Worker | None,
    plan: Callable[[Spool], Step],
    accion: str,
    actor: Actor,
    guard: dict[str, Any],
    details: dict[str, Any] | None = None,
) -> Spool:
    """Generic PAUSAR/COMPLETAR/CANCELAR: validate, row-lock, re-plan, write conditionally, audit."""
    plan(spool)
    with transaction.atomic():
        spool = lock_row(spool)
        step = plan(spool)
        expected, now = spool.version, timezone.now()
        run_transition(spool, step.transition, **step.kwargs)
        write(spool, expected_version=expected, worker=worker, **guard)
        record(
            spool,
            worker,
            tipo=step.tipo,
            accion=accion,
            operacion=step.operacion,
            actor=actor,
            now=now,
            details=details,
        )
    return spool
