"""Benchmark the Google Sheets mirror: 1,000 actions per minute against the Sheets emulator.

Recreates the PostgreSQL database `zeues_bench_sheets`, imports a generated sheet of --spools
spools (the real 75-column layout) into it and into the emulator, then runs --rate actions per
minute (TOMAR/PAUSAR/COMPLETAR of ARM and SOLD, metrología, reparación) through the services
from --threads threads for --minutes minutes, while the sync worker runs its normal loop
(ZEUES_SHEETS_INTERVAL, default 5 s) in a thread. The emulator answers every call after
--latency seconds (300 ms) and enforces Google's quota (--quota requests per minute, one bucket
for reads and writes: stricter than Google).

With --joints N (default 10) every spool starts pending with N joints, in the database (created
directly, as the import would) and in the emulator's `Uniones` tab (17 columns, NDT cells filled
by "the NDT department"); Operaciones' formula columns hold formulas and Metadata has an N_UNION
column. A holder then finishes through `occupation.services.spool_finish`, ticking --per-finish
joints (default 5) each time. --joints 0 is the whole-spool shop of issue #10.

Prints Sheets requests per minute (aim ≤ 60), the mirror's lag per action — from the action's
commit to the moment Google applied the write that carries it — p50/p99 for the spool cells,
for the joint cells and for the Metadata row (aim p99 ≤ 15 s), the outbox backlog over time,
and checks at the end that the sheet equals the database (spools, joints, Metadata) and that
no formula or NDT cell changed.

    .venv/bin/python bench/sheets.py --minutes 2
    .venv/bin/python bench/sheets.py --minutes 2 --joints 20 --per-finish 10   # 5 joints per action
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = "postgres://postgres@127.0.0.1:5432"
DB_NAME = "zeues_bench_sheets"
SHEET_ID = "BENCH"


def parse_options() -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--rate", type=int, default=1000, help="actions per minute")
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--spools", type=int, default=3000)
    parser.add_argument("--latency", type=float, default=0.3, help="emulator latency per call (s)")
    parser.add_argument("--quota", type=int, default=60, help="emulator requests per minute")
    parser.add_argument("--interval", type=float, default=None, help="ZEUES_SHEETS_INTERVAL (s)")
    parser.add_argument(
        "--outage", type=float, default=0, help="Google down this many seconds, from the first minute on"
    )
    parser.add_argument("--joints", type=int, default=10, help="joints per spool (0: whole-spool shop)")
    parser.add_argument("--per-finish", type=int, default=5, help="joints ticked per FINALIZAR")
    return parser.parse_args()


def prepare_environment(options: argparse.Namespace, endpoint: str) -> None:
    """Fresh database, settings pointing at it and at the emulator; Django set up and migrated."""
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="zeues.settings",
        DATABASE_URL=f"{PG}/{DB_NAME}",
        DATABASE_POOL_MAX=str(options.threads + 8),
        REDIS_URL="",
        GOOGLE_SHEET_ID=SHEET_ID,
        GOOGLE_CREDENTIALS_FILE="",
        ZEUES_SHEETS_ENDPOINT=endpoint,
        ZEUES_SHEETS_EMBEDDED="false",
        LOG_LEVEL="ERROR",
    )
    if options.interval is not None:
        os.environ["ZEUES_SHEETS_INTERVAL"] = str(options.interval)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


JOINT_TYPES = ("BW", "BW", "SO", "BR", "FILL", "LET")
DNS = ("0,75", "1", "1 1/2", "2", "2,5", "3", "4", "6", "8")


def formula(name: str, row: int) -> str:
    """The text of the sheet's formula in a formula column (the emulator keeps formulas as text)."""
    return f"=SUMIFS(Uniones!E:E;Uniones!D:D;G{row})+{len(name)}"


def joint_shop(folder: Path) -> None:
    """Every generated spool pending (its legacy ZEUES cells cleared), ready to get joints."""
    from spools.tests.sheet_factory import read_csv, write_csv
    from zeues.lib import columns

    rows = read_csv(folder / "operaciones.csv")
    owned = [rows[0].index(name) for name in columns.ZEUES_OWNED if name != "version"]
    for row in rows[1:]:
        for index in owned:
            row[index] = ""
    write_csv(folder / "operaciones.csv", rows)


