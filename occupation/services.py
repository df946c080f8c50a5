"""TOMAR / PAUSAR / COMPLETAR of ARM and SOLD (DOMAIN §3.1).

Each action is one transaction: validate on a plain read (no lock taken for a hopeless
request), then lock, re-read the row under `select_for_update`, check again, run the django-fsm
transition in memory, write it *conditionally* on the version read, append the audit event,
and publish after commit. TOMAR is additionally serialised by a per-spool Redis lock; the
conditional write means even an expired lock cannot produce two occupants.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django_fsm import TransitionNotAllowed

from occupation.exceptions import (
    DependenciasNoSatisfechas,
    NoAutorizado,
    OperacionNoPermitida,
    SpoolNoOcupado,
    SpoolOcupado,
)
from occupation.permissions import ensure_worker_can
from spools.exceptions import SpoolInactivo, SpoolNoEncontrado, TrabajadorInactivo
from spools.models import STARTED, TAKEABLE, EstadoOperacion, EventType, Operacion, Spool, Worker
from spools.services import event_append
from zeues.lib import locks
from zeues.lib.errors import ServicioNoDisponible, ZeuesError
from zeues.lib.publish import publish_on_commit

Actor = User | AnonymousUser | None

# Fields a transition may change; the conditional write sends exactly these.
_WRITE_FIELDS = (
    "arm",
    "sold",
    "armador_id",
    "soldador_id",
    "fecha_armado",
    "fecha_soldadura",
    "ocupado_por_id",
    "fecha_ocupacion",
    "operacion_actual",
)


# --- checks ------------------------------------------------------------------------------


def _occupied_error(spool: Spool, worker: Worker) -> SpoolOcupado:
    holder = spool.ocupado_por
    since = timezone.localtime(spool.fecha_ocupacion) if spool.fecha_ocupacion else None
    since_txt = date_format(since, "d-m-Y H:i") if since else "?"
    token = holder.token if holder else str(spool.ocupado_por_id)
    if spool.ocupado_por_id == worker.pk:
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


def _check_take(spool: Spool, worker: Worker, operacion: str) -> None:
    """Every rule of TOMAR that depends on the spool's state."""
    if not spool.activo:
        raise SpoolInactivo(data={"tag_spool": spool.tag_spool})
    if spool.ocupado_por_id is not None:
        raise _occupied_error(spool, worker)
    if spool.fecha_materiales is None:
        raise DependenciasNoSatisfechas(
            f"El spool {spool.tag_spool} no tiene Fecha_Materiales: faltan materiales para {operacion}.",
            data={"tag_spool": spool.tag_spool, "falta": "Fecha_Materiales"},
        )
    estado = spool.estado(operacion)
    if estado not in TAKEABLE:
        raise OperacionNoPermitida(
            f"{operacion} del spool {spool.tag_spool} está {EstadoOperacion(estado).label}: no se puede tomar.",
            data={"tag_spool": spool.tag_spool, "operacion": operacion, "estado": estado},
        )
    if operacion == Operacion.SOLD and spool.arm not in STARTED:
        raise DependenciasNoSatisfechas(
            f"No se puede soldar {spool.tag_spool}: el ARM aún no ha comenzado.",
            data={"tag_spool": spool.tag_spool, "falta": "ARM iniciado"},
        )


def _check_holder(spool: Spool, worker: Worker, operacion: str | None) -> str:
    """Rules shared by PAUSAR and COMPLETAR; returns the operation being acted on."""
    if not worker.activo:
        raise TrabajadorInactivo(
            f"{worker.token} está inactivo y no puede registrar operaciones.",
            data={"worker_id": worker.pk},
        )
    if spool.ocupado_por_id is None:
        raise SpoolNoOcupado(
            f"El spool {spool.tag_spool} no está ocupado: no hay trabajo en curso.",
            data={"tag_spool": spool.tag_spool},
        )
    if spool.ocupado_por_id != worker.pk:
        holder = spool.ocupado_por.token if spool.ocupado_por else str(spool.ocupado_por_id)
        raise NoAutorizado(
            f"El spool {spool.tag_spool} lo tiene {holder}; solo esa persona puede pausarlo o completarlo.",
            data={
                "tag_spool": spool.tag_spool,
                "ocupado_por": holder,
                "ocupado_por_id": spool.ocupado_por_id,
            },
        )
    current = spool.operacion_actual
    if operacion and operacion != current:
        raise OperacionNoPermitida(
            f"El spool {spool.tag_spool} está tomado para {current}, no para {operacion}.",
            data={"tag_spool": spool.tag_spool, "operacion_actual": current},
        )
    return current


