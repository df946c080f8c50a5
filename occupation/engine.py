"""The one step every state change of a spool goes through: `apply`.

Each action is one transaction: its plan first runs on a plain read (no lock taken for a hopeless
request), then the row is locked and re-read under `SELECT … FOR UPDATE`, the plan runs again on
the locked row and says what to do (a `Change`), the django-fsm transitions run in memory, the
row is written *conditionally* on the version read, and the audit events are appended (with the
sheet's outbox and the KPI facts, in the same transaction); the live stream hears of it after
commit. Occupying a spool is additionally serialised by a per-spool Redis lock; the conditional
write means even an expired or lost lock cannot produce two occupants.

Services (occupation, metrologia, reparacion) choose the checks, the transitions and the events;
none re-spells this sequence.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django_fsm import TransitionNotAllowed

from occupation.exceptions import OperacionNoPermitida, SpoolOcupado
from spools import joints as spool_joints
from spools import kpi_facts
from spools.exceptions import SpoolBloqueado, SpoolNoEncontrado
from spools.joints import PROGRESS_FIELDS
from spools.models import LIVE_TYPE, PEOPLE, EventType, Spool, Union, Worker
from spools.services import event_append, events_append_many
from zeues.lib import live, locks
from zeues.lib.errors import ServicioNoDisponible
from zeues.models import SheetSpoolChange, SheetUnionChange

Actor = User | AnonymousUser | None
# A django-fsm transition, passed as the model's method (`Spool.tomar_arm`), never by name.
Transition = Callable[..., None]

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
    "rechazo_defecto_id",
    "rechazo_nota",
    "rechazo_foto",
    "rechazo_fecha",
    "rechazo_inspector_id",
    *PROGRESS_FIELDS,
)


@dataclass(frozen=True)
class JointEvent:
    """One joint an action wrote, and the audit event that says so (docs/joints.md)."""

    tipo: str
    accion: str
    union: Union
    details: dict[str, Any]
    # What the change adds to the joints-per-day facts (spools.kpi_facts.union_days_add).
    kpi: kpi_facts.UnionDelta = field(default_factory=dict)


# Writes the spool's joints on the locked row (before the transitions: it may read the
# occupation they clear) and returns one JointEvent per joint written.
JointWrite = Callable[[Spool, datetime.datetime], list[JointEvent]]


@dataclass(frozen=True)
class Change:
    """What one action does to a spool, as its plan decided on the locked row.

    `joints`, when set, writes the spool's joints first; the spool's joint figures are then
    recomputed, the `transitions` run in order, each with its keyword arguments, followed by the
    ones the new figures call for (`spools.joints.settle`: an operation whose joints are all done
    is complete, one that gained a joint is open again). One audit event is appended per joint
    written, then one per `(event type, accion)` in `events`, all with `details`. With no
    transitions and no joints (a supervisor called, an alert answered) the spool's row is not
    written, only the events.
    """

    operacion: str
    transitions: list[tuple[Transition, dict[str, Any]]]
    events: list[tuple[str, str]]
    details: dict[str, Any] = field(default_factory=dict)
    joints: JointWrite | None = None


def change(operacion: str, transition: Transition, tipo: str, accion: str, **kwargs: Any) -> Change:
    """The common case: one transition (with `kwargs`) and one audit event."""
    return Change(operacion, [(transition, kwargs)], [(tipo, accion)])


Plan = Callable[[Spool, datetime.datetime], Change]


# --- checks every workflow shares ---------------------------------------------------------


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


# --- the step --------------------------------------------------------------------------------


def apply(
    spool: Spool,
    *,
    plan: Plan,
    worker: Worker | None,
    actor: Actor,
    guard: dict[str, Any],
    exclusive: bool = False,
) -> Spool:
    """Run one action on `spool`: plan, lock, re-plan, transition, write if unchanged, audit.

    `guard` adds conditions to the conditional write (e.g. "still held by this worker").
    `exclusive` also takes the spool's Redis lock around the transaction: TOMAR uses it so that
    competing takes wait for each other and the losers are told who won.
    """
    plan(spool, timezone.now())
    try:
        lock = _spool_lock(spool, worker) if exclusive else contextlib.nullcontext()
        with lock, transaction.atomic():
            spool = _lock_row(spool)
            now = timezone.now()
            step = plan(spool, now)
            expected = spool.version
            written = step.joints(spool, now) if step.joints else []
            transitions = list(step.transitions)
            if step.joints:
                spool_joints.progress(spool.pk).store(spool)
            for transition, kwargs in transitions:
                _run_transition(spool, transition, **kwargs)
            if step.joints:
                for transition, kwargs in spool_joints.settle(spool, timezone.localdate(now)):
                    _run_transition(spool, transition, **kwargs)
                    transitions.append((transition, kwargs))
            if transitions or step.joints:  # an event-only action (a call, an answer) leaves the row alone
                _write(spool, expected_version=expected, worker=worker, **guard)
                SheetSpoolChange.queue(spool)
            if written:
                SheetUnionChange.queue([j.union for j in written])
                kpi_facts.union_days_add(kpi_facts.merge_deltas(*(j.kpi for j in written)))
                _record_joints(spool, worker, written, step=step, actor=actor, now=now)
            for tipo, accion in step.events:
                _record(spool, worker, tipo=tipo, accion=accion, step=step, actor=actor, now=now)
    except locks.LockBackendDown as exc:
        raise ServicioNoDisponible(
            "El servicio de bloqueos no responde; no se registró nada. Reintente en unos segundos.",
            data={"detalle": str(exc)},
        ) from exc
    return spool


@contextlib.contextmanager
def _spool_lock(spool: Spool, worker: Worker | None) -> Iterator[None]:
    """The spool's Redis lock; a take that cannot get it in time is told who holds the spool."""
    try:
        with locks.hold(f"spool:{spool.pk}"):
            yield
    except locks.LockBusy:
        # A fresh read, not refresh_from_db(): django-fsm's FSMModelMixin.refresh_from_db flips
        # the shared field's `protected` flag, which races with other threads of the process.
        fresh = Spool.objects.select_related("ocupado_por").get(pk=spool.pk)
        if fresh.ocupado_por_id is not None:
            raise occupied_error(fresh, worker) from None
        raise SpoolOcupado(
            f"Otro trabajador está tomando el spool {fresh.tag_spool} en este momento.",
            data={"tag_spool": fresh.tag_spool},
        ) from None


