"""The sheet as people edit it: missing columns pause the mirror; odd tags are reported, never guessed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from occupation.services import spool_take
from zeues.lib.headers import column_letter
from zeues.mirror.status import mirror_status
from zeues.mirror.sync import SheetSync
from zeues.mirror.tests.conftest import (
    SHEET_ID,
    assert_metadata_holds_every_event_once,
    assert_sheet_matches_database,
    run_actions,
    sheet_rows,
    sync_until_idle,
    touched_tags,
)
from zeues.models import SheetSpoolChange, SheetSyncState

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_missing_written_column_pauses_everything_until_it_is_back(emulator, sheet):
    run_actions(sheet, 40)
    headers, grid = sheet_rows(emulator)
    index = headers.index("Armador") + 1
    emulator.delete_columns(SHEET_ID, "Operaciones", index, 1)
    _, before = sheet_rows(emulator)
    emulator.clear_log()
    worker = SheetSync()
    result = worker.run_once()
    assert "Armador" in result.paused and "Operaciones" in result.paused
    assert emulator.count("values.batchUpdate") == emulator.count("values.append") == 0
    assert sheet_rows(emulator)[1] == before
    status = mirror_status()
    assert status["estado"] == "pausado" and "Armador" in status["pausado"]
    assert status["pendientes_spools"] > 0 and status["pendientes_eventos"] > 0
    emulator.insert_columns(SHEET_ID, "Operaciones", index, 1)
    emulator.set_values(SHEET_ID, "Operaciones", f"{column_letter(index - 1)}1", [["ARMADOR"]])
    sync_until_idle(worker)
    assert_sheet_matches_database(emulator, touched_tags())
    assert_metadata_holds_every_event_once(emulator)
    assert SheetSyncState.load().paused_reason == ""


def test_a_missing_metadata_tab_pauses_with_its_name(emulator, sheet_settings, shop):
    from zeues.mirror.tests.conftest import operaciones_rows

    emulator.create_spreadsheet(SHEET_ID, {"Operaciones": operaciones_rows(shop["spools"])})
    spool_take(spool=shop["spools"][0], worker=shop["workers"][0], operacion="ARM")
    result = SheetSync().run_once()
    assert "Metadata" in result.paused


def test_duplicate_and_missing_tags_are_reported_and_not_written(emulator, sheet):
    spools, workers = sheet["spools"], sheet["workers"]
    repeated, absent, fine = spools[0], spools[1], spools[2]
    headers, grid = sheet_rows(emulator)
    tag_col = headers.index("TAG_SPOOL")
    row_of = {row[tag_col]: number for number, row in enumerate(grid, start=1)}
    copy = list(grid[row_of[repeated.tag_spool] - 1])
    emulator.set_values(SHEET_ID, "Operaciones", f"A{len(grid) + 1}", [copy], value_input="RAW")
    letter = column_letter(tag_col)
    emulator.set_values(SHEET_ID, "Operaciones", f"{letter}{row_of[absent.tag_spool]}", [["BORRADO"]])
    _, before = sheet_rows(emulator)
    for spool, worker in zip((repeated, absent, fine), workers, strict=False):
        spool_take(spool=spool, worker=worker, operacion="ARM")
    result = SheetSync().run_once()
    assert result.spools_written == 1
    assert "repetido en las filas" in result.problems[repeated.pk]
    assert "no está en la hoja Operaciones" in result.problems[absent.pk]
    _, after = sheet_rows(emulator)
    assert len(after) == len(before)  # nothing invented
    changed_rows = {r for r, row in enumerate(after) if row != before[r]}
    assert changed_rows == {row_of[fine.tag_spool] - 1}
    avisos = SheetSyncState.load().avisos
    assert avisos["sin_fila"] == [absent.tag_spool] and repeated.tag_spool in avisos["duplicados"]
    assert set(SheetSpoolChange.objects.values_list("spool_id", flat=True)) == {repeated.pk, absent.pk}
    status = mirror_status()
    assert status["spools_sin_fila"] == 2 and status["estado"] == "ok"  # lag ignores rows it cannot write


def test_an_idle_mirror_makes_no_requests_and_a_busy_cycle_three(emulator, sheet):
    worker = SheetSync()
    emulator.clear_log()
    assert worker.run_once().idle and emulator.count() == 0
    run_actions(sheet, 30)
    sync_until_idle(worker)
    run_actions(sheet, 30, seed=9)
    emulator.clear_log()
    result = worker.run_once()
    assert result.spools_written and result.events_appended
    kinds = [r.kind for r in emulator.requests]
    assert kinds == ["values.batchGet", "values.batchUpdate", "values.append"]


def test_status_reports_lag_and_backlog_while_google_is_down(emulator, sheet):
    spool_take(spool=sheet["spools"][0], worker=sheet["workers"][0], operacion="ARM")
    SheetSpoolChange.objects.update(first_change_at=timezone.now() - timezone.timedelta(minutes=5))
    emulator.set_down(True)
    SheetSync().run_once()
    status = mirror_status()
    assert status["estado"] == "error" and "503" in status["ultimo_error"]
    assert status["atraso_segundos"] >= 300
    assert status["pendientes_spools"] == 1 and status["pendientes_eventos"] == 1


def test_missing_credentials_are_reported_not_crashed(sheet, settings):
    settings.ZEUES_SHEETS_ENDPOINT = ""
    spool_take(spool=sheet["spools"][0], worker=sheet["workers"][0], operacion="ARM")
    result = SheetSync().run_once()
    assert "GOOGLE_CREDENTIALS_FILE" in result.error
    assert mirror_status()["estado"] == "error"
