"""Server time of the manager's KPI page (/gerencia/) over 50,000 spools, 1,000,000 events, 500,000 joints.

    .venv/bin/python bench/kpis.py [--spools 50000] [--requests 20] [--explain] [--reuse] [--vigentes-index]

Uses its own PostgreSQL database `zeues_bench_kpis` on 127.0.0.1 (dropped and recreated each run;
override with BENCH_DATABASE_URL), migrated, then seeded with COPY: each spool gets a life over the
last year (ARM and SOLD sessions with pauses, metrología, a repair loop for one in five), about 20
events per spool; four spools in five are made of joints (4 to 21 each, ~500,000 in all, COPY
too), fitted and welded in those same sessions by the spool's fitter and welder, one in 200
voided. Requests go through Django's full stack in-process (no network, no test Client: bench/inproc.py,
DEBUG off as in production): the overview
page for the default period (last 7 days) and for 90 days, and each KPI table's CSV export. Each
page is also timed with the joint figures switched off (`kpis.joint_kpis` answering nothing, as
the page was before joints), alternating in the same run, and the ratio printed.
`--explain` prints EXPLAIN ANALYZE of every query the overview runs. `--vigentes-index` adds, in
this database only, the partial indexes proposed for the joints (`(arm_fecha, arm_worker, dn)`
and `(sold_fecha, sold_worker, dn)` WHERE NOT anulada: the PD queries read only the index);
without it, they are dropped. Aim: under 500 ms.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zeues_bench_kpis")
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("REDIS_URL", "")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zeues.settings")
from bench.database import recreate_database  # noqa: E402
from bench.inproc import App, collect_static  # noqa: E402  (sets DEBUG=false before Django starts)

WORKERS = 60
COLUMNS = (
    "id, timestamp, evento_tipo, spool_id, tag_spool, worker_id, worker_token, operacion, accion,"
    " fecha_operacion, details"
)


class Life:
    """One spool's generated events (rows for COPY) and its final state."""

    def __init__(self, spool_id: int, tag: str, start: datetime.datetime, rng: random.Random) -> None:
        self.spool_id, self.tag, self.t, self.rng = spool_id, tag, start, rng
        self.rows: list[tuple] = []
        self.state = {"arm": "pendiente", "sold": "pendiente", "calidad": "pendiente"}
        # Each operation's sessions (worker, TOMAR, close): the joints are recorded at the closes.
        self.sessions: dict[str, list[tuple[int, datetime.datetime, datetime.datetime]]] = {}

    def add(self, tipo: str, worker: int, op: str, details: str = "{}") -> None:
        from django.utils import timezone

        local = timezone.localtime(self.t)
        token = f"N{worker % 10}({worker})"
        row = (uuid.uuid4(), self.t, tipo, self.spool_id, self.tag, worker, token, op, tipo.split("_")[0])
        self.rows.append((*row, local.date(), details))

    def wait(self, low: float, high: float) -> None:
        self.t += datetime.timedelta(hours=self.rng.uniform(low, high))

    def operation(self, op: str, worker: int, done: str) -> None:
        """TOMAR/PAUSAR pairs then TOMAR/COMPLETAR; the last session may still be running."""
        spans = self.sessions.setdefault(op, [])
        for _ in range(self.rng.randint(1, 6)):
            self.add("TOMAR_SPOOL", worker, op)
            begin = self.t
            self.wait(0.5, 3)
            self.add("PAUSAR_SPOOL", worker, op)
            spans.append((worker, begin, self.t))
            self.wait(1, 20)
        self.add("TOMAR_SPOOL", worker, op)
        begin = self.t
        self.wait(0.5, 3)
        self.add(done, worker, op)
        spans.append((worker, begin, self.t))
        self.state[op.lower()] = "completado"
        self.wait(2, 48)


