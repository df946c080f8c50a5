"""The sheet's date formats (zeues.lib.dates) and header matching (zeues.lib.headers)."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from zeues.lib.dates import parse_sheet_date, parse_sheet_datetime
from zeues.lib.headers import DuplicateHeaderError, HeaderMap, column_letter, normalise_header

SANTIAGO = zoneinfo.ZoneInfo("America/Santiago")


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20-11-2026", datetime.date(2026, 11, 20)),  # DD-MM-YYYY, what the sheet writes
        ("20/11/2026", datetime.date(2026, 11, 20)),  # DD/MM/YYYY
        ("2026-11-20", datetime.date(2026, 11, 20)),  # YYYY-MM-DD
        ("5-1-2026", datetime.date(2026, 1, 5)),  # single-digit day and month
        ("5/1/2026", datetime.date(2026, 1, 5)),
        ("2026-1-5", datetime.date(2026, 1, 5)),
        ("46346", datetime.date(2026, 11, 20)),  # Excel serial
        ("46346.75", datetime.date(2026, 11, 20)),  # serial with a time of day
        ("46346.99999", datetime.date(2026, 11, 20)),  # a second before midnight stays that day
        (46346, datetime.date(2026, 11, 20)),  # a number straight from the API
        ("29-02-2028", datetime.date(2028, 2, 29)),  # leap day
        ("  20-11-2026 ", datetime.date(2026, 11, 20)),
        ("20-11-2026 11:15:00", datetime.date(2026, 11, 20)),  # a timestamp read as a date
    ],
)
def test_parse_sheet_date_accepts_every_sheet_format(text, expected):
    assert parse_sheet_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20-11-2026 11:15:00", datetime.datetime(2026, 11, 20, 11, 15, 0)),
        ("20-11-2026 11:15", datetime.datetime(2026, 11, 20, 11, 15, 0)),
        ("20/11/2026 08:05:09", datetime.datetime(2026, 11, 20, 8, 5, 9)),
        ("2026-11-20 23:59:59", datetime.datetime(2026, 11, 20, 23, 59, 59)),
        ("20-11-2026", datetime.datetime(2026, 11, 20, 0, 0, 0)),
        ("46346.46875", datetime.datetime(2026, 11, 20, 11, 15, 0)),
        ("46346.5", datetime.datetime(2026, 11, 20, 12, 0, 0)),
        # 10:22 is not exact in binary; it used to come out as 10:21:59.
        ("46346.4319444444", datetime.datetime(2026, 11, 20, 10, 22, 0)),
        (46346 + 16 * 60 / 1440 + 42 / 1440, datetime.datetime(2026, 11, 20, 16, 42, 0)),
    ],
)
def test_parse_sheet_datetime_reads_time_in_the_shop_zone(text, expected):
    assert parse_sheet_datetime(text) == expected.replace(tzinfo=SANTIAGO)


def test_every_minute_of_a_day_survives_the_serial_round_trip():
    for minute in range(24 * 60):
        serial = 46346 + minute / 1440
        parsed = parse_sheet_datetime(repr(serial))
        assert (parsed.hour, parsed.minute, parsed.second) == (minute // 60, minute % 60, 0)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31-02-2026", "fecha imposible"),
        ("29-02-2026", "fecha imposible"),
        ("2026-13-01", "fecha imposible"),
        ("00-01-2026", "fecha imposible"),
        ("mañana", "formato de fecha no reconocido"),
        ("2026/11/20", "formato de fecha no reconocido"),
        ("20.11.2026", "formato de fecha no reconocido"),
        ("20-11-26", "formato de fecha no reconocido"),
        ("123", "número de serie fuera de rango"),
        ("", "vacío"),
        ("20-11-2026 25:00", "hora imposible"),
        ("20-11-2026 10:61", "hora imposible"),
        ("20-11-2026 las diez", "hora no reconocida"),
    ],
)
def test_invalid_dates_are_refused_with_a_reason(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_sheet_datetime(text)
    with pytest.raises(ValueError, match=reason):
        parse_sheet_date(text)


# --- headers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "Fecha_QC_Metrología",
        "fecha qc metrologia",
        "FECHA_QC_METROLOGIA",
        "Fecha QC Metrología",
        "fecha-qc.metrologia",
        "  Fecha__QC  Metrología ",
        "\ufeffFecha_QC_Metrologia",
    ],
)
def test_header_spellings_normalise_to_the_same_name(spelling):
    assert normalise_header(spelling) == "fecha qc metrologia"


def test_different_headers_stay_different():
    assert normalise_header("Fecha_Armado") != normalise_header("Fecha_Soldadura")
    assert normalise_header("N°_Informe_PH") == "n° informe ph"


def test_header_map_finds_columns_by_name_not_position():
    headers = HeaderMap(["id", "Ubicación", "TAG SPOOL", "fecha_materiales"])
    assert headers.index("TAG_SPOOL") == 2
    assert headers.index("Fecha_Materiales") == 3
    assert headers.index("ubicacion") == 1
    assert headers.index("Armador") is None
    assert headers.header("TAG_SPOOL") == "TAG SPOOL"
    assert headers.missing(["TAG_SPOOL", "Armador", "NV"]) == ["Armador", "NV"]


def test_duplicate_headers_are_an_error_only_for_the_columns_asked_for():
    headers = HeaderMap(["TAG_SPOOL", "Notas", "notas", "NV", "nv "])
    assert headers.index("TAG_SPOOL") == 0
    with pytest.raises(DuplicateHeaderError, match=r"la columna NV aparece 2 veces: D \('NV'\), E \('nv '\)"):
        headers.index("NV")
    assert [d.name for d in headers.duplicates(["TAG_SPOOL", "NV"])] == ["NV"]
    assert {d.positions[0] for d in headers.duplicates()} == {1, 3}


def test_cell_of_a_short_row_or_absent_column_is_empty():
    assert HeaderMap.cell(["a", "b"], 1) == "b"
    assert HeaderMap.cell(["a", "b"], 5) == ""
    assert HeaderMap.cell(["a", "b"], None) == ""


@pytest.mark.parametrize(
    ("index", "letter"), [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (74, "BW"), (702, "AAA")]
)
def test_column_letters_match_the_sheet(index, letter):
    assert column_letter(index) == letter
