"""The mirror of joints: the Uniones tab's six ZEUES cells of every joint that changed, found by
TAG_SPOOL + N_UNION, in the cycle's same three requests; Metadata's N_UNION; drift, gaps, crashes.

Every check reads the emulator's grid or its request log (what Google would have received); the
expected cells are computed here from the database, independently of the mirror's code.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.utils import timezone

from conftest import SHEET_ID
from occupation import joints as joint_changes
from occupation.services import spool_finish, spool_take
from spools.models import Event, Spool, Union, Worker
from tools.sheets_emulator import METADATA_HEADER
from zeues.lib import columns
from zeues.lib.headers import HeaderMap, column_letter
from zeues.mirror import sync as sync_module
from zeues.mirror.cells import SPOOL_COLUMNS
from zeues.mirror.status import mirror_status
from zeues.mirror.sync import SheetSync
from zeues.mirror.tests.conftest import changed_cells, sheet_rows, sync_until_idle
from zeues.models import SheetSyncState, SheetUnionChange

pytestmark = pytest.mark.django_db

OWNED = list(columns.UNIONES_ZEUES_OWNED)
NDT = list(columns.UNIONES_NDT)
FORMULAS = list(columns.OPERACIONES_FORMULAS)
# Operaciones as the shop has it: ZEUES's columns, other departments', the sheet's formulas.
OPS_HEADER = [
    "id", "NV", "OT", "TAG_SPOOL", "Fecha_Armado", "Armador", "Fecha_Soldadura", "Soldador",
    "Fecha_QC_Metrología", "Precio Total", "Ocupado_Por", "Fecha_Ocupacion", "version",
    "Estado_Detalle", *FORMULAS,
]  # fmt: skip
UNIONES_HEADER = list(columns.UNIONES_ALL)
# Joints of a spool ZEUES does not know: the mirror never touches their rows.
FOREIGN_TAG = "MK-9999-OTRO-0001"


def formula(name: str, row: int) -> str:
    """The sheet's own formula in a formula column (the emulator keeps it as text)."""
    return f'=COUNTIFS(Uniones!D:D;D{row};Uniones!I:I;"<>")+{len(name)}'


def operaciones(spools: list[Spool]) -> list[list[str]]:
    rows = [list(OPS_HEADER)]
    for number, spool in enumerate(spools, start=2):
        cells = dict.fromkeys(OPS_HEADER, "")
        cells.update({"id": str(number - 1), "NV": "NV0650", "TAG_SPOOL": spool.tag_spool})
        cells["Precio Total"] = f"{number * 1000}"
        cells.update({name: formula(name, number) for name in FORMULAS})
        rows.append([cells[h] for h in OPS_HEADER])
    return rows


def uniones(joints: list[Union], header: list[str] | None = None) -> list[list[str]]:
    """The Uniones tab: one row per joint, sequential IDs, NDT cells filled by the NDT department."""
    header = header or UNIONES_HEADER
    rows = [list(header)]
    keys = [(u.spool.tag_spool, u.n_union, u.dn, u.tipo) for u in joints]
    keys += [(FOREIGN_TAG, n, "4", "BW") for n in (1, 2)]
    for number, (tag, n, dn, tipo) in enumerate(keys, start=1):
        cells = dict.fromkeys(header, "")
        cells.update(ID=f"{number:05d}", OT="001", N_UNION=str(n), TAG_SPOOL=tag, version="v4.0")
        cells.update(DN_UNION=str(dn).replace(".", ","), TIPO_UNION=tipo)
        cells.update(NDT_UNION="RT", R_NDT_UNION=f"INF-{number}", NDT_FECHA="10-11-2026", NDT_STATUS="OK")
        rows.append([cells.get(h, "") for h in header])
    return rows


