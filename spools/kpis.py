"""Manager KPIs (issue #7): aggregated in SQL over the audit trail and the spools' current state.

Every figure is for a period of `fecha_operacion` dates (both ends included), narrowed by NV, OT
and worker. Durations are computed in the database; the percentiles use PostgreSQL's
`percentile_cont` and fall back to the same interpolation in Python on SQLite (the embedded
default), where no such aggregate exists. Exact definitions: docs/decisions.md, "KPIs".
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
    Window,
)
from django.db.models.functions import Lead, RowNumber

from spools.history import CLOSES, OPENS
from spools.models import EstadoCalidad, EstadoOperacion, Event, EventType, Operacion, Spool, stale_cutoff

APROBADO = "APROBADO"
COMPLETIONS = {
    Operacion.ARM: EventType.COMPLETAR_ARM,
    Operacion.SOLD: EventType.COMPLETAR_SOLD,
    Operacion.METROLOGIA: EventType.COMPLETAR_METROLOGIA,
}


@dataclass(frozen=True)
class Filtros:
    """The period (both dates included) and the optional NV, OT and worker narrowing it."""

    desde: datetime.date
    hasta: datetime.date
    nv: str = ""
    ot: str = ""
    worker_id: int | None = None


def use_sql_percentiles() -> bool:
    """True where the database computes percentiles (PostgreSQL); SQLite falls back to Python."""
    return connection.vendor == "postgresql"


def percentile_cont(values: list[float], p: float) -> float | None:
    """`percentile_cont` in Python: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    pos = p * (len(ordered) - 1)
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _spool_filter(f: Filtros, prefix: str = "spool__") -> Q:
    q = Q()
    if f.nv:
        q &= Q(**{f"{prefix}nv": f.nv})
    if f.ot:
        q &= Q(**{f"{prefix}ot": f.ot})
    return q


def period_events(f: Filtros) -> QuerySet[Event]:
    """Events of the period, of spools matching NV/OT, by the chosen worker."""
    qs = Event.objects.filter(fecha_operacion__range=(f.desde, f.hasta)).filter(_spool_filter(f))
    return qs.filter(worker_id=f.worker_id) if f.worker_id else qs


def _days(f: Filtros) -> list[datetime.date]:
    return [f.desde + datetime.timedelta(days=i) for i in range((f.hasta - f.desde).days + 1)]


def completed_per_day(f: Filtros) -> list[dict[str, Any]]:
    """Spools completed per day and operation: COMPLETAR_ARM, COMPLETAR_SOLD, metrología APROBADO."""
    done = Q(evento_tipo__in=[EventType.COMPLETAR_ARM, EventType.COMPLETAR_SOLD]) | Q(
        evento_tipo=EventType.COMPLETAR_METROLOGIA, details__resultado=APROBADO
    )
    rows = (
        period_events(f)
        .filter(done)
        .values("fecha_operacion", "operacion")
        .annotate(n=Count("spool", distinct=True))
        .order_by()
    )
    counts = {(r["fecha_operacion"], r["operacion"]): r["n"] for r in rows}
    ops = [Operacion.ARM, Operacion.SOLD, Operacion.METROLOGIA]
    return [{"fecha": d, **{str(op): counts.get((d, op), 0) for op in ops}} for d in _days(f)]


def _first(spool_ref: str, q: Q, after_seq: str | None = None, field: str = "timestamp") -> Subquery:
    qs = Event.objects.filter(q, spool=OuterRef(spool_ref))
    if after_seq:
        qs = qs.filter(seq__gt=OuterRef(after_seq))
    return Subquery(qs.order_by("seq").values(field)[:1])