def seed_joints(options: argparse.Namespace) -> list[list[str]]:
    """--joints joints per spool in the database (bulk, then the spools' figures); the Uniones tab."""
    from spools.joints import store_progress
    from spools.models import Spool, Union
    from zeues.lib import columns
    from zeues.lib.dn import format_dn, parse_dn

    rng = random.Random(14)
    spools = list(Spool.objects.order_by("tag_spool").values_list("pk", "tag_spool", "ot"))
    joints, rows = [], [list(columns.UNIONES_ALL)]
    for pk, tag, ot in spools:
        for n in range(1, options.joints + 1):
            dn, tipo = parse_dn(rng.choice(DNS)), rng.choice(JOINT_TYPES)
            joints.append(Union(spool_id=pk, n_union=n, dn=dn, tipo=tipo))
            cells = dict.fromkeys(columns.UNIONES_ALL, "")
            cells.update(ID=f"{len(rows):06d}", OT=ot, N_UNION=str(n), TAG_SPOOL=tag, version="v4.0")
            cells.update(DN_UNION=format_dn(dn), TIPO_UNION=tipo)
            if n % 3 == 0:  # the NDT department's cells, which the mirror must never touch
                cells.update(
                    NDT_UNION="RT", R_NDT_UNION=f"RX-{len(rows)}", NDT_FECHA="10-11-2026", NDT_STATUS="OK"
                )
            rows.append([cells[h] for h in columns.UNIONES_ALL])
    Union.objects.bulk_create(joints, batch_size=5000)
    store_progress([pk for pk, _, _ in spools])
    return rows


def seed(options: argparse.Namespace, emulator: Any) -> list[Any]:
    """The generated sheet, in the emulator and imported; 30 workers who may do everything."""
    from spools.importer import CSV_FILES, import_sheet, read_csv_dir
    from spools.models import Worker, WorkerRole
    from spools.tests.sheet_factory import read_csv, write_generated_sheet
    from tools.sheets_emulator import METADATA_HEADER
    from zeues.lib import columns

    with tempfile.TemporaryDirectory() as tmp:
        folder = write_generated_sheet(Path(tmp), options.spools)
        if options.joints:
            joint_shop(folder)
        import_sheet(read_csv_dir(folder), origen="bench", labels=CSV_FILES)
        book = {
            name: read_csv(folder / f"{name.lower()}.csv")
            for name in ("Operaciones", "Trabajadores", "Roles")
        }
    book["Metadata"] = [list(METADATA_HEADER)]
    if options.joints:
        book["Uniones"] = seed_joints(options)
        book["Metadata"][0].append(columns.N_UNION)
        ops = book["Operaciones"]
        for name in columns.OPERACIONES_FORMULAS:
            col = ops[0].index(name)
            for number, row in enumerate(ops[1:], start=2):
                row.extend([""] * (col + 1 - len(row)))
                row[col] = formula(name, number)
    emulator.create_spreadsheet(SHEET_ID, book)
    workers = []
    for n in range(30):
        worker = Worker.objects.create(id=9000 + n, nombre=f"Bench{n}", apellido="Zeues")
        for rol in ("Armador", "Soldador", "Metrologia"):
            WorkerRole.objects.create(worker=worker, rol=rol)
        workers.append(Worker.objects.prefetch_related("roles").get(pk=worker.pk))
    return workers


# --- the load ---------------------------------------------------------------------------------


@dataclass
class Load:
    """Shared state of the action threads."""

    tags: list[str]
    workers: list[Any]
    rate: float
    until: float
    started: float = field(default_factory=time.monotonic)
    issued: int = 0
    ok: int = 0
    failed: int = 0
    commits: dict[str, float] = field(default_factory=dict)  # event id → monotonic commit time
    versions: list[tuple[str, int, float]] = field(default_factory=list)  # (tag, version, commit)
    joints: list[tuple[str, int, str, float]] = field(default_factory=list)  # (tag, n, ARM/SOLD, commit)
    finishes: int = 0
    per_finish: int = 5
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ticket(self) -> float | None:
        """The scheduled start of the next action, or None when the run is over."""
        with self.lock:
            at = self.started + self.issued * 60.0 / self.rate
            if at >= self.until:
                return None
            self.issued += 1
            return at


def finish_joints(spool: Any, rng: random.Random, per_finish: int) -> Any:
    """FINALIZAR ticking `per_finish` of the joints the holder may record now (fewer if fewer are open)."""
    from occupation.services import spool_finish
    from spools.joints import joints_of, offered

    open_ = [u.n_union for u in offered(joints_of(spool), spool.operacion_actual)]
    chosen = sorted(rng.sample(open_, min(per_finish, len(open_))))
    return lambda **kw: spool_finish(**kw, uniones=chosen)