@pytest.fixture
def crew(make_worker) -> dict[str, Worker]:
    return {
        "fitter": make_worker(id=110, nombre="Maria", apellido="Diaz", roles=["Armador"]),
        "fitter2": make_worker(id=90, nombre="Victor", apellido="Soto", roles=["Armador"]),
        "welder": make_worker(id=120, nombre="Pedro", apellido="Lagos", roles=["Soldador"]),
    }


@pytest.fixture
def shop(make_spool, make_joints) -> list[Spool]:
    """Two spools with joints (one with a field weld) and a whole-spool one."""
    first = make_joints(
        make_spool(tag_spool="MK-1300-CW-25000-001"),
        [(1, "8", "SO"), (2, "6", "BR"), (3, "4", "FILL"), (4, "2.5", "BW"), (5, "3", "FW")],
    )
    second = make_joints(make_spool(tag_spool="MK-1300-CW-25000-002"), [(1, "2", "BW"), (2, "1 1/2", "SO")])
    return [first, second, make_spool(tag_spool="MK-1300-CW-25000-003")]


def all_joints() -> list[Union]:
    return list(Union.objects.select_related("spool").order_by("spool__tag_spool", "n_union"))


def make_book(
    emulator, shop: list[Spool], *, meta: list[str] | None = None, tabs: dict | None = None
) -> None:
    book = {
        "Operaciones": operaciones(shop),
        "Metadata": [meta or [*METADATA_HEADER, "N_UNION"]],
        "Uniones": uniones(all_joints()),
    }
    book.update(tabs or {})
    emulator.create_spreadsheet(SHEET_ID, {k: v for k, v in book.items() if v is not None})


@pytest.fixture
def book(emulator, sheet_settings, shop):
    """The spreadsheet on the emulator: Operaciones, Metadata with N_UNION, Uniones."""
    make_book(emulator, shop)
    return shop


def token(worker: Worker | None) -> str:
    return f"{worker.nombre[0]}{worker.apellido[0]}({worker.pk})".upper() if worker else ""


