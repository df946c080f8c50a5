"""Server time of the manager's KPI page (/gerencia/) over 50,000 spools and 1,000,000 events.

    .venv/bin/python bench/kpis.py [--spools 50000] [--requests 20] [--explain] [--reuse]

Uses its own PostgreSQL database `zeues_bench_kpis` on 127.0.0.1 (dropped and recreated each run;
override with BENCH_DATABASE_URL), migrated, then seeded with COPY: each spool gets a life over the
last year (ARM and SOLD sessions with pauses, metrología, a repair loop for one in five), about 20
events per spool. Requests go through Django's full stack in-process (no network, no test Client: bench/inproc.py,
DEBUG off as in production): the overview
page for the default period (last 7 days) and for 90 days, and each KPI table's CSV export.
`--explain` prints EXPLAIN ANALYZE of every query the overview runs. Aim: under 500 ms.
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
        for _ in range(self.rng.randint(1, 6)):
            self.add("TOMAR_SPOOL", worker, op)
            self.wait(0.5, 3)
            self.add("PAUSAR_SPOOL", worker, op)
            self.wait(1, 20)
        self.add("TOMAR_SPOOL", worker, op)
        self.wait(0.5, 3)
        self.add(done, worker, op)
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
    total = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY spools_event ({COLUMNS}) FROM STDIN") as copy,
    ):
        for s in spools:
            x = life(s.pk, s.tag_spool, now, rng)
            for row in x.rows:
                copy.write_row(row)
            total += len(x.rows)
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


def run(n: int, count: int, show_plans: bool, reuse: bool) -> None:
    """Seed, then time the page and each table's CSV."""
    import django
    from django.core.management import call_command

    if not reuse:
        recreate_database(URL)
    django.setup()
    call_command("migrate", verbosity=0)
    from spools.models import Event

    events, seconds = (Event.objects.count(), 0.0) if reuse else seed(n)
    collect_static()
    app = App("gerente-bench")
    print(
        f"Base de datos: {URL}; {n:,} spools, {events:,} eventos generados en {seconds:.0f} s; {count} peticiones\n"
    )
    today = django.utils.timezone.localdate()
    q90 = {"desde": str(today - datetime.timedelta(days=89)), "hasta": str(today)}
    screens = [
        ("/gerencia/ (7 días)", {}),
        ("/gerencia/ (90 días)", q90),
        ("/gerencia/ NV0040 (90 días)", {**q90, "nv": "NV0040"}),
        ("/gerencia/ (365 días)", {"desde": str(today - datetime.timedelta(days=364)), "hasta": str(today)}),
    ]
    screens += [
        (f"CSV {t} (7 días)", {"formato": "csv", "tabla": t})
        for t in ("completados", "tiempos", "wip", "fpy_armador", "intentos", "antiguas", "horas")
    ]
    screens += [("XLSX todas las tablas (90 días)", {**q90, "formato": "xlsx", "tabla": "todas"})]
    print("| pantalla | p50 ms | p99 ms | máx ms |")
    print("|---|---|---|---|")
    for name, params in screens:
        app.time_gets("/gerencia/", 2, params)  # warm-up
        times, _size = app.time_gets("/gerencia/", count, params)
        q = statistics.quantiles(times, n=100)
        print(f"| {name} | {q[49]:.0f} | {q[98]:.0f} | {max(times):.0f} |")
    write_cost(count * 10)
    if show_plans:
        explain(q90)


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
    args = parser.parse_args()
    run(args.spools, args.requests, args.explain, args.reuse)