def pick_action(spool: Any, worker: Any, rng: random.Random, per_finish: int = 5) -> Any:
    """A plausible action for this worker on this spool's state (it may still lose a race)."""
    from metrologia.services import spool_inspect
    from occupation.services import spool_complete, spool_pause, spool_take
    from reparacion.services import repair_complete, repair_pause, repair_take

    if spool.ocupado_por_id == worker.pk:
        if spool.operacion_actual == "REPARACION":
            return rng.choice([repair_pause, repair_complete])
        if spool.uniones_total:
            return finish_joints(spool, rng, per_finish)
        return rng.choice([spool_pause, spool_complete, spool_complete])
    if spool.ocupado_por_id is not None or spool.calidad in ("aprobado", "bloqueado", "en_reparacion"):
        return None
    if spool.calidad in ("rechazado", "reparacion_pausada"):
        return repair_take
    if spool.arm == spool.sold == "completado":
        verdict = rng.choice(["APROBADO", "APROBADO", "RECHAZADO"])
        return lambda **kw: spool_inspect(**kw, resultado=verdict, defecto="POROSIDAD")
    if spool.fecha_materiales is None:
        return None
    operacion = "ARM" if spool.arm in ("pendiente", "pausado") else "SOLD"
    if operacion == "SOLD" and spool.sold not in ("pendiente", "pausado"):
        return None
    return lambda **kw: spool_take(**kw, operacion=operacion)


def act_once(load: Load, worker: Any, mine: list[str], rng: random.Random) -> None:
    """One action (retrying the pick until an action applies to the spool's state)."""
    from occupation.services import Finish
    from spools.models import Event, Spool
    from zeues.lib.errors import ZeuesError

    for _ in range(20):
        tag = mine.pop(rng.randrange(len(mine))) if mine and rng.random() < 0.5 else rng.choice(load.tags)
        spool = Spool.objects.select_related("ocupado_por").get(tag_spool=tag)
        action = pick_action(spool, worker, rng, load.per_finish)
        if action is not None:
            break
    else:
        return
    operacion = spool.operacion_actual if spool.ocupado_por_id == worker.pk else None
    before = Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    try:
        result = action(spool=spool, worker=worker)
    except ZeuesError:
        with load.lock:
            load.failed += 1
        return
    committed = time.monotonic()
    ids = Event.objects.filter(spool=spool, seq__gt=before).values_list("id", flat=True)
    recorded = None
    if isinstance(result, Finish):  # a FINALIZAR: the joints it recorded
        result, recorded = result.spool, result.uniones
    with load.lock:
        load.ok += 1
        load.versions.append((tag, result.version, committed))
        for event_id in ids:
            load.commits[str(event_id)] = committed
        if recorded is not None:
            load.finishes += 1
            load.joints += [(tag, n, str(operacion), committed) for n in recorded]
    if result.ocupado_por_id == worker.pk:
        mine.append(tag)


def actor(load: Load, workers: list[Any], seed: int) -> None:
    """One thread: a few workers taking turns, paced by the shared schedule."""
    from django.db import connection

    rng, held = random.Random(seed), {w.pk: [] for w in workers}
    try:
        while (at := load.ticket()) is not None:
            time.sleep(max(0.0, at - time.monotonic()))
            worker = rng.choice(workers)
            act_once(load, worker, held[worker.pk], rng)
    finally:
        connection.close()


# --- measuring --------------------------------------------------------------------------------


def sample_backlog(stop: threading.Event, samples: list[tuple[float, int, int, int]], started: float) -> None:
    """Every 10 s: (seconds since start, spools queued, joints queued, events not yet in Metadata)."""
    from django.db import connection

    from zeues.mirror.status import backlog

    try:
        while not stop.wait(10):
            pending = backlog()
            samples.append(
                (time.monotonic() - started, pending["spools"], pending["uniones"], pending["eventos"])
            )
    finally:
        connection.close()


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return (
        ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))] if ordered else float("nan")
    )