def _stats(annotated: QuerySet[Any]) -> dict[str, Any]:
    """Count, median and p90 of `t1 - t0` (seconds, negative waits as 0) over annotated rows."""
    if use_sql_percentiles():
        # Wrapped, not .aggregate() or .filter(t0__isnull=...): Django inlines a correlated
        # subquery at every use, and PostgreSQL runs each copy once per row (bench/kpis.py --explain).
        # OFFSET 0 keeps PostgreSQL from flattening the wrapper back into those copies.
        inner, params = annotated.values("t0", "t1").order_by().query.sql_with_params()
        seconds = "GREATEST(EXTRACT(EPOCH FROM x.t1 - x.t0), 0)"
        sql = (
            f"SELECT COUNT(*) AS n, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY {seconds}) AS p50,"
            f" PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY {seconds}) AS p90"
            f" FROM ({inner} OFFSET 0) x WHERE x.t0 IS NOT NULL AND x.t1 IS NOT NULL"
        )
        row = _raw(sql, params)[0]
        return {"n": row["n"], "p50": _float(row["p50"]), "p90": _float(row["p90"])}
    qs: QuerySet[Any] = annotated.filter(**{"t0__isnull": False, "t1__isnull": False})
    values = [max(0.0, (t1 - t0).total_seconds()) for t0, t1 in qs.values_list("t0", "t1")]
    return {"n": len(values), "p50": percentile_cont(values, 0.5), "p90": percentile_cont(values, 0.9)}


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def cycle_and_queue_times(f: Filtros) -> list[dict[str, Any]]:
    """Median and p90 of ARM and SOLD cycle times and of the two waits between operations."""
    rows = []
    for op in (Operacion.ARM, Operacion.SOLD):
        take = Q(evento_tipo=EventType.TOMAR_SPOOL, operacion=op)
        done = period_events(f).filter(evento_tipo=COMPLETIONS[op])
        qs = done.annotate(t0=_first("spool", take), t1=F("timestamp"))
        rows.append({"etapa": f"{op} (ciclo)", "tipo": "ciclo", **_stats(qs)})
    arm_done = period_events(f).filter(evento_tipo=EventType.COMPLETAR_ARM)
    sold_take = Q(evento_tipo=EventType.TOMAR_SPOOL, operacion=Operacion.SOLD)
    qs = arm_done.annotate(t0=F("timestamp"), t1=_first("spool", sold_take))
    rows.append({"etapa": "ARM → SOLD (espera)", "tipo": "espera", **_stats(qs)})
    sold_done = period_events(f).filter(evento_tipo=EventType.COMPLETAR_SOLD)
    inspect = Q(evento_tipo=EventType.COMPLETAR_METROLOGIA, operacion=Operacion.METROLOGIA)
    qs = sold_done.annotate(t0=F("timestamp"), t1=_first("spool", inspect, after_seq="seq"))
    rows.append({"etapa": "SOLD → METROLOGIA (espera)", "tipo": "espera", **_stats(qs)})
    return rows


def wip(f: Filtros) -> dict[str, int]:
    """Active spools per ARM, SOLD and calidad state right now, and how many are occupied."""
    counts: dict[str, Any] = {
        "total": Count("pk"),
        "ocupados": Count("pk", filter=Q(ocupado_por__isnull=False)),
    }
    for machine, states in (("arm", EstadoOperacion), ("sold", EstadoOperacion), ("calidad", EstadoCalidad)):
        for state in states:
            counts[f"{machine}_{state.value}"] = Count("pk", filter=Q(**{machine: state.value}))
    return Spool.objects.filter(activo=True).filter(_spool_filter(f, prefix="")).aggregate(**counts)


def stale_occupations(f: Filtros) -> list[Spool]:
    """Occupations older than ZEUES_STALE_HOURS, oldest first (narrowed by NV, OT and holder)."""
    qs = Spool.objects.filter(fecha_ocupacion__lt=stale_cutoff()).filter(_spool_filter(f, prefix=""))
    if f.worker_id:
        qs = qs.filter(ocupado_por_id=f.worker_id)
    return list(qs.select_related("ocupado_por").order_by("fecha_ocupacion")[:500])


