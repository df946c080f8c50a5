"""Benchmark TOMAR / PAUSAR / COMPLETAR through a production-like server, with its floor.

Recreates the database `zeues_bench` on the local PostgreSQL, migrates it (`manage.py
migrate`), seeds workers and spools, and starts `uvicorn zeues.asgi:application --workers 2`
with DEBUG=false and the Redis prefix `zeues-bench`. For each level of N simulated workers it
runs N clients for --duration seconds, each looping TOMAR -> PAUSAR or COMPLETAR on its own
spools (ARM, then SOLD, then a fresh spool) and, for --contended of its turns, a TOMAR of one
of a few shared spools, where 409 SPOOL_OCUPADO is the expected answer.

Then, at the same concurrency and without Django, it measures the floor: the raw round trips a
take needs (Redis SET NX PX + DEL, and PostgreSQL UPDATE + INSERT in one transaction through a
pool as large as the server's) on throwaway tables.

    .venv/bin/python bench/occupation.py                    # levels 30, 100, 300; 15 s each
    .venv/bin/python bench/occupation.py --workers 100 --duration 30 --pool-max 10

Needs PostgreSQL (user postgres, 127.0.0.1:5432) and Redis (127.0.0.1:6379), as scripts/services
starts them. Leaves the database `zeues_bench` behind; the next run drops it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import redis.asyncio as aioredis
from procstat import cpu_seconds, pct, process_tree, status_field
from psycopg_pool import AsyncConnectionPool

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = "postgres://postgres@127.0.0.1:5432"
DB_NAME = "zeues_bench"
REDIS_URL = "redis://127.0.0.1:6379/13"
PREFIX = "zeues-bench"
HOT_SPOOLS = 10


@dataclass
class Options:
    """Command-line options."""

    levels: list[int]
    duration: float
    floor_duration: float
    server_workers: int
    pool_max: int
    contended: float
    pause_share: float
    think_ms: float
    spools: int
    nodelay: bool


def parse_options() -> Options:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="30,100,300", help="levels of simultaneous workers")
    parser.add_argument("--duration", type=float, default=15, help="seconds per level")
    parser.add_argument("--floor-duration", type=float, default=5, help="seconds of floor per level")
    parser.add_argument("--server-workers", type=int, default=2, help="uvicorn processes")
    parser.add_argument("--pool-max", type=int, default=20, help="DATABASE_POOL_MAX per process")
    parser.add_argument("--contended", type=float, default=0.1, help="share of turns on shared spools")
    parser.add_argument("--pause-share", type=float, default=0.5, help="PAUSAR instead of COMPLETAR")
    parser.add_argument("--think-ms", type=float, default=0, help="pause between one worker's actions")
    parser.add_argument("--spools", type=int, default=30_000, help="fresh spools to seed")
    parser.add_argument(
        "--plain-uvicorn",
        dest="nodelay",
        action="store_false",
        help="launch plain `uvicorn` instead of the production launcher `python -m zeues.serve`",
    )
    a = parser.parse_args()
    levels = [int(n) for n in a.workers.split(",") if n.strip()]
    return Options(
        levels, a.duration, a.floor_duration, a.server_workers, a.pool_max, a.contended,
        a.pause_share, a.think_ms, a.spools, a.nodelay,
    )  # fmt: skip


# --- database and server -----------------------------------------------------------------


def server_env(options: Options) -> dict[str, str]:
    """The production settings of the benchmarked server (and of this process's seeding)."""
    return {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "DATABASE_POOL_MAX": str(options.pool_max),
        "REDIS_URL": REDIS_URL,
        "ZEUES_REDIS_PREFIX": PREFIX,
        "DEBUG": "false",
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP, no TLS proxy in front (docs/deployment.md, "HTTPS").
        "ZEUES_SSL_REDIRECT": "false",
        "ZEUES_SECURE_COOKIES": "false",
        "DJANGO_SETTINGS_MODULE": "zeues.settings",
    }


def recreate_database(options: Options) -> None:
    """Drop and create `zeues_bench`, then migrate it with manage.py."""
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT, env=server_env(options), check=True,
    )  # fmt: skip


