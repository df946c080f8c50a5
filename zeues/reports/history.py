"""A spool's history (docs/domain.md, "The audit trail"): its audit events folded into work sessions.

A TOMAR opens a session; the next PAUSAR/COMPLETAR/CANCELAR/LIBERACION_FORZADA/LIBERAR of that
operation closes it. Everything is computed in Python from one query of the spool's events, in
insertion order (`seq`): timestamps of one action are equal, so only `seq` orders them reliably.
Odd histories (a close without an open, two opens in a row) are kept and shown, never raised.

A spool with joints (docs/joints.md) also gets one row per joint, read from the joints themselves
(one more query, the workers joined), not by folding their events: the joint row is what the
engine wrote, the events only say so. The joint events neither open nor close a session; a
session shows the joints its closing event recorded (`details.uniones` / `details.pulgadas`), and
a supervisor's joint changes (added, corrected, voided) are listed among the supervisor acts with
who and why.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from spools.joints import joints_of
from spools.models import SESSION_CLOSES, SESSION_OPENS, Event, EventType, Spool, TipoUnion, Union
from zeues.lib.dn import format_dn

# A session ended this way leaves the operation waiting for the next TOMAR: that wait is paused time.
PAUSES = {EventType.PAUSAR_SPOOL, EventType.PAUSAR_REPARACION, EventType.LIBERACION_FORZADA}
SUPERVISOR = {EventType.SUPERVISOR_OVERRIDE, EventType.LIBERACION_FORZADA}
# A supervisor called to the spool, and the answer (reparacion.services.alert_call/alert_acknowledge).
ALERTS = {EventType.ALERTA_SUPERVISOR, EventType.ALERTA_ATENDIDA}
# A TOMAR that finds its operation's previous session still open: that session's end is unknown.
SIN_CIERRE = "SIN_CIERRE"
# A supervisor's engineering changes to the joints: supervisor acts, with who and why.
JOINT_CHANGES = {EventType.UNION_AGREGADA, EventType.UNION_CORREGIDA, EventType.UNION_ANULADA}


def format_duration(seconds: float | None) -> str:
    """`HH:MM:SS`, with a `N d ` prefix from one day on; an unknown duration is `—`."""
    if seconds is None:
        return "—"
    total = max(0, int(seconds))
    days, rest = divmod(total, 86400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    return f"{days} d {text}" if days else text


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs ~2x, 1,000 times a page
class EventRow:
    """One audit event as the history reads it: plain values, not a model instance.

    `timestamp` is in the shop's time zone (spool_events converts it), so sessions' start and end
    are too and can be formatted with a plain strftime.
    """

    seq: int
    id: uuid.UUID
    timestamp: datetime.datetime
    evento_tipo: str
    worker_id: int | None
    worker_token: str
    worker_nombre: str
    operacion: str
    accion: str
    details: dict[str, Any]
    actor_username: str


@dataclass
class Session:
    """One worker's uninterrupted occupation of the spool for one operation."""

    worker_id: int | None
    worker_token: str
    worker_nombre: str
    operacion: str
    start: datetime.datetime
    end: datetime.datetime | None = None
    cierre: str = ""  # the closing event type; "" while en curso, SIN_CIERRE when it never closed
    duration_seconds: int | None = None
    # The joints the closing event recorded and their pulgadas-diámetro; None when the close
    # says nothing of joints (a whole-spool spool, a force release, a session still open).
    uniones: list[int] | None = None
    pulgadas: Decimal | None = None

    @property
    def en_curso(self) -> bool:
        """True while nothing has closed the session."""
        return self.end is None and not self.cierre

    @property
    def duration(self) -> str:
        """Human-readable duration ("2 d 03:15:00")."""
        return format_duration(self.duration_seconds)

    @property
    def joints_text(self) -> str:
        """`3 uniones (n.º 1, 2, 4) · 10,5 PD`, `ninguna unión`, or "" when the close said nothing."""
        if self.uniones is None:
            return ""
        if not self.uniones:
            return "ninguna unión"
        n = len(self.uniones)
        numbers = ", ".join(str(u) for u in self.uniones)
        pd = f" · {format_dn(self.pulgadas)} PD" if self.pulgadas is not None else ""
        return f"{n} {'unión' if n == 1 else 'uniones'} (n.º {numbers}){pd}"