@dataclass
class Applied:
    """When Google applied each write (monotonic): event rows, spool (row, version), joint rows."""

    appended: dict[str, float] = field(default_factory=dict)
    spools: list[tuple[int, int, float]] = field(default_factory=list)
    # (row, ARM_WORKER written non-empty, SOL_WORKER written non-empty, applied)
    joints: list[tuple[int, bool, bool, float]] = field(default_factory=list)


def applied_writes(emulator: Any, latency: float) -> Applied:
    """Every write Google applied, read back from the emulator's request log."""
    applied = Applied()
    header = [str(h) for h in emulator.values(SHEET_ID, "Operaciones")[0]]
    version_col = header.index("version")
    uniones = [str(h) for h in emulator.values(SHEET_ID, "Uniones")[0]] if has_uniones(emulator) else []
    arm_col, sol_col = (uniones.index("ARM_WORKER"), uniones.index("SOL_WORKER")) if uniones else (-1, -1)
    for record in emulator.requests:
        if not record.ok:
            continue
        at = record.at + latency
        if record.kind == "values.append":
            for row in record.body["values"]:
                applied.appended.setdefault(str(row[0]), at)
        elif record.kind == "values.batchUpdate":
            for item in record.body["data"]:
                first_col, row = a1_start(item["range"])
                cells = item["values"][0]
                if item["range"].startswith("'Uniones'"):
                    arm, sol = arm_col - first_col, sol_col - first_col
                    arm_done = 0 <= arm < len(cells) and bool(cells[arm])
                    sol_done = 0 <= sol < len(cells) and bool(cells[sol])
                    applied.joints.append((row, arm_done, sol_done, at))
                    continue
                offset = version_col - first_col
                if 0 <= offset < len(cells):
                    applied.spools.append((row, int(cells[offset]), at))
    return applied


def has_uniones(emulator: Any) -> bool:
    """Whether the bench's spreadsheet has a Uniones tab (not with --joints 0)."""
    return any(s["properties"]["title"] == "Uniones" for s in emulator.metadata(SHEET_ID)["sheets"])


def a1_start(text: str) -> tuple[int, int]:
    """(0-based column, 1-based row) of the first cell of `'Sheet'!AB12:AE12`."""
    match = re.search(r"!([A-Z]+)(\d+)", text)
    assert match is not None, text
    col = 0
    for ch in match.group(1):
        col = col * 26 + ord(ch) - 64
    return col - 1, int(match.group(2))


def lags(load: Load, emulator: Any, latency: float) -> tuple[list[float], list[float], list[float]]:
    """Per action: seconds from commit until its spool cells, its joints' cells and its event rows were applied."""
    applied = applied_writes(emulator, latency)
    grid = emulator.values(SHEET_ID, "Operaciones")
    tag_col = [str(h) for h in grid[0]].index("TAG_SPOOL")
    row_of = {str(row[tag_col]): number for number, row in enumerate(grid, start=1)}
    by_row: dict[int, list[tuple[int, float]]] = {}
    for row, version, at in applied.spools:
        by_row.setdefault(row, []).append((version, at))
    cell_lags = []
    for tag, version, committed in load.versions:
        times = [at for v, at in by_row.get(row_of[tag], []) if v >= version and at >= committed]
        cell_lags.append(min(times) - committed if times else float("inf"))
    joint_lags = []
    if load.joints:
        uniones = emulator.values(SHEET_ID, "Uniones")
        header = [str(h) for h in uniones[0]]
        tag_c, n_c = header.index("TAG_SPOOL"), header.index("N_UNION")
        joint_row = {(str(r[tag_c]), str(r[n_c])): number for number, r in enumerate(uniones, start=1)}
        joints_by_row: dict[int, list[tuple[bool, bool, float]]] = {}
        for row, arm, sol, at in applied.joints:
            joints_by_row.setdefault(row, []).append((arm, sol, at))
        # A joint is fitted once and welded once: the first write after the commit that shows the
        # operation's worker is the one that carried it.
        for tag, n, operacion, committed in load.joints:
            writes = joints_by_row.get(joint_row[(tag, str(n))], [])
            times = [
                at for arm, sol, at in writes if at >= committed and (arm if operacion == "ARM" else sol)
            ]
            joint_lags.append(min(times) - committed if times else float("inf"))
    event_lags = [
        applied.appended.get(eid, float("inf")) - committed for eid, committed in load.commits.items()
    ]
    return cell_lags, joint_lags, event_lags


