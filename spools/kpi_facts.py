"""KPI facts: the audit trail pre-folded per spool into sessions, inspections, stages, completions.

The manager page (spools/kpis.py) must aggregate a quarter of a 50,000-spool shop in well under
half a second. Windowing a million events on every request did not (a 90-day page took 1.2 s,
bench/kpis.py), so each spool's KPI rows are kept in four small tables:

- `KpiSession`: a TOMAR followed (among the opens and closes of that spool and operation) by a
  close; the opener's worker, the opener's date, the seconds between them.
- `KpiInspection`: every COMPLETAR_METROLOGIA, numbered among the spool's inspections.
- `KpiStage`: per COMPLETAR_ARM/SOLD, the cycle from the operation's first TOMAR; per
  COMPLETAR_ARM, the wait until SOLD's first TOMAR; per COMPLETAR_SOLD, the wait until the next
  inspection. Negative spans (odd histories) count as 0.
- `KpiCompletion`: every COMPLETAR_ARM, COMPLETAR_SOLD and metrología APROBADO.

They are a cache, not a source: `refresh(spool_ids)` recomputes a spool's rows from its events
(delete, fold, insert); `apply(event)` adds just the rows a new event creates, reading only the
few earlier events it needs. `spools.services.event_append` calls `apply` for every event, inside
the action's transaction and under the spool's row lock, so facts and events commit together or
not at all. `manage.py kpi_facts --rebuild` recomputes everything (after a restore or
a bulk load that bypassed the services); `--check` compares the tables with a fresh fold.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Sum

from spools.models import (
    SESSION_CLOSES,
    SESSION_OPENS,
    Event,
    EventType,
    KpiCompletion,
    KpiInspection,
    KpiSession,
    KpiStage,
    KpiUnionDia,
    Operacion,
    Resultado,
)

OCCUPYING = {Operacion.ARM, Operacion.SOLD, Operacion.REPARACION}
# Event types whose arrival can change a spool's facts; any other event leaves them as they are.
FACT_TYPES = frozenset({*SESSION_OPENS, *SESSION_CLOSES, EventType.COMPLETAR_METROLOGIA})
CHUNK = 2000  # spools folded per round trip by rebuild() and check()


@dataclass(frozen=True, slots=True)
class FactEvent:
    """The fields of an event the facts are computed from."""

    spool_id: int
    seq: int
    timestamp: datetime.datetime
    evento_tipo: str
    worker_id: int | None
    operacion: str
    fecha_operacion: datetime.date
    details: Any


FIELDS = (
    "spool_id",
    "seq",
    "timestamp",
    "evento_tipo",
    "worker_id",
    "operacion",
    "fecha_operacion",
    "details",
)


@dataclass
class Facts:
    """One or more spools' fact rows, as field dicts, one list per table (MODELS' order)."""

    sessions: list[dict[str, Any]] = field(default_factory=list)
    inspections: list[dict[str, Any]] = field(default_factory=list)
    stages: list[dict[str, Any]] = field(default_factory=list)
    completions: list[dict[str, Any]] = field(default_factory=list)

    def tables(self) -> tuple[list[dict[str, Any]], ...]:
        """The row lists in MODELS' order."""
        return (self.sessions, self.inspections, self.stages, self.completions)

    def extend(self, other: Facts) -> None:
        for mine, theirs in zip(self.tables(), other.tables(), strict=True):
            mine += theirs


def _span(start: datetime.datetime, end: datetime.datetime) -> float:
    return (end - start).total_seconds()


def _completes(e: FactEvent) -> bool:
    """COMPLETAR ARM or SOLD, or a metrología APROBADO: what "completed per day" counts."""
    if e.evento_tipo == EventType.COMPLETAR_METROLOGIA:
        return isinstance(e.details, dict) and e.details.get("resultado") == Resultado.APROBADO
    return e.evento_tipo in (EventType.COMPLETAR_ARM, EventType.COMPLETAR_SOLD)