@dataclass(slots=True)
class JointWork:
    """Who fitted (or welded) one joint, from when (their take) to when (their record)."""

    worker_id: int | None
    worker_token: str
    worker_nombre: str
    inicio: datetime.datetime | None  # None for legacy work imported without a start
    fin: datetime.datetime

    @property
    def seconds(self) -> int | None:
        """End minus start, in seconds; None when the start is unknown."""
        return _seconds(self.inicio, self.fin) if self.inicio is not None else None

    @property
    def duration(self) -> str:
        """Human-readable duration ("01:30:00"), `—` when the start is unknown."""
        return format_duration(self.seconds)


@dataclass(slots=True)
class JointRow:
    """One joint as the history shows it: number, size, type, its fitter and welder, NDT, voided."""

    n_union: int
    dn: Decimal
    tipo: str
    arm: JointWork | None
    sold: JointWork | None
    ndt_metodo: str = ""
    ndt_informe: str = ""
    ndt_fecha: datetime.date | None = None
    ndt_resultado: str = ""
    anulada: bool = False
    motivo: str = ""

    @property
    def soldable(self) -> bool:
        """Welded in the shop (every type but FW, welded on site)."""
        return self.tipo != TipoUnion.FW

    @property
    def has_ndt(self) -> bool:
        """The NDT department recorded something on it."""
        return bool(self.ndt_metodo or self.ndt_informe or self.ndt_fecha or self.ndt_resultado)


@dataclass
class OperationTotals:
    """Active time (sum of sessions) and paused time (waits between sessions) of one operation."""

    operacion: str
    sessions: int = 0
    active_seconds: int = 0
    paused_seconds: int = 0
    paused_now: bool = False

    @property
    def active(self) -> str:
        """Active time, human-readable."""
        return format_duration(self.active_seconds)

    @property
    def paused(self) -> str:
        """Paused time, human-readable."""
        return format_duration(self.paused_seconds)


@dataclass
class Note:
    """A timeline entry that is not a session: metrología result, supervisor act, import, orphan."""

    event: EventRow
    resultado: str = ""
    ciclo: int | None = None
    motivo: str = ""
    supervisor: str = ""
    bloqueo: bool = False
    defecto: str = ""  # a rejection's defect as the catalogue names it (details["defecto_nombre"])
    cambio: str = ""  # a supervisor's joint change: what it was ("DN 2 → 2,5 · tipo BW → SO")

    @property
    def when(self) -> str:
        """Local date and time of the event, `dd-mm-YYYY HH:MM` (cheaper than the `date` filter)."""
        return self.event.timestamp.strftime("%d-%m-%Y %H:%M")


@dataclass
class History:
    """Everything the history page and API show about one spool."""

    spool: Spool
    now: datetime.datetime
    events: list[EventRow]
    sessions: list[Session] = field(default_factory=list)
    totals: dict[str, OperationTotals] = field(default_factory=dict)
    metrologia: list[Note] = field(default_factory=list)
    supervisor: list[Note] = field(default_factory=list)
    imports: list[Note] = field(default_factory=list)
    orphans: list[Note] = field(default_factory=list)
    alerts: list[Note] = field(default_factory=list)  # calls to a supervisor and their answers
    joints: list[JointRow] = field(default_factory=list)  # by number, voided ones included

    @property
    def has_joints(self) -> bool:
        """The spool is tracked joint by joint (it has or had joints)."""
        return bool(self.joints)


def spool_history(spool: Spool, *, now: datetime.datetime | None = None) -> History:
    """The spool's history: one query for its events, folded into sessions and notes, and one
    for its joints (none is made for a whole-spool spool: the spool row says it has none)."""
    history = fold(spool, spool_events(spool), now=now or timezone.now())
    if spool.uniones_total or _had_joints(history):
        history.joints = spool_joints(spool)
    return history


def _had_joints(history: History) -> bool:
    # A spool whose joints were all voided counts none (uniones_total 0) but still shows them.
    return any(s.uniones is not None for s in history.sessions) or any(
        n.event.evento_tipo in JOINT_CHANGES for n in history.supervisor
    )


def spool_joints(spool: Spool) -> list[JointRow]:
    """The spool's joints by number with their fitter and welder (one query), times in shop time."""
    tz = timezone.get_current_timezone()
    return [_joint_row(u, tz) for u in joints_of(spool)]


