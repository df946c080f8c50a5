"""Fixtures for the Google Sheets mirror (zeues/mirror/): a shop, its sheet on the emulator, checks.

Nothing of ours is mocked: the worker builds its gspread client from settings, exactly as in
production, with ZEUES_SHEETS_ENDPOINT pointing at the emulator (the `emulator` and
`sheet_settings` fixtures and SHEET_ID are in the root conftest.py, shared with the client's
tests). Retry sleeps are shortened through settings so fault tests stay fast.
"""

from __future__ import annotations

import datetime
import random
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from conftest import SHEET_ID
from metrologia.services import spool_inspect
from occupation.services import spool_complete, spool_pause, spool_take
from reparacion.services import repair_cancel, repair_complete, repair_pause, repair_take
from spools.models import EstadoCalidad, EstadoOperacion, Event, EventType, Spool, Worker
from tools.sheets_emulator import METADATA_HEADER, SheetsEmulator
from zeues.lib.errors import ZeuesError
from zeues.lib.headers import HeaderMap, column_letter
from zeues.mirror.cells import SPOOL_COLUMNS
from zeues.mirror.sync import SheetSync

# A realistic Operaciones layout: ZEUES's columns among other departments' columns.
OPS_HEADER = [
    "id", "NV", "OT", "TAG_SPOOL", "Cliente", "Fecha_Materiales", "Fecha_Armado", "Armador",
    "Fecha_Soldadura", "Soldador", "Fecha_QC_Metrología", "Fecha_NDT", "Precio Total", "FLAG",
    "Ocupado_Por", "Fecha_Ocupacion", "version", "Estado_Detalle", "Total_Uniones",
]  # fmt: skip
ZEUES_COLUMNS = set(SPOOL_COLUMNS)


def filler(row: int, name: str) -> str:
    """Another department's value in a cell ZEUES must never touch."""
    return "" if (row + len(name)) % 5 == 0 else f"{name[:4]}-{row}"


def operaciones_rows(spools: list[Spool]) -> list[list[str]]:
    """An Operaciones tab holding these spools, other departments' cells filled in."""
    rows = [list(OPS_HEADER)]
    for number, spool in enumerate(spools, start=2):
        row = [filler(number, h) for h in OPS_HEADER]
        row[OPS_HEADER.index("TAG_SPOOL")] = spool.tag_spool
        for name in ZEUES_COLUMNS:
            row[OPS_HEADER.index(name)] = ""
        rows.append(row)
    return rows


@pytest.fixture
def shop(db, make_worker, make_spool, defectos) -> dict[str, Any]:
    """40 spools in varied states and 30 workers who may do everything."""
    today = timezone.localdate()
    spools = [make_spool() for _ in range(14)]
    spools += [make_spool(arm="completado", fecha_armado=today) for _ in range(10)]
    welded = {"arm": "completado", "sold": "completado", "fecha_armado": today, "fecha_soldadura": today}
    spools += [make_spool(**welded) for _ in range(10)]
    spools += [make_spool(**welded, calidad="rechazado", ciclo=1) for _ in range(6)]
    roles = ["Armador", "Soldador", "Metrologia"]
    workers = [make_worker(roles=roles, nombre=f"N{i}", apellido=f"A{i}") for i in range(30)]
    return {"spools": spools, "workers": workers}


@pytest.fixture
def sheet(emulator, sheet_settings, shop) -> dict[str, Any]:
    """The spreadsheet on the emulator: Operaciones for the shop's spools, an empty Metadata."""
    emulator.create_spreadsheet(
        SHEET_ID, {"Operaciones": operaciones_rows(shop["spools"]), "Metadata": [list(METADATA_HEADER)]}
    )
    return shop


# --- actions ---------------------------------------------------------------------------------


