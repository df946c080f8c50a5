"""Benchmark the live stream: N subscribers of /api/sse/stream while actions run at R per second.

What it measures: whether every spool change reaches every open screen, and how fast. It
recreates the database `zeues_bench_live` on the local PostgreSQL (`manage.py migrate`), seeds
workers (role Armador), spools and API tokens, starts its OWN redis-server on a free port (the
shared one on 6379 would mix our events with other processes': django-eventstream's pub/sub
channel name is fixed) and the server exactly as in production: `python -m zeues.serve
zeues.asgi:application --workers 2 --timeout-graceful-shutdown 5`, DEBUG=false.

Then:
- N subscribers (--subscribers) open `GET /api/sse/stream` with a bearer token, one HTTP
  connection each (asyncio + httpx streaming, spread over --client-procs processes so one Python
  process does not parse every stream), split the SSE lines as they arrive and record each event's
  type, raw data and receipt time (wall clock); data.event_id and data.timestamp are decoded after
  the run. The load starts once every subscriber has received `stream-open`.
- A generator in its own process (so the subscribers' parsing cannot starve it) sends R actions
  per second (--rate) for D seconds (--duration), open loop: TOMAR then PAUSAR (ARM) of fresh
  spools, spread over 10 workers and 5 tokens, so every action succeeds. It records each
  response time and prints the rate it achieved.
- After the load the subscribers listen --tail seconds more (stragglers; ≥ 20 s also lets the
  20 s keep-alive arrive), then the audit events in the database (TOMAR_SPOOL, PAUSAR_SPOOL) are
  the events expected by every subscriber.

Printed: subscribers connected; actions sent / succeeded; events expected per subscriber vs
received (min / median / max); events lost (sum over subscribers of expected − distinct
received: must be 0); delivery latency from the event's `timestamp` (taken inside the action's
transaction just before commit, so it includes the commit) to receipt, p50 / p99 / max over all
deliveries, and per event its first and last delivery (the spread is the fan-out); CPU (cores)
of the server processes, Redis, PostgreSQL, the client processes and the rest of the machine
("ajena": other people's processes on a shared machine, which the run is sensitive to) during
the load; the server's RSS and threads; keep-alives. Aim (issue): p99 < 500 ms, 0 lost.

    .venv/bin/python bench/realtime.py                          # 500 subscribers, 20/s, 30 s
    .venv/bin/python bench/realtime.py --subscribers 100 --rate 5 --duration 10 --tail 3

Needs PostgreSQL (user postgres, 127.0.0.1:5432) and `redis-server` on PATH. Leaves the database
`zeues_bench_live` behind; the next run drops it.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import logging
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import httpx
import psycopg
import redis
from procstat import CLK_TCK, cpu_seconds, pct, process_tree, status_field

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = "postgres://postgres@127.0.0.1:5432"
DB_NAME = "zeues_bench_live"
STREAM = "/api/sse/stream"
WORKERS = 10
TOKENS = 5


@dataclass
class Options:
    """Command-line options."""

    subscribers: int
    rate: float
    duration: float
    tail: float
    client_procs: int
    connect_concurrency: int


def parse_options() -> Options:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=500, help="open streams")
    parser.add_argument("--rate", type=float, default=20, help="actions per second")
    parser.add_argument("--duration", type=float, default=30, help="seconds of load")
    parser.add_argument("--tail", type=float, default=22, help="seconds of listening after the load")
    parser.add_argument("--client-procs", type=int, default=2, help="processes sharing the subscribers")
    parser.add_argument("--connect-concurrency", type=int, default=50, help="streams opening at once")
    a = parser.parse_args()
    return Options(a.subscribers, a.rate, a.duration, a.tail, a.client_procs, a.connect_concurrency)


# --- Redis, database and server ----------------------------------------------------------


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis() -> tuple[subprocess.Popen, str]:
    """A private redis-server without persistence; returns it and its URL once it answers."""
    port = free_port()
    cmd = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            return process, f"redis://127.0.0.1:{port}/0"
        except redis.ConnectionError:
            time.sleep(0.05)
    stop_process(process)
    sys.exit("redis-server did not start")


def stop_process(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def server_env(redis_url: str) -> dict[str, str]:
    """The production settings of the benchmarked server (and of this process's seeding)."""
    return {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "REDIS_URL": redis_url,
        "ZEUES_REDIS_PREFIX": "zeues-bench-live",
        "DEBUG": "false",
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP, no TLS proxy in front (docs/deployment.md, "HTTPS").
        "ZEUES_SSL_REDIRECT": "false",
        "ZEUES_SECURE_COOKIES": "false",
        "DJANGO_SETTINGS_MODULE": "zeues.settings",
    }


def recreate_database(env: dict[str, str]) -> None:
    """Drop and create `zeues_bench_live`, then migrate it with manage.py."""
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def seed(env: dict[str, str], spools: int) -> list[str]:
    """Workers (role Armador), fresh spools and one token per bench user; returns the raw tokens."""
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from spools.models import Spool, Worker, WorkerRole
    from zeues.models import ApiToken

    Worker.objects.bulk_create(
        Worker(id=i, nombre=f"Live{i}", apellido="Bench") for i in range(1, WORKERS + 1)
    )
    WorkerRole.objects.bulk_create(WorkerRole(worker_id=i, rol="Armador") for i in range(1, WORKERS + 1))
    fecha = timezone.localdate()
    Spool.objects.bulk_create(Spool(tag_spool=spool_tag(j), fecha_materiales=fecha) for j in range(spools))
    users = [get_user_model().objects.create_user(username=f"bench-live-{i}") for i in range(TOKENS)]
    tokens = [ApiToken.issue(user=user, nombre="bench-live")[1] for user in users]
    logging.getLogger("httpx").setLevel(logging.WARNING)  # Django's LOGGING would log every request
    connection.close()
    return tokens


def spool_tag(j: int) -> str:
    """The tag of the j-th benchmark spool."""
    return f"LIVE-{j:06d}"


def start_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    """The production launcher on a free port; returns it once both workers started."""
    port = free_port()
    cmd = [
        sys.executable, "-m", "zeues.serve", "zeues.asgi:application", "--workers", "2",
        "--host", "127.0.0.1", "--port", str(port), "--timeout-graceful-shutdown", "5",
    ]  # fmt: skip
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        started = log.read_text(errors="replace").count("Application startup complete.")
        try:
            if started >= 2 and httpx.get(f"{url}/healthz").status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_process(process)
    sys.exit(f"the server did not start:\n{log.read_text(errors='replace')}")


def audit_event_ids() -> set[str]:
    """Ids of the audit events the load produced (every one must reach every subscriber)."""
    from django.db import connection

    from spools.models import Event

    ids = Event.objects.filter(evento_tipo__in=("TOMAR_SPOOL", "PAUSAR_SPOOL")).values_list("id", flat=True)
    expected = {str(i) for i in ids}
    connection.close()
    return expected


# --- /proc -------------------------------------------------------------------------------


def pids_named(name: str) -> list[int]:
    """Every process whose command name is `name` (e.g. all PostgreSQL backends)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == name:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def machine_busy() -> float:
    """CPU seconds the whole machine spent not idle so far (all cores)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLK_TCK


def rss_mb(pids: list[int]) -> float:
    """Summed resident memory of `pids`, in MB."""
    return sum(status_field(p, "VmRSS") for p in pids) / 1024


# --- subscribers (child processes) -------------------------------------------------------


@dataclass
class Sub:
    """What one subscriber received: (event type, raw data, receipt time) in order."""

    events: list[tuple[str, bytes, float]] = field(default_factory=list)
    opened: asyncio.Event = field(default_factory=asyncio.Event)
    error: str | None = None


def parse_block(block: bytes) -> tuple[str, bytes]:
    """The type and data of one SSE event (the lines between blank lines)."""
    kind, data = "message", []
    for line in block.split(b"\n"):
        if line.startswith(b"event:"):
            kind = line[6:].strip().decode()
        elif line.startswith(b"data:"):
            data.append(line[5:].lstrip())
    return kind, b"\n".join(data)


async def subscribe(client: httpx.AsyncClient, token: str, sub: Sub, opening: asyncio.Semaphore) -> None:
    """Read one stream until cancelled; at most `opening` streams are opening at once."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    await opening.acquire()
    try:
        async with client.stream("GET", STREAM, headers=headers) as response:
            if response.status_code != 200:
                sub.error = f"HTTP {response.status_code}"
                return
            rest = b""
            async for chunk in response.aiter_bytes():
                now = time.time()
                *blocks, rest = (rest + chunk).split(b"\n\n")
                for block in blocks:
                    kind, data = parse_block(block)
                    if kind == "message" and not data:
                        continue  # the initial padding comment
                    if kind == "stream-open" and not sub.opened.is_set():
                        sub.opened.set()
                        opening.release()
                    sub.events.append((kind, data, now))
            sub.error = "stream ended"
    except httpx.HTTPError as exc:
        sub.error = f"{type(exc).__name__}: {exc}"
    finally:
        if not sub.opened.is_set():
            opening.release()
            sub.opened.set()  # counted as attempted; `error` tells it failed


def summarize(sub: Sub, event_types: tuple[str, ...]) -> dict:
    """One subscriber's distinct event ids in arrival order, their latencies, and the rest."""
    ids, latencies, seen, duplicates, types = [], [], set(), 0, Counter()
    for kind, data, received in sub.events:
        types[kind] += 1
        if kind not in event_types:
            continue
        event = json.loads(data)
        if event["event_id"] in seen:
            duplicates += 1
            continue
        seen.add(event["event_id"])
        ids.append(event["event_id"])
        latencies.append(received - datetime.datetime.fromisoformat(event["timestamp"]).timestamp())
    return {"ids": ids, "latencies": latencies, "duplicates": duplicates, "types": types, "error": sub.error}


async def subscribers_main(url: str, tokens: list[str], n: int, concurrency: int, pipe: Connection) -> None:
    """Open `n` streams, report when all are open, read until told to stop, send the summaries."""
    from zeues.lib.live import EVENT_TYPES

    limits = httpx.Limits(max_connections=n + 10, max_keepalive_connections=0)
    timeout = httpx.Timeout(30, read=60)  # keep-alive every 20 s: 60 s of silence is a dead stream
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as client:
        opening = asyncio.Semaphore(concurrency)
        subs = [Sub() for _ in range(n)]
        tasks = [asyncio.create_task(subscribe(client, tokens[i % len(tokens)], s, opening)) for i, s in enumerate(subs)]  # fmt: skip
        started = time.monotonic()
        await asyncio.wait_for(asyncio.gather(*(s.opened.wait() for s in subs)), 120)
        failed = Counter(s.error for s in subs if s.error)
        pipe.send(("connected", n - sum(failed.values()), time.monotonic() - started, dict(failed)))
        await asyncio.get_running_loop().run_in_executor(None, pipe.recv)  # "stop"
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    pipe.send(("done", [summarize(s, EVENT_TYPES) for s in subs]))


def subscribers_process(url: str, tokens: list[str], n: int, concurrency: int, pipe: Connection) -> None:
    """Entry point of one subscriber process."""
    asyncio.run(subscribers_main(url, tokens, n, concurrency, pipe))


# --- the action generator (child process) ------------------------------------------------


@dataclass
class Load:
    """The generator's state and results."""

    clients: list[httpx.AsyncClient]
    taken: dict[int, asyncio.Future] = field(default_factory=dict)
    results: list[tuple[str, int, float]] = field(default_factory=list)

    async def post(self, j: int, action: str) -> bool:
        """POST one action on spool j with its worker; record (action, status, seconds)."""
        body = {"tag_spool": spool_tag(j), "worker_id": 1 + j % WORKERS, "operacion": "ARM"}
        started = time.perf_counter()
        try:
            status = (
                await self.clients[j % WORKERS].post(f"/api/occupation/{action}", json=body)
            ).status_code
        except httpx.HTTPError:
            status = 0
        self.results.append((action.upper(), status, time.perf_counter() - started))
        return status == 200

    async def act(self, i: int) -> None:
        """Action i: TOMAR of spool i // 2 (even i), or PAUSAR of it once its TOMAR succeeded."""
        j = i // 2
        taken = self.taken.setdefault(j, asyncio.get_running_loop().create_future())
        if i % 2 == 0:
            taken.set_result(await self.post(j, "tomar"))
        elif await taken:
            await self.post(j, "pausar")
        else:
            self.results.append(("PAUSAR", -1, 0.0))  # skipped: its TOMAR failed


async def generate(url: str, tokens: list[str], rate: float, duration: float, pipe: Connection) -> None:
    """Send rate × duration actions on an open-loop schedule; report timing and results."""
    clients = [
        httpx.AsyncClient(
            base_url=url, headers={"Authorization": f"Bearer {tokens[w % len(tokens)]}"}, timeout=30,
            limits=httpx.Limits(max_connections=20, keepalive_expiry=3),  # before uvicorn's 5 s
        )
        for w in range(WORKERS)
    ]  # fmt: skip
    await asyncio.gather(*(c.get("/healthz") for c in clients))  # connections open before the clock
    load, loop, total = Load(clients), asyncio.get_running_loop(), int(rate * duration)
    pipe.send(("started", time.time()))
    start, lags, tasks = loop.time(), [], []
    for i in range(total):
        if (delay := start + i / rate - loop.time()) > 0:
            await asyncio.sleep(delay)
        lags.append(loop.time() - start - i / rate)
        tasks.append(asyncio.create_task(load.act(i)))
    sending = loop.time() - start + 1 / rate
    await asyncio.gather(*tasks)
    for client in clients:
        await client.aclose()
    pipe.send(("done", load.results, sending, max(lags, default=0), loop.time() - start))


def generator_process(url: str, tokens: list[str], rate: float, duration: float, pipe: Connection) -> None:
    """Entry point of the generator process."""
    asyncio.run(generate(url, tokens, rate, duration, pipe))


# --- orchestration -----------------------------------------------------------------------


@dataclass
class Measured:
    """Everything gathered in one run."""

    connected: int = 0
    connect_seconds: float = 0
    connect_errors: Counter = field(default_factory=Counter)
    summaries: list[dict] = field(default_factory=list)
    actions: list[tuple[str, int, float]] = field(default_factory=list)
    sending: float = 0
    max_lag: float = 0
    load_seconds: float = 0
    expected: set[str] = field(default_factory=set)
    cpu: dict[str, list[float]] = field(default_factory=dict)
    rss: dict[str, float] = field(default_factory=dict)
    threads: dict[str, int] = field(default_factory=dict)
    errors_logged: int = 0


def start_subscribers(options: Options, url: str, tokens: list[str]) -> list[tuple]:
    """The subscriber processes, each with its pipe; returns (process, pipe) pairs."""
    ctx = multiprocessing.get_context("spawn")
    procs = []
    for k in range(options.client_procs):
        n = options.subscribers // options.client_procs + (k < options.subscribers % options.client_procs)
        ours, theirs = ctx.Pipe()
        concurrency = max(1, options.connect_concurrency // options.client_procs)
        p = ctx.Process(target=subscribers_process, args=(url, tokens, n, concurrency, theirs), daemon=True)
        p.start()
        procs.append((p, ours))
    return procs


def wait_connected(procs: list[tuple], measured: Measured) -> None:
    """Block until every subscriber process reported its streams open."""
    for _, pipe in procs:
        if not pipe.poll(180):
            sys.exit("subscribers did not report within 180 s")
        _, connected, seconds, errors = pipe.recv()
        measured.connected += connected
        measured.connect_seconds = max(measured.connect_seconds, seconds)
        measured.connect_errors.update(errors)


def sample_rss(pids: list[int], measured: Measured, stop: threading.Event) -> None:
    """Every 0.5 s until `stop`: the server's peak RSS and threads."""
    while not stop.is_set():
        measured.rss["máx en carga"] = max(measured.rss.get("máx en carga", 0), rss_mb(pids))
        threads = sum(status_field(p, "Threads") for p in pids)
        measured.threads["máx en carga"] = max(measured.threads.get("máx en carga", 0), threads)
        stop.wait(0.5)


def cpu_groups(server: list[int], redis_pid: int, clients: list[int]) -> dict[str, list[int]]:
    """The processes whose CPU is reported, by group."""
    return {
        "servidor": server[1:] or server,  # the workers (the supervisor only waits)
        "Redis": [redis_pid],
        "PostgreSQL (todo el clúster)": pids_named("postgres"),
        "cliente": [os.getpid(), *clients],
    }


def run_load(options: Options, url: str, tokens: list[str], groups: dict, measured: Measured) -> None:
    """The generator process for --duration, with CPU and RSS sampled around it."""
    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe()
    gen = ctx.Process(target=generator_process, args=(url, tokens, options.rate, options.duration, theirs))
    gen.start()
    groups["cliente"].append(gen.pid)
    ours.recv()  # "started"
    pids = [p for group in groups.values() for p in group]
    cpu0, busy0, t0 = cpu_seconds(pids), machine_busy(), time.monotonic()
    stop = threading.Event()
    sampler = threading.Thread(target=sample_rss, args=(groups["servidor"], measured, stop))
    sampler.start()
    _, measured.actions, measured.sending, measured.max_lag, measured.load_seconds = ours.recv()
    cpu1, busy1, elapsed = cpu_seconds(pids), machine_busy(), time.monotonic() - t0
    stop.set()
    sampler.join()
    gen.join()
    for name, group in groups.items():
        measured.cpu[name] = sorted(
            ((cpu1.get(p, 0) - cpu0.get(p, 0)) / elapsed for p in group), reverse=True
        )
    measured.cpu["máquina entera"] = [(busy1 - busy0) / elapsed]
    ours = sum(sum(v) for k, v in measured.cpu.items() if k != "máquina entera")
    measured.cpu["ajena (resto de la máquina)"] = [max(0.0, measured.cpu["máquina entera"][0] - ours)]


def measure(
    options: Options, server: subprocess.Popen, redis_pid: int, url: str, tokens: list[str]
) -> Measured:
    """Connect the subscribers, run the load, listen for the tail, collect everything."""
    measured = Measured()
    server_pids = process_tree(server.pid)
    measured.rss["sin suscriptores"] = rss_mb(server_pids[1:])
    measured.threads["sin suscriptores"] = sum(status_field(p, "Threads") for p in server_pids[1:])
    procs = start_subscribers(options, url, tokens)
    wait_connected(procs, measured)
    print(f"{measured.connected} de {options.subscribers} suscriptores conectados en {measured.connect_seconds:.1f} s"
          f"{'; errores: ' + str(dict(measured.connect_errors)) if measured.connect_errors else ''}", flush=True)  # fmt: skip
    time.sleep(1)
    measured.rss["con suscriptores"] = rss_mb(server_pids[1:])
    measured.threads["con suscriptores"] = sum(status_field(p, "Threads") for p in server_pids[1:])
    groups = cpu_groups(server_pids, redis_pid, [p.pid for p, _ in procs])
    run_load(options, url, tokens, groups, measured)
    time.sleep(options.tail)
    for _, pipe in procs:
        pipe.send("stop")
    for process, pipe in procs:
        measured.summaries += pipe.recv()[1]
        process.join()
    measured.expected = audit_event_ids()
    return measured


# --- report ------------------------------------------------------------------------------


@dataclass
class Figures:
    """The headline figures derived from a run."""

    sent: int
    succeeded: int
    received: list[int]
    lost: int
    lost_subs: int
    lost_events: int
    unexpected: int
    duplicates: int
    latencies: list[float]
    keepalive_subs: int
    response: list[float]
    first: list[float]
    last: list[float]


def per_event(m: Measured) -> tuple[list[float], list[float]]:
    """For each event, its first and its last delivery's latency over all subscribers."""
    spans: dict[str, list[float]] = {}
    for s in m.summaries:
        for i, lat in zip(s["ids"], s["latencies"], strict=True):
            span = spans.setdefault(i, [lat, lat])
            span[0], span[1] = min(span[0], lat), max(span[1], lat)
    return [v[0] for v in spans.values()], [v[1] for v in spans.values()]


def figures(m: Measured) -> Figures:
    """Counts, losses and latencies over every subscriber."""
    sent = [a for a in m.actions if a[1] != -1]
    received, latencies, lost, unexpected, missing = [], [], 0, 0, Counter()
    for s in m.summaries:
        got = set(s["ids"])
        received.append(len(got & m.expected))
        lost += len(m.expected - got)
        missing.update(m.expected - got)
        unexpected += len(got - m.expected)
        latencies += [lat for i, lat in zip(s["ids"], s["latencies"], strict=True) if i in m.expected]
    return Figures(
        sent=len(sent),
        succeeded=sum(1 for a in sent if a[1] == 200),
        received=received,
        lost=lost,
        lost_subs=sum(1 for r in received if r < len(m.expected)),
        lost_events=len(missing),
        unexpected=unexpected,
        duplicates=sum(s["duplicates"] for s in m.summaries),
        latencies=latencies,
        keepalive_subs=sum(1 for s in m.summaries if s["types"]["keep-alive"]),
        response=[a[2] for a in sent if a[1] == 200],
        first=(spans := per_event(m))[0],
        last=spans[1],
    )


def cores(values: list[float]) -> str:
    """CPU per process in cores, largest first, and their sum."""
    shown = [v for v in values if v >= 0.01] or values[:1]
    total = sum(values)
    return f"{total:.2f}" + (f" ({' + '.join(f'{v:.2f}' for v in shown)})" if len(shown) > 1 else "")


def print_report(options: Options, m: Measured, f: Figures) -> None:
    """The figures in plain lines."""
    print(f"\nsuscriptores conectados: {m.connected} de {options.subscribers}")
    print(
        f"acciones: {f.sent} enviadas, {f.succeeded} con 200, {Counter(a[1] for a in m.actions)} por estado"
    )
    print(f"ritmo logrado: {f.sent / m.sending:.1f} acciones/s (pedido {options.rate:g}); retraso máx. del"
          f" planificador {m.max_lag * 1000:.1f} ms; carga {m.load_seconds:.1f} s")  # fmt: skip
    print(f"respuesta de las acciones: p50 {pct(f.response, .5):.0f} ms, p99 {pct(f.response, .99):.0f} ms,"
          f" máx {pct(f.response, 1):.0f} ms")  # fmt: skip
    r = f.received or [0]
    print(f"eventos esperados por suscriptor: {len(m.expected)} (acciones con éxito {f.succeeded});"
          f" recibidos mín {min(r)} / mediana {statistics.median(r):.0f} / máx {max(r)}")  # fmt: skip
    print(f"eventos perdidos: {f.lost} ({f.lost_subs} suscriptores, {f.lost_events} eventos distintos);"
          f" duplicados {f.duplicates}, ajenos {f.unexpected}")  # fmt: skip
    print(f"latencia timestamp → recepción ({len(f.latencies)} entregas): p50 {pct(f.latencies, .5):.0f} ms,"
          f" p99 {pct(f.latencies, .99):.0f} ms, máx {pct(f.latencies, 1):.0f} ms")  # fmt: skip
    print(f"por evento: primera entrega p50 {pct(f.first, .5):.0f} / p99 {pct(f.first, .99):.0f} ms,"
          f" última entrega p50 {pct(f.last, .5):.0f} / p99 {pct(f.last, .99):.0f} ms")  # fmt: skip
    for name, values in m.cpu.items():
        print(f"CPU {name}: {cores(values)} núcleos")
    print("RSS servidor: " + ", ".join(f"{k} {v:.0f} MB" for k, v in m.rss.items()))
    print("hilos servidor: " + ", ".join(f"{k} {v}" for k, v in m.threads.items()))
    print(f"keep-alive: {f.keepalive_subs} de {len(m.summaries)} suscriptores recibieron al menos uno"
          f" (llega tras 20 s sin eventos; escucha final {options.tail:g} s)")  # fmt: skip
    errors = Counter(s["error"] for s in m.summaries if s["error"])
    print(
        f"streams cortados durante la prueba: {dict(errors) or 0}; errores en el registro: {m.errors_logged}"
    )


def print_table(options: Options, m: Measured, f: Figures) -> None:
    """One markdown row for docs/benchmarks.md."""
    r = f.received or [0]
    print("\n| suscriptores | acciones/s (logradas) | acciones ok | eventos por suscriptor esperados / recibidos"
          " mín–mediana–máx | perdidos | latencia p50 / p99 / máx | respuesta acción p50 / p99 |"
          " CPU servidor (por proceso) | CPU cliente | CPU ajena | RSS servidor | keep-alive |")  # fmt: skip
    print("|" + "---|" * 12)
    cells = [
        f"{m.connected} / {options.subscribers}", f"{options.rate:g} ({f.sent / m.sending:.1f})",
        f"{f.succeeded} / {f.sent}",
        f"{len(m.expected)} / {min(r)}–{statistics.median(r):.0f}–{max(r)}", str(f.lost),
        f"{pct(f.latencies, .5):.0f} / {pct(f.latencies, .99):.0f} / {pct(f.latencies, 1):.0f} ms",
        f"{pct(f.response, .5):.0f} / {pct(f.response, .99):.0f} ms", cores(m.cpu["servidor"]),
        f"{sum(m.cpu['cliente']):.2f}", f"{m.cpu['ajena (resto de la máquina)'][0]:.2f}",
        f"{m.rss['máx en carga']:.0f} MB",
        f"{f.keepalive_subs} / {len(m.summaries)}",
    ]  # fmt: skip
    print("| " + " | ".join(cells) + " |")


# --- main --------------------------------------------------------------------------------


def main() -> None:
    """Set up Redis, the database and the server; measure; print; stop everything."""
    options = parse_options()
    load1 = os.getloadavg()[0]
    print(f"Máquina: {os.cpu_count()} núcleos (carga previa {load1:.2f}); {options.subscribers} suscriptores en"
          f" {options.client_procs} procesos, {options.rate:g} acciones/s durante {options.duration:g} s",
          flush=True)  # fmt: skip
    redis_process, redis_url = start_redis()
    log = Path(tempfile.mkdtemp(prefix="zeues-bench-live-")) / "uvicorn.log"
    try:
        env = server_env(redis_url)
        recreate_database(env)
        tokens = seed(env, int(options.rate * options.duration) // 2 + 10)
        server, url = start_server(env, log)
        try:
            measured = measure(options, server, redis_process.pid, url, tokens)
        finally:
            stop_process(server)
    finally:
        stop_process(redis_process)
    text = log.read_text(errors="replace")
    measured.errors_logged = text.count(" ERROR ") + text.count("Traceback")
    result = figures(measured)
    print_report(options, measured, result)
    print_table(options, measured, result)
    print(f"\nRegistro del servidor: {log}")


if __name__ == "__main__":
    main()