def requests_per_minute(emulator: Any, started: float, ended: float) -> tuple[list[int], int, int]:
    """Requests in each whole minute of the run, the busiest 60-s window, and 429 answers."""
    times = sorted(r.at for r in emulator.requests if started <= r.at <= ended)
    minutes = [
        sum(1 for t in times if started + 60 * m <= t < started + 60 * (m + 1))
        for m in range(max(1, round((ended - started) / 60)))
    ]
    busiest, j = 0, 0
    for i, t in enumerate(times):
        while times[j] < t - 60:
            j += 1
        busiest = max(busiest, i - j + 1)
    throttled = sum(1 for r in emulator.requests if r.status == 429)
    return minutes, busiest, throttled


def verify(emulator: Any, initial: dict[str, list[list[Any]]]) -> list[str]:
    """Whether the sheet now equals the database: spools acted on, joints, Metadata; and whether
    any cell outside ZEUES's columns changed (formulas, NDT, DN, other departments')."""
    from spools.models import Event, EventType, Spool, Union
    from zeues.lib import columns
    from zeues.mirror.cells import SPOOL_COLUMNS, spool_cells, union_cells

    lines = []
    grid = emulator.values(SHEET_ID, "Operaciones")
    header = [str(h) for h in grid[0]]
    rows = {str(row[header.index("TAG_SPOOL")]): row for row in grid[1:]}
    touched = set(Event.objects.exclude(evento_tipo=EventType.IMPORT).values_list("tag_spool", flat=True))
    wrong = 0
    for spool in Spool.objects.select_related("armador", "soldador", "ocupado_por").filter(
        tag_spool__in=touched
    ):
        expected = {k: str(v) for k, v in spool_cells(spool).items()}
        shown = {name: str(rows[spool.tag_spool][header.index(name)]) for name in SPOOL_COLUMNS}
        wrong += expected != shown
    lines.append(f"{len(touched)} spools tocados, {wrong} distintos de la base")
    tabs = {"Operaciones": set(SPOOL_COLUMNS)}
    if "Uniones" in initial:
        uniones = emulator.values(SHEET_ID, "Uniones")
        uh = [str(h) for h in uniones[0]]
        by_key = {(str(r[uh.index("TAG_SPOOL")]), str(r[uh.index("N_UNION")])): r for r in uniones[1:]}
        done = Union.objects.filter(arm_fin__isnull=False).select_related(
            "spool", "arm_worker", "sold_worker"
        )
        bad = sum(
            {k: str(v) for k, v in union_cells(u).items()}
            != {
                n: str(by_key[(u.spool.tag_spool, str(u.n_union))][uh.index(n)])
                for n in columns.UNIONES_ZEUES_OWNED
            }
            for u in done
        )
        lines.append(f"{len(done)} uniones con trabajo, {bad} distintas de la base")
        tabs["Uniones"] = set(columns.UNIONES_ZEUES_OWNED)
    for tab, owned in tabs.items():
        before, after = initial[tab], emulator.values(SHEET_ID, tab)
        names = [str(h) for h in after[0]]
        foreign = [i for i, name in enumerate(names) if name not in owned]
        changed = sum(
            1 for r in range(1, len(before)) for i in foreign if str(before[r][i]) != str(after[r][i])
        )
        lines.append(f"{tab}: {changed} celdas fuera de las columnas de ZEUES cambiaron")
    meta = emulator.values(SHEET_ID, "Metadata")
    ids = [str(r[0]) for r in meta[1:] if r[0]]
    events = Event.objects.exclude(evento_tipo=EventType.IMPORT).count()
    same = len(ids) == len(set(ids)) == events
    line = f"Metadata: {len(ids)} filas para {events} eventos ({'OK' if same else 'MAL'})"
    if "N_UNION" in [str(h) for h in meta[0]]:
        col = [str(h) for h in meta[0]].index("N_UNION")
        joint_rows = [r for r in meta[1:] if str(r[2]).startswith("UNION_")]
        line += (
            f"; {sum(1 for r in joint_rows if str(r[col]))} de {len(joint_rows)} filas de uniones con N_UNION"
        )
    lines.append(line)
    return lines


# --- main -------------------------------------------------------------------------------------


