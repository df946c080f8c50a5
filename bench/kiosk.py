"""Server time and HTML size of the kiosk's spool screen with 5,000 and 20,000 spools.

    .venv/bin/python bench/kiosk.py [--sizes 5000,20000] [--requests 200] [--joints 10]

Uses its own PostgreSQL database `zeues_bench_kiosk` on 127.0.0.1 (dropped and recreated each
run; override with BENCH_DATABASE_URL), migrated and seeded with a realistic mix: spools free,
held by other workers, without materials, paused, completed, blocked; with `--joints N` (default
10) the spools have 0 to 2N joints each, N on average (20,000 spools: 200,000 joints), with the
work each spool's state implies and its figures stored, so every row shows `ARM 3/7 · SOLD 1/6`
and the worker's own spools offer «Terminar». Requests go through
Django's full stack (middleware, session, templates) in-process with DEBUG off, as a server runs
it (bench/inproc.py: no test client's instrumentation), so the figures are the server's own time
without network. Prints p50/p99/max per screen and the HTML size. Aim: the first
screen under 50 ms and 100 kB (issue #14: also with 200,000 joints); «Terminar» of a 20-joint
spool is timed too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zeues_bench_kiosk")
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("REDIS_URL", "")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zeues.settings")
from bench.database import recreate_database  # noqa: E402
from bench.inproc import (  # noqa: E402  (DEBUG off, as a server runs, before Django starts)
    App,
    collect_static,
)


def _joints(i: int, kind: int, per_spool: int) -> list[tuple[int, str, str, bool, bool]]:
    """Spool i's joints as (n, dn, tipo, fitted, welded), consistent with its state `kind`."""
    count = (i * 8) % (2 * per_spool + 1) if per_spool else 0
    joints = []
    for n in range(1, count + 1):
        tipo = "FW" if n % 9 == 0 else ("SO" if n % 3 == 0 else "BW")
        dn = ("0.75", "1.5", "2", "2.5", "3", "4", "6", "8", "12")[(i + n) % 9]
        if kind in (4, 5, 6, 7):  # completed (and inspected or blocked): all done
            fitted, welded = True, tipo != "FW"
        elif kind in (1, 3):  # held or paused in ARM: the first half fitted
            fitted, welded = n <= count // 2, False
        else:
            fitted, welded = False, False
        joints.append((n, dn, tipo, fitted, welded))
    return joints


def seed(n: int, per_spool: int = 10) -> int:
    """n spools in a shop-like mix, 40 workers, a tablet account; returns how many joints."""
    import datetime
    from decimal import Decimal

    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from spools.models import Spool, Union, Worker, WorkerRole

    Union.objects.all().delete()
    Spool.objects.all().delete()
    if not Worker.objects.exists():
        workers = Worker.objects.bulk_create(
            Worker(id=100 + i, nombre=f"Nombre{i}", apellido=f"Apellido{i}") for i in range(40)
        )
        WorkerRole.objects.bulk_create(WorkerRole(worker=w, rol="Armador") for w in workers)
        tablet = User.objects.create_user("tablet-bench", password="x-123456789")
        tablet.groups.add(Group.objects.get(name="Kioscos"))
    now, today = timezone.now(), timezone.localdate()
    spools, plans = [], []
    for i in range(n):
        kind = i % 10
        fields: dict = {
            "tag_spool": f"MK-{1300 + i // 50}-CW-{25000 + i:05d}-{i % 50:03d}",
            "nv": f"NV{600 + i // 200:04d}",
            "ot": f"{i % 30:03d}",
            "fecha_materiales": today - datetime.timedelta(days=5),
        }
        if kind == 1:
            fields.update(
                arm="en_progreso", ocupado_por_id=100 + i % 40, fecha_ocupacion=now, operacion_actual="ARM"
            )
        elif kind == 2:
            fields["fecha_materiales"] = None
        elif kind == 3:
            fields["arm"] = "pausado"
        elif kind in (4, 5, 6):
            fields.update(arm="completado", sold="completado", calidad="aprobado")
        elif kind == 7 and i % 70 == 7:
            fields.update(arm="completado", sold="completado", calidad="bloqueado", ciclo=3)
        else:
            kind = 0 if kind == 7 else kind
        joints = _joints(i, kind, per_spool)
        fitted = [j for j in joints if j[3]]
        welded = [j for j in joints if j[4]]
        fields.update(
            uniones_total=len(joints),
            uniones_arm=len(fitted),
            uniones_sold_total=sum(1 for j in joints if j[2] != "FW"),
            uniones_sold=len(welded),
            uniones_sold_listas=sum(1 for j in fitted if j[2] != "FW" and not j[4]),
            pulgadas_arm=sum((Decimal(j[1]) for j in fitted), Decimal(0)),
            pulgadas_sold=sum((Decimal(j[1]) for j in welded), Decimal(0)),
        )
        spools.append(Spool(**fields))
        plans.append(joints)
    Spool.objects.bulk_create(spools, batch_size=2000)
    ids = dict(Spool.objects.values_list("tag_spool", "pk"))
    worker_of = {"fitted": 100, "welded": 101}
    rows: list[Union] = []
    total = 0
    for spool, joints in zip(spools, plans, strict=True):
        for number, dn, tipo, fitted, welded in joints:
            work: dict = {}
            if fitted:
                work.update(arm_worker_id=worker_of["fitted"], arm_inicio=now, arm_fin=now, arm_fecha=today)
            if welded:
                work.update(
                    sold_worker_id=worker_of["welded"], sold_inicio=now, sold_fin=now, sold_fecha=today
                )
            rows.append(
                Union(spool_id=ids[spool.tag_spool], n_union=number, dn=Decimal(dn), tipo=tipo, **work)
            )
        if len(rows) >= 10_000:
            Union.objects.bulk_create(rows)
            total += len(rows)
            rows = []
    Union.objects.bulk_create(rows)
    return total + len(rows)


