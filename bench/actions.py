"""Server time and CPU of one action: TOMAR / PAUSAR / COMPLETAR through the JSON API, in-process.

    .venv/bin/python bench/actions.py                  # 400 rounds, PostgreSQL zeues_bench_actions
    .venv/bin/python bench/actions.py --rounds 1000
    .venv/bin/python bench/actions.py --idempotency-key   # every request with its own key
    .venv/bin/python bench/actions.py --finalizar 20      # FINALIZAR of 20 joints vs a plain COMPLETAR

Each request is a WSGI environ handed to Django's own handler (every middleware, the bearer
token, the action table, the engine's step with its Redis lock, row lock, conditional write,
audit event, KPI facts and outbox) with DEBUG off, as a server process runs it; no HTTP server,
no client on the same cores, so the figures are the code's own cost and are steadier than
bench/occupation.py's. A round is TOMAR ARM → PAUSAR → TOMAR ARM → COMPLETAR on a fresh spool.
Prints p50/p99 wall time and mean CPU per action (the process's user+system time).

With `--finalizar N` a round is instead TOMAR ARM → COMPLETAR on a whole-spool spool, then
TOMAR ARM → FINALIZAR ticking all N joints on a spool with N joints (N joint rows written, N
joint events, the spool's figures recomputed, N rows in the sheet's joint outbox), alternating
in the same run; it prints both and the ratio (issue #14 asks ≤ 2×).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bench.inproc  # noqa: E402,F401  - production-like settings before Django starts
from bench.database import recreate_database  # noqa: E402

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zeues_bench_actions")


def setup(rounds: int, joints: int = 0) -> str:
    """Migrate a fresh database, create the spools (and `joints` joints on each JOINT- spool) and a
    fitter; return an API token."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from spools.models import Spool, Worker, WorkerRole
    from zeues.models import ApiToken

    Worker.objects.create(id=93, nombre="Mauricio", apellido="Rodriguez")
    WorkerRole.objects.create(worker_id=93, rol="Armador")
    Spool.objects.bulk_create(
        Spool(tag_spool=f"BENCH-{i:05d}", fecha_materiales="2026-11-01") for i in range(rounds)
    )
    if joints:
        from spools.joints import store_progress
        from spools.models import Union

        Spool.objects.bulk_create(
            Spool(tag_spool=f"JOINT-{i:05d}", fecha_materiales="2026-11-01") for i in range(rounds)
        )
        ids = list(Spool.objects.filter(tag_spool__startswith="JOINT-").values_list("pk", flat=True))
        Union.objects.bulk_create(
            Union(spool_id=pk, n_union=n, dn=("2.5", "4", "6", "1.5")[n % 4], tipo="BW")
            for pk in ids
            for n in range(1, joints + 1)
        )
        store_progress(ids)
    _, raw = ApiToken.issue(user=get_user_model().objects.create_user("bench"), nombre="bench")
    return raw


