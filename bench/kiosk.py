"""Server time and HTML size of the kiosk's spool screen with 5,000 and 20,000 spools.

    .venv/bin/python bench/kiosk.py [--sizes 5000,20000] [--requests 200]

Uses its own PostgreSQL database `zeues_bench_kiosk` on 127.0.0.1 (dropped and recreated each
run; override with BENCH_DATABASE_URL), migrated and seeded with a realistic mix: spools free,
held by other workers, without materials, paused, completed, blocked. Requests go through
Django's full stack (middleware, session, templates) in-process, so the figures are the server's
own time without network. Prints p50/p99/max per screen and the HTML size. Aim: the first
screen under 50 ms and 100 kB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zeues_bench_kiosk")
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("REDIS_URL", "")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zeues.settings")
from bench.database import recreate_database  # noqa: E402


def seed(n: int) -> None:
    """n spools in a shop-like mix, 40 workers, a tablet account."""
    import datetime

    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from spools.models import Spool, Worker, WorkerRole

    Spool.objects.all().delete()
    if not Worker.objects.exists():
        workers = Worker.objects.bulk_create(
            Worker(id=100 + i, nombre=f"Nombre{i}", apellido=f"Apellido{i}") for i in range(40)
        )
        WorkerRole.objects.bulk_create(WorkerRole(worker=w, rol="Armador") for w in workers)
        tablet = User.objects.create_user("tablet-bench", password="x-123456789")
        tablet.groups.add(Group.objects.get(name="Kioscos"))
    now, today = timezone.now(), timezone.localdate()
    spools = []
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
        spools.append(Spool(**fields))
    Spool.objects.bulk_create(spools, batch_size=2000)


def measure(client, path: str, params: dict, count: int) -> tuple[list[float], int]:
    """Server times (ms) of `count` GETs and the size of the last answer."""
    times, size = [], 0
    headers = {"HX-Request": "true"} if "desde" in params else {}
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(path, params, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        size = len(response.content)
    return times, size


def run(sizes: list[int], count: int) -> None:
    """Seed each size, then time the screens."""
    import django
    from django.core.management import call_command

    recreate_database(URL)
    django.setup()
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import User
    from django.test import Client

    print(f"Base de datos: {URL}; {count} peticiones por pantalla; proceso único, sin red\n")
    print("| spools | pantalla | p50 ms | p99 ms | máx ms | HTML kB |")
    print("|---|---|---|---|---|---|")
    for n in sizes:
        seed(n)
        client = Client()
        client.force_login(User.objects.get(username="tablet-bench"))
        client.post("/kiosko/arm/identificar/", {"worker_id": "101"})
        screens = [
            ("inicio", "/kiosko/", {}),
            ("lista ARM (primera pantalla)", "/kiosko/arm/", {}),
            ("lista ARM, página 2 (htmx)", "/kiosko/arm/", {"desde": "30"}),
            ("búsqueda por NV", "/kiosko/arm/", {"q": "NV0650"}),
        ]
        for name, path, params in screens:
            if path == "/kiosko/":
                client.get("/kiosko/")  # the start screen forgets the worker: identify again after
            measure(client, path, params, 5)  # warm-up
            times, size = measure(client, path, params, count)
            q = statistics.quantiles(times, n=100)
            print(f"| {n:,} | {name} | {q[49]:.1f} | {q[98]:.1f} | {max(times):.1f} | {size / 1024:.1f} |")
            if path == "/kiosko/":
                client.post("/kiosko/arm/identificar/", {"worker_id": "101"})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,20000")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    run([int(s) for s in args.sizes.split(",")], args.requests)