# --- persistence -------------------------------------------------------------------------


def _lock_row(spool: Spool) -> Spool:
    locked = (
        Spool.objects.select_for_update(of=("self",))
        .select_related("ocupado_por", "armador", "soldador")
        .filter(pk=spool.pk)
        .first()
    )
    if locked is None:
        raise SpoolNoEncontrado(data={"tag_spool": spool.tag_spool})
    return locked


def _write(spool: Spool, *, expected_version: int, worker: Worker, **guard: Any) -> None:
    """Write the transition only if nobody changed the row since it was read."""
    spool.version = expected_version + 1
    values = {name: getattr(spool, name) for name in _WRITE_FIELDS}
    updated = Spool.objects.filter(pk=spool.pk, version=expected_version, **guard).update(
        version=spool.version, updated_at=timezone.now(), **values
    )
    if updated != 1:
        fresh = Spool.objects.select_related("ocupado_por").get(pk=spool.pk)
        if fresh.ocupado_por_id is not None:
            raise _occupied_error(fresh, worker)
        raise SpoolOcupado(
            f"El spool {spool.tag_spool} cambió mientras se procesaba la acción; reintente.",
            data={"tag_spool": spool.tag_spool},
        )


def _transition(spool: Spool, name: str, **kwargs: Any) -> None:
    try:
        getattr(spool, name)(**kwargs)
    except TransitionNotAllowed as exc:
        raise OperacionNoPermitida(
            f"El estado actual de {spool.tag_spool} no permite esta acción.",
            data={"tag_spool": spool.tag_spool, "arm": spool.arm, "sold": spool.sold},
        ) from exc


def _record(
    spool: Spool,
    worker: Worker,
    *,
    tipo: str,
    accion: str,
    operacion: str,
    actor: Actor,
    now: datetime.datetime,
    details: dict[str, Any] | None = None,
) -> None:
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
            "version": spool.version,
            "estado_detalle": spool.estado_detalle,
            **(details or {}),
        },
    )
    publish_on_commit(
        accion,
        {
            "event_id": str(event.pk),
            "tipo": tipo,
            "tag_spool": spool.tag_spool,
            "operacion": operacion,
            "worker_id": worker.pk,
            "worker_nombre": worker.token,
            "estado_detalle": spool.estado_detalle,
            "ocupado_por": spool.ocupado_por.token if spool.ocupado_por else None,
            "timestamp": timezone.localtime(now).isoformat(),
        },
    )


# --- actions -----------------------------------------------------------------------------


def spool_take(*, spool: Spool, worker: Worker, operacion: str, actor: Actor = None) -> Spool:
    """TOMAR: the worker occupies the spool for ARM or SOLD."""
    ensure_worker_can(worker, operacion)
    _check_take(spool, worker, operacion)
    try:
        with locks.hold(f"spool:{spool.pk}"):
            with transaction.atomic():
                spool = _lock_row(spool)
                _check_take(spool, worker, operacion)
                expected = spool.version
                now = timezone.now()
                _transition(spool, f"tomar_{operacion.lower()}", worker=worker, now=now)
                _write(spool, expected_version=expected, worker=worker, ocupado_por__isnull=True)
                _record(
                    spool,
                    worker,
                    tipo=EventType.TOMAR_SPOOL,
                    accion="TOMAR",
                    operacion=operacion,
                    actor=actor,
                    now=now,
                )
    except locks.LockBusy:
        # A fresh read, not refresh_from_db(): django-fsm's FSMModelMixin.refresh_from_db flips
        # the shared field's `protected` flag, which races with other threads of the process.
        spool = Spool.objects.select_related("ocupado_por").get(pk=spool.pk)
        if spool.ocupado_por_id is not None:
            raise _occupied_error(spool, worker) from None
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


