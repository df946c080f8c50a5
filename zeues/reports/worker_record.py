"""«Mi registro»: what one worker did today and this week, folded from their own audit events.

A session is the worker's TOMAR and the next close of that spool and operation (the same
SESSION_OPENS/SESSION_CLOSES as the spool history); it counts in the period where it started, so a session opened
before Monday is not in this week. Metrología has no sessions: its results are counted and listed.

Joints (issue #14): the joints the worker fitted or welded, read from the joints themselves (the
worker and the shop's date of each fitting and welding are on the `Union` row), and their
pulgadas-diámetro (PD, the sum of DN) per operation. A voided joint is listed, marked, and counts
for nothing, as on the Gerencia page.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from spools.models import SESSION_CLOSES, SESSION_OPENS, Event, EventType, Operacion, Union, Worker
from zeues.lib.dn import format_dn
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
class JointRow:
    """A joint the worker fitted (ARM) or welded (SOLD), and when they recorded it."""

    tag: str
    n_union: int
    dn: Decimal
    tipo: str
    operacion: str
    when: datetime.datetime
    anulada: bool = False

    @property
    def dn_txt(self) -> str:
        """The DN as the shop writes it (`2,5`)."""
        return format_dn(self.dn)


@dataclass
class JointGroup:
    """The joints of one spool the worker recorded in one action (for the kiosk's list)."""

    tag: str
    operacion: str
    when: datetime.datetime
    joints: list[JointRow]

    @property
    def pd_txt(self) -> str:
        """Their PD (voided ones left out)."""
        return format_dn(sum((j.dn for j in self.joints if not j.anulada), Decimal(0)))


@dataclass
class Period:
    """The worker's sessions, completions, results, active time and joints since `start`."""

    start: datetime.datetime
    sessions: list[Row] = field(default_factory=list)
    completed: Counter[str] = field(default_factory=Counter)
    results: list[Result] = field(default_factory=list)
    active_seconds: Counter[str] = field(default_factory=Counter)
    joints: list[JointRow] = field(default_factory=list)
    # Per operation: PD (sum of DN) and the number of joints, voided ones left out.
    pd: dict[str, Decimal] = field(default_factory=dict)
    uniones: Counter[str] = field(default_factory=Counter)

    def pd_totals(self) -> list[tuple[str, int, str]]:
        """(operation, joints, PD as `13,75`) for ARM then SOLD, the operations with joints."""
        return [
            (op, self.uniones[op], format_dn(self.pd[op]))
            for op in (Operacion.ARM, Operacion.SOLD)
            if op in self.pd
        ]

    def joint_groups(self) -> list[JointGroup]:
        """The joints grouped by spool, operation and moment recorded (one finishing action)."""
        groups: list[JointGroup] = []
        for j in self.joints:
            last = groups[-1] if groups else None
            if last and (last.tag, last.operacion, last.when) == (j.tag, j.operacion, j.when):
                last.joints.append(j)
            else:
                groups.append(JointGroup(j.tag, j.operacion, j.when, [j]))
        return groups

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
    _joints(worker, today, week, now)
    return today, week


def _joints(worker: Worker, today: Period, week: Period, now: datetime.datetime) -> None:
    """The joints the worker fitted or welded this week (up to `now`), into both periods."""
    monday, day = timezone.localdate(week.start), timezone.localdate(now)
    rows = Union.objects.filter(
        Q(arm_worker=worker, arm_fecha__range=(monday, day)) | Q(sold_worker=worker, sold_fecha__range=(monday, day))
    ).select_related("spool").only(
        "spool__tag_spool", "n_union", "dn", "tipo", "anulada",
        "arm_worker_id", "arm_fin", "arm_fecha", "sold_worker_id", "sold_fin", "sold_fecha",
    )  # fmt: skip
    done: list[tuple[JointRow, datetime.date]] = []
    for u in rows:
        work = (
            (Operacion.ARM, u.arm_worker_id, u.arm_fin, u.arm_fecha),
            (Operacion.SOLD, u.sold_worker_id, u.sold_fin, u.sold_fecha),
        )
        for op, worker_id, fin, fecha in work:
            if worker_id == worker.pk and fin and fecha and fin <= now and monday <= fecha <= day:
                joint = JointRow(u.spool.tag_spool, u.n_union, u.dn, u.tipo, str(op), fin, u.anulada)
                done.append((joint, fecha))
    done.sort(key=lambda d: (d[0].when, d[0].tag, d[0].operacion, d[0].n_union))
    for row, fecha in done:
        for period in (week, today) if fecha == day else (week,):
            period.joints.append(row)
            if not row.anulada:
                period.pd[row.operacion] = period.pd.get(row.operacion, Decimal(0)) + row.dn
                period.uniones[row.operacion] += 1


def _durations(period: Period, now: datetime.datetime) -> None:
    # An open session runs until now; one that never closed (SIN_CIERRE) adds no time.
    for row in period.sessions:
        s = row.session
        if s.end is not None or s.en_curso:
            s.duration_seconds = max(0, int(((s.end or now) - s.start).total_seconds()))
            period.active_seconds[s.operacion] += s.duration_seconds
