"""Server time of a spool's history (page and API) when the spool has 1,000 events.

    .venv/bin/python bench/history.py [--events 1000] [--requests 200] [--joints 20]

Uses its own PostgreSQL database `zeues_bench_history` on 127.0.0.1 (dropped and recreated each
run; override with BENCH_DATABASE_URL), migrated and seeded with one spool whose events are
TOMAR/PAUSAR sessions of ARM, SOLD and REPARACION by several workers, metrología results and
supervisor acts, plus 2,000 other spools with a few events each so the index is exercised.
A second spool has as many events but is tracked joint by joint (`--joints`, 20 by default):
its ARM and SOLD closes record joints (one UNION_*_REGISTRADA event per joint among its
events, `uniones`/`pulgadas` on the close) and its joint table has 20 rows with their workers;
both spools are timed in the same run, so the joints' cost is the difference.
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
TAG_JOINTS = "MK-1400-UN-99999-002"
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


def seed_joints(n_events: int, n_joints: int) -> None:
    """The joint-tracked spool: the same cycle, each ARM/SOLD close recording a joint (cyclically)
    with its UNION_*_REGISTRADA event just before it, until n_events; n_joints joints with work."""
    from django.utils import timezone

    from spools.joints import store_progress
    from spools.models import Event, Spool, Union, Worker

    workers = list(Worker.objects.order_by("pk"))
    (spool,) = Spool.objects.bulk_create([Spool(tag_spool=TAG_JOINTS, nv="NV1400", ot="002")])
    start = timezone.now() - datetime.timedelta(days=400)
    events, i, k = [], 0, 0
    while len(events) < n_events:
        tipo, op, details = CYCLE[i % len(CYCLE)]
        when = start + datetime.timedelta(hours=6 * i)
        worker = workers[i % 20]
        if tipo == "PAUSAR_SPOOL" and op in ("ARM", "SOLD"):
            n = k % n_joints + 1
            k += 1
            joint = {
                "n_union": n,
                "dn": 2.0,
                "tipo": "BW",
                "inicio": when.isoformat(),
                "fin": when.isoformat(),
            }
            events.append(_event(spool, worker, f"UNION_{op}_REGISTRADA", op, when, joint))
            details = {**details, "uniones": [n], "pulgadas": 2.0}
        events.append(_event(spool, worker, tipo, op, when, details))
        i += 1
    Event.objects.bulk_create(events[:n_events], batch_size=2000)
    when = start + datetime.timedelta(days=1)
    Union.objects.bulk_create(
        Union(
            spool=spool,
            n_union=n,
            dn=2,
            tipo="BW",
            arm_worker=workers[n % 20],
            arm_inicio=when,
            arm_fin=when + datetime.timedelta(hours=3),
            sold_worker=workers[(n + 7) % 20],
            sold_inicio=when + datetime.timedelta(days=1),
            sold_fin=when + datetime.timedelta(days=1, hours=2),
        )  # fmt: skip
        for n in range(1, n_joints + 1)
    )
    store_progress([spool.pk])


def run(n_events: int, count: int, n_joints: int = 20) -> None:
    """Seed, then time the page and the API."""
    import django
    from django.core.management import call_command

    recreate_database(URL)
    django.setup()
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import User

    from zeues.models import ApiToken

    seed(n_events)
    seed_joints(n_events, n_joints)
    collect_static()
    app = App("jefe-bench")
    _, raw = ApiToken.issue(user=User.objects.get(username="jefe-bench"), nombre="bench")
    print(
        f"Base de datos: {URL}; {n_events:,} eventos en cada spool; {count} peticiones; proceso único, sin red\n"
    )
    print("| eventos | uniones | pantalla | p50 ms | p99 ms | máx ms | kB |")
    print("|---|---|---|---|---|---|---|")
    auth = {"Authorization": f"Bearer {raw}"}
    screens = [
        (0, "/historial/<tag>/ (página)", f"/historial/{TAG}/", {}),
        (n_joints, "/historial/<tag>/ (página)", f"/historial/{TAG_JOINTS}/", {}),
        (0, "/api/history/<tag>", f"/api/history/{TAG}", auth),
        (n_joints, "/api/history/<tag>", f"/api/history/{TAG_JOINTS}", auth),
    ]
    p50: dict[tuple[str, int], float] = {}
    for joints, name, path, headers in screens:
        app.time_gets(path, 5, headers=headers)  # warm-up
        times, size = app.time_gets(path, count, headers=headers)
        q = statistics.quantiles(times, n=100)
        p50[(name, joints)] = q[49]
        print(
            f"| {n_events:,} | {joints} | {name} | {q[49]:.1f} | {q[98]:.1f} | {max(times):.1f} | {size / 1024:.0f} |"
        )
    for name in dict.fromkeys(n for _, n, _, _ in screens):
        print(
            f"\n{name}: con {n_joints} uniones / sin uniones, p50 = {p50[(name, n_joints)] / p50[(name, 0)]:.2f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--joints", type=int, default=20)
    args = parser.parse_args()
    run(args.events, args.requests, args.joints)