def next_action(spool: Spool, worker: Worker, rng: random.Random) -> Callable[[], Any] | None:
    """A plausible action for this worker on this spool's current state (it may still lose a race)."""
    if spool.ocupado_por_id == worker.pk:
        if spool.operacion_actual == "REPARACION":
            return rng.choice([repair_pause, repair_complete, repair_complete, repair_cancel])
        return rng.choice([spool_pause, spool_complete, spool_complete])
    if spool.ocupado_por_id is not None:
        return None
    if spool.calidad in (EstadoCalidad.RECHAZADO, EstadoCalidad.REPARACION_PAUSADA):
        return repair_take
    if spool.arm == spool.sold == EstadoOperacion.COMPLETADO:
        if spool.calidad in (EstadoCalidad.PENDIENTE, EstadoCalidad.PENDIENTE_METROLOGIA):
            return lambda **kw: spool_inspect(
                **kw, resultado=rng.choice(["APROBADO", "RECHAZADO"]), defecto="POROSIDAD"
            )
        return None
    if spool.arm in (EstadoOperacion.PENDIENTE, EstadoOperacion.PAUSADO):
        return lambda **kw: spool_take(**kw, operacion="ARM")
    return lambda **kw: spool_take(**kw, operacion="SOLD")


def run_actions(shop: dict[str, Any], total: int, *, threads: int = 30, seed: int = 6) -> int:
    """`total` mixed actions by `threads` concurrent workers; returns how many succeeded."""
    counter = iter(range(total))
    lock = threading.Lock()
    ok = [0]
    tags = [s.tag_spool for s in shop["spools"]]

    def work(worker: Worker, rng: random.Random) -> None:
        mine: list[str] = []
        try:
            while True:
                with lock:
                    if next(counter, None) is None:
                        return
                tag = rng.choice(mine) if mine and rng.random() < 0.6 else rng.choice(tags)
                spool = Spool.objects.select_related("ocupado_por").get(tag_spool=tag)
                action = next_action(spool, worker, rng)
                if action is None:
                    continue
                try:
                    result = action(spool=spool, worker=worker)
                except ZeuesError:
                    continue
                with lock:
                    ok[0] += 1
                held = getattr(result, "ocupado_por_id", None) == worker.pk
                if held and tag not in mine:
                    mine.append(tag)
                elif not held and tag in mine:
                    mine.remove(tag)
        finally:
            connection.close()

    pool = [
        threading.Thread(target=work, args=(w, random.Random(seed * 1000 + i)))
        for i, w in enumerate(shop["workers"][:threads])
    ]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=120)
    return ok[0]


# --- checking the sheet ----------------------------------------------------------------------


def sync_until_idle(worker: SheetSync | None = None, *, cycles: int = 20) -> SheetSync:
    """Run cycles until one finds nothing to do (fails the test if that never happens)."""
    worker = worker or SheetSync()
    for _ in range(cycles):
        result = worker.run_once()
        assert not result.paused and not result.error, result
        if result.idle:
            return worker
    raise AssertionError(f"the mirror did not settle in {cycles} cycles")


def expected_cells(spool: Spool) -> dict[str, str]:
    """The ZEUES-owned cells as docs/domain.md, "The spreadsheet" spells them, computed here independently of the mirror."""

    def token(worker: Worker | None) -> str:
        return f"{worker.nombre[0]}{worker.apellido[0]}({worker.pk})".upper() if worker else ""

    def day(value: datetime.date | None) -> str:
        return value.strftime("%d-%m-%Y") if value else ""

    since = (
        timezone.localtime(spool.fecha_ocupacion).strftime("%d-%m-%Y %H:%M:%S")
        if spool.fecha_ocupacion
        else ""
    )
    return {
        "Fecha_Armado": day(spool.fecha_armado),
        "Armador": token(spool.armador),
        "Fecha_Soldadura": day(spool.fecha_soldadura),
        "Soldador": token(spool.soldador),
        "Fecha_QC_Metrología": day(spool.fecha_qc_metrologia),
        "Ocupado_Por": token(spool.ocupado_por),
        "Fecha_Ocupacion": since,
        "version": str(spool.version),
        "Estado_Detalle": spool.estado_detalle,
    }