def fold(events: list[FactEvent]) -> Facts:
    """One spool's facts from its FACT_TYPES events in `seq` order."""
    facts = Facts()
    last: dict[str, FactEvent] = {}
    first_take: dict[str, FactEvent] = {}
    inspections: list[FactEvent] = []
    for e in events:
        if e.operacion in OCCUPYING and (e.evento_tipo in SESSION_OPENS or e.evento_tipo in SESSION_CLOSES):
            before = last.get(e.operacion)
            if before is not None and before.evento_tipo in SESSION_OPENS and e.evento_tipo in SESSION_CLOSES:
                facts.sessions.append(
                    {
                        "spool_id": e.spool_id,
                        "worker_id": before.worker_id,
                        "operacion": e.operacion,
                        "fecha": before.fecha_operacion,
                        "inicio": before.timestamp,
                        "fin": e.timestamp,
                        "segundos": _span(before.timestamp, e.timestamp),
                        "seq": before.seq,
                    }
                )
            last[e.operacion] = e
        if e.evento_tipo == EventType.TOMAR_SPOOL:
            first_take.setdefault(e.operacion, e)
        if _completes(e):
            facts.completions.append(
                {
                    "spool_id": e.spool_id,
                    "worker_id": e.worker_id,
                    "operacion": e.operacion,
                    "fecha": e.fecha_operacion,
                    "seq": e.seq,
                }
            )
        if e.evento_tipo == EventType.COMPLETAR_METROLOGIA:
            inspections.append(e)
            details = e.details if isinstance(e.details, dict) else {}
            facts.inspections.append(
                {
                    "spool_id": e.spool_id,
                    "worker_id": e.worker_id,
                    "fecha": e.fecha_operacion,
                    "intento": len(inspections),
                    "aprobado": details.get("resultado") == Resultado.APROBADO,
                    "seq": e.seq,
                }
            )

    def stage(anchor: FactEvent, etapa: str, start: datetime.datetime, end: datetime.datetime) -> None:
        facts.stages.append(
            {
                "spool_id": anchor.spool_id,
                "worker_id": anchor.worker_id,
                "etapa": etapa,
                "fecha": anchor.fecha_operacion,
                "segundos": max(0.0, _span(start, end)),
                "seq": anchor.seq,
            }
        )

    arm_take, sold_take = first_take.get(Operacion.ARM), first_take.get(Operacion.SOLD)
    for e in events:
        if e.evento_tipo == EventType.COMPLETAR_ARM:
            if arm_take is not None:
                stage(e, KpiStage.ARM, arm_take.timestamp, e.timestamp)
            if sold_take is not None:
                stage(e, KpiStage.ARM_SOLD, e.timestamp, sold_take.timestamp)
        elif e.evento_tipo == EventType.COMPLETAR_SOLD:
            if sold_take is not None:
                stage(e, KpiStage.SOLD, sold_take.timestamp, e.timestamp)
            inspection = next(
                (i for i in inspections if i.seq > e.seq and i.operacion == Operacion.METROLOGIA), None
            )
            if inspection is not None:
                stage(e, KpiStage.SOLD_METROLOGIA, e.timestamp, inspection.timestamp)
    return facts


def _events(spool_ids: Iterable[int], event_model: Any = Event) -> Iterator[list[FactEvent]]:
    """The FACT_TYPES events of the spools, grouped per spool, each group in `seq` order."""
    rows = (
        event_model.objects.filter(spool_id__in=list(spool_ids), evento_tipo__in=FACT_TYPES)
        .order_by("spool_id", "seq")
        .values_list(*FIELDS)
    )
    group: list[FactEvent] = []
    for row in rows.iterator(chunk_size=5000):
        e = FactEvent(*row)
        if group and group[-1].spool_id != e.spool_id:
            yield group
            group = []
        group.append(e)
    if group:
        yield group


def compute(spool_ids: Iterable[int], event_model: Any = Event) -> Facts:
    """The spools' facts, freshly folded from their events."""
    facts = Facts()
    for events in _events(spool_ids, event_model):
        facts.extend(fold(events))
    return facts