def seed(options: Options) -> str:
    """Workers (role Ayudante: ARM and SOLD), hot and fresh spools; returns a raw API token."""
    os.environ.update(server_env(options))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from spools.models import Spool, Worker, WorkerRole
    from zeues.models import ApiToken

    n = max(options.levels)
    Worker.objects.bulk_create(Worker(id=i, nombre=f"Bench{i}", apellido="Worker") for i in range(1, n + 1))
    WorkerRole.objects.bulk_create(WorkerRole(worker_id=i, rol="Ayudante") for i in range(1, n + 1))
    fecha = timezone.localdate()
    tags = [f"HOT-{i:03d}" for i in range(HOT_SPOOLS)] + [f"BENCH-{i:06d}" for i in range(options.spools)]
    Spool.objects.bulk_create((Spool(tag_spool=t, fecha_materiales=fecha) for t in tags), batch_size=5000)
    user = get_user_model().objects.create_user(username="bench-kiosk", password="bench-secret-123")
    raw = ApiToken.issue(user=user, nombre="bench")[1]
    logging.getLogger("httpx").setLevel(logging.WARNING)  # Django's LOGGING would log every request
    connection.close()
    connection.close_pool()
    return raw


def start_server(options: Options, log: Path) -> tuple[subprocess.Popen, str]:
    """uvicorn as docs/deployment.md runs it, on a free port; returns it once /healthz answers."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    launcher = ["-m", "zeues.serve"] if options.nodelay else ["-m", "uvicorn"]
    cmd = [
        sys.executable, *launcher, "zeues.asgi:application", "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(options.server_workers), "--timeout-graceful-shutdown", "5",
    ]  # fmt: skip
    out = log.open("wb")
    process = subprocess.Popen(cmd, cwd=ROOT, env=server_env(options), stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        started = log.read_text(errors="replace").count("Application startup complete.")
        try:
            if started >= options.server_workers and httpx.get(f"{url}/healthz").status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_server(process)
    sys.exit(f"uvicorn did not start:\n{log.read_text(errors='replace')}")


def stop_server(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- server resources from /proc ----------------------------------------------------------


@dataclass
class ServerSample:
    """Peaks seen while a level ran."""

    rss_mb: float = 0
    threads: int = 0
    pg_connections: int = 0


async def sample_server(pids: list[int], sample: ServerSample, stop: asyncio.Event) -> None:
    """Every 0.5 s: RSS and threads of the server, and its PostgreSQL connections."""
    async with await psycopg.AsyncConnection.connect(f"{PG}/postgres", autocommit=True) as conn:
        while not stop.is_set():
            sample.rss_mb = max(sample.rss_mb, sum(status_field(p, "VmRSS") for p in pids) / 1024)
            sample.threads = max(sample.threads, sum(status_field(p, "Threads") for p in pids))
            cur = await conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (DB_NAME,),
            )
            row = await cur.fetchone()
            sample.pg_connections = max(sample.pg_connections, row[0] if row else 0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.5)


# --- the load ----------------------------------------------------------------------------


@dataclass
class Run:
    """Shared state and results of one level."""

    url: str
    headers: dict[str, str]
    options: Options
    deadline: float
    fresh: itertools.count
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    expected: Counter = field(default_factory=Counter)
    unexpected: Counter = field(default_factory=Counter)

    def client(self) -> httpx.AsyncClient:
        """One worker's own keep-alive connection, as one kiosk has.

        One shared client with hundreds of connections costs the generator ~10 ms of CPU per
        request at 300 (httpcore scans its pool), which starves the server it measures.
        """
        # Expire idle connections before uvicorn does (5 s) so a POST never races a server-side close.
        limits = httpx.Limits(max_connections=1, keepalive_expiry=3)
        return httpx.AsyncClient(base_url=self.url, headers=self.headers, limits=limits, timeout=60)

    async def call(
        self, http: httpx.AsyncClient, label: str, action: str, body: dict, *, contended: bool = False
    ) -> bool:
        """POST one action; record its latency and outcome; True on 200."""
        started = time.perf_counter()
        try:
            response = await http.post(f"/api/occupation/{action}", json=body)
            status, code = response.status_code, response.json().get("error")
        except (httpx.HTTPError, ValueError) as exc:
            status, code = 0, type(exc).__name__
        self.latencies[label].append(time.perf_counter() - started)
        if status == 409 and code == "SPOOL_OCUPADO" and contended:
            self.expected[f"{label} 409 {code}"] += 1
        elif status != 200:
            self.unexpected[f"{label} {status} {code}"] += 1
        return status == 200

    async def think(self) -> None:
        """The worker's pause between actions."""
        await asyncio.sleep(self.options.think_ms / 1000 * random.uniform(0.5, 1.5))

    def next_spool(self) -> str:
        """A never-touched spool."""
        n = next(self.fresh)
        if n >= self.options.spools:
            raise RuntimeError("out of fresh spools: raise --spools")
        return f"BENCH-{n:06d}"