def sheet_rows(emulator: SheetsEmulator, tab: str = "Operaciones") -> tuple[HeaderMap, list[list[str]]]:
    """Header map and rows of a tab as people see it."""
    grid = [[str(v) for v in row] for row in emulator.values(SHEET_ID, tab)]
    return HeaderMap(grid[0]), grid


def assert_sheet_matches_database(emulator: SheetsEmulator, touched: set[str]) -> None:
    """Every touched spool's row shows exactly what the database holds."""
    headers, grid = sheet_rows(emulator)
    tag_col = headers.index("TAG_SPOOL")
    rows = {row[tag_col]: row for row in grid[1:]}
    spools = Spool.objects.select_related("armador", "soldador", "ocupado_por").filter(tag_spool__in=touched)
    for spool in spools:
        row = rows[spool.tag_spool]
        shown = {name: row[headers.index(name)] for name in SPOOL_COLUMNS}
        assert shown == expected_cells(spool), spool.tag_spool


def changed_cells(before: list[list[str]], after: list[list[str]]) -> set[tuple[int, int]]:
    """(row, column) 0-based of every cell that differs."""
    height = max(len(before), len(after))
    width = max(len(r) for r in before + after)

    def at(grid: list[list[str]], r: int, c: int) -> str:
        return grid[r][c] if r < len(grid) and c < len(grid[r]) else ""

    return {(r, c) for r in range(height) for c in range(width) if at(before, r, c) != at(after, r, c)}


def assert_only_zeues_cells_changed(
    before: list[list[str]], after: list[list[str]], touched: set[str]
) -> None:
    """Outside the ZEUES columns of touched spools' rows, the sheet is as it was."""
    headers = HeaderMap(after[0])
    tag_col = headers.index("TAG_SPOOL")
    allowed_cols = {headers.index(n) for n in SPOOL_COLUMNS}
    for r, c in changed_cells(before, after):
        where = f"{column_letter(c)}{r + 1}"
        assert c in allowed_cols, f"cell {where} outside ZEUES's columns changed"
        assert after[r][tag_col] in touched, f"cell {where} of an untouched spool changed"


def assert_metadata_holds_every_event_once(emulator: SheetsEmulator) -> None:
    """Metadata lists every mirrored event exactly once, in seq order, with its columns."""
    headers, grid = sheet_rows(emulator, "Metadata")
    id_col = headers.index("ID")
    ids = [row[id_col] for row in grid[1:] if row[id_col]]
    expected = list(
        Event.objects.exclude(evento_tipo=EventType.IMPORT).order_by("seq").values_list("id", flat=True)
    )
    assert len(ids) == len(set(ids)), "an event was appended twice"
    assert ids == [str(e) for e in expected]
    last = Event.objects.exclude(evento_tipo=EventType.IMPORT).order_by("seq").last()
    if last is not None:
        row = grid[len(ids)]
        assert row[headers.index("Evento_Tipo")] == last.evento_tipo
        assert row[headers.index("TAG_SPOOL")] == last.tag_spool
        assert row[headers.index("Worker_ID")] == str(last.worker_id or "")
        assert row[headers.index("Worker_Nombre")] == last.worker_token
        assert row[headers.index("Fecha_Operacion")] == last.fecha_operacion.strftime("%d-%m-%Y")
        stamp = timezone.localtime(last.timestamp).strftime("%d-%m-%Y %H:%M:%S")
        assert row[headers.index("Timestamp")] == stamp


def touched_tags() -> set[str]:
    """Tags of spools with at least one (non-import) event."""
    return set(Event.objects.exclude(evento_tipo=EventType.IMPORT).values_list("tag_spool", flat=True))