def _held_with(count: int) -> str:
    """The tag of a spool the benchmark's worker (101) holds for ARM with `count` joints, or ''."""
    from spools.models import Spool

    tag = (
        Spool.objects.filter(ocupado_por_id=101, uniones_total=count)
        .values_list("tag_spool", flat=True)
        .first()
    )
    return tag or ""


def measure(app: App, path: str, params: dict, count: int) -> tuple[list[float], int]:
    """Server times (ms) of `count` GETs and the size of the last answer."""
    headers = {"HX-Request": "true"} if "desde" in params else {}
    return app.time_gets(path, count, params, headers)


def run(sizes: list[int], count: int, per_spool: int) -> None:
    """Seed each size, then time the screens."""
    import django
    from django.core.management import call_command

    recreate_database(URL)
    django.setup()
    call_command("migrate", verbosity=0)
    collect_static()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    print(f"Base de datos: {URL}; {count} peticiones por pantalla; proceso único, sin red\n")
    print("| spools | uniones | pantalla | p50 ms | p99 ms | máx ms | HTML kB |")
    print("|---|---|---|---|---|---|---|")
    for n in sizes:
        joints = seed(n, per_spool)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # the planner's statistics, as autovacuum keeps them in a shop
        # The tablet logs in and identifies its worker with the test client (a POST); the timed GETs
        # go through Django's WSGIHandler with that session (bench/inproc.py: no test instrumentation).
        client = Client(HTTP_HOST="localhost")
        client.force_login(User.objects.get(username="tablet-bench"))
        client.post("/kiosko/arm/identificar/", {"worker_id": "101"})
        app = App()
        app.cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        screens = [
            ("inicio", "/kiosko/", {}),
            ("lista ARM (primera pantalla)", "/kiosko/arm/", {}),
            ("lista ARM, página 2 (htmx)", "/kiosko/arm/", {"desde": "30"}),
            ("búsqueda por NV", "/kiosko/arm/", {"q": "NV0650"}),
        ]
        twenty = _held_with(20)
        if twenty:
            screens.append(
                ("Terminar (20 uniones)", f"/kiosko/arm/terminar/{twenty}/", {"idem": uuid.uuid4().hex})
            )
        for name, path, params in screens:
            measure(app, path, params, 5)  # warm-up
            times, size = measure(app, path, params, count)
            q = statistics.quantiles(times, n=100)
            print(
                f"| {n:,} | {joints:,} | {name} | {q[49]:.1f} | {q[98]:.1f} | {max(times):.1f} | {size / 1024:.1f} |"
            )
            if path == "/kiosko/":
                client.post("/kiosko/arm/identificar/", {"worker_id": "101"})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,20000")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--joints", type=int, default=10, help="joints per spool on average (0: none)")
    args = parser.parse_args()
    run([int(s) for s in args.sizes.split(",")], args.requests, args.joints)