def spool_pause(*, spool: Spool, worker: Worker, operacion: str | None = None, actor: Actor = None) -> Spool:
    """PAUSAR: the occupant releases the spool; progress is kept."""
    _check_holder(spool, worker, operacion)
    with transaction.atomic():
        spool = _lock_row(spool)
        current = _check_holder(spool, worker, operacion)
        expected = spool.version
        now = timezone.now()
        _transition(spool, f"pausar_{current.lower()}")
        _write(spool, expected_version=expected, worker=worker, ocupado_por_id=worker.pk)
        _record(
            spool,
            worker,
            tipo=EventType.PAUSAR_SPOOL,
            accion="PAUSAR",
            operacion=current,
            actor=actor,
            now=now,
        )
    return spool


def spool_complete(
    *,
    spool: Spool,
    worker: Worker,
    operacion: str | None = None,
    fecha: datetime.date | None = None,
    actor: Actor = None,
) -> Spool:
    """COMPLETAR: the occupant finishes the operation; the spool is released."""
    current = _check_holder(spool, worker, operacion)
    ensure_worker_can(worker, current)
    with transaction.atomic():
        spool = _lock_row(spool)
        current = _check_holder(spool, worker, operacion)
        if current == Operacion.SOLD and spool.arm != EstadoOperacion.COMPLETADO:
            raise DependenciasNoSatisfechas(
                f"No se puede completar SOLD de {spool.tag_spool}: el ARM no está completado.",
                data={"tag_spool": spool.tag_spool, "falta": "ARM completado"},
            )
        expected = spool.version
        now = timezone.now()
        fecha = fecha or timezone.localdate(now)
        _transition(spool, f"completar_{current.lower()}", worker=worker, fecha=fecha)
        _write(spool, expected_version=expected, worker=worker, ocupado_por_id=worker.pk)
        tipo = EventType.COMPLETAR_ARM if current == Operacion.ARM else EventType.COMPLETAR_SOLD
        _record(
            spool,
            worker,
            tipo=tipo,
            accion="COMPLETAR",
            operacion=current,
            actor=actor,
            now=now,
            details={"fecha_operacion": fecha.isoformat()},
        )
    return spool


# --- batch -------------------------------------------------------------------------------


@dataclass
class BatchOutcome:
    """The result of one tag of a batch."""

    tag_spool: str
    success: bool
    message: str
    error: str | None = None
    spool: Spool | None = None


_DONE = {"tomar": "tomado", "pausar": "pausado", "completar": "completado"}


def _batch_one(
    accion: str,
    *,
    spool: Spool,
    worker: Worker,
    operacion: str | None,
    actor: Actor,
    fecha: datetime.date | None,
) -> Spool:
    if accion == "tomar":
        if not operacion:
            raise OperacionNoPermitida("Indique la operación (ARM o SOLD) para tomar.")
        return spool_take(spool=spool, worker=worker, operacion=operacion, actor=actor)
    if accion == "pausar":
        return spool_pause(spool=spool, worker=worker, operacion=operacion, actor=actor)
    return spool_complete(spool=spool, worker=worker, operacion=operacion, fecha=fecha, actor=actor)


def spool_batch(
    *,
    accion: str,
    tags: list[str],
    worker: Worker,
    operacion: str | None,
    actor: Actor = None,
    fecha: datetime.date | None = None,
) -> list[BatchOutcome]:
    """Apply one action to each tag independently; every tag gets an outcome, in order."""
    by_tag = {
        s.tag_spool: s
        for s in Spool.objects.select_related("ocupado_por", "armador", "soldador").filter(tag_spool__in=tags)
    }
    outcomes = []
    for tag in tags:
        spool = by_tag.get(tag)
        try:
            if spool is None:
                raise SpoolNoEncontrado(f"No existe el spool «{tag}».", data={"tag_spool": tag})
            done = _batch_one(
                accion, spool=spool, worker=worker, operacion=operacion, actor=actor, fecha=fecha
            )
            outcomes.append(BatchOutcome(tag, True, f"Spool {tag} {_DONE[accion]}.", spool=done))
        except ZeuesError as error:
            outcomes.append(BatchOutcome(tag, False, error.message, error.code))
    return outcomes