def _raw(sql: str, params: Iterable[Any]) -> list[dict[str, Any]]:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # JIT compilation took 250-400 ms of a 500 ms query over 1,000,000 events and saved
            # nothing (bench/kpis.py --explain); SET LOCAL ends with this transaction.
            cursor.execute("SET LOCAL jit = off")
            # The sessions' window sorts ~200,000 rows for a quarter: in memory, not on disk.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, list(params))
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _inspections_sql(f: Filtros) -> tuple[str, tuple[Any, ...]]:
    """Every inspection of a spool inspected in the period, numbered per spool (`intento`)."""
    inspected = period_events(f).filter(evento_tipo=EventType.COMPLETAR_METROLOGIA).values("spool_id")
    qs = (
        Event.objects.filter(evento_tipo=EventType.COMPLETAR_METROLOGIA, spool_id__in=inspected)
        .annotate(
            intento=Window(RowNumber(), partition_by=[F("spool_id")], order_by=F("seq").asc()),
            aprobado=Case(When(details__resultado=APROBADO, then=1), default=0, output_field=IntegerField()),
        )
        .values("spool_id", "worker_id", "fecha_operacion", "intento", "aprobado")
        .order_by()
    )
    sql, params = qs.query.sql_with_params()
    return sql, tuple(params)


def _names(ids: Iterable[int | None]) -> dict[int, str]:
    from spools.models import Worker

    return {
        w.id: f"{w.token} {w.nombre_completo}" for w in Worker.objects.filter(id__in=[i for i in ids if i])
    }


def _period_params(f: Filtros) -> list[Any]:
    adapt = connection.ops.adapt_datefield_value
    return [adapt(f.desde), adapt(f.hasta)]


def _rate(part: int | None, whole: int | None) -> float | None:
    return round(100.0 * (part or 0) / whole, 1) if whole else None


def first_pass_yield(f: Filtros, role: str) -> list[dict[str, Any]]:
    """Per Armador (`role="armador"`) or Soldador of the spool: first-pass yield and rejection rate."""
    inner, params = _inspections_sql(Filtros(f.desde, f.hasta, f.nv, f.ot))
    column = connection.ops.quote_name(f"{role}_id")
    table = connection.ops.quote_name(Spool._meta.db_table)
    sql = (
        f"SELECT s.{column} AS worker_id, COUNT(*) AS inspecciones,"
        " SUM(1 - i.aprobado) AS rechazos,"
        " SUM(CASE WHEN i.intento = 1 THEN 1 ELSE 0 END) AS primeras,"
        " SUM(CASE WHEN i.intento = 1 THEN i.aprobado ELSE 0 END) AS aprobadas_primera"
        f" FROM ({inner}) i JOIN {table} s ON s.id = i.spool_id"
        f" WHERE i.fecha_operacion BETWEEN %s AND %s AND s.{column} IS NOT NULL"
    )
    extra = _period_params(f)
    if f.worker_id:
        sql += f" AND s.{column} = %s"
        extra.append(f.worker_id)
    rows = _raw(sql + f" GROUP BY s.{column}", [*params, *extra])
    names = _names(r["worker_id"] for r in rows)
    for r in rows:
        r["nombre"] = names.get(r["worker_id"], str(r["worker_id"]))
        r["fpy"] = _rate(r["aprobadas_primera"], r["primeras"])
        r["tasa_rechazo"] = _rate(r["rechazos"], r["inspecciones"])
    return sorted(rows, key=lambda r: r["nombre"])