def _lock_row(spool: Spool) -> Spool:
    """Re-read the spool under `SELECT … FOR UPDATE` (its workers joined, not locked).

    A read that waited for another transaction's lock on the row gets the row as that transaction
    left it, but PostgreSQL keeps the joined rows it had found before waiting (EvalPlanQual
    re-checks only the locked table): a spool just taken would come back with its new occupant's
    id and no occupant ("ocupado por 92" instead of its token). Then, holding the lock, the row is
    read once more with its people.
    """
    locked = Spool.objects.select_for_update(of=("self",)).select_related(*PEOPLE).filter(pk=spool.pk).first()
    if locked is None:
        raise SpoolNoEncontrado(data={"tag_spool": spool.tag_spool})
    if any(_stale_join(locked, name) for name in PEOPLE):
        locked = Spool.objects.select_related(*PEOPLE).get(pk=spool.pk)
    return locked


def _stale_join(spool: Spool, name: str) -> bool:
    """The joined object of relation `name` is not the one its id names."""
    related = getattr(spool, name)
    return getattr(spool, f"{name}_id") != (related.pk if related is not None else None)


def _run_transition(spool: Spool, transition: Transition, **kwargs: Any) -> None:
    """Call the django-fsm transition; its guards are the last line of defence."""
    try:
        transition(spool, **kwargs)
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


def _write(spool: Spool, *, expected_version: int, worker: Worker | None, **guard: Any) -> None:
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


def _record_joints(
    spool: Spool,
    worker: Worker | None,
    written: list[JointEvent],
    *,
    step: Change,
    actor: Actor,
    now: datetime.datetime,
) -> None:
    """One audit event per joint written, in one insert. The spool's own event (a finish's PAUSAR
    or COMPLETAR) goes live; a supervisor's joint change, which has none, goes live once."""
    events = events_append_many(
        spool=spool,
        worker=worker,
        operacion=step.operacion,
        actor=actor,
        now=now,
        items=[(j.tipo, j.accion, {"n_union": j.union.n_union, **j.details}) for j in written],
    )
    if not step.events:
        _publish(spool, worker, events[-1], step=step, now=now)


def _record(
    spool: Spool,
    worker: Worker | None,
    *,
    tipo: str,
    accion: str,
    step: Change,
    actor: Actor,
    now: datetime.datetime,
) -> None:
    """Append the audit event (same transaction) and publish the change after commit."""
    event = event_append(
        tipo=tipo,
        spool=spool,
        worker=worker,
        operacion=step.operacion,
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
            **step.details,
        },
    )
    _publish(spool, worker, event, step=step, now=now)


def _publish(
    spool: Spool, worker: Worker | None, event: Any, *, step: Change, now: datetime.datetime
) -> None:
    """The live stream hears of the event after commit, with the spool as it now is."""
    live.send_on_commit(
        LIVE_TYPE[EventType(event.evento_tipo)],
        live.payload(
            event_id=str(event.id),
            tag_spool=spool.tag_spool,
            operacion=step.operacion,
            worker_id=worker.pk if worker else None,
            worker_nombre=worker.token if worker else None,
            estado_detalle=spool.estado_detalle,
            ocupado_por=spool.ocupado_por.token if spool.ocupado_por else None,
            timestamp=timezone.localtime(now),
            defecto=step.details.get("defecto_nombre"),
            nota=step.details.get("nota") or None,
            progreso=spool_joints.label(spool) or None,
        ),
    )