async def contended_take(run: Run, http: httpx.AsyncClient, worker_id: int) -> None:
    """TOMAR one of the shared spools; if it is ours, PAUSAR it so it stays takeable."""
    body = {
        "tag_spool": f"HOT-{random.randrange(HOT_SPOOLS):03d}",
        "worker_id": worker_id,
        "operacion": "ARM",
    }
    if await run.call(http, "TOMAR disputado", "tomar", body, contended=True):
        await run.think()
        await run.call(http, "PAUSAR", "pausar", body)


async def simulated_worker(run: Run, worker_id: int) -> None:
    """Loop TOMAR -> PAUSAR | COMPLETAR on own spools (ARM, then SOLD) until the deadline."""
    tag, operacion = run.next_spool(), "ARM"
    async with run.client() as http:
        await http.get("/healthz")  # open the connection before the clock matters
        await run.think()  # workers with a pause start spread over it, not all in the same instant
        while time.monotonic() < run.deadline:
            if random.random() < run.options.contended:
                await contended_take(run, http, worker_id)
                continue
            body = {"tag_spool": tag, "worker_id": worker_id, "operacion": operacion}
            if not await run.call(http, "TOMAR", "tomar", body):
                tag, operacion = run.next_spool(), "ARM"
                continue
            await run.think()
            if random.random() < run.options.pause_share:
                await run.call(http, "PAUSAR", "pausar", body)
            elif await run.call(http, "COMPLETAR", "completar", body):
                tag, operacion = (tag, "SOLD") if operacion == "ARM" else (run.next_spool(), "ARM")
            await run.think()


async def run_level(
    options: Options, url: str, token: str, n: int, fresh: itertools.count
) -> tuple[Run, float]:
    """N simulated workers for --duration seconds; returns the results and the elapsed time."""
    run = Run(url, {"Authorization": f"Bearer {token}"}, options, time.monotonic() + options.duration, fresh)
    started = time.monotonic()
    await asyncio.gather(*(simulated_worker(run, worker_id) for worker_id in range(1, n + 1)))
    return run, time.monotonic() - started


# --- the floor ---------------------------------------------------------------------------


