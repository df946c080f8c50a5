"""sync_sheets, sheets_check and import_sheet against the emulator, as an operator runs them."""

from __future__ import annotations

import io
import os
import signal
import threading
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from occupation.services import spool_take
from spools.importer import CSV_FILES, import_sheet, read_csv_dir
from spools.models import Spool, Worker, WorkerRole
from zeues.lib.headers import column_letter
from zeues.mirror.tests.conftest import SHEET_ID, assert_sheet_matches_database, sheet_rows
from zeues.models import SheetSpoolChange

SAMPLE = Path(__file__).resolve().parents[3] / "spools" / "fixtures" / "sample_sheet"


def run(*args: str, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out, **options)
    return out.getvalue()


def signal_later(seconds: float) -> threading.Timer:
    """SIGTERM to this process after `seconds`, as systemd sends it."""
    timer = threading.Timer(seconds, os.kill, args=(os.getpid(), signal.SIGTERM))
    timer.start()
    return timer


# --- sync_sheets -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_sync_sheets_once_reports_what_it_wrote(emulator, sheet):
    spool_take(spool=sheet["spools"][0], worker=sheet["workers"][0], operacion="ARM")
    out = run("sync_sheets", "--once")
    assert (
        "Spools escritos: 1; uniones escritas: 0; eventos agregados a Metadata: 1; solicitudes a Google: 4."
        in out
    )
    assert run("sync_sheets", "--once").strip() == "Nada pendiente."


@pytest.mark.django_db(transaction=True)
def test_sync_sheets_loops_until_sigterm_and_stops_between_cycles(emulator, sheet, settings):
    settings.ZEUES_SHEETS_INTERVAL = 0.05
    spool_take(spool=sheet["spools"][0], worker=sheet["workers"][0], operacion="ARM")
    timer = signal_later(0.5)
    out = run("sync_sheets")
    timer.join()
    assert out.rstrip().endswith("Sincronización detenida.")
    assert SheetSpoolChange.objects.count() == 0
    assert signal.getsignal(signal.SIGTERM) is not None  # previous handler restored


@pytest.mark.django_db(transaction=True)
def test_resync_all_rewrites_every_spool(emulator, sheet):
    out = run("sync_sheets", "--resync-all", "--once")
    assert f"Encolados {len(sheet['spools'])} spools" in out
    assert_sheet_matches_database(emulator, {s.tag_spool for s in sheet["spools"]})


def test_sync_sheets_refuses_without_a_sheet(settings):
    settings.GOOGLE_SHEET_ID = ""
    with pytest.raises(CommandError, match="GOOGLE_SHEET_ID"):
        run("sync_sheets", "--once")


# --- sheets_check ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_sheets_check_prints_positions_and_duplicate_tags(emulator, sheet_settings):
    emulator.load_csv_dir(SHEET_ID, SAMPLE)
    out = run("sheets_check")
    assert "Hojas: Operaciones, Trabajadores, Roles, Metadata" in out
    assert "TAG_SPOOL              G (columna 7, «TAG_SPOOL») (lee)" in out
    assert "Fecha_QC_Metrología" in out and "(escribe)" in out
    assert "TAG_SPOOL MK-1300-FW-25070-011 repetido en las filas" in out
    assert out.rstrip().endswith("Todo en orden: el espejo y la importación pueden usar esta planilla.")


@pytest.mark.django_db
def test_sheets_check_fails_naming_missing_columns(emulator, sheet_settings):
    emulator.create_spreadsheet(SHEET_ID, {"Operaciones": [["TAG_SPOOL", "NV"]], "Roles": [["Id", "Rol"]]})
    with pytest.raises(CommandError) as caught:
        run("sheets_check")
    message = str(caught.value)
    assert "falta la hoja Trabajadores" in message and "falta la hoja Metadata" in message
    assert "falta la columna Estado_Detalle en Operaciones" in message


@pytest.mark.django_db
def test_sheets_check_reports_an_unreachable_sheet_in_spanish(emulator, sheet_settings):
    with pytest.raises(CommandError, match="No se pudo leer la planilla: No existe la planilla"):
        run("sheets_check")


# --- import_sheet from the live sheet --------------------------------------------------------


def snapshot() -> dict[str, list]:
    """Workers, roles and spools as stored (timestamps aside)."""
    spool_fields = [
        f.attname for f in Spool._meta.concrete_fields if f.attname not in ("id", "created_at", "updated_at")
    ]
    return {
        "workers": list(Worker.objects.order_by("pk").values_list("pk", "nombre", "apellido", "activo")),
        "roles": list(
            WorkerRole.objects.order_by("worker_id", "rol").values_list("worker_id", "rol", "activo")
        ),
        "spools": list(Spool.objects.order_by("tag_spool").values_list(*spool_fields)),
    }


