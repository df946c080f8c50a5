"""Manager KPIs (issue #7): aggregated in SQL over the KPI facts and the spools' current state.

Every figure is for a period of `fecha_operacion` dates (both ends included), narrowed by NV, OT
and worker. Sessions, inspections, cycles, waits and completions come pre-folded from the audit
trail (spools/kpi_facts.py, kept in the actions' transactions); WIP and stale occupations read the
spools. Durations are stored in seconds; the percentiles use PostgreSQL's
`percentile_cont` and fall back to the same interpolation in Python on SQLite (the embedded
default), where no such aggregate exists. Exact definitions: docs/decisions.md, "KPIs".
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)

from spools.models import (
    EstadoCalidad,
    EstadoOperacion,
    KpiCompletion,
    KpiInspection,
    KpiSession,
    KpiStage,
    KpiUnionDia,
    Operacion,
    Spool,
    Union,
    stale_cutoff,
)


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


def _days(f: Filtros) -> list[datetime.date]:
    return [f.desde + datetime.timedelta(days=i) for i in range((f.hasta - f.desde).days + 1)]


def completed_per_day(f: Filtros) -> list[dict[str, Any]]:
    """Spools completed per day and operation: COMPLETAR_ARM, COMPLETAR_SOLD, metrología APROBADO.

    From KpiCompletion (one row per such event, spools/kpi_facts.py): over a year the events
    themselves were a heap scan of 17,500 pages and a sort on disk (~190 ms, bench/kpis.py).
    """
    rows = (
        _facts(KpiCompletion, f)
        .values("fecha", "operacion")
        .annotate(n=Count("spool", distinct=True))
        .order_by()
    )
    counts = {(r["fecha"], r["operacion"]): r["n"] for r in rows}
    ops = [Operacion.ARM, Operacion.SOLD, Operacion.METROLOGIA]
    return [{"fecha": d, **{str(op): counts.get((d, op), 0) for op in ops}} for d in _days(f)]


STAGES = (
    (KpiStage.ARM, "ARM (ciclo)", "ciclo"),
    (KpiStage.SOLD, "SOLD (ciclo)", "ciclo"),
    (KpiStage.ARM_SOLD, "ARM → SOLD (espera)", "espera"),
    (KpiStage.SOLD_METROLOGIA, "SOLD → METROLOGIA (espera)", "espera"),
)


def _facts(model: type[Any], f: Filtros, worker: str | None = "worker_id") -> QuerySet[Any]:
    """Fact rows dated in the period, of spools matching NV/OT, narrowed to the worker's."""
    qs = model.objects.filter(fecha__range=(f.desde, f.hasta)).filter(_spool_filter(f))
    return qs.filter(**{worker: f.worker_id}) if f.worker_id and worker else qs


def cycle_and_queue_times(f: Filtros) -> list[dict[str, Any]]:
    """Median and p90 of ARM and SOLD cycle times and of the two waits between operations.

    One row per completion in the period (the completing worker for the worker filter); see
    spools/kpi_facts.py for where each span starts and ends.
    """
    qs = _facts(KpiStage, f).values("etapa", "segundos").order_by()
    stats: dict[str, dict[str, Any]] = {}
    if use_sql_percentiles():
        inner, params = qs.query.sql_with_params()
        # The inner query is Django's own SQL for the filtered facts; every value stays a parameter.
        sql = (
            "SELECT x.etapa AS etapa, COUNT(*) AS n,"  # noqa: S608
            " PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY x.segundos) AS p50,"
            " PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY x.segundos) AS p90"
            f" FROM ({inner}) x GROUP BY x.etapa"
        )
        stats = {
            r["etapa"]: {"n": r["n"], "p50": _float(r["p50"]), "p90": _float(r["p90"])}
            for r in _raw(sql, params)
        }
    else:
        values: dict[str, list[float]] = {}
        for etapa, seconds in qs.values_list("etapa", "segundos"):
            values.setdefault(etapa, []).append(seconds)
        stats = {
            etapa: {"n": len(v), "p50": percentile_cont(v, 0.5), "p90": percentile_cont(v, 0.9)}
            for etapa, v in values.items()
        }
    empty = {"n": 0, "p50": None, "p90": None}
    return [{"etapa": label, "tipo": tipo, **stats.get(code, empty)} for code, label, tipo in STAGES]


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


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


