"""A spool's history (docs/domain.md, "The audit trail"): its audit events folded into work sessions.

A TOMAR opens a session; the next PAUSAR/COMPLETAR/CANCELAR/LIBERACION_FORZADA of that operation
closes it. Everything is computed in Python from one query of the spool's events, in insertion
order (`seq`): timestamps of one action are equal, so only `seq` orders them reliably. Odd
histories (a close without an open, two opens in a row) are kept and shown, never raised.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from spools.models import SESSION_CLOSES, SESSION_OPENS, Event, EventType, Spool

# A session ended this way leaves the operation waiting for the next TOMAR: that wait is paused time.
PAUSES = {EventType.PAUSAR_SPOOL, EventType.PAUSAR_REPARACION, EventType.LIBERACION_FORZADA}
SUPERVISOR = {EventType.SUPERVISOR_OVERRIDE, EventType.LIBERACION_FORZADA}
# A supervisor called to the spool, and the answer (reparacion.services.alert_call/alert_acknowledge).
ALERTS = {EventType.ALERTA_SUPERVISOR, EventType.ALERTA_ATENDIDA}
# A TOMAR that finds its operation's previous session still open: that session's end is unknown.
SIN_CIERRE = "SIN_CIERRE"


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

    @property
    def en_curso(self) -> bool:
        """True while nothing has closed the session."""
        return self.end is None and not self.cierre

    @property
    def duration(self) -> str:
        """Human-readable duration ("2 d 03:15:00")."""
        return format_duration(self.duration_seconds)


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


def spool_history(spool: Spool, *, now: datetime.datetime | None = None) -> History:
    """The spool's history: one query for its events, folded into sessions and notes."""
    return fold(spool, spool_events(spool), now=now or timezone.now())


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