def yield_per_attempt(f: Filtros) -> list[dict[str, Any]]:
    """Inspections of the period by attempt (1 = first inspection, 2 = after the first repair…)."""
    inner, params = _inspections_sql(Filtros(f.desde, f.hasta, f.nv, f.ot))
    sql = (
        "SELECT i.intento AS intento, COUNT(*) AS inspecciones, SUM(i.aprobado) AS aprobados"
        f" FROM ({inner}) i WHERE i.fecha_operacion BETWEEN %s AND %s"
    )
    extra = _period_params(f)
    if f.worker_id:
        sql += " AND i.worker_id = %s"
        extra.append(f.worker_id)
    rows = _raw(sql + " GROUP BY i.intento ORDER BY i.intento", [*params, *extra])
    for r in rows:
        r["rechazados"] = r["inspecciones"] - (r["aprobados"] or 0)
        r["tasa_rechazo"] = _rate(r["rechazados"], r["inspecciones"])
    return rows


def _seconds_sql(start: str, end: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM {end} - {start})"
    return f"(julianday({end}) - julianday({start})) * 86400.0"


def hours_by_worker(f: Filtros) -> list[dict[str, Any]]:
    """Per worker and operation: closed sessions started in the period and their summed hours."""

    def after(expression: Lead) -> Window:
        return Window(expression, partition_by=[F("spool_id"), F("operacion")], order_by=F("seq").asc())

    occupying = [Operacion.ARM, Operacion.SOLD, Operacion.REPARACION]
    inner_qs = (
        # Only opens and closes: an event in between (a supervisor override) must not end a session.
        Event.objects.filter(fecha_operacion__gte=f.desde, operacion__in=occupying)
        .filter(evento_tipo__in=[*OPENS, *CLOSES])
        .filter(_spool_filter(f))
        .annotate(next_ts=after(Lead("timestamp")), next_tipo=after(Lead("evento_tipo")))
        .values(
            "worker_id", "operacion", "evento_tipo", "fecha_operacion", "timestamp", "next_ts", "next_tipo"
        )
        .order_by()
    )
    inner, params = inner_qs.query.sql_with_params()
    opens, closes = sorted(OPENS), sorted(CLOSES)
    sql = (
        "SELECT h.worker_id AS worker_id, h.operacion AS operacion, COUNT(*) AS sesiones,"
        f" SUM({_seconds_sql('h.timestamp', 'h.next_ts')}) AS segundos FROM ({inner}) h"
        f" WHERE h.evento_tipo IN ({', '.join(['%s'] * len(opens))})"
        f" AND h.next_tipo IN ({', '.join(['%s'] * len(closes))}) AND h.fecha_operacion <= %s"
    )
    extra: list[Any] = [*opens, *closes, connection.ops.adapt_datefield_value(f.hasta)]
    if f.worker_id:
        sql += " AND h.worker_id = %s"
        extra.append(f.worker_id)
    rows = _raw(sql + " GROUP BY h.worker_id, h.operacion", [*params, *extra])
    names = _names(r["worker_id"] for r in rows)
    for r in rows:
        r["nombre"] = names.get(r["worker_id"], str(r["worker_id"]))
        r["horas"] = round(float(r["segundos"] or 0) / 3600, 2)
    return sorted(rows, key=lambda r: (r["nombre"], r["operacion"]))


@dataclass
class Kpis:
    """Everything the overview page shows."""

    filtros: Filtros
    completados: list[dict[str, Any]]
    tiempos: list[dict[str, Any]]
    wip: dict[str, int]
    fpy_armador: list[dict[str, Any]]
    fpy_soldador: list[dict[str, Any]]
    por_intento: list[dict[str, Any]]
    antiguas: list[Spool]
    horas: list[dict[str, Any]]


def kpis(f: Filtros) -> Kpis:
    """All the KPIs of the overview page for one period and filter."""
    return Kpis(
        filtros=f,
        completados=completed_per_day(f),
        tiempos=cycle_and_queue_times(f),
        wip=wip(f),
        fpy_armador=first_pass_yield(f, "armador"),
        fpy_soldador=first_pass_yield(f, "soldador"),
        por_intento=yield_per_attempt(f),
        antiguas=stale_occupations(f),
        horas=hours_by_worker(f),
    )