def imported(read) -> tuple[list, dict]:
    """Import, snapshot, roll back: the report (origin aside) and the resulting data."""
    with transaction.atomic():
        report = read()
        state = snapshot()
        transaction.set_rollback(True)
    return [report.summary_lines()[1:], report.issue_lines(), report.filas_en_blanco], state


def load_sample(emulator, typed: str) -> None:
    """The sample sheet on the emulator: as exported (RAW text) or with dates typed by people."""
    emulator.load_csv_dir(SHEET_ID, SAMPLE)
    if typed == "dates typed":
        grid = emulator.values(SHEET_ID, "Operaciones")
        for index, header in enumerate(grid[0]):
            if header.startswith("Fecha"):
                letter, cells = column_letter(index), [[row[index]] for row in grid[1:]]
                emulator.set_values(SHEET_ID, "Operaciones", f"{letter}2:{letter}{len(grid)}", cells)
        serial = emulator.cell(SHEET_ID, "Operaciones", "AI2", render="UNFORMATTED_VALUE")
        assert isinstance(serial, int | float)  # Fecha_Materiales is now a date, not text


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["as exported", "dates typed"])
def test_import_from_the_live_sheet_equals_the_csv_import(emulator, sheet_settings, typed):
    from spools.management.commands.import_sheet import read_live_sheet

    load_sample(emulator, typed)
    emulator.clear_log()
    live = imported(lambda: import_sheet(read_live_sheet()[0], origen="sheets"))
    assert [r.kind for r in emulator.requests] == ["values.batchGet"]
    assert emulator.requests[0].query["valueRenderOption"] == "FORMATTED_VALUE"
    csv = imported(lambda: import_sheet(read_csv_dir(SAMPLE), origen="csv", labels=CSV_FILES))
    assert live == csv
    assert len(live[1]["spools"]) == 398


@pytest.mark.django_db
def test_import_sheet_without_csv_dir_prints_the_same_report(emulator, sheet_settings):
    load_sample(emulator, "dates typed")
    live = run("import_sheet", "--dry-run").splitlines()
    csv = run("import_sheet", "--dry-run", "--csv-dir", str(SAMPLE)).splitlines()
    assert live[0] == f"Importación desde sheets:{SHEET_ID}"
    assert live[1:] == csv[1:]


@pytest.mark.django_db
def test_import_sheet_names_a_missing_tab(emulator, sheet_settings):
    emulator.create_spreadsheet(SHEET_ID, {"Operaciones": [["TAG_SPOOL"]], "Roles": [["Id", "Rol"]]})
    with pytest.raises(CommandError, match="Falta la hoja Trabajadores en la planilla"):
        run("import_sheet")


@pytest.mark.django_db(transaction=True)
def test_import_sheet_watch_picks_up_new_spools_until_stopped(emulator, sheet_settings):
    load_sample(emulator, "dates typed")
    # The loop is under test, not the joints' import: without Uniones a round stays well under 0.3 s.
    tabs = ("Operaciones", "Trabajadores", "Roles", "Metadata")
    emulator.create_spreadsheet(SHEET_ID, {tab: emulator.values(SHEET_ID, tab) for tab in tabs})
    _, grid = sheet_rows(emulator)

    def engineering_adds_a_spool() -> None:
        row = [""] * len(grid[0])
        row[grid[0].index("TAG_SPOOL")] = "MK-NUEVO-0001"
        emulator.set_values(SHEET_ID, "Operaciones", f"A{len(grid) + 1}", [row])

    threading.Timer(0.4, engineering_adds_a_spool).start()
    timer = signal_later(2.5)  # room for three rounds on a busy 2-core machine
    out = run("import_sheet", "--watch", "0.005")  # every 0.3 s
    timer.join()
    rounds = [line for line in out.splitlines() if line.startswith("[")]
    assert len(rounds) >= 3 and "Spools: 398 creados" in rounds[0]
    assert any("Spools: 1 creados" in line for line in rounds[1:])
    assert out.count("[RECHAZADA] fila 12,") < len(rounds)  # unchanged rejections are not repeated
    assert out.rstrip().endswith("Importación periódica detenida.")
    assert Spool.objects.filter(tag_spool="MK-NUEVO-0001").exists()


def test_import_sheet_needs_a_source(settings):
    settings.GOOGLE_SHEET_ID = ""
    with pytest.raises(CommandError, match="Indique --csv-dir o configure GOOGLE_SHEET_ID"):
        run("import_sheet")
