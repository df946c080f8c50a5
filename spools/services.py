"""Master-data lookups and the audit trail's single write path (the event, its KPI facts, alerts)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from spools import alerts, kpi_facts
from spools.exceptions import SpoolNoEncontrado, WorkerNoEncontrado
from spools.models import JOINT_EVENTS, Event, Spool, Worker


def spool_get(*, tag_spool: str) -> Spool:
    """The spool with that tag (surrounding spaces ignored) or SPOOL_NO_ENCONTRADO."""
    tag = tag_spool.strip()
    spool = Spool.objects.with_people().filter(tag_spool=tag).first()
    if spool is None:
        raise SpoolNoEncontrado(f"No existe el spool «{tag}».", data={"tag_spool": tag})
    return spool


def worker_get(*, worker_id: int) -> Worker:
    """The worker with that id (roles prefetched) or WORKER_NO_ENCONTRADO; never a placeholder."""
    worker = Worker.objects.prefetch_related("roles").filter(pk=worker_id).first()
    if worker is None:
        raise WorkerNoEncontrado(
            f"No existe el trabajador con ID {worker_id}.", data={"worker_id": worker_id}
        )
    return worker


def event_append(
    *,
    tipo: str,
    spool: Spool | None,
    worker: Worker | None,
    operacion: str = "",
    accion: str = "",
    actor: User | AnonymousUser | None = None,
    details: dict[str, Any] | None = None,
    now: datetime.datetime | None = None,
) -> Event:
    """Append one audit event; call inside the action's transaction so both commit or neither."""
    event = _event(tipo, spool, worker, operacion, accion, actor, details or {}, now or timezone.now())
    event.save()
    if spool is not None:
        kpi_facts.apply(event)  # the manager page's pre-folded rows, in the same transaction
        alerts.apply(event)  # the supervisors' open alerts, in the same transaction
    return event


def events_append_many(
    *,
    spool: Spool,
    worker: Worker | None,
    operacion: str,
    actor: User | AnonymousUser | None,
    now: datetime.datetime,
    items: list[tuple[str, str, dict[str, Any]]],
) -> list[Event]:
    """Append one audit event per `(tipo, accion, details)` in one insert (a finish's joints).

    Only for event types that feed neither the KPI facts nor the alerts (the joints' own:
    their figures are read from the joints themselves); same transaction as the action.
    """
    if any(tipo not in JOINT_EVENTS for tipo, _, _ in items):
        raise ValueError("events_append_many is for joint events only")
    rows = [
        _event(tipo, spool, worker, operacion, accion, actor, details, now) for tipo, accion, details in items
    ]
    return Event.objects.bulk_create(rows)


def _event(
    tipo: str,
    spool: Spool | None,
    worker: Worker | None,
    operacion: str,
    accion: str,
    actor: User | AnonymousUser | None,
    details: dict[str, Any],
    now: datetime.datetime,
) -> Event:
    """An audit event, not yet saved, with the names and dates every event carries."""
    return Event(
        timestamp=now,
        evento_tipo=tipo,
        spool=spool,
        tag_spool=spool.tag_spool if spool else "",
        worker=worker,
        worker_token=worker.token if worker else "",
        operacion=operacion,
        accion=accion,
        fecha_operacion=timezone.localdate(now),
        actor=actor if actor is not None and actor.is_authenticated else None,
        details=details,
    )
