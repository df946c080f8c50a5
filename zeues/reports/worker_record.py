"""«Mi registro»: what one worker did today and this week, folded from their own audit events.

A session is the worker's TOMAR and the next close of that spool and operation (the same
SESSION_OPENS/SESSION_CLOSES as the spool history); it counts in the period where it started, so a session opened
before Monday is not in this week. Metrología has no sessions: its results are counted and listed.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from spools.models import SESSION_CLOSES, SESSION_OPENS, Event, EventType, Worker
from zeues.reports.history import SIN_CIERRE, Session, format_duration

COMPLETIONS = {
    EventType.COMPLETAR_ARM,
    EventType.COMPLETAR_SOLD,
    EventType.COMPLETAR_METROLOGIA,
    EventType.COMPLETAR_REPARACION,
}


@dataclass
class Row:
    """A session of the worker, with the spool it was on."""

    tag: str
    session: Session


@dataclass
class Result:
    """A metrología result the worker recorded."""

    tag: str
    when: datetime.datetime
    resultado: str
    ciclo: object


@dataclass
class Period:
    """The worker's sessions, completions, results and active time since `start`."""

    start: datetime.datetime
    sessions: list[Row] = field(default_factory=list)
    completed: Counter[str] = field(default_factory=Counter)
    results: list[Result] = field(default_factory=list)
    active_seconds: Counter[str] = field(default_factory=Counter)

    def completions(self) -> list[tuple[str, int]]:
        """(operation, completed count) pairs; a Counter's `.items` is a key lookup in templates."""
        return sorted(self.completed.items())

    def hours(self) -> list[tuple[str, str]]:
        """(operation, active time) pairs, busiest first."""
        return [(op, format_duration(s)) for op, s in self.active_seconds.most_common()]


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_current_timezone())


def worker_record(worker: Worker, *, now: datetime.datetime | None = None) -> tuple[Period, Period]:
    """The worker's (today, this week since Monday 00:00) in shop time, from one query."""
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    today, week = Period(_midnight(day)), Period(_midnight(day - datetime.timedelta(days=day.weekday())))
    events = (
        Event.objects.filter(worker=worker, timestamp__gte=week.start, timestamp__lte=now)
        .order_by("seq")
        .values_list("timestamp", "evento_tipo", "spool_id", "tag_spool", "operacion", "details")
    )
    open_: dict[tuple[int | None, str], Row] = {}
    for ts, tipo, spool_id, tag, op, details in events:
        period = [week, today] if ts >= today.start else [week]
        key = (spool_id, op)
        if tipo in SESSION_OPENS:
            if (previous := open_.pop(key, None)) is not None:
                previous.session.cierre = SIN_CIERRE
            open_[key] = row = Row(tag, Session(worker.pk, worker.token, worker.nombre_completo, op, ts))
            for p in period:
                p.sessions.append(row)
        elif tipo in SESSION_CLOSES and (closed := open_.pop(key, None)) is not None:
            closed.session.end, closed.session.cierre = ts, tipo
        if tipo in COMPLETIONS:
            for p in period:
                p.completed[op] += 1
        if tipo == EventType.COMPLETAR_METROLOGIA:
            d = details if isinstance(details, dict) else {}
            for p in period:
                p.results.append(Result(tag, ts, str(d.get("resultado", "")), d.get("ciclo")))
    _durations(week, now)
    _durations(today, now)
    return today, week


def _durations(period: Period, now: datetime.datetime) -> None:
    # An open session runs until now; one that never closed (SIN_CIERRE) adds no time.
    for row in period.sessions:
        s = row.session
        if s.end is not None or s.en_curso:
            s.duration_seconds = max(0, int(((s.end or now) - s.start).total_seconds()))
            period.active_seconds[s.operacion] += s.duration_seconds