def post(handler, token: str, path: str, body: dict, key: str | None = None) -> tuple[int, float, float]:
    """One POST through Django's handler: (status, wall seconds, CPU seconds)."""
    data = json.dumps(body).encode()
    environ = {
        **({"HTTP_IDEMPOTENCY_KEY": key} if key else {}),
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(data)),
        "wsgi.input": io.BytesIO(data),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    status: list[str] = []
    wall, cpu = time.perf_counter(), time.process_time()
    chunks = handler(environ, lambda s, h, exc_info=None: status.append(s))
    b"".join(chunks)
    return int(status[0].split()[0]), time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument(
        "--idempotency-key", action="store_true", help="send a fresh Idempotency-Key each time"
    )
    parser.add_argument(
        "--finalizar", type=int, default=0, metavar="N", help="FINALIZAR of N joints vs COMPLETAR"
    )
    options = parser.parse_args()
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zeues.settings")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    os.environ.setdefault("ZEUES_REDIS_PREFIX", "zeues-bench-actions")
    recreate_database(DATABASE_URL)
    token = setup(options.rounds, options.finalizar)

    from django.core.handlers.wsgi import WSGIHandler

    from zeues.lib.startup import freeze_startup_objects

    freeze_startup_objects()
    handler = WSGIHandler()
    if options.finalizar:
        return finalizar(handler, token, options)
    steps = [("tomar", "TOMAR"), ("pausar", "PAUSAR"), ("tomar", "TOMAR"), ("completar", "COMPLETAR")]
    times: dict[str, list[tuple[float, float]]] = {"TOMAR": [], "PAUSAR": [], "COMPLETAR": []}
    for i in range(options.rounds):
        for path, name in steps:
            body = {"tag_spool": f"BENCH-{i:05d}", "worker_id": 93, "operacion": "ARM"}
            key = uuid.uuid4().hex if options.idempotency_key else None
            status, wall, cpu = post(handler, token, f"/api/occupation/{path}", body, key)
            if status != 200:
                raise SystemExit(f"{name} answered {status}")
            if i >= 20:  # the first rounds warm caches and connections
                times[name].append((wall, cpu))
    keyed = ", each with an Idempotency-Key" if options.idempotency_key else ""
    print(f"{options.rounds - 20} rounds (after 20 warm-up rounds), in-process, PostgreSQL + Redis{keyed}")
    print("| acción | n | p50 | p99 | CPU media por acción |")
    print("|---|---|---|---|---|")
    for name, rows in times.items():
        walls = sorted(w for w, _ in rows)
        p50, p99 = statistics.median(walls), walls[int(len(walls) * 0.99) - 1]
        cpu = statistics.fmean(c for _, c in rows)
        print(f"| {name} | {len(rows)} | {p50 * 1000:.2f} ms | {p99 * 1000:.2f} ms | {cpu * 1000:.2f} ms |")


def finalizar(handler, token: str, options: argparse.Namespace) -> None:  # type: ignore[no-untyped-def]
    """TOMAR+COMPLETAR of a whole spool and TOMAR+FINALIZAR of N joints, alternating."""
    n = options.finalizar
    times: dict[str, list[tuple[float, float]]] = {"COMPLETAR": [], f"FINALIZAR ({n} uniones)": []}
    every = list(range(1, n + 1))
    for i in range(options.rounds):
        for tag, path, extra, name in (
            (f"BENCH-{i:05d}", "completar", {}, "COMPLETAR"),
            (f"JOINT-{i:05d}", "finalizar", {"uniones": every}, f"FINALIZAR ({n} uniones)"),
        ):
            body = {"tag_spool": tag, "worker_id": 93, "operacion": "ARM"}
            status, _, _ = post(handler, token, "/api/occupation/tomar", body)
            if status != 200:
                raise SystemExit(f"TOMAR {tag} answered {status}")
            status, wall, cpu = post(handler, token, f"/api/occupation/{path}", {**body, **extra})
            if status != 200:
                raise SystemExit(f"{name} answered {status}")
            if i >= 20:
                times[name].append((wall, cpu))
    print(f"{options.rounds - 20} rounds (after 20 warm-up rounds), in-process, PostgreSQL + Redis")
    print("| acción | n | p50 | p99 | CPU media por acción |")
    print("|---|---|---|---|---|")
    p50s = []
    for name, rows in times.items():
        walls = sorted(w for w, _ in rows)
        p50, p99 = statistics.median(walls), walls[int(len(walls) * 0.99) - 1]
        p50s.append(p50)
        cpu = statistics.fmean(c for _, c in rows)
        print(f"| {name} | {len(rows)} | {p50 * 1000:.2f} ms | {p99 * 1000:.2f} ms | {cpu * 1000:.2f} ms |")
    print(f"FINALIZAR / COMPLETAR (p50): ×{p50s[1] / p50s[0]:.2f}")


if __name__ == "__main__":
    main()