def _names(ids: Iterable[int | None]) -> dict[int, str]:
    from spools.models import Worker

    return {
        w.id: f"{w.token} {w.nombre_completo}" for w in Worker.objects.filter(id__in={i for i in ids if i})
    }


def _rate(part: int | None, whole: int | None) -> float | None:
    return round(100.0 * (part or 0) / whole, 1) if whole else None


def _named(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = _names(r["worker_id"] for r in rows)
    for r in rows:
        r["nombre"] = names.get(r["worker_id"], str(r["worker_id"] or "(sin trabajador)"))
    return rows


FIRST = Q(intento=1)


def first_pass_yield(f: Filtros, role: str) -> list[dict[str, Any]]:
    """Per Armador (`role="armador"`) or Soldador of the spool: first-pass yield and rejection rate.

    Over the inspections of the period; the worker filter keeps the spools of that armador/soldador.
    """
    column = f"spool__{role}_id"
    rows = list(
        _facts(KpiInspection, f, worker=column)
        .filter(**{f"{column}__isnull": False})
        .values(trabajador=F(column))
        .annotate(
            inspecciones=Count("pk"),
            rechazos=Count("pk", filter=Q(aprobado=False)),
            primeras=Count("pk", filter=FIRST),
            aprobadas_primera=Count("pk", filter=FIRST & Q(aprobado=True)),
        )
        .order_by()
    )
    for r in rows:
        r["worker_id"] = r.pop("trabajador")
    for r in _named(rows):
        r["fpy"] = _rate(r["aprobadas_primera"], r["primeras"])
        r["tasa_rechazo"] = _rate(r["rechazos"], r["inspecciones"])
    return sorted(rows, key=lambda r: r["nombre"])


def yield_per_attempt(f: Filtros) -> list[dict[str, Any]]:
    """Inspections of the period by attempt (1 = first inspection, 2 = after the first repair…).

    The worker filter keeps that inspector's results.
    """
    rows = list(
        _facts(KpiInspection, f)
        .values("intento")
        .annotate(inspecciones=Count("pk"), aprobados=Count("pk", filter=Q(aprobado=True)))
        .order_by("intento")
    )
    for r in rows:
        r["rechazados"] = r["inspecciones"] - r["aprobados"]
        r["tasa_rechazo"] = _rate(r["rechazados"], r["inspecciones"])
    return rows


def hours_by_worker(f: Filtros) -> list[dict[str, Any]]:
    """Per worker and operation: closed sessions opened in the period and their summed hours."""
    rows = list(
        _facts(KpiSession, f)
        .values("worker_id", "operacion")
        .annotate(sesiones=Count("pk"), segundos=Sum("segundos"))
        .order_by()
    )
    for r in _named(rows):
        r["horas"] = round(float(r["segundos"] or 0) / 3600, 2)
    return sorted(rows, key=lambda r: (r["nombre"], r["operacion"]))


# --- Joints: pulgadas-diámetro (PD) per worker and day, joints per day, joint vs whole-spool work ---

ZERO = Decimal("0")
JOINT_OPERATIONS = (Operacion.ARM, Operacion.SOLD)
PIVOT_DAYS = 31  # the page's worker × day table up to a month; longer periods: the download has it


def _prefix(operacion: str) -> str:
    return "arm" if operacion == Operacion.ARM else "sold"


@dataclass
class PdOperacion:
    """One operation's joints done in the period: per worker, per day, and in all.

    `por_trabajador`: highest PD first, each with its joints, PD, days with joints and PD per
    such day, and, for periods up to PIVOT_DAYS, each day's PD in `por_dia` (aligned with `dias`,
    None for a day without joints). `por_fecha`: day → (joints, PD).
    """

    operacion: str
    por_trabajador: list[dict[str, Any]] = field(default_factory=list)
    por_fecha: dict[datetime.date, tuple[int, Decimal]] = field(default_factory=dict)
    dias: list[datetime.date] = field(default_factory=list)
    uniones: int = 0
    pd: Decimal = ZERO


def _joints_done(f: Filtros, operacion: str) -> QuerySet[Any]:
    """(fecha, worker_id, uniones, pd) per day and worker of the joints `operacion` did in the
    period (ARM: fitted, SOLD: welded), on the shop's date, for who did it; voided ones left out.

    From the day facts (KpiUnionDia) unless NV or OT narrow it to some spools: then from the
    joints of those spools, which the facts do not know.
    """
    if not (f.nv or f.ot):
        # The day rows kept in each action's transaction: a year is ~20,000 rows, not 500,000 joints.
        days = KpiUnionDia.objects.filter(operacion=operacion, fecha__range=(f.desde, f.hasta), uniones__gt=0)
        if f.worker_id:
            days = days.filter(worker_id=f.worker_id)
        return (
            days.values("fecha", "worker_id").annotate(uniones=Sum("uniones"), pd=Sum("pulgadas")).order_by()
        )
    p = _prefix(operacion)
    qs = Union.objects.filter(**{f"{p}_fecha__range": (f.desde, f.hasta)}, anulada=False)
    qs = qs.filter(_spool_filter(f))
    if f.worker_id:
        qs = qs.filter(**{f"{p}_worker_id": f.worker_id})
    return (
        qs.values(fecha=F(f"{p}_fecha"), worker_id=F(f"{p}_worker_id"))
        .annotate(uniones=Count("*"), pd=Sum("dn"))
        .order_by()
    )


def pd_rows(f: Filtros, operacion: str) -> list[dict[str, Any]]:
    """The per day and worker rows (by day, then name), with the worker's name."""
    rows = _named([dict(r) for r in _joints_done(f, operacion)])
    return sorted(rows, key=lambda r: (r["fecha"], r["nombre"]))


def pd_per_worker_and_day(f: Filtros, operacion: str) -> PdOperacion:
    """PD (sum of DN) and joints of `operacion` per worker and per day of the period.

    Up to PIVOT_DAYS the day-and-worker rows are folded here (at most ~1,000); over a longer
    period the database folds them (`_rollup`): a year has ~11,000 of them, which took longer to
    read and fold in Python than to aggregate.
    """
    days = _days(f)
    if len(days) > PIVOT_DAYS:
        return _rollup(f, operacion)
    column = {d: i for i, d in enumerate(days)}
    workers: dict[int | None, dict[str, Any]] = {}
    por_fecha: dict[datetime.date, tuple[int, Decimal]] = {}
    for g in pd_rows(f, operacion):
        w = workers.setdefault(
            g["worker_id"], _worker(g["worker_id"], g["nombre"], por_dia=[None] * len(days))
        )
        w["uniones"] += g["uniones"]
        w["pd"] += g["pd"]
        w["dias"] += 1
        w["por_dia"][column[g["fecha"]]] = g["pd"]
        n, pd = por_fecha.get(g["fecha"], (0, ZERO))
        por_fecha[g["fecha"]] = (n + g["uniones"], pd + g["pd"])
    return _pd_operacion(operacion, list(workers.values()), por_fecha, days)


def _worker(worker_id: int | None, nombre: str, **extra: Any) -> dict[str, Any]:
    return {"worker_id": worker_id, "nombre": nombre, "uniones": 0, "pd": ZERO, "dias": 0, **extra}


def _pd_operacion(
    operacion: str,
    workers: list[dict[str, Any]],
    por_fecha: dict[datetime.date, tuple[int, Decimal]],
    days: list[datetime.date],
) -> PdOperacion:
    for w in workers:
        w["pd_dia"] = (w["pd"] / w["dias"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return PdOperacion(
        operacion=operacion,
        por_trabajador=sorted(workers, key=lambda w: (-w["pd"], w["nombre"])),
        por_fecha=por_fecha,
        dias=days,
        uniones=sum(w["uniones"] for w in workers),
        pd=sum((w["pd"] for w in workers), ZERO),
    )


def _decimal(value: Any) -> Decimal:
    # PostgreSQL sums numeric into Decimal; SQLite into a float, rounded here to the DN's places.
    return value if isinstance(value, Decimal) else Decimal(str(value)).quantize(Decimal("0.001"))


def _rollup(f: Filtros, operacion: str) -> PdOperacion:
    """The per-worker and per-day sums of the day-and-worker rows, folded in one SQL statement
    (the rows are read once: PostgreSQL materialises a CTE named twice)."""
    inner, params = _joints_done(f, operacion).query.sql_with_params()
    # The inner query is Django's own SQL for the period's joints; every value stays a parameter.
    sql = (
        f"WITH g AS ({inner})"  # noqa: S608
        " SELECT g.worker_id AS worker_id, NULL AS fecha, SUM(g.uniones) AS uniones, SUM(g.pd) AS pd,"
        " COUNT(*) AS dias FROM g GROUP BY g.worker_id"
        " UNION ALL SELECT NULL, g.fecha, SUM(g.uniones), SUM(g.pd), COUNT(*) FROM g GROUP BY g.fecha"
    )
    rows = _raw(sql, params)
    per_worker = _named([r for r in rows if r["fecha"] is None])
    workers = [
        _worker(
            r["worker_id"],
            r["nombre"],
            uniones=int(r["uniones"]),
            pd=_decimal(r["pd"]),
            dias=r["dias"],
            por_dia=[],
        )
        for r in per_worker
    ]
    por_fecha = {
        _date(r["fecha"]): (int(r["uniones"]), _decimal(r["pd"])) for r in rows if r["fecha"] is not None
    }
    return _pd_operacion(operacion, workers, por_fecha, [])


def _date(value: Any) -> datetime.date:
    # SQLite hands raw SQL's dates back as text.
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def joints_per_day(f: Filtros, arm: PdOperacion, sold: PdOperacion) -> list[dict[str, Any]]:
    """Per day of the period: joints fitted and welded and their PD."""
    rows = []
    for d in _days(f):
        (an, apd), (sn, spd) = arm.por_fecha.get(d, (0, ZERO)), sold.por_fecha.get(d, (0, ZERO))
        rows.append({"fecha": d, "arm_uniones": an, "arm_pd": apd, "sold_uniones": sn, "sold_pd": spd})
    return rows


def joint_share(f: Filtros) -> list[dict[str, Any]]:
    """ARM and SOLD completions of the period on spools made of joints vs whole spools.

    From KpiCompletion (one row per COMPLETAR_ARM / COMPLETAR_SOLD, dated and attributed like
    completed-per-day); a spool is joint-tracked when it has joints now (voided ones not counted).
    Up to PIVOT_DAYS each completion looks its spool's joints up in their index (a week: ~9 ms
    under load on bench/kpis.py's data); a longer period joins the spools (`uniones_total`) once,
    which is cheaper than ~100,000 look-ups but reads the 50,000 spools even for a week (57 ms).
    """
    if len(_days(f)) <= PIVOT_DAYS:
        joints = Exists(Union.objects.filter(spool_id=OuterRef("spool_id"), anulada=False))
        con_uniones = Count("pk", filter=Q(joints))
    else:
        con_uniones = Count("pk", filter=Q(spool__uniones_total__gt=0))
    rows = {
        r["operacion"]: r
        for r in _facts(KpiCompletion, f)
        .filter(operacion__in=JOINT_OPERATIONS)
        .values("operacion")
        .annotate(completados=Count("pk"), con_uniones=con_uniones)
        .order_by()
    }
    share = []
    for op in JOINT_OPERATIONS:
        r = rows.get(op, {"completados": 0, "con_uniones": 0})
        total, joints = r["completados"], r["con_uniones"]
        share.append(
            {"operacion": str(op), "completados": total, "con_uniones": joints, "sin_uniones": total - joints,
             "pct_con": _rate(joints, total), "pct_sin": _rate(total - joints, total)}
        )  # fmt: skip
    return share


@dataclass
class Uniones:
    """The page's joint figures."""

    arm: PdOperacion
    sold: PdOperacion
    por_dia: list[dict[str, Any]]
    reparto: list[dict[str, Any]]

    @property
    def hay(self) -> bool:
        """Any joint fitted or welded in the period."""
        return bool(self.arm.uniones or self.sold.uniones)


def joint_kpis(f: Filtros) -> Uniones:
    """PD ARM per fitter and PD SOLD per welder, joints per day, and the joint/whole-spool share."""
    arm = pd_per_worker_and_day(f, Operacion.ARM)
    sold = pd_per_worker_and_day(f, Operacion.SOLD)
    return Uniones(arm=arm, sold=sold, por_dia=joints_per_day(f, arm, sold), reparto=joint_share(f))


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
    uniones: Uniones


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
        uniones=joint_kpis(f),
    )