def stamp(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%d-%m-%Y %H:%M:%S") if value else ""


def expected(union: Union) -> dict[str, str]:
    """The six cells as the sheet writes them (docs/sheets.md), computed here."""
    return {
        "ARM_FECHA_INICIO": stamp(union.arm_inicio),
        "ARM_FECHA_FIN": stamp(union.arm_fin),
        "ARM_WORKER": token(union.arm_worker),
        "SOL_FECHA_INICIO": stamp(union.sold_inicio),
        "SOL_FECHA_FIN": stamp(union.sold_fin),
        "SOL_WORKER": token(union.sold_worker),
    }


def joint_rows(emulator) -> tuple[HeaderMap, list[list[str]], dict[tuple[str, str], int]]:
    """Uniones' header, grid, and (tag, number) → 0-based row index."""
    headers, grid = sheet_rows(emulator, "Uniones")
    tag, number = headers.index("TAG_SPOOL"), headers.index("N_UNION")
    return headers, grid, {(row[tag], row[number]): r for r, row in enumerate(grid) if r}


def shown(emulator, union: Union) -> dict[str, str]:
    headers, grid, where = joint_rows(emulator)
    row = grid[where[(union.spool.tag_spool, str(union.n_union))]]
    return {name: row[headers.index(name)] for name in OWNED}


def finish(spool: Spool, worker: Worker, operacion: str, numbers: list[int]):
    """TOMAR, then FINALIZAR ticking `numbers` (through the services, as the kiosk does)."""
    spool_take(spool=Spool.objects.get(pk=spool.pk), worker=worker, operacion=operacion)
    return spool_finish(spool=Spool.objects.get(pk=spool.pk), worker=worker, uniones=numbers)


def joint(spool: Spool, n: int) -> Union:
    return Union.objects.select_related("spool", "arm_worker", "sold_worker").get(spool=spool, n_union=n)


def batch_updates(emulator) -> list[dict[str, Any]]:
    return [item for r in emulator.requests if r.kind == "values.batchUpdate" for item in r.body["data"]]


def assert_only_cells(before, after, allowed: set[tuple[int, int]]) -> None:
    for r, c in changed_cells(before, after):
        assert (r, c) in allowed, f"cell {column_letter(c)}{r + 1} changed"


# --- what is written -------------------------------------------------------------------------


def test_a_finish_writes_exactly_the_six_cells_of_the_joints_it_recorded(emulator, book, crew):
    spool, other = book[0], book[1]
    sync_until_idle()
    _, before, where = joint_rows(emulator)
    _, ops_before = sheet_rows(emulator)
    emulator.clear_log()
    finish(spool, crew["fitter"], "ARM", [2, 4])
    sync_until_idle()

    recorded = [joint(spool, 2), joint(spool, 4)]
    for union in recorded:
        cells = shown(emulator, union)
        assert cells == expected(union)
        assert cells["ARM_WORKER"] == "MD(110)" and cells["SOL_WORKER"] == ""
    headers, after, _ = joint_rows(emulator)
    rows = {where[(spool.tag_spool, n)] for n in ("2", "4")}
    owned = {headers.index(n) for n in OWNED}
    assert_only_cells(before, after, {(r, c) for r in rows for c in owned})
    assert changed_cells(before, after)  # the ARM cells really changed
    for union in [joint(spool, n) for n in (1, 3, 5)] + list(Union.objects.filter(spool=other)):
        assert shown(emulator, union) == dict.fromkeys(OWNED, "")
    # The requests themselves: Uniones ranges only over the six owned columns of those two rows.
    ranges = [item["range"] for item in batch_updates(emulator) if item["range"].startswith("'Uniones'")]
    first, last = column_letter(min(owned)), column_letter(max(owned))
    assert sorted(ranges) == sorted(f"'Uniones'!{first}{r + 1}:{last}{r + 1}" for r in rows)
    # Operaciones: the spool's own cells, never the formula columns.
    _, ops_after = sheet_rows(emulator)
    ops_headers = HeaderMap(ops_after[0])
    for _, c in changed_cells(ops_before, ops_after):
        assert ops_headers.headers[c] in SPOOL_COLUMNS
    for name in FORMULAS:
        col = ops_headers.index(name)
        assert [row[col] for row in ops_after[1:]] == [row[col] for row in ops_before[1:]]
    assert SheetUnionChange.objects.count() == 0


def test_the_operaciones_pass_can_never_reach_a_formula_or_ndt_column():
    assert not set(SPOOL_COLUMNS) & set(FORMULAS)
    assert not set(OWNED) & (set(NDT) | {"DN_UNION", "TIPO_UNION", "ID", "version"})


def test_a_weld_after_a_handoff_writes_the_welder_and_keeps_each_fitter(emulator, book, crew):
    spool = book[0]
    finish(spool, crew["fitter"], "ARM", [1, 2])
    finish(spool, crew["fitter2"], "ARM", [3, 4, 5])
    finish(spool, crew["welder"], "SOLD", [1])
    sync_until_idle()
    assert shown(emulator, joint(spool, 1))["ARM_WORKER"] == "MD(110)"
    assert shown(emulator, joint(spool, 3))["ARM_WORKER"] == "VS(90)"
    welded = shown(emulator, joint(spool, 1))
    assert welded == expected(joint(spool, 1)) and welded["SOL_WORKER"] == "PL(120)"
    assert shown(emulator, joint(spool, 5))["SOL_WORKER"] == ""  # FW: never welded in the shop
    _, grid, _ = joint_rows(emulator)
    headers = HeaderMap(grid[0])
    ndt = [[row[headers.index(n)] for n in NDT] for row in grid[1:]]
    assert all(cells[0] == "RT" and cells[3] == "OK" for cells in ndt)  # the NDT department's, intact


def test_joints_are_found_by_key_after_people_sort_the_tab(emulator, book, crew):
    spool = book[0]
    _, grid, _ = joint_rows(emulator)
    shuffled = [grid[0], *reversed(grid[1:])]  # someone sorted the tab descending
    emulator.set_values(SHEET_ID, "Uniones", "A1", shuffled, value_input="RAW")
    _, before, where = joint_rows(emulator)
    finish(spool, crew["fitter"], "ARM", [1, 3])
    sync_until_idle()
    headers, after, _ = joint_rows(emulator)
    rows = {where[(spool.tag_spool, n)] for n in ("1", "3")}
    assert_only_cells(before, after, {(r, headers.index(n)) for r in rows for n in OWNED})
    for n in (1, 3):
        assert shown(emulator, joint(spool, n)) == expected(joint(spool, n))


def test_columns_moved_and_renamed_in_uniones_are_still_found(emulator, book, crew):
    spool = book[0]
    finish(spool, crew["fitter"], "ARM", [1])
    worker = sync_until_idle()
    headers, _, _ = joint_rows(emulator)
    # Someone inserts a notes column inside the six, and spells a header their own way.
    emulator.insert_columns(SHEET_ID, "Uniones", headers.index("SOL_FECHA_INICIO") + 1, 1)
    letter = column_letter(headers.index("SOL_FECHA_INICIO"))
    emulator.set_values(SHEET_ID, "Uniones", f"{letter}1:{letter}2", [["Notas"], ["revisar"]])
    worker_col = column_letter(HeaderMap(sheet_rows(emulator, "Uniones")[1][0]).index("ARM_WORKER"))
    emulator.set_values(SHEET_ID, "Uniones", f"{worker_col}1", [["arm worker"]])
    _, before, where = joint_rows(emulator)
    finish(spool, crew["fitter"], "ARM", [2, 3])
    sync_until_idle(worker)
    headers, after, _ = joint_rows(emulator)
    rows = {where[(spool.tag_spool, n)] for n in ("2", "3")}
    allowed = {(r, headers.index(n)) for r in rows for n in OWNED}
    assert_only_cells(before, after, allowed)
    assert after[2][headers.index("Notas")] == "" and "revisar" in [
        row[headers.index("Notas")] for row in after
    ]
    for n in (1, 2, 3):
        assert shown(emulator, joint(spool, n)) == expected(joint(spool, n))


def test_a_row_inserted_during_a_cycle_is_detected_and_the_joints_rewritten(emulator, book, crew):
    spool = book[0]
    finish(spool, crew["fitter"], "ARM", [1, 2, 3, 4, 5])

    class HumanInTheMiddle(SheetSync):
        inserted = False

        def write_cells(self, data):
            if not self.inserted:  # between our read of the keys and our write
                self.inserted = True
                emulator.insert_rows(SHEET_ID, "Uniones", 2, 1)
            return super().write_cells(data)

    sync_until_idle(HumanInTheMiddle())
    for n in range(1, 6):
        assert shown(emulator, joint(spool, n)) == expected(joint(spool, n))
    _, grid, _ = joint_rows(emulator)
    headers = HeaderMap(grid[0])
    assert all(row[headers.index(n)] == "" for n in OWNED for row in grid if row[3] == FOREIGN_TAG)


def test_a_supervisors_correction_and_void_reach_metadata_with_the_joint_number(
    emulator, book, crew, admin_user
):
    spool = book[1]
    union = joint(spool, 2)
    joint_changes.union_correct(union=union, dn="2", motivo="plano rev. B", actor=admin_user)
    joint_changes.union_void(union=joint(spool, 1), motivo="eliminada en rev. B", actor=admin_user)
    sync_until_idle()
    headers, grid = sheet_rows(emulator, "Metadata")
    rows = {row[headers.index("Evento_Tipo")]: row for row in grid[1:]}
    assert rows["UNION_CORREGIDA"][headers.index("N_UNION")] == "2"
    assert rows["UNION_ANULADA"][headers.index("N_UNION")] == "1"
    assert shown(emulator, joint(spool, 2)) == dict.fromkeys(OWNED, "")  # DN lives in DN_UNION, not ours
    assert SheetUnionChange.objects.count() == 0


# --- Metadata --------------------------------------------------------------------------------


def test_joint_events_carry_their_number_in_metadatas_n_union_column(emulator, book, crew):
    spool = book[0]
    finish(spool, crew["fitter"], "ARM", [2, 4])
    sync_until_idle()
    headers, grid = sheet_rows(emulator, "Metadata")
    kind, number = headers.index("Evento_Tipo"), headers.index("N_UNION")
    rows = [(row[kind], row[number]) for row in grid[1:]]
    assert sorted(n for k, n in rows if k == "UNION_ARM_REGISTRADA") == ["2", "4"]
    assert all(n == "" for k, n in rows if not k.startswith("UNION_"))  # TOMAR, PAUSAR
    assert "metadata_sin_n_union" not in SheetSyncState.load().avisos


def test_without_an_n_union_column_the_number_goes_in_the_json_with_a_warning(
    emulator, sheet_settings, shop, crew
):
    make_book(emulator, shop, meta=list(METADATA_HEADER))
    finish(shop[0], crew["fitter"], "ARM", [3])
    sync_until_idle()
    headers, grid = sheet_rows(emulator, "Metadata")
    assert headers.index("N_UNION") is None and len(grid[0]) == len(METADATA_HEADER)
    [row] = [r for r in grid[1:] if r[headers.index("Evento_Tipo")] == "UNION_ARM_REGISTRADA"]
    assert json.loads(row[headers.index("Metadata_JSON")])["n_union"] == 3
    status = mirror_status()
    assert "N_UNION" in status["avisos"]["metadata_sin_n_union"] and status["estado"] == "ok"


# --- drift, gaps, a missing tab --------------------------------------------------------------


def test_a_missing_uniones_column_pauses_joint_writes_only(emulator, book, crew):
    spool = book[0]
    headers, _, _ = joint_rows(emulator)
    index = headers.index("SOL_WORKER") + 1
    emulator.delete_columns(SHEET_ID, "Uniones", index, 1)
    _, before, _ = joint_rows(emulator)
    finish(spool, crew["fitter"], "ARM", [1])
    worker = SheetSync()
    result = worker.run_once()
    assert "SOL_WORKER" in result.uniones_paused and "Uniones" in result.uniones_paused
    assert result.spools_written == 1 and result.events_appended == 3  # TOMAR, the joint, PAUSAR
    assert joint_rows(emulator)[1] == before
    status = mirror_status()
    assert status["estado"] == "pausado" and "SOL_WORKER" in status["pausado"]
    assert "Operaciones y Metadata siguen" in status["uniones_pausado"]
    assert status["pendientes_uniones"] == 1 and status["pendientes_spools"] == 0
    emulator.insert_columns(SHEET_ID, "Uniones", index, 1)
    emulator.set_values(SHEET_ID, "Uniones", f"{column_letter(index - 1)}1", [["SOL_WORKER"]])
    sync_until_idle(worker)
    assert shown(emulator, joint(spool, 1)) == expected(joint(spool, 1))
    assert mirror_status()["estado"] == "ok" and SheetUnionChange.objects.count() == 0


def test_a_joint_missing_or_repeated_in_the_tab_is_flagged_retried_and_never_guessed(emulator, book, crew):
    spool = book[0]
    headers, grid, where = joint_rows(emulator)
    number_col = column_letter(headers.index("N_UNION"))
    emulator.set_values(SHEET_ID, "Uniones", f"{number_col}{where[(spool.tag_spool, '2')] + 1}", [["22"]])
    copy = list(grid[where[(spool.tag_spool, "3")]])
    emulator.set_values(SHEET_ID, "Uniones", f"A{len(grid) + 1}", [copy], value_input="RAW")
    _, before, _ = joint_rows(emulator)
    finish(spool, crew["fitter"], "ARM", [1, 2, 3])
    worker = SheetSync()
    result = worker.run_once()
    missing, repeated = joint(spool, 2), joint(spool, 3)
    assert result.unions_written == 1
    assert "no está en la hoja Uniones" in result.union_problems[missing.pk]
    assert "repetida en las filas" in result.union_problems[repeated.pk]
    _, after, _ = joint_rows(emulator)
    assert len(after) == len(before)
    assert {r for r, row in enumerate(after) if row != before[r]} == {where[(spool.tag_spool, "1")]}
    queued = dict(SheetUnionChange.objects.values_list("union_id", "problema"))
    assert set(queued) == {missing.pk, repeated.pk} and all(queued.values())
    avisos = SheetSyncState.load().avisos
    assert avisos["uniones_sin_fila"] == [f"{spool.tag_spool} #2"]
    assert f"{spool.tag_spool} #3" in avisos["uniones_duplicadas"]
    status = mirror_status()
    assert status["uniones_sin_fila"] == 2 and status["estado"] == "ok"
    assert worker.run_once().union_problems == result.union_problems  # checking what it wrote
    assert worker.run_once().idle  # then retried every PROBLEM_RETRY seconds, not every cycle
    # Someone fixes the tab; the joints are retried and written.
    emulator.set_values(SHEET_ID, "Uniones", f"{number_col}{where[(spool.tag_spool, '2')] + 1}", [["2"]])
    emulator.delete_rows(SHEET_ID, "Uniones", len(grid) + 1, 1)
    worker._problems_at = float("-inf")  # the retry interval has passed
    sync_until_idle(worker)
    assert shown(emulator, missing) == expected(missing) and shown(emulator, repeated) == expected(repeated)
    assert SheetUnionChange.objects.count() == 0 and "uniones_sin_fila" not in SheetSyncState.load().avisos


def test_without_a_uniones_tab_joints_wait_and_everything_else_goes_on(emulator, sheet_settings, shop, crew):
    make_book(emulator, shop, tabs={"Uniones": None})
    spool = shop[0]
    finish(spool, crew["fitter"], "ARM", [1, 2])
    worker = SheetSync()
    result = worker.run_once()
    assert result.spools_written == 1 and result.events_appended == 4 and not result.paused
    assert "Falta la hoja Uniones" in result.uniones_paused
    status = mirror_status()
    assert status["estado"] == "ok" and "Falta la hoja Uniones" in status["avisos"]["uniones_sin_hoja"]
    assert status["pendientes_uniones"] == status["uniones_sin_fila"] == 2
    # The next cycles do not ask for the missing tab again until the retry interval has passed.
    finish(shop[1], crew["fitter"], "ARM", [1])
    emulator.clear_log()
    worker.run_once()
    assert not any("Uniones" in x for r in emulator.requests for x in r.ranges)
    assert [r.kind for r in emulator.requests] == ["values.batchGet", "values.batchUpdate", "values.append"]
    # The office adds the tab: after the retry interval the joints are written.
    values = {tab: emulator.values(SHEET_ID, tab) for tab in ("Operaciones", "Metadata")}
    make_book(emulator, shop, tabs={**values, "Uniones": uniones(all_joints())})
    worker._problems_at = worker._uniones_missing_at = float("-inf")  # PROBLEM_RETRY has passed
    sync_until_idle(worker)
    for union in (joint(spool, 1), joint(spool, 2), joint(shop[1], 1)):
        assert shown(emulator, union) == expected(union)
    assert SheetUnionChange.objects.count() == 0 and "uniones_sin_hoja" not in mirror_status()["avisos"]


def test_a_whole_spool_shop_never_reads_a_uniones_tab(emulator, sheet_settings, make_spool, crew):
    spools = [make_spool() for _ in range(3)]
    emulator.create_spreadsheet(
        SHEET_ID, {"Operaciones": operaciones(spools), "Metadata": [list(METADATA_HEADER)]}
    )
    spool_take(spool=spools[0], worker=crew["fitter"], operacion="ARM")
    sync_until_idle()
    assert not any("Uniones" in x for r in emulator.requests for x in r.ranges)
    assert emulator.count("spreadsheets.get") == 0
    assert mirror_status()["avisos"] == {"sin_fila": [], "sin_fila_total": 0, "duplicados": {}}


# --- requests, crashes -----------------------------------------------------------------------


def test_a_busy_cycle_with_joints_is_still_one_batch_get_one_batch_update_one_append(emulator, book, crew):
    spool = book[0]
    finish(spool, crew["fitter"], "ARM", [1])
    worker = sync_until_idle()
    spool_take(spool=book[2], worker=crew["fitter2"], operacion="ARM")  # a whole-spool action too
    finish(book[1], crew["fitter"], "ARM", [1, 2])
    spool_take(spool=Spool.objects.get(pk=spool.pk), worker=crew["fitter"], operacion="ARM")
    spool_finish(spool=Spool.objects.get(pk=spool.pk), worker=crew["fitter"], uniones=[2, 3, 4, 5])
    emulator.clear_log()
    result = worker.run_once()
    assert [r.kind for r in emulator.requests] == ["values.batchGet", "values.batchUpdate", "values.append"]
    assert result.spools_written == 3 and result.unions_written == 6 and result.events_appended == 11
    read = emulator.requests[0].ranges
    assert sum("'Uniones'" in x for x in read) == 3  # its header row and its two key columns
    assert worker.run_once().requests == 1  # the next cycle checks what it wrote, writes nothing
    assert worker.run_once().idle


def test_crash_after_google_confirmed_the_joint_cells_rewrites_them_harmlessly(
    emulator, book, crew, monkeypatch
):
    spool = book[0]
    finish(spool, crew["fitter"], "ARM", [1, 2, 3])
    _, grid_before, _ = joint_rows(emulator)

    def killed(*args, **kwargs):
        raise RuntimeError("worker killed after Google confirmed the batchUpdate")

    monkeypatch.setattr(sync_module, "confirm_cells", killed)
    with pytest.raises(RuntimeError):
        SheetSync().run_once()
    assert SheetUnionChange.objects.count() == 3  # nothing marked written
    assert shown(emulator, joint(spool, 1)) == expected(joint(spool, 1))  # Google has it
    monkeypatch.undo()
    emulator.clear_log()
    sync_until_idle(SheetSync())  # a fresh process
    _, after, _ = joint_rows(emulator)
    assert len(after) == len(grid_before)
    for n in (1, 2, 3):
        assert shown(emulator, joint(spool, n)) == expected(joint(spool, n))
    headers, meta = sheet_rows(emulator, "Metadata")
    ids = [row[headers.index("ID")] for row in meta[1:]]
    assert sorted(ids) == sorted(str(e.id) for e in Event.objects.all()) and len(ids) == len(set(ids))
    assert SheetUnionChange.objects.count() == 0


def test_a_joint_changed_while_its_cells_were_in_flight_stays_queued(emulator, book, crew):
    spool = book[0]
    finish(spool, crew["fitter"], "ARM", [1, 2, 3, 4, 5])

    class WelderInTheMiddle(SheetSync):
        welded = False

        def write_cells(self, data):
            if not self.welded:  # the welder records joint 1 after we read it, before Google answers
                self.welded = True
                finish(spool, crew["welder"], "SOLD", [1])
            return super().write_cells(data)

    worker = WelderInTheMiddle()
    worker.run_once()
    assert list(SheetUnionChange.objects.values_list("union_id", flat=True)) == [joint(spool, 1).pk]
    sync_until_idle(worker)
    assert shown(emulator, joint(spool, 1)) == expected(joint(spool, 1))
    assert shown(emulator, joint(spool, 1))["SOL_WORKER"] == "PL(120)"