async def prepare_floor(n: int) -> None:
    """Throwaway tables shaped like a spool row and an audit event."""
    async with await psycopg.AsyncConnection.connect(f"{PG}/{DB_NAME}", autocommit=True) as conn:
        await conn.execute("DROP TABLE IF EXISTS bench_floor_event, bench_floor_spool")
        await conn.execute(
            "CREATE TABLE bench_floor_spool (id int PRIMARY KEY, ocupado_por int, version int NOT NULL)"
        )
        await conn.execute(
            "CREATE TABLE bench_floor_event (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),"
            " ts timestamptz NOT NULL, spool_id int NOT NULL, details jsonb NOT NULL)"
        )
        await conn.execute(
            "INSERT INTO bench_floor_spool SELECT g, NULL, 0 FROM generate_series(1, %s) g", (n,)
        )


async def floor_client(
    pool: AsyncConnectionPool, r: aioredis.Redis, i: int, deadline: float, out: list
) -> None:
    """Loop the raw take: lock, UPDATE + INSERT in one transaction, unlock."""
    while time.monotonic() < deadline:
        started = time.perf_counter()
        key = f"{PREFIX}:floor:{i}"
        await r.set(key, "token", nx=True, px=10_000)
        async with pool.connection() as conn, conn.transaction():
            await conn.execute(
                "UPDATE bench_floor_spool SET ocupado_por = %s, version = version + 1 WHERE id = %s", (i, i)
            )
            await conn.execute(
                "INSERT INTO bench_floor_event (ts, spool_id, details) VALUES (now(), %s, '{}')", (i,)
            )
        await r.delete(key)
        out.append(time.perf_counter() - started)


async def measure_floor(options: Options, n: int, pool_size: int) -> list[float]:
    """The floor's latencies with `n` concurrent clients and `pool_size` connections."""
    await prepare_floor(n)
    r = aioredis.Redis.from_url(REDIS_URL, max_connections=n + 10)
    latencies: list[float] = []
    async with AsyncConnectionPool(
        f"{PG}/{DB_NAME}", min_size=pool_size, max_size=pool_size, open=False
    ) as pool:
        await pool.open(wait=True)
        deadline = time.monotonic() + options.floor_duration
        await asyncio.gather(*(floor_client(pool, r, i, deadline, latencies) for i in range(1, n + 1)))
    await r.aclose()
    return latencies


# --- report ------------------------------------------------------------------------------


@dataclass
class Level:
    """Everything measured at one level."""

    n: int
    run: Run
    elapsed: float
    floor: list[float]
    floor_pool: int
    server_cpu: list[float]
    client_cpu: float
    sample: ServerSample

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.run.latencies.values())


def print_level(level: Level) -> None:
    """The detailed figures of one level."""
    run = level.run
    print(f"\n== {level.n} trabajadores simultáneos, {level.elapsed:.1f} s ==")
    print(f"peticiones {level.requests}, {level.requests / level.elapsed:.0f} req/s")
    print(f"  {'acción':<16}{'n':>7}{'p50 ms':>9}{'p99 ms':>9}{'máx ms':>9}")
    for label in ("TOMAR", "TOMAR disputado", "PAUSAR", "COMPLETAR"):
        values = run.latencies.get(label, [])
        print(
            f"  {label:<16}{len(values):>7}{pct(values, 0.5):>9.1f}{pct(values, 0.99):>9.1f}{pct(values, 1):>9.1f}"
        )
    print(f"  409 esperados: {sum(run.expected.values())}   inesperados: {dict(run.unexpected) or 0}")
    f50, f99, t50, t99 = (
        pct(level.floor, 0.5),
        pct(level.floor, 0.99),
        pct(run.latencies["TOMAR"], 0.5),
        pct(run.latencies["TOMAR"], 0.99),
    )
    print(
        f"  piso (Redis SET NX PX + DEL; PG UPDATE + INSERT, pool {level.floor_pool}): n {len(level.floor)},"
        f" p50 {f50:.1f} ms, p99 {f99:.1f} ms; TOMAR/piso p50 x{t50 / f50:.1f}, p99 x{t99 / f99:.1f}"
    )
    s = level.sample
    print(
        f"  servidor: CPU {sum(level.server_cpu) / level.elapsed:.2f} núcleos"
        f" (por proceso {' + '.join(f'{c / level.elapsed:.2f}' for c in level.server_cpu if c > 0.05)}),"
        f" RSS máx {s.rss_mb:.0f} MB,"
        f" hilos máx {s.threads}, conexiones PG máx {s.pg_connections};"
        f" cliente CPU {level.client_cpu / level.elapsed:.2f} núcleos"
    )  # fmt: skip