MODELS: tuple[Any, ...] = (KpiSession, KpiInspection, KpiStage, KpiCompletion)


def _store(spool_ids: list[int], facts: Facts, models: tuple[Any, ...] = MODELS) -> None:
    for model, rows in zip(models, facts.tables(), strict=True):
        model.objects.filter(spool_id__in=spool_ids).delete()
        model.objects.bulk_create([model(**r) for r in rows], batch_size=5000)


def refresh(spool_ids: Iterable[int]) -> None:
    """Recompute the spools' facts from all their events (rebuild, check, repairs)."""
    ids = sorted(set(spool_ids))
    if ids:
        with transaction.atomic():
            _store(ids, compute(ids))


def _fact_event(event: Event) -> FactEvent:
    return FactEvent(*(getattr(event, name) for name in FIELDS))


def apply(event: Event) -> None:
    """Add the fact rows that `event`, the newest of its spool, creates (the services' path).

    Equivalent to `refresh([spool])` when the spool's facts were up to date before the event
    (spools/tests/test_kpi_facts.py checks it over random histories), but it reads only the few earlier
    events it needs: re-folding a spool's whole trail on every action cost +13 ms per action on
    a spool with 400 events (bench/kpis.py). Call inside the transaction that inserted the event,
    under the spool's row lock (the services hold it), so no other event of the spool is in between.
    """
    e = _fact_event(event)
    if e.spool_id is None or e.evento_tipo not in FACT_TYPES:
        return
    earlier = Event.objects.filter(spool_id=e.spool_id, seq__lt=e.seq)
    rows = Facts()

    def first_take(op: str) -> FactEvent | None:
        found = (
            earlier.filter(evento_tipo=EventType.TOMAR_SPOOL, operacion=op)
            .order_by("seq")
            .values_list(*FIELDS)
        )
        return next((FactEvent(*r) for r in found[:1]), None)

    def earlier_of(tipo: str, after_seq: int = 0) -> list[FactEvent]:
        found = earlier.filter(evento_tipo=tipo, seq__gt=after_seq).order_by("seq").values_list(*FIELDS)
        return [FactEvent(*r) for r in found]

    tipo, op = e.evento_tipo, e.operacion
    if op in OCCUPYING and tipo in SESSION_CLOSES:
        before = (
            earlier.filter(operacion=op, evento_tipo__in=[*SESSION_OPENS, *SESSION_CLOSES])
            .order_by("-seq")
            .values_list(*FIELDS)[:1]
        )
        for r in before:
            if r[FIELDS.index("evento_tipo")] in SESSION_OPENS:
                rows.sessions += fold([FactEvent(*r), e]).sessions
    if tipo == EventType.COMPLETAR_METROLOGIA:
        n = earlier.filter(evento_tipo=EventType.COMPLETAR_METROLOGIA).count() + 1
        inspection = fold([e]).inspections[0]
        rows.inspections.append({**inspection, "intento": n})
        if op == Operacion.METROLOGIA:
            last = (
                earlier.filter(evento_tipo=EventType.COMPLETAR_METROLOGIA, operacion=Operacion.METROLOGIA)
                .order_by("-seq")
                .values_list("seq", flat=True)[:1]
            )
            waiting = earlier_of(EventType.COMPLETAR_SOLD, after_seq=next(iter(last), 0))
            rows.stages += [r for r in fold([*waiting, e]).stages if r["etapa"] == KpiStage.SOLD_METROLOGIA]
    if tipo in (EventType.COMPLETAR_ARM, EventType.COMPLETAR_SOLD):
        takes = [t for t in (first_take(Operacion.ARM), first_take(Operacion.SOLD)) if t is not None]
        rows.stages += fold([*takes, e]).stages
    if tipo == EventType.TOMAR_SPOOL and op in (Operacion.ARM, Operacion.SOLD) and first_take(op) is None:
        # The operation's first take: cycles (and, for SOLD, ARM → SOLD waits) of completions that
        # came before it (odd histories, e.g. imported from the old system) start existing now.
        done = earlier_of(EventType.COMPLETAR_ARM) + earlier_of(EventType.COMPLETAR_SOLD)
        new = {KpiStage.ARM} if op == Operacion.ARM else {KpiStage.SOLD, KpiStage.ARM_SOLD}
        rows.stages += [r for r in fold(sorted([*done, e], key=lambda x: x.seq)).stages if r["etapa"] in new]
    if _completes(e):
        rows.completions += fold([e]).completions
    for model, new_rows in zip(MODELS, rows.tables(), strict=True):
        if new_rows:
            model.objects.bulk_create([model(**r) for r in new_rows])