def _work(union: Union, prefix: str, tz: datetime.tzinfo) -> JointWork | None:
    fin = getattr(union, f"{prefix}_fin")
    if fin is None:
        return None
    worker = getattr(union, f"{prefix}_worker")
    inicio = getattr(union, f"{prefix}_inicio")
    return JointWork(
        worker_id=getattr(union, f"{prefix}_worker_id"),
        worker_token=worker.token if worker else "",
        worker_nombre=worker.nombre_completo if worker else "",
        inicio=inicio.astimezone(tz) if inicio else None,
        fin=fin.astimezone(tz),
    )


def _joint_row(u: Union, tz: datetime.tzinfo) -> JointRow:
    return JointRow(
        n_union=u.n_union,
        dn=u.dn,
        tipo=u.tipo,
        arm=_work(u, "arm", tz),
        sold=_work(u, "sold", tz),
        ndt_metodo=u.ndt_metodo,
        ndt_informe=u.ndt_informe,
        ndt_fecha=u.ndt_fecha,
        ndt_resultado=u.ndt_resultado,
        anulada=u.anulada,
        motivo=u.anulada_motivo,
    )


def spool_events(spool: Spool) -> list[EventRow]:
    """The spool's events in insertion order, its worker's name and actor's username joined in.

    Timestamps come back in the shop's time zone, converted once here: `timezone.localtime` looks
    the zone up again on every call, ~2,000 calls for a long-lived spool's page.
    """
    # Plain tuples rather than model instances or dicts: building 1,000 Event+Worker+User objects
    # was two thirds of a long-lived spool's page time, and values() dicts half of the rest
    # (bench/history.py). Worker names are joined once per worker, not once per row.
    rows = (
        Event.objects.filter(spool=spool)
        .order_by("seq")
        .values_list(
            "seq",
            "id",
            "timestamp",
            "evento_tipo",
            "worker_id",
            "worker_token",
            "operacion",
            "accion",
            "details",
            "worker__nombre",
            "worker__apellido",
            "actor__username",
        )
    )
    tz = timezone.get_current_timezone()
    names: dict[int | None, str] = {}
    out = []
    for seq, id_, ts, tipo, worker_id, token, op, accion, details, nombre, apellido, actor in rows:
        name = names.get(worker_id)
        if name is None:
            name = names[worker_id] = f"{nombre or ''} {apellido or ''}".strip()
        out.append(
            EventRow(
                seq,
                id_,
                ts.astimezone(tz),
                tipo,
                worker_id,
                token,
                name,
                op,
                accion,
                details if isinstance(details, dict) else {},
                actor or "",
            )
        )
    return out


def _seconds(start: datetime.datetime, end: datetime.datetime) -> int:
    return max(0, int((end - start).total_seconds()))