def print_table(levels: list[Level]) -> None:
    """One markdown table of every level, for docs/benchmarks.md."""
    print("\n| trabajadores | req/s | TOMAR p50 / p99 | PAUSAR p50 / p99 | COMPLETAR p50 / p99 | máx | "
          "409 esperados | errores | piso p50 / p99 | TOMAR/piso p50 / p99 | CPU por proceso (núcleos) | RSS |")  # fmt: skip
    print("|" + "---|" * 12)
    for lv in levels:
        lat, floor = lv.run.latencies, lv.floor
        cells = [
            str(lv.n), f"{lv.requests / lv.elapsed:.0f}",
            *(f"{pct(lat[a], .5):.0f} / {pct(lat[a], .99):.0f} ms" for a in ("TOMAR", "PAUSAR", "COMPLETAR")),
            f"{max(pct(v, 1) for v in lat.values()):.0f} ms", str(sum(lv.run.expected.values())),
            str(sum(lv.run.unexpected.values())), f"{pct(floor, .5):.1f} / {pct(floor, .99):.1f} ms",
            f"×{pct(lat['TOMAR'], .5) / pct(floor, .5):.0f} / ×{pct(lat['TOMAR'], .99) / pct(floor, .99):.0f}",
            " + ".join(f"{c / lv.elapsed:.2f}" for c in lv.server_cpu if c > 0.05), f"{lv.sample.rss_mb:.0f} MB",
        ]  # fmt: skip
        print("| " + " | ".join(cells) + " |")


# --- main --------------------------------------------------------------------------------


async def measure(options: Options, process: subprocess.Popen, url: str, token: str) -> list[Level]:
    """Every level, then its floor."""
    fresh = itertools.count()
    levels = []
    for n in options.levels:
        pids = process_tree(process.pid)
        sample, stop = ServerSample(), asyncio.Event()
        sampler = asyncio.create_task(sample_server(pids, sample, stop))
        cpu0, client0 = cpu_seconds(pids), time.process_time()
        run, elapsed = await run_level(options, url, token, n, fresh)
        cpu1, client_cpu = cpu_seconds(pids), time.process_time() - client0
        server_cpu = sorted((cpu1[p] - cpu0.get(p, 0) for p in cpu1), reverse=True)
        stop.set()
        await sampler
        floor_pool = min(n, options.server_workers * options.pool_max)
        floor = await measure_floor(options, n, floor_pool)
        level = Level(n, run, elapsed, floor, floor_pool, server_cpu, client_cpu, sample)
        print_level(level)
        levels.append(level)
    return levels


def main() -> None:
    """Set up, measure every level, print the figures, stop the server."""
    options = parse_options()
    print(f"Máquina: {os.cpu_count()} núcleos; uvicorn --workers {options.server_workers}"
          f"{' via zeues.serve (TCP_NODELAY)' if options.nodelay else ' (plain uvicorn, no TCP_NODELAY)'},"
          f" DATABASE_POOL_MAX={options.pool_max},"
          f" pausa entre acciones {options.think_ms:.0f} ms")  # fmt: skip
    recreate_database(options)
    token = seed(options)
    log = Path(tempfile.mkdtemp(prefix="zeues-bench-")) / "uvicorn.log"
    process, url = start_server(options, log)
    try:
        levels = asyncio.run(measure(options, process, url, token))
    finally:
        stop_server(process)
    print_table(levels)
    print(f"\nRegistro del servidor: {log}")


if __name__ == "__main__":
    main()