def life(spool_id: int, tag: str, now: datetime.datetime, rng: random.Random) -> Life:
    """A spool's events over the last year, stopping at `now`."""
    x = Life(spool_id, tag, now - datetime.timedelta(days=rng.uniform(0, 365)), rng)
    fitter, welder = 100 + rng.randrange(WORKERS // 2), 100 + WORKERS // 2 + rng.randrange(WORKERS // 2)
    inspector = 100 + rng.randrange(WORKERS)
    x.operation("ARM", fitter, "COMPLETAR_ARM")
    x.operation("SOLD", welder, "COMPLETAR_SOLD")
    ciclo = 0
    while x.rng.random() < 0.2 and ciclo < 2:
        ciclo += 1
        x.add(
            "COMPLETAR_METROLOGIA",
            inspector,
            "METROLOGIA",
            json.dumps({"resultado": "RECHAZADO", "ciclo": ciclo}),
        )
        x.wait(2, 24)
        x.add("TOMAR_REPARACION", welder, "REPARACION")
        x.wait(1, 4)
        x.add("COMPLETAR_REPARACION", welder, "REPARACION")
        x.wait(2, 24)
    x.add("COMPLETAR_METROLOGIA", inspector, "METROLOGIA", json.dumps({"resultado": "APROBADO", "ciclo": 0}))
    x.state.update(calidad="aprobado", armador=fitter, soldador=welder)
    x.rows = [r for r in x.rows if r[1] <= now]  # a life that reaches the future is still in progress
    return x


DNS = (0.5, 0.75, 1, 1.5, 2, 2, 2.5, 3, 3, 4, 4, 6, 8, 10, 12)
TIPOS = ("BW",) * 6 + ("SO", "BR", "LET", "FW")
UNION_COLUMNS = (
    "spool_id, n_union, dn, tipo, arm_worker_id, arm_inicio, arm_fin, arm_fecha, sold_worker_id,"
    " sold_inicio, sold_fin, sold_fecha, ndt_metodo, ndt_informe, ndt_resultado, anulada,"
    " anulada_motivo, version, created_at, updated_at"
)


def joints(x: Life, now: datetime.datetime) -> list[tuple]:
    """Four spools in five: 4-21 joints, each fitted (and, but FW, welded) at the close of one of
    the operation's sessions, in number order; none past `now`; one in 200 voided."""
    from django.utils import timezone

    rng = x.rng
    if rng.random() < 0.2:
        return []
    n = rng.randint(4, 21)
    rows = []

    def done_at(op: str, k: int, of: int) -> tuple | None:
        spans = x.sessions.get(op) or []
        if not spans:
            return None
        worker, begin, end = spans[min(k * len(spans) // of, len(spans) - 1)]
        return (worker, begin, end, timezone.localtime(end).date()) if end <= now else None

    tipos = [rng.choice(TIPOS) for _ in range(n)]
    welded = [i for i, t in enumerate(tipos) if t != "FW"]
    for i, tipo in enumerate(tipos):
        arm = done_at("ARM", i, n)
        sold = done_at("SOLD", welded.index(i), len(welded)) if arm and tipo != "FW" else None
        voided = rng.random() < 0.005
        rows.append(
            (x.spool_id, i + 1, rng.choice(DNS), tipo, *(arm or (None,) * 4), *(sold or (None,) * 4), "", "", "",
             voided, "Cambio de ingeniería" if voided else "", 1, now, now)
        )  # fmt: skip
    return rows


def seed(n: int) -> tuple[int, float]:
    """n spools, their lives via COPY, 60 workers, a manager; returns (events, seconds)."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.utils import timezone

    from spools.models import Spool, Worker

    begin, now, rng = time.perf_counter(), timezone.now(), random.Random(7)
    Worker.objects.bulk_create(
        Worker(id=100 + i, nombre=f"N{i % 10}", apellido=f"A{i}") for i in range(WORKERS)
    )
    User.objects.create_superuser("gerente-bench", password="x-123456789")
    spools = Spool.objects.bulk_create(
        (Spool(tag_spool=f"MK-{i:06d}", nv=f"NV{i // 500:04d}", ot=f"{i % 30:03d}") for i in range(n)),
        batch_size=5000,
    )
    total, union_rows = 0, []
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY spools_event ({COLUMNS}) FROM STDIN") as copy,
    ):
        for s in spools:
            x = life(s.pk, s.tag_spool, now, rng)
            for row in x.rows:
                copy.write_row(row)
            total += len(x.rows)
            union_rows += joints(x, now)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY spools_union ({UNION_COLUMNS}) FROM STDIN") as copy,
    ):
        for row in union_rows:
            copy.write_row(row)
    store_progress()
    print(f"{len(union_rows):,} uniones ({sum(1 for r in union_rows if r[15]):,} anuladas)")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE spools_spool SET arm = 'completado', sold = 'completado', calidad = 'aprobado',"
            " armador_id = 100 + id % 30, soldador_id = 130 + id % 30 WHERE id % 10 <> 0"
        )
    seeded = time.perf_counter() - begin
    from spools import kpi_facts

    begin = time.perf_counter()
    counts = kpi_facts.rebuild()  # COPY bypassed the services that keep the facts in step
    print(
        f"Indicadores reconstruidos (manage.py kpi_facts --rebuild) en {time.perf_counter() - begin:.0f} s: "
        f"{counts['sessions']:,} sesiones, {counts['inspections']:,} inspecciones, {counts['stages']:,} etapas, "
        f"{counts['completions']:,} completados"
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return total, seeded


def store_progress() -> None:
    """The spools' joint figures (spools.joints.progress) for every spool at once, in SQL."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE spools_spool s SET uniones_total = j.total, uniones_arm = j.arm,"
            " uniones_sold_total = j.sold_total, uniones_sold = j.sold, uniones_sold_listas = j.listas,"
            " pulgadas_arm = j.pd_arm, pulgadas_sold = j.pd_sold FROM ("
            "  SELECT spool_id, COUNT(*) AS total, COUNT(arm_fin) AS arm,"
            "  COUNT(*) FILTER (WHERE tipo <> 'FW') AS sold_total, COUNT(sold_fin) AS sold,"
            "  COUNT(*) FILTER (WHERE tipo <> 'FW' AND arm_fin IS NOT NULL AND sold_fin IS NULL) AS listas,"
            "  COALESCE(SUM(dn) FILTER (WHERE arm_fin IS NOT NULL), 0) AS pd_arm,"
            "  COALESCE(SUM(dn) FILTER (WHERE sold_fin IS NOT NULL), 0) AS pd_sold"
            "  FROM spools_union WHERE NOT anulada GROUP BY spool_id) j WHERE j.spool_id = s.id"
        )


def explain(params: dict) -> None:
    """EXPLAIN ANALYZE every query of the overview for `params`."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from zeues.front.gerencia import KpiFilterForm
    from zeues.reports import kpis

    form = KpiFilterForm(params)
    form.is_valid()
    with CaptureQueriesContext(connection) as ctx:
        kpis.kpis(form.filtros())
    for q in ctx.captured_queries:
        if not q["sql"].startswith("SELECT"):
            continue  # BEGIN, SET LOCAL jit = off, COMMIT around the raw KPI queries
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            print(f"\n-- {q['time']} s\n{q['sql'][:300]}\n" + "\n".join(r[0] for r in cursor.fetchall()))


VIGENTES = {
    "bench_union_arm_vigentes": "(arm_fecha, arm_worker_id, dn)",
    "bench_union_sold_vigentes": "(sold_fecha, sold_worker_id, dn)",
}


def vigentes_index(on: bool) -> None:
    """Create (or drop) the proposed partial indexes of the joints that count, in this database."""
    from django.db import connection

    with connection.cursor() as cursor:
        for name, columns in VIGENTES.items():
            if on:
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {name} ON spools_union {columns} WHERE NOT anulada"
                )
            else:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
        cursor.execute("VACUUM ANALYZE spools_union")


def run(n: int, count: int, show_plans: bool, reuse: bool, vigentes: bool = False) -> None:
    """Seed, then time the page and each table's CSV."""
    import django
    from django.core.management import call_command

    if not reuse:
        recreate_database(URL)
    django.setup()
    call_command("migrate", verbosity=0)
    from spools.models import Event

    events, seconds = (Event.objects.count(), 0.0) if reuse else seed(n)
    from spools import kpi_facts
    from spools.models import KpiUnionDia

    if not KpiUnionDia.objects.exists():  # the joints went in by COPY, past the engine's day facts
        begin = time.perf_counter()
        rows = kpi_facts.union_days_rebuild()
        print(f"Uniones por día reconstruidas en {time.perf_counter() - begin:.1f} s: {rows:,} filas")
    vigentes_index(vigentes)
    collect_static()
    app = App("gerente-bench")
    from spools.models import Union

    print(
        f"Base de datos: {URL}; {n:,} spools, {events:,} eventos generados en {seconds:.0f} s, "
        f"{Union.objects.count():,} uniones; {count} peticiones; índices parciales de uniones vigentes: "
        f"{'sí' if vigentes else 'no'}; carga {os.getloadavg()[0]:.1f}\n"
    )
    today = django.utils.timezone.localdate()
    q90 = {"desde": str(today - datetime.timedelta(days=89)), "hasta": str(today)}
    screens = [
        ("/gerencia/ (7 días)", {}),
        ("/gerencia/ (90 días)", q90),
        ("/gerencia/ NV0040 (90 días)", {**q90, "nv": "NV0040"}),
        ("/gerencia/ (365 días)", {"desde": str(today - datetime.timedelta(days=364)), "hasta": str(today)}),
    ]
    print("| pantalla | p50 ms | p99 ms | máx ms | sin uniones p50 ms | con/sin |")
    print("|---|---|---|---|---|---|")
    for name, params in screens:
        with_joints, without = page_times(app, params, count)
        q = statistics.quantiles(with_joints, n=100)
        base = statistics.median(without)
        print(
            f"| {name} | {q[49]:.0f} | {q[98]:.0f} | {max(with_joints):.0f} | {base:.0f} | {q[49] / base:.2f} |"
        )
    tables = ("completados", "tiempos", "wip", "fpy_armador", "intentos", "antiguas", "horas")
    downloads = [(f"CSV {t} (7 días)", {"formato": "csv", "tabla": t}) for t in tables]
    year = {"desde": str(today - datetime.timedelta(days=364)), "hasta": str(today)}
    downloads += [
        (f"CSV {t} ({days})", {**period, "formato": "csv", "tabla": t})
        for t in ("pd_arm", "pd_sold", "pd_dia", "uniones_dia", "reparto")
        for days, period in (("7 días", {}), ("365 días", year))
    ]
    downloads += [("XLSX todas las tablas (90 días)", {**q90, "formato": "xlsx", "tabla": "todas"})]
    print("\n| descarga | p50 ms | p99 ms | máx ms |")
    print("|---|---|---|---|")
    for name, params in downloads:
        app.time_gets("/gerencia/", 2, params)  # warm-up
        times, _size = app.time_gets("/gerencia/", count, params)
        q = statistics.quantiles(times, n=100)
        print(f"| {name} | {q[49]:.0f} | {q[98]:.0f} | {max(times):.0f} |")
    write_cost(count * 10)
    if show_plans:
        explain(q90)


def page_times(app: App, params: dict, count: int) -> tuple[list[float], list[float]]:
    """The page's times with its joint figures and without them (kpis.joint_kpis answering an
    empty result, as the page was before joints), alternating request by request."""
    from zeues.reports import kpis

    def none(f: kpis.Filtros) -> kpis.Uniones:
        return kpis.Uniones(kpis.PdOperacion("ARM"), kpis.PdOperacion("SOLD"), [], [])

    real = kpis.joint_kpis
    times: dict[bool, list[float]] = {True: [], False: []}
    try:
        for i in range(2 * (count + 2)):
            on = i % 2 == 0
            kpis.joint_kpis = real if on else none
            t, _size = app.time_gets("/gerencia/", 1, params)
            if i >= 4:  # two warm-up requests of each kind
                times[on] += t
    finally:
        kpis.joint_kpis = real
    return times[True], times[False]


def write_cost(pairs: int) -> None:
    """What keeping the facts costs an action: TOMAR+PAUSAR pairs through the services, in-process,
    with the facts kept (as in production) and with `kpi_facts.apply` switched off, alternating."""
    from django.utils import timezone

    import occupation.services as occupation
    from spools import kpi_facts
    from spools.models import Spool, Worker, WorkerRole

    worker, created = Worker.objects.get_or_create(id=999, defaults={"nombre": "Bench", "apellido": "Costo"})
    if created:
        WorkerRole.objects.create(worker=worker, rol="Armador")
    tag = f"MK-COSTO-{time.time_ns()}"  # a fresh spool on every run, also with --reuse
    spool = Spool.objects.create(tag_spool=tag, fecha_materiales=timezone.localdate())
    real = kpi_facts.apply
    times: dict[str, list[float]] = {"con": [], "sin": []}
    for i in range(pairs):
        mode = "con" if i % 2 == 0 else "sin"
        kpi_facts.apply = real if mode == "con" else (lambda event: None)
        begin = time.perf_counter()
        spool = occupation.spool_take(spool=spool, worker=worker, operacion="ARM")
        spool = occupation.spool_pause(spool=spool, worker=worker)
        times[mode].append((time.perf_counter() - begin) * 1000 / 2)
    kpi_facts.apply = real
    events = 2 * pairs
    con, sin = statistics.median(times["con"]), statistics.median(times["sin"])
    print(
        f"\nCoste por acción (TOMAR/PAUSAR en proceso, spool que llega a {events:,} eventos): "
        f"mediana {con:.1f} ms con indicadores, {sin:.1f} ms sin ellos (+{con - sin:.1f} ms)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spools", type=int, default=50000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep the last run's database (no seeding)")
    parser.add_argument(
        "--vigentes-index", action="store_true", help="add the proposed partial joint indexes"
    )
    args = parser.parse_args()
    run(args.spools, args.requests, args.explain, args.reuse, args.vigentes_index)