class _Folder:
    """The fold's running state: open sessions and pending pauses, keyed by operation."""

    def __init__(self, history: History) -> None:
        self.h = history
        self.open: dict[str, Session] = {}
        self.paused_since: dict[str, datetime.datetime] = {}

    def totals(self, operacion: str) -> OperationTotals:
        return self.h.totals.setdefault(operacion, OperationTotals(operacion))

    def take(self, e: EventRow) -> None:
        op = e.operacion
        previous = self.open.pop(op, None)
        if previous is not None:
            previous.cierre = SIN_CIERRE  # its end was never recorded; no duration is invented
        waited = self.paused_since.pop(op, None)
        if waited is not None:
            self.totals(op).paused_seconds += _seconds(waited, e.timestamp)
        session = Session(
            worker_id=e.worker_id,
            worker_token=e.worker_token,
            worker_nombre=e.worker_nombre,
            operacion=op,
            start=e.timestamp,
        )
        self.open[op] = session
        self.h.sessions.append(session)
        self.totals(op).sessions += 1

    def close(self, e: EventRow) -> None:
        op = e.operacion
        session = self.open.pop(op, None)
        if session is None:
            self._close_without_open(e)
            return
        session.end, session.cierre = e.timestamp, e.evento_tipo
        session.duration_seconds = _seconds(session.start, e.timestamp)
        session.uniones, session.pulgadas = _recorded(e.details)
        self.totals(op).active_seconds += session.duration_seconds
        if e.evento_tipo in PAUSES:
            self.paused_since[op] = e.timestamp

    def _close_without_open(self, e: EventRow) -> None:
        # Cancelling a paused repair is normal (nobody holds it): the wait so far was paused time,
        # and the repair it belonged to is over. Any other close without an open is an oddity.
        waited = self.paused_since.pop(e.operacion, None)
        if e.evento_tipo == EventType.CANCELAR_REPARACION and waited is not None:
            self.totals(e.operacion).paused_seconds += _seconds(waited, e.timestamp)
        elif e.evento_tipo not in SUPERVISOR:
            self.h.orphans.append(Note(e))
        if waited is not None and e.evento_tipo in PAUSES:
            self.paused_since[e.operacion] = waited

    def note(self, e: EventRow) -> None:
        details = e.details
        if e.evento_tipo == EventType.COMPLETAR_METROLOGIA:
            ciclo = details.get("ciclo")
            self.h.metrologia.append(
                Note(
                    e,
                    resultado=str(details.get("resultado", "")),
                    ciclo=ciclo if isinstance(ciclo, int) else None,
                    defecto=str(details.get("defecto_nombre") or ""),
                )
            )
        elif e.evento_tipo == EventType.SPOOL_BLOQUEADO and self.h.metrologia:
            self.h.metrologia[-1].bloqueo = True
        elif e.evento_tipo == EventType.IMPORT:
            self.h.imports.append(Note(e))
        elif e.evento_tipo in ALERTS:
            self.h.alerts.append(_alert_note(e))
        elif e.evento_tipo in JOINT_CHANGES:
            self.h.supervisor.append(
                Note(
                    e, motivo=str(details.get("motivo") or ""), supervisor=e.actor_username, cambio=_change(e)
                )
            )
        if e.evento_tipo in SUPERVISOR:
            who = str(details.get("supervisor") or e.actor_username)
            self.h.supervisor.append(Note(e, motivo=str(details.get("motivo", "")), supervisor=who))

    def finish(self) -> None:
        now = self.h.now
        for session in self.open.values():
            session.duration_seconds = _seconds(session.start, now)
            self.totals(session.operacion).active_seconds += session.duration_seconds
        # An operation still paused has been waiting until now: that wait counts, and is flagged.
        for op, since in self.paused_since.items():
            totals = self.totals(op)
            totals.paused_seconds += _seconds(since, now)
            totals.paused_now = True


def _recorded(details: dict[str, Any]) -> tuple[list[int] | None, Decimal | None]:
    """The joints a closing event recorded and their PD (None, None when it names none)."""
    numbers = details.get("uniones")
    if not isinstance(numbers, list):
        return None, None
    try:
        pulgadas = Decimal(str(details["pulgadas"])) if "pulgadas" in details else None
    except (InvalidOperation, ValueError):
        pulgadas = None
    return [n for n in numbers if isinstance(n, int)], pulgadas


def _dn_text(value: object) -> str:
    try:
        return format_dn(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def _change(e: EventRow) -> str:
    """What a supervisor's joint change was: `DN 2 → 2,5 · tipo BW → SO`, `DN 3 · BW`."""
    d = e.details
    if e.evento_tipo == EventType.UNION_CORREGIDA:
        antes, despues = d.get("antes") or {}, d.get("despues") or {}
        parts = [
            f"{label} {fmt(antes.get(key))} → {fmt(despues.get(key))}"
            for key, label, fmt in (("dn", "DN", _dn_text), ("tipo", "tipo", str))
            if antes.get(key) != despues.get(key)
        ]
        return " · ".join(parts)
    if "dn" in d or "tipo" in d:
        return f"DN {_dn_text(d.get('dn'))} · {d.get('tipo', '')}".strip(" ·")
    return ""


def _alert_note(e: EventRow) -> Note:
    """A call (the worker's message) or its answer (the supervisor and their reply).

    A call's `motivo` detail is a code (LLAMADA), not something a person typed: not shown.
    """
    if e.evento_tipo == EventType.ALERTA_SUPERVISOR:
        return Note(e, motivo=str(e.details.get("mensaje") or ""))
    who = str(e.details.get("supervisor") or e.actor_username)
    return Note(e, motivo=str(e.details.get("respuesta") or ""), supervisor=who)


def fold(spool: Spool, events: list[EventRow], *, now: datetime.datetime) -> History:
    """Fold events (in `seq` order) into sessions, per-operation totals and notes."""
    history = History(spool=spool, now=now, events=events)
    folder = _Folder(history)
    for e in events:
        if e.evento_tipo in SESSION_OPENS:
            folder.take(e)
        elif e.evento_tipo in SESSION_CLOSES:
            folder.close(e)
        folder.note(e)
    folder.finish()
    return history
