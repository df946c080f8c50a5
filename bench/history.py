"""Server time of a spool's history (page and API) when the spool has 1,000 events.

    .venv/bin/python bench/history.py [--events 1000] [--requests 200]

Uses its own PostgreSQL database `zeues_bench_history` on 127.0.0.1 (dropped and recreated each
run; override with BENCH_DATABASE_URL), migrated and seeded with one spool whose events are
TOMAR/PAUSAR sessions of ARM, SOLD and REPARACION by several workers, metrología results and
supervisor acts, plus 2,000 other spools with a few events each so the index is exercised.
Requests go through Django's full stack in-process (no network, no test Client: bench/inproc.py),
with DEBUG off as in production. Aim: under 50 ms.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zeues_bench_history")
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("REDIS_URL", "")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zeues.settings")
from bench.database import recreate_database  # noqa: E402
from bench.inproc import App, collect_static  # noqa: E402  (sets DEBUG=false before Django starts)

TAG = "MK-1400-CW-99999-001"
# One cycle of a long-lived spool's life; repeated until the wanted number of events.
CYCLE = [
    ("TOMAR_SPOOL", "ARM", {}),
    ("PAUSAR_SPOOL", "ARM", {}),
    ("TOMAR_SPOOL", "SOLD", {}),
    ("LIBERACION_FORZADA", "SOLD", {"motivo": "Turno terminado", "supervisor": "jefa"}),
    ("TOMAR_SPOOL", "SOLD", {}),
    ("PAUSAR_SPOOL", "SOLD", {}),
    ("COMPLETAR_METROLOGIA", "METROLOGIA", {"resultado": "RECHAZADO", "ciclo": 1}),
    ("TOMAR_REPARACION", "REPARACION", {}),
    ("PAUSAR_REPARACION", "REPARACION", {}),
    ("SUPERVISOR_OVERRIDE", "REPARACION", {"motivo": "Revisado", "supervisor": "jefa"}),
]


def _event(spool, worker, tipo: str, op: str, when: datetime.datetime, details: dict):
    from spools.models import Event

    return Event(
        timestamp=when,
        evento_tipo=tipo,
        spool=spool,
        tag_spool=spool.tag_spool,
        worker=worker,
        worker_token=worker.token,
        operacion=op,
        accion=tipo.split("_")[0],
        fecha_operacion=when.date(),
        details={"arm": "en_progreso", "sold": "pendiente", "calidad": "pendiente", **details},
    )


def seed(n_events: int) -> None:
    """The measured spool with n_events events, 2,000 others with 4 each, 20 workers, a user."""
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from spools.models import Event, Spool, Worker

    workers = Worker.objects.bulk_create(
        Worker(id=100 + i, nombre=f"Nombre{i}", apellido=f"Apellido{i}") for i in range(20)
    )
    manager = User.objects.create_user("jefe-bench", password="x-123456789")
    manager.groups.add(Group.objects.get(name="Gerencia"))  # the pages are for managers only
    spools = Spool.objects.bulk_create([Spool(tag_spool=TAG, nv="NV1400", ot="001")])
    spools += Spool.objects.bulk_create(Spool(tag_spool=f"MK-OTHER-{i:05d}") for i in range(2000))
    start = timezone.now() - datetime.timedelta(days=400)
    events = [
        _event(
            spools[0],
            workers[i % 20],
            *CYCLE[i % len(CYCLE)][:2],
            start + datetime.timedelta(hours=6 * i),
            CYCLE[i % len(CYCLE)][2],
        )
        for i in range(n_events)
    ]
    for k, other in enumerate(spools[1:]):
        events += [
            _event(other, workers[k % 20], *CYCLE[j][:2], start + datetime.timedelta(hours=j), CYCLE[j][2])
            for j in range(4)
        ]
    Event.objects.bulk_create(events, batch_size=2000)


def run(n_events: int, count: int) -> None:
    """Seed, then time the page and the API."""
    import django
    from django.core.management import call_command

    recreate_database(URL)
    django.setup()
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import User

    from zeues.models import ApiToken

    seed(n_events)
    collect_static()
    app = App("jefe-bench")
    _, raw = ApiToken.issue(user=User.objects.get(username="jefe-bench"), nombre="bench")
    print(
        f"Base de datos: {URL}; {n_events:,} eventos en el spool; {count} peticiones; proceso único, sin red\n"
    )
    print("| eventos | pantalla | p50 ms | p99 ms | máx ms | kB |")
    print("|---|---|---|---|---|---|")
    screens = [
        ("/historial/<tag>/ (página)", f"/historial/{TAG}/", {}),
        ("/api/history/<tag>", f"/api/history/{TAG}", {"Authorization": f"Bearer {raw}"}),
    ]
    for name, path, headers in screens:
        app.time_gets(path, 5, headers=headers)  # warm-up
        times, size = app.time_gets(path, count, headers=headers)
        q = statistics.quantiles(times, n=100)
        print(f"| {n_events:,} | {name} | {q[49]:.1f} | {q[98]:.1f} | {max(times):.1f} | {size / 1024:.0f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    run(args.events, args.requests)