def _all_spool_ids(event_model: Any) -> list[int]:
    qs = event_model.objects.filter(evento_tipo__in=FACT_TYPES, spool_id__isnull=False)
    return sorted(qs.values_list("spool_id", flat=True).distinct())


def rebuild(*, event_model: Any = Event, models: tuple[Any, ...] = MODELS) -> dict[str, int]:
    """Recompute every spool's facts, CHUNK spools at a time; returns the row counts.

    The migration that creates the tables calls it with its historical models.
    """
    ids = _all_spool_ids(event_model)
    counts = dict.fromkeys(["spools", "sessions", "inspections", "stages", "completions"], 0)
    counts["spools"] = len(ids)
    with transaction.atomic():
        for model in models:
            model.objects.all().delete()
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i : i + CHUNK]
            facts = compute(chunk, event_model)
            _store(chunk, facts, models)
            for name, rows in zip(
                ["sessions", "inspections", "stages", "completions"], facts.tables(), strict=True
            ):
                counts[name] += len(rows)
    return counts


def _stored(model: Any, spool_ids: list[int], fields: list[str]) -> set[tuple[Any, ...]]:
    return set(model.objects.filter(spool_id__in=spool_ids).values_list(*fields))


def check() -> list[int]:
    """Spools whose stored facts differ from a fresh fold of their events (empty when all agree)."""
    stored_ids = (i for m in MODELS for i in m.objects.values_list("spool_id", flat=True).distinct())
    ids = sorted({*_all_spool_ids(Event), *stored_ids})
    wrong: set[int] = set()
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        facts = compute(chunk)
        for model, rows in zip(MODELS, facts.tables(), strict=True):
            fields = sorted(f.attname for f in model._meta.concrete_fields if f.name != "id")
            fresh = {tuple(r[f] for f in fields) for r in rows}
            stored = _stored(model, chunk, fields)
            wrong |= {row[fields.index("spool_id")] for row in fresh ^ stored}
    return sorted(wrong)


# --- joints per day, operation and worker (KpiUnionDia) ---------------------------------------

# (fecha, operacion, worker_id) → (joints, PD) to add; negative for a joint undone or voided.
UnionDelta = dict[tuple[datetime.date, str, int | None], tuple[int, Decimal]]


def union_work_deltas(union: Any, sign: int = 1, dn: Decimal | None = None) -> UnionDelta:
    """What a joint's recorded work adds to the day rows (`sign` -1 takes it away)."""
    value = union.dn if dn is None else dn
    deltas: UnionDelta = {}
    for op, prefix in (("ARM", "arm"), ("SOLD", "sold")):
        fecha = getattr(union, f"{prefix}_fecha")
        if fecha is not None:
            deltas[(fecha, op, getattr(union, f"{prefix}_worker_id"))] = (sign, sign * value)
    return deltas


def merge_deltas(*parts: UnionDelta) -> UnionDelta:
    """The sum of several changes, key by key."""
    total: UnionDelta = {}
    for part in parts:
        for key, (n, pd) in part.items():
            n0, pd0 = total.get(key, (0, Decimal("0")))
            total[key] = (n0 + n, pd0 + pd)
    return total