def report(load: Load, emulator: Any, options: argparse.Namespace, samples: list, ended: float) -> None:
    """Print the figures."""
    minutes, busiest, throttled = requests_per_minute(emulator, load.started, ended)
    cell_lags, joint_lags, event_lags = lags(load, emulator, options.latency)
    elapsed = ended - load.started
    print(
        f"Acciones: {load.ok} aplicadas, {load.failed} rechazadas por estado/carrera, en {elapsed:.0f} s ({load.ok / elapsed * 60:.0f}/min aplicadas)"
    )
    if load.finishes:
        print(
            f"FINALIZAR: {load.finishes} ({load.finishes / elapsed * 60:.0f}/min), {len(load.joints)} uniones registradas "
            f"({len(load.joints) / elapsed * 60:.0f}/min, {len(load.joints) / max(1, load.ok):.1f} por acción, "
            f"{len(load.joints) / load.finishes:.1f} por FINALIZAR)"
        )
    print(
        f"Solicitudes a Sheets por minuto: {minutes} (ventana de 60 s más cargada: {busiest}); respuestas 429: {throttled}"
    )
    kinds: dict[str, int] = {}
    for r in emulator.requests:
        if load.started <= r.at <= ended:
            kinds[r.kind] = kinds.get(r.kind, 0) + 1
    print("  por tipo: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    measured = [
        ("celdas del spool", cell_lags),
        ("celdas de la unión", joint_lags),
        ("fila en Metadata", event_lags),
    ]
    for name, values in measured:
        finite = [v for v in values if v != float("inf")]
        if not finite:
            continue
        print(
            f"Atraso ({name}): p50 {pct(finite, 50):.1f} s, p99 {pct(finite, 99):.1f} s, máx {max(finite):.1f} s, "
            f"media {statistics.mean(finite):.1f} s; nunca escritos: {len(values) - len(finite)}"
        )
    print(
        "Pendientes en el tiempo (s: spools, uniones, eventos): "
        + ", ".join(f"{t:.0f}: {s}/{u}/{e}" for t, s, u, e in samples)
    )


def main() -> None:
    """Seed, load, drain, report."""
    options = parse_options()
    from tools.sheets_emulator import SheetsEmulator

    emulator = SheetsEmulator(port=0).start()
    prepare_environment(options, emulator.base_url)
    from django.conf import settings

    from zeues.mirror.sync import SheetSync

    workers = seed(options, emulator)
    initial = {
        tab: emulator.values(SHEET_ID, tab)
        for tab in ("Operaciones", "Uniones")
        if tab != "Uniones" or options.joints
    }
    grid = initial["Operaciones"]
    tag_col = [str(h) for h in grid[0]].index("TAG_SPOOL")
    tags = [str(row[tag_col]) for row in grid[1:] if row[tag_col]]
    emulator.set_latency(options.latency)
    emulator.set_quota(options.quota)
    emulator.clear_log()
    print(
        f"{len(tags)} spools ({options.joints} uniones cada uno, {options.per_finish} por FINALIZAR), {options.rate} acciones/min durante {options.minutes:g} min, latencia "
        f"{options.latency * 1000:.0f} ms, cuota {options.quota}/min, ciclo cada {settings.ZEUES_SHEETS_INTERVAL:g} s"
        + (f", Google caído {options.outage:g} s desde el segundo 60" if options.outage else "")
    )
    stop = threading.Event()
    sync = threading.Thread(target=SheetSync().run_forever, args=(stop,), daemon=True)
    load = Load(tags=tags, workers=workers, rate=options.rate, until=time.monotonic() + options.minutes * 60)
    load.per_finish = options.per_finish
    samples: list[tuple[float, int, int, int]] = []
    threading.Thread(target=sample_backlog, args=(stop, samples, load.started), daemon=True).start()
    sync.start()
    if options.outage:
        threading.Timer(60, emulator.set_down, args=(True,)).start()
        threading.Timer(60 + options.outage, emulator.set_down, args=(False,)).start()
    share = [workers[i :: options.threads] for i in range(options.threads)]
    actors = [threading.Thread(target=actor, args=(load, share[i], i)) for i in range(options.threads)]
    for thread in actors:
        thread.start()
    for thread in actors:
        thread.join()
    ended = time.monotonic()
    from zeues.mirror.status import backlog

    drain_until = time.monotonic() + 120
    while time.monotonic() < drain_until and any(backlog()[k] for k in ("spools", "uniones", "eventos")):
        time.sleep(1)
    stop.set()
    sync.join(timeout=30)
    report(load, emulator, options, samples, ended)
    print("Verificación: " + "; ".join(verify(emulator, initial)))
    emulator.stop()


if __name__ == "__main__":
    main()
