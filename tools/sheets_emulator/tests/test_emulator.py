"""The Sheets API emulator (tools/sheets_emulator), driven the way the mirror drives Google: gspread
over real HTTP.

Expected answers come from Google's reference and from Google's recorded answers in gspread's
own test cassettes (trimming, ranges, append table detection, error bodies).
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import gspread
import pytest
import requests
from gspread.utils import ValueRenderOption

from tools.sheets_emulator import METADATA_HEADER, SheetsEmulator
from tools.sheets_emulator.a1 import A1Range, RangeError, column_letters, parse_range, quote_sheet
from zeues.lib.sheets_transport import endpoint_session

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "spools" / "fixtures" / "sample_sheet"
SID = "SHEET-ID"


def serial(*args: int) -> int | float:
    """The Sheets serial number of a date or date-time."""
    delta = datetime.datetime(*args) - datetime.datetime(1899, 12, 30)
    return delta.days if not delta.seconds else delta.days + delta.seconds / 86_400


@pytest.fixture
def emulator():
    with SheetsEmulator() as emu:
        emu.create_spreadsheet(
            SID,
            {
                "Trabajadores": [["Id", "Nombre", "Apellido", "Activo"], ["90", "Valentina", "Soto", "TRUE"]],
                "Hoja con espacios": [["a", "b"], ["c", "", "e"], [], [""]],
                "Metadata": [METADATA_HEADER],
            },
            title="Planilla",
        )
        yield emu


@pytest.fixture
def gc(emulator):
    return gspread.Client(auth=None, session=endpoint_session(emulator.base_url))


@pytest.fixture
def sh(gc):
    return gc.open_by_key(SID)


# --- spreadsheets.get, worksheets, reads ------------------------------------------------------


def test_open_by_key_gives_properties_and_worksheets_in_tab_order(sh, emulator):
    assert (sh.title, sh.locale, sh.timezone) == ("Planilla", "es_CL", "America/Santiago")
    worksheets = sh.worksheets()
    assert [w.title for w in worksheets] == ["Trabajadores", "Hoja con espacios", "Metadata"]
    assert [w.index for w in worksheets] == [0, 1, 2]
    assert worksheets[0].id == 0 and len({w.id for w in worksheets}) == 3
    assert (worksheets[0].row_count, worksheets[0].col_count) == (2, 4)
    assert emulator.requests[-1].kind == "spreadsheets.get"
    assert emulator.requests[-1].query == {"includeGridData": "false"}


def test_unknown_spreadsheet_is_404_not_found(gc, emulator):
    with pytest.raises(gspread.SpreadsheetNotFound):
        gc.open_by_key("NOPE")
    with pytest.raises(gspread.exceptions.APIError) as err:
        gc.http_client.values_get("NOPE", "A1")
    assert err.value.code == 404
    assert err.value.error == {
        "code": 404,
        "message": "Requested entity was not found.",
        "status": "NOT_FOUND",
    }


def test_get_all_values_pads_what_google_trims(sh):
    ws = sh.worksheet("Hoja con espacios")
    assert ws.get_all_values() == [["a", "b", ""], ["c", "", "e"]]
    raw = sh.values_get("'Hoja con espacios'")
    assert raw == {
        "range": "'Hoja con espacios'!A1:C4",
        "majorDimension": "ROWS",
        "values": [["a", "b"], ["c", "", "e"]],
    }


def test_empty_range_omits_values_and_columns_major_transposes(sh):
    assert sh.values_get("'Hoja con espacios'!A3:C4") == {
        "range": "'Hoja con espacios'!A3:C4",
        "majorDimension": "ROWS",
    }
    cols = sh.values_get("'Hoja con espacios'!A1:C2", params={"majorDimension": "COLUMNS"})
    assert cols["values"] == [["a", "c"], ["b"], ["", "e"]]
    middle = sh.values_get("'Hoja con espacios'!A1:C3", params={"majorDimension": "ROWS"})
    assert middle["values"] == [["a", "b"], ["c", "", "e"]]


def test_batch_get_answers_each_range_in_order(sh, emulator):
    ws = sh.worksheet("Trabajadores")
    got = ws.batch_get(["A1:B1", "D2", "C1:D"])
    assert [v.range for v in got] == ["Trabajadores!A1:B1", "Trabajadores!D2", "Trabajadores!C1:D2"]
    assert [list(v) for v in got] == [
        [["Id", "Nombre"]],
        [["TRUE"]],
        [["Apellido", "Activo"], ["Soto", "TRUE"]],
    ]
    assert emulator.requests[-1].kind == "values.batchGet"
    assert emulator.requests[-1].ranges == [
        "'Trabajadores'!A1:B1",
        "'Trabajadores'!D2",
        "'Trabajadores'!C1:D",
    ]


# --- A1 notation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sheet1!A1", A1Range("Sheet1", 0, 0, 1, 1, is_cell=True)),
        ("Sheet1!a1:c3", A1Range("Sheet1", 0, 0, 3, 3)),
        ("Sheet1!$B$2:$A$1", A1Range("Sheet1", 0, 0, 2, 2)),
        ("Sheet1!A:C", A1Range("Sheet1", None, 0, None, 3)),
        ("Sheet1!2:5", A1Range("Sheet1", 1, None, 5, None)),
        ("Sheet1!A2:C", A1Range("Sheet1", 1, 0, None, 3)),
        ("Sheet1!A2:2", A1Range("Sheet1", 1, 0, 2, None)),
        ("Sheet1!AA1:AAA2", A1Range("Sheet1", 0, 26, 2, 703)),
        ("Sheet1", A1Range("Sheet1")),
        ("'It''s a sheet'!B2", A1Range("It's a sheet", 1, 1, 2, 2, is_cell=True)),
        ("'Hoja 1'", A1Range("Hoja 1")),
        ("A1:B2", A1Range(None, 0, 0, 2, 2)),
        ("Operaciones", A1Range("Operaciones")),
    ],
)
def test_parse_range_accepts_every_a1_form(text, expected):
    assert parse_range(text) == expected


@pytest.mark.parametrize(
    "text", ["", "''", "'open", "Sheet1!", "Sheet1!A0", "Sheet1!A1:", "Sheet1!AAAA1", "'x'A1"]
)
def test_parse_range_rejects_garbage(text):
    with pytest.raises(RangeError):
        parse_range(text)


def test_sheet_names_are_quoted_only_when_needed():
    assert [quote_sheet(t) for t in ("Sheet1", "Metadata", "D3", "My Sheet", "It's", "Metrología")] == [
        "Sheet1",
        "Metadata",
        "'D3'",
        "'My Sheet'",
        "'It''s'",
        "'Metrología'",
    ]
    assert [column_letters(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


@pytest.mark.parametrize(
    ("requested", "answered"),
    [
        ("'Trabajadores'!B2", "Trabajadores!B2"),
        ("Trabajadores!a1:b2", "Trabajadores!A1:B2"),
        ("'Trabajadores'!B:C", "Trabajadores!B1:C2"),
        ("'Trabajadores'!2:2", "Trabajadores!A2:D2"),
        ("'Trabajadores'!B1:C", "Trabajadores!B1:C2"),
        ("'Trabajadores'!A2:2", "Trabajadores!A2:D2"),
        ("'Trabajadores'", "Trabajadores!A1:D2"),
        ("A1:B1", "Trabajadores!A1:B1"),
        ("'Hoja con espacios'!C2", "'Hoja con espacios'!C2"),
    ],
)
def test_every_a1_form_through_gspread_answers_googles_normalised_range(sh, requested, answered):
    assert sh.values_get(requested)["range"] == answered


def test_columns_beyond_z_and_quotes_in_sheet_names_round_trip(sh):
    ws = sh.add_worksheet("It's wide", rows=3, cols=30)
    ws.update([["far"]], "AB2")
    assert ws.acell("ab2").value == "far"
    assert sh.values_get("'It''s wide'!AA1:AD3")["range"] == "'It''s wide'!AA1:AD3"
    assert sh.values_get("'It''s wide'!AA1:AD3")["values"] == [[], ["", "far"]]


def test_bad_range_and_unknown_sheet_are_400_unable_to_parse(sh):
    for text in ("Trabajadores!A1:", "'Nope'!A1", "Trabajadores!ZZZZ1"):
        with pytest.raises(gspread.exceptions.APIError) as err:
            sh.values_get(text)
        assert err.value.code == 400
        assert err.value.error["status"] == "INVALID_ARGUMENT"
        assert err.value.error["message"] == f"Unable to parse range: {text}"


def test_reading_past_the_grid_is_400_exceeds_grid_limits(sh):
    with pytest.raises(gspread.exceptions.APIError) as err:
        sh.values_get("Trabajadores!A1:A3")
    assert err.value.code == 400
    assert (
        err.value.error["message"]
        == "Range (Trabajadores!A1:A3) exceeds grid limits. Max rows: 2, max columns: 4"
    )


# --- writes -----------------------------------------------------------------------------------


def test_update_reports_updated_range_and_grows_the_grid(sh, emulator):
    ws = sh.worksheet("Trabajadores")
    reply = ws.update([["91", "Juan"], ["92", "Pedro", "Valenzuela", "FALSE", "extra"]], "A3")
    assert reply == {
        "spreadsheetId": SID,
        "updatedRange": "Trabajadores!A3:E4",
        "updatedRows": 2,
        "updatedColumns": 5,
        "updatedCells": 7,
    }
    assert emulator.grid_size(SID, "Trabajadores") == (4, 5)
    assert emulator.values(SID, "Trabajadores")[3] == ["92", "Pedro", "Valenzuela", "FALSE", "extra"]
    assert emulator.values(SID, "Trabajadores")[2] == ["91", "Juan", "", "", ""]
    assert emulator.requests[-1].kind == "values.update"
    assert emulator.requests[-1].query["valueInputOption"] == "RAW"


def test_null_leaves_a_cell_unchanged_and_empty_string_clears_it(sh, emulator):
    ws = sh.worksheet("Trabajadores")
    reply = ws.update([[None, "Vale", "", None]], "A2:D2")
    assert reply["updatedCells"] == 2
    assert emulator.values(SID, "Trabajadores")[1] == ["90", "Vale", "", "TRUE"]


def test_values_overflowing_a_bounded_range_are_400(sh):
    ws = sh.worksheet("Trabajadores")
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.update([["a", "b", "c"]], "A1:B1")
    assert err.value.error["message"] == (
        "Requested writing within range ['Trabajadores'!A1:B1], but tried writing to column [C]"
    )


def test_batch_update_writes_all_ranges_and_counts_distinct_rows_and_columns(sh, emulator):
    ws = sh.worksheet("Trabajadores")
    reply = ws.batch_update(
        [
            {"range": "A1:D1", "values": [["A1", "B1", "", "D1"]]},
            {"range": "A2:D2", "values": [["A2", None, "", "D2"]]},
        ]
    )
    assert reply["totalUpdatedRows"] == 2
    assert reply["totalUpdatedColumns"] == 4
    assert reply["totalUpdatedCells"] == 7
    assert reply["totalUpdatedSheets"] == 1
    assert [r["updatedRange"] for r in reply["responses"]] == ["Trabajadores!A1:D1", "Trabajadores!A2:D2"]
    assert emulator.values(SID, "Trabajadores") == [["A1", "B1", "", "D1"], ["A2", "Valentina", "", "D2"]]
    record = emulator.requests[-1]
    assert record.kind == "values.batchUpdate"
    assert record.body["valueInputOption"] == "RAW"
    assert record.ranges == ["'Trabajadores'!A1:D1", "'Trabajadores'!A2:D2"]


def test_batch_update_with_one_bad_range_writes_nothing(sh, emulator):
    ws = sh.worksheet("Trabajadores")
    with pytest.raises(gspread.exceptions.APIError):
        ws.batch_update([{"range": "A1", "values": [["changed"]]}, {"range": "A1:", "values": [["x"]]}])
    assert emulator.cell(SID, "Trabajadores", "A1") == "Id"


def test_append_rows_twice_lands_after_the_first(sh, emulator):
    meta = sh.worksheet("Metadata")
    first = meta.append_rows([["1", "05-11-2026 10:22:00", "TOMAR"], ["2", "05-11-2026 10:23:00", "PAUSAR"]])
    assert first["tableRange"] == "Metadata!A1:J1"
    assert first["updates"]["updatedRange"] == "Metadata!A2:C3"
    second = meta.append_rows([["3", "05-11-2026 10:24:00", "COMPLETAR"]])
    assert second["tableRange"] == "Metadata!A1:J3"
    assert second["updates"]["updatedRange"] == "Metadata!A4:C4"
    assert [row[:3] for row in meta.get_all_values()[1:]] == [
        ["1", "05-11-2026 10:22:00", "TOMAR"],
        ["2", "05-11-2026 10:23:00", "PAUSAR"],
        ["3", "05-11-2026 10:24:00", "COMPLETAR"],
    ]
    assert emulator.grid_size(SID, "Metadata") == (4, 10)
    assert [r.kind for r in emulator.requests[-3:-1]] == ["values.append", "values.append"]


def test_append_finds_the_last_table_like_google(sh):
    # Google's recorded answer (gspread issue #537): A1 and C1 filled, B1 empty → table C1, rows land at C2.
    ws = sh.add_worksheet("Append", rows=5, cols=6)
    assert "tableRange" not in ws.append_row(["x", "", "z"])
    shifted = ws.append_row(["x", "", "z"])
    assert shifted["tableRange"] == "Append!C1"
    assert shifted["updates"]["updatedRange"] == "Append!C2:E2"
    anchored = ws.append_row(["y"], table_range="A1")
    assert anchored["tableRange"] == "Append!A1"
    assert anchored["updates"]["updatedRange"] == "Append!A2"


def test_append_after_a_blank_row_goes_below_the_last_table(sh, emulator):
    ws = sh.add_worksheet("Huecos", rows=6, cols=3)
    ws.update([["h1", "h2"], ["a", ""], ["", "b"], [], ["c", "d"]], "A1")
    reply = ws.append_rows([["e", "f"]])
    assert reply["tableRange"] == "Huecos!A5:B5"
    assert reply["updates"]["updatedRange"] == "Huecos!A6:B6"
    reply = ws.append_rows([["g"]], table_range="A1")
    assert reply["tableRange"] == "Huecos!A1:B3"
    assert emulator.values(SID, "Huecos")[3] == ["g", "", ""]


def test_append_past_the_last_row_adds_rows_and_insert_rows_shifts_data_down(sh, emulator):
    ws = sh.worksheet("Trabajadores")
    ws.append_rows([["91", "Juan"]])
    assert emulator.grid_size(SID, "Trabajadores") == (3, 4)
    ws.update([["tail"]], "A5")
    reply = ws.append_rows([["92", "Pedro"]], table_range="A1", insert_data_option="INSERT_ROWS")
    assert reply["updates"]["updatedRange"] == "Trabajadores!A4:B4"
    assert [row[0] for row in emulator.values(SID, "Trabajadores")] == ["Id", "90", "91", "92", "", "tail"]


def test_clear_and_batch_clear_empty_cells_but_keep_the_grid(sh, emulator):
    ws = sh.worksheet("Trabajadores")
    assert ws.batch_clear(["B1:C1", "D2"]) == {
        "spreadsheetId": SID,
        "clearedRanges": ["Trabajadores!B1:C1", "Trabajadores!D2"],
    }
    assert emulator.values(SID, "Trabajadores") == [["Id", "", "", "Activo"], ["90", "Valentina", "Soto", ""]]
    assert ws.clear() == {"spreadsheetId": SID, "clearedRange": "Trabajadores!A1:D2"}
    assert ws.get_all_values() == [[]]  # gspread pads an answer without values to one empty row
    assert emulator.grid_size(SID, "Trabajadores") == (2, 4)
    assert [r.kind for r in emulator.requests if r.kind.endswith("lear")] == [
        "values.batchClear",
        "values.clear",
    ]


# --- USER_ENTERED -----------------------------------------------------------------------------


def test_user_entered_dates_read_back_as_serials_unformatted_and_as_typed_formatted(sh, emulator):
    ws = sh.worksheet("Metadata")
    typed = [
        "05-11-2026",
        "05-11-2026 10:22:00",
        "05/11/2026",
        "2026-11-05",
        "5-11-2026 08:05",
        "'05-11-2026",
        "31-02-2026",
    ]
    ws.update([typed], "A2", raw=False)
    assert ws.row_values(2) == [
        "05-11-2026",
        "05-11-2026 10:22:00",
        "05/11/2026",
        "2026-11-05",
        "05-11-2026 08:05",
        "05-11-2026",
        "31-02-2026",
    ]
    unformatted = ws.get("A2:G2", value_render_option=ValueRenderOption.unformatted)[0]
    assert unformatted == [
        serial(2026, 11, 5),
        serial(2026, 11, 5, 10, 22),
        serial(2026, 11, 5),
        serial(2026, 11, 5),
        serial(2026, 11, 5, 8, 5),
        "05-11-2026",
        "31-02-2026",
    ]
    assert isinstance(unformatted[0], int) and unformatted[1] == pytest.approx(46331.43194444444)
    as_text = ws.get(
        "A2:B2", value_render_option="UNFORMATTED_VALUE", date_time_render_option="FORMATTED_STRING"
    )
    assert as_text[0] == ["05-11-2026", "05-11-2026 10:22:00"]
    assert emulator.cell(SID, "Metadata", "B2", render="UNFORMATTED_VALUE") == pytest.approx(
        46331.43194444444
    )


def test_user_entered_numbers_booleans_and_forced_text_follow_the_es_cl_locale(sh):
    ws = sh.worksheet("Metadata")
    ws.update(
        [["12", "12,5", "1.234,5", "12.5", "TRUE", "verdadero", "FALSO", "'007", "007", "=SUM(A1)"]],
        "A2",
        raw=False,
    )
    assert ws.get("A2:J2", value_render_option="UNFORMATTED_VALUE")[0] == [
        12,
        12.5,
        1234.5,
        "12.5",
        True,
        True,
        False,
        "007",
        7,
        "=SUM(A1)",
    ]
    assert ws.row_values(2) == [
        "12",
        "12,5",
        "1234,5",
        "12.5",
        "TRUE",
        "TRUE",
        "FALSE",
        "007",
        "7",
        "=SUM(A1)",
    ]


def test_raw_keeps_strings_as_strings_and_json_numbers_as_numbers(sh):
    ws = sh.worksheet("Metadata")
    ws.update([["12", 12, 2.5, True, "05-11-2026", "'x"]], "A2")
    assert ws.get("A2:F2", value_render_option="UNFORMATTED_VALUE")[0] == [
        "12",
        12,
        2.5,
        True,
        "05-11-2026",
        "'x",
    ]
    assert ws.row_values(2) == ["12", "12", "2,5", "TRUE", "05-11-2026", "'x"]


# --- structure --------------------------------------------------------------------------------


def test_add_worksheet_insert_cols_and_delete_sheet(sh, emulator):
    ws = sh.add_worksheet("Nueva", rows=3, cols=3)
    assert (ws.title, ws.row_count, ws.col_count, ws.index) == ("Nueva", 3, 3, 3)
    assert emulator.requests[-1].kind == "spreadsheets.batchUpdate"
    ws.update([["a", "c"], ["1", "3"]], "A1")
    ws.insert_cols([["b", "2"]], col=2)
    assert ws.get_all_values() == [["a", "b", "c"], ["1", "2", "3"]]
    assert emulator.grid_size(SID, "Nueva") == (3, 4)
    ws.insert_rows([["x", "y"]], row=2)
    assert ws.col_values(1) == ["a", "x", "1"]
    ws.delete_columns(1)
    ws.resize(rows=2)
    assert emulator.values(SID, "Nueva") == [["b", "c", ""], ["y", "", ""]]
    ws.update_title("Renombrada")
    sh.del_worksheet(ws)
    assert [w.title for w in sh.worksheets()] == ["Trabajadores", "Hoja con espacios", "Metadata"]


def test_structural_errors_are_400_and_leave_the_spreadsheet_untouched(sh, emulator):
    with pytest.raises(gspread.exceptions.APIError) as err:
        sh.batch_update(
            {
                "requests": [
                    {"addSheet": {"properties": {"title": "Nueva"}}},
                    {"addSheet": {"properties": {"title": "Trabajadores"}}},
                ]
            }
        )
    assert err.value.code == 400
    assert err.value.error["message"].startswith(
        'Invalid requests[1].addSheet: A sheet with the name "Trabajadores"'
    )
    assert [s["properties"]["title"] for s in emulator.metadata(SID)["sheets"]] == [
        "Trabajadores",
        "Hoja con espacios",
        "Metadata",
    ]
    with pytest.raises(gspread.exceptions.APIError) as err:
        sh.batch_update({"requests": [{"repeatCell": {}}]})
    assert "does not implement" in err.value.error["message"]


# --- human edits between calls ----------------------------------------------------------------


def test_a_human_inserting_a_column_moves_headers_under_the_client(sh, emulator):
    ws = sh.worksheet("Trabajadores")
    emulator.clear_log()
    emulator.insert_columns(SID, "Trabajadores", "B")
    emulator.set_values(SID, "Trabajadores", "B1:B2", [["Notas"], ["05-11-2026"]])
    assert emulator.count() == 0  # human edits are not requests
    assert ws.row_values(1) == ["Id", "Notas", "Nombre", "Apellido", "Activo"]
    assert emulator.cell(SID, "Trabajadores", "B2", render="UNFORMATTED_VALUE") == serial(2026, 11, 5)
    emulator.delete_columns(SID, "Trabajadores", 2)
    emulator.insert_rows(SID, "Trabajadores", 2, count=2)
    assert ws.get_all_values() == [
        ["Id", "Nombre", "Apellido", "Activo"],
        ["", "", "", ""],
        ["", "", "", ""],
        ["90", "Valentina", "Soto", "TRUE"],
    ]


def test_load_csv_dir_reads_the_fixture_and_adds_a_metadata_header(emulator):
    emulator.load_csv_dir("DEV", FIXTURES)
    titles = [s["properties"]["title"] for s in emulator.metadata("DEV")["sheets"]]
    assert titles == ["Operaciones", "Trabajadores", "Roles", "Metadata", "Uniones"]
    assert emulator.values("DEV", "Uniones")[0][:4] == ["ID", "OT", "N_UNION", "TAG_SPOOL"]
    assert emulator.values("DEV", "Metadata") == [METADATA_HEADER]
    assert emulator.values("DEV", "Trabajadores")[1] == ["90", "Valentina", "Soto", "TRUE"]
    assert "TAG_SPOOL" in emulator.values("DEV", "Operaciones")[0]


def test_load_csv_dir_without_uniones_csv_has_no_uniones_tab(emulator, tmp_path):
    for name in ("operaciones.csv", "trabajadores.csv", "roles.csv"):
        (tmp_path / name).write_bytes((FIXTURES / name).read_bytes())
    emulator.load_csv_dir("DEV", tmp_path)
    titles = [s["properties"]["title"] for s in emulator.metadata("DEV")["sheets"]]
    assert titles == ["Operaciones", "Trabajadores", "Roles", "Metadata"]


# --- faults -----------------------------------------------------------------------------------


def test_fail_next_429_sends_googles_quota_body_and_retry_after(emulator):
    session = endpoint_session(emulator.base_url)
    emulator.fail_next(status=429, retry_after=1.5)
    url = f"https://sheets.googleapis.com/v4/spreadsheets/{SID}/values/Trabajadores!A1"
    first = session.get(url)
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "1.5"
    error = first.json()["error"]
    assert (error["code"], error["status"]) == (429, "RESOURCE_EXHAUSTED")
    assert error["message"].startswith("Quota exceeded for quota metric 'Read requests'")
    assert session.get(url).status_code == 200
    assert [r.status for r in emulator.requests] == [429, 200]


def test_fail_next_500_and_503_surface_as_gspread_api_errors(sh, emulator):
    ws = sh.worksheet("Trabajadores")
    emulator.fail_next(2, status=500)
    emulator.fail_next(status=503)
    codes = []
    for _ in range(3):
        with pytest.raises(gspread.exceptions.APIError) as err:
            ws.acell("A1")
        codes.append((err.value.code, err.value.error["status"], "Retry-After" in err.value.response.headers))
    assert codes == [(500, "INTERNAL", False), (500, "INTERNAL", False), (503, "UNAVAILABLE", False)]
    assert ws.acell("A1").value == "Id"


def test_fail_next_can_wait_for_a_kind_and_spare_the_others(sh, emulator):
    ws = sh.worksheet("Trabajadores")
    emulator.fail_next(status=500, kind="values.batchUpdate")
    assert ws.acell("A1").value == "Id"
    with pytest.raises(gspread.exceptions.APIError):
        ws.batch_update([{"range": "A1", "values": [["x"]]}])
    ws.batch_update([{"range": "A1", "values": [["x"]]}])
    assert emulator.cell(SID, "Trabajadores", "A1") == "x"


def test_down_answers_503_to_everything_until_reset(sh, emulator):
    ws = sh.worksheet("Trabajadores")
    emulator.set_down(True)
    for call in (lambda: ws.acell("A1"), lambda: ws.update([["x"]], "A1"), lambda: sh.worksheets()):
        with pytest.raises(gspread.exceptions.APIError) as err:
            call()
        assert err.value.code == 503
    emulator.set_down(False)
    assert ws.acell("A1").value == "Id"
    assert emulator.count(ok=False) == 3


def test_quota_per_minute_answers_429_until_the_window_slides(sh, emulator):
    ws = sh.worksheet("Trabajadores")
    emulator.set_quota(3, window=0.4)
    for _ in range(3):
        ws.acell("A1")
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.update([["x"]], "A1")
    assert err.value.code == 429
    assert "'Write requests per minute per user'" in err.value.error["message"]
    time.sleep(0.45)
    ws.acell("A1")
    emulator.reset_faults()
    for _ in range(5):
        ws.acell("A1")


def test_split_quota_counts_reads_and_writes_apart_like_google(sh, emulator):
    ws = sh.worksheet("Trabajadores")
    emulator.set_quota(1, split_read_write=True)
    ws.acell("A1")
    ws.update([["x"]], "A1")
    with pytest.raises(gspread.exceptions.APIError):
        ws.acell("A1")


def test_latency_delays_each_answer(sh, emulator):
    ws = sh.worksheet("Trabajadores")
    emulator.set_latency(0.2)
    started = time.monotonic()
    ws.acell("A1")
    assert time.monotonic() - started >= 0.2
    emulator.set_latency(0)
    started = time.monotonic()
    ws.acell("A1")
    assert time.monotonic() - started < 0.15


# --- request log, transport, concurrency, CLI -------------------------------------------------


def test_request_log_records_kind_path_query_body_status_and_time(sh, emulator):
    emulator.clear_log()
    since = time.monotonic()
    ws = sh.worksheet("Metadata")
    ws.append_rows([["1"]])
    ws.batch_update([{"range": "B2", "values": [["x"]]}])
    ws.get_all_values()
    sh.values_clear("Metadata!C2")
    kinds = [r.kind for r in emulator.requests]
    assert kinds == ["spreadsheets.get", "values.append", "values.batchUpdate", "values.get", "values.clear"]
    append = emulator.requests[1]
    assert append.method == "POST" and append.path == f"/v4/spreadsheets/{SID}/values/'Metadata':append"
    assert append.body == {"values": [["1"]]} and append.status == 200 and append.at >= since
    assert emulator.count("values.append", since=since) == 1
    assert emulator.count(since=time.monotonic()) == 0


def test_endpoint_session_sends_the_token_only_when_given_and_refuses_drive(emulator):
    gspread.Client(auth=None, session=endpoint_session(emulator.base_url, token="abc")).open_by_key(SID)
    gspread.Client(auth=None, session=endpoint_session(emulator.base_url)).open_by_key(SID)
    assert [r.authorization for r in emulator.requests] == ["Bearer abc", None]
    with pytest.raises(requests.ConnectionError, match="not emulated"):
        gspread.Client(auth=None, session=endpoint_session(emulator.base_url)).open("Planilla")


def test_endpoint_session_honours_no_proxy_for_the_emulator_address(emulator, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    assert (
        gspread.Client(auth=None, session=endpoint_session(emulator.base_url)).open_by_key(SID).title
        == "Planilla"
    )


def test_concurrent_appends_lose_nothing(emulator):
    def worker(n: int) -> None:
        ws = (
            gspread.Client(auth=None, session=endpoint_session(emulator.base_url))
            .open_by_key(SID)
            .worksheet("Metadata")
        )
        for i in range(10):
            ws.append_rows([[f"{n}-{i}"]])

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [row[0] for row in emulator.values(SID, "Metadata")[1:]]
    assert sorted(ids) == sorted(f"{n}-{i}" for n in range(4) for i in range(10))


def test_cli_serves_the_csv_dir_until_sigterm():
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tools.sheets_emulator",
            "--port",
            "0",
            "--csv-dir",
            str(FIXTURES),
            "--spreadsheet-id",
            "DEV",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        base_url = proc.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        sh = gspread.Client(auth=None, session=endpoint_session(base_url)).open_by_key("DEV")
        titles = ["Operaciones", "Trabajadores", "Roles", "Metadata", "Uniones"]
        assert [w.title for w in sh.worksheets()] == titles
        assert sh.worksheet("Roles").row_values(1) == ["Id", "Rol", "Activo"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()
        proc.wait()