def union_days_add_joints(unions: Iterable[Any]) -> None:
    """Count joints created with their work already recorded (the import's legacy work, the demo,
    tests): what the engine's step does for a joint recorded through the kiosk."""
    union_days_add(merge_deltas(*(union_work_deltas(u) for u in unions if not u.anulada)))


def union_days_add(deltas: UnionDelta) -> None:
    """Add the changes to KpiUnionDia in the action's transaction, atomically per row.

    `INSERT … ON CONFLICT DO UPDATE SET uniones = uniones + excluded.uniones`: the row lock of
    the upsert serialises two actions on one worker's day (different spools, different row locks
    otherwise), so neither overwrites the other's count. A joint without a worker (imported from a
    token nobody has) has a NULL key, which never conflicts: its rows are summed like the others.
    """
    rows = [(fecha, op, worker, n, pd) for (fecha, op, worker), (n, pd) in deltas.items() if n or pd]
    if not rows:
        return
    table = KpiUnionDia._meta.db_table
    rows.sort(key=lambda r: (r[0], r[1], r[2] or 0))  # one order for every writer: no deadlock
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 1000):  # under SQLite's and PostgreSQL's parameter limits
            chunk = rows[i : i + 1000]
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            sql = (
                f"INSERT INTO {table} (fecha, operacion, worker_id, uniones, pulgadas) VALUES {values} "  # noqa: S608
                f"ON CONFLICT (fecha, operacion, worker_id) DO UPDATE SET "
                f"uniones = {table}.uniones + excluded.uniones, pulgadas = {table}.pulgadas + excluded.pulgadas"
            )
            cursor.execute(sql, [v for row in chunk for v in (row[0], row[1], row[2], row[3], str(row[4]))])


def _union_days_fresh() -> dict[tuple[Any, str, int | None], tuple[int, Decimal]]:
    from spools.models import Union

    fresh: dict[tuple[Any, str, int | None], tuple[int, Decimal]] = {}
    for op, prefix in (("ARM", "arm"), ("SOLD", "sold")):
        rows = (
            Union.objects.filter(anulada=False, **{f"{prefix}_fecha__isnull": False})
            .values_list(f"{prefix}_fecha", f"{prefix}_worker_id")
            .annotate(n=Count("pk"), pd=Sum("dn"))
            .order_by()
        )
        for fecha, worker, n, pd in rows:
            fresh[(fecha, op, worker)] = (n, Decimal(str(pd)).quantize(Decimal("0.001")))
    return fresh


def _union_days_stored() -> dict[tuple[Any, str, int | None], tuple[int, Decimal]]:
    stored: dict[tuple[Any, str, int | None], tuple[int, Decimal]] = {}
    for fecha, op, worker, n, pd in KpiUnionDia.objects.values_list(
        "fecha", "operacion", "worker_id", "uniones", "pulgadas"
    ):
        n0, pd0 = stored.get((fecha, op, worker), (0, Decimal("0")))
        stored[(fecha, op, worker)] = (n0 + n, pd0 + Decimal(str(pd)).quantize(Decimal("0.001")))
    return {k: v for k, v in stored.items() if v[0] or v[1]}


def union_days_rebuild() -> int:
    """Recompute KpiUnionDia from the joints (after a bulk load); returns the rows written."""
    fresh = _union_days_fresh()
    with transaction.atomic():
        KpiUnionDia.objects.all().delete()
        KpiUnionDia.objects.bulk_create(
            [
                KpiUnionDia(fecha=f, operacion=op, worker_id=w, uniones=n, pulgadas=pd)
                for (f, op, w), (n, pd) in fresh.items()
            ],
            batch_size=CHUNK,
        )
    return len(fresh)


def union_days_check() -> list[tuple[Any, str, int | None]]:
    """Keys (day, operation, worker) where KpiUnionDia differs from the joints; empty when they agree."""
    fresh, stored = _union_days_fresh(), _union_days_stored()
    return sorted((k for k in fresh.keys() | stored.keys() if fresh.get(k) != stored.get(k)), key=str)
