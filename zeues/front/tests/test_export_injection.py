"""No download hands a spreadsheet a live formula (OWASP CSV injection): names and tags that start
with `=`, `+`, `-`, `@`, a tab or a carriage return arrive as text in every CSV and XLSX export."""

from __future__ import annotations

import csv
import datetime
import io
import zoneinfo

import openpyxl
import pytest
from django.urls import reverse

from spools.models import EventType
from spools.services import event_append
from zeues.front import gerencia
from zeues.reports import exports

pytestmark = pytest.mark.django_db

NASTY = ['=HYPERLINK("http://x","c")', "+1", "@SUM(A1)", "-2+3", "\t=1", "\r=1"]
PLAIN = ["José Ñúñez", "Ángela Muñoz-Díaz"]
STARTS = ("=", "+", "-", "@", "\t", "\r")
TZ = zoneinfo.ZoneInfo("America/Santiago")
T0 = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=TZ)
PERIOD = {"desde": "2026-03-02", "hasta": "2026-03-02"}


def neutral(text: str) -> str:
    """What a text cell must look like in a CSV."""
    return "'" + text if text.startswith(STARTS) else text


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def xlsx_cells(response) -> list[tuple[object, str]]:
    """(value, type) of every filled cell of every sheet; type "s" text, "n" number, "f" formula."""
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [c for ws in book.worksheets for r in ws.iter_rows() for c in r if c.value is not None]
    # xlsxwriter writes a CR as OOXML's escape `_x000D_`, which openpyxl leaves as it is.
    return [(c.value.replace("_x000D_", "\r") if c.data_type == "s" else c.value, c.data_type) for c in cells]


@pytest.fixture
def shop(make_worker, make_spool):
    """One worker per name (no surname, so the full name is the name) and one spool each, tagged with
    the nasty name itself or an ordinary MK tag; each spool: ARM taken at 08:00+i, paused 5 min later."""
    made = []
    for i, name in enumerate(NASTY + PLAIN):
        worker = make_worker(id=100 + i, nombre=name, apellido="")
        spool = make_spool(tag_spool=name if name in NASTY else f"MK-1300-{i:04d}")
        start = T0 + datetime.timedelta(minutes=10 * i)
        for tipo, when in (
            (EventType.TOMAR_SPOOL, start),
            (EventType.PAUSAR_SPOOL, start + datetime.timedelta(minutes=5)),
        ):
            event_append(tipo=tipo, spool=spool, worker=worker, operacion="ARM", now=when)
        made.append((worker, spool))
    return made


def test_spool_history_csv_and_xlsx_carry_names_and_tags_as_text(manager, shop):
    # The page strips the tag it is asked for, so a tag starting with a tab or CR has no download
    # of its own; those two reach a spreadsheet through the event log (next tests).
    for worker, spool in (m for m in shop if not m[1].tag_spool[0].isspace()):
        url = reverse("export-spool", kwargs={"tag": spool.tag_spool, "fmt": "csv"})
        header, row = csv_rows(manager.get(url))
        got = dict(zip(header, row, strict=True))
        assert got["TAG_SPOOL"] == neutral(spool.tag_spool)
        assert got["Worker"] == neutral(worker.token)
        assert got["Worker_Nombre"] == neutral(worker.nombre_completo)
        assert got["Duracion_Segundos"] == "300"
        cells = xlsx_cells(
            manager.get(reverse("export-spool", kwargs={"tag": spool.tag_spool, "fmt": "xlsx"}))
        )
        assert all(kind != "f" for _, kind in cells)
        assert {spool.tag_spool, worker.nombre_completo} <= {value for value, kind in cells if kind == "s"}
        assert 300 in [value for value, kind in cells if kind == "n"]  # a number stays a number


def test_plain_names_and_tags_with_accents_and_hyphens_arrive_unchanged(manager, shop):
    worker, spool = shop[len(NASTY)]
    _, row = csv_rows(manager.get(reverse("export-spool", kwargs={"tag": spool.tag_spool, "fmt": "csv"})))
    assert row[0] == "MK-1300-0006" and row[3] == "José Ñúñez"


def test_event_log_csv_and_xlsx_carry_tags_and_workers_as_text(manager, shop):
    rows = csv_rows(manager.get(reverse("export-events", kwargs={"fmt": "csv"}), PERIOD))
    assert len(rows) == 1 + 2 * len(shop)
    assert all(not cell.startswith(STARTS) for row in rows for cell in row)
    by_seq = [r for r in rows[1:] if r[2] == "TOMAR_SPOOL"]
    assert [(r[3], r[5]) for r in by_seq] == [(neutral(s.tag_spool), neutral(w.token)) for w, s in shop]
    cells = xlsx_cells(manager.get(reverse("export-events", kwargs={"fmt": "xlsx"}), PERIOD))
    assert all(kind != "f" for _, kind in cells)
    assert set(NASTY) <= {value for value, kind in cells if kind == "s"}


def test_gerencia_csv_and_xlsx_carry_worker_names_as_text(manager, shop):
    kpis = reverse("kpis")
    for tabla in gerencia.TABLES:
        rows = csv_rows(manager.get(kpis, {**PERIOD, "formato": "csv", "tabla": tabla}))
        assert all(not cell.startswith(STARTS) for row in rows for cell in row), tabla
    horas = csv_rows(manager.get(kpis, {**PERIOD, "formato": "csv", "tabla": "horas"}))
    names = {r[1] for r in horas[1:]}
    for worker, _ in shop:
        assert neutral(f"{worker.token} {worker.nombre_completo}") in names
    cells = xlsx_cells(manager.get(kpis, {**PERIOD, "formato": "xlsx", "tabla": "todas"}))
    assert all(kind != "f" for _, kind in cells)
    texts = {value for value, kind in cells if kind == "s"}
    assert {f"{w.token} {w.nombre_completo}" for w, _ in shop} <= texts


def test_negative_numbers_stay_numbers_and_negative_looking_text_is_quoted():
    """A number the app computed is not text anyone typed: only text cells are neutralised."""
    rows = [["-2+3", -5, -1.5, "-5"]]
    lines = "".join(exports.csv_lines(["a", "b", "c", "d"], rows)).lstrip("\ufeff").splitlines()
    assert lines == ["a,b,c,d", "'-2+3,-5,-1.5,'-5"]
    book = openpyxl.load_workbook(exports.xlsx_file(["a", "b", "c", "d"], rows, sheet="x"))
    assert [(c.value, c.data_type) for c in book["x"][2]] == [
        ("-2+3", "s"),
        (-5, "n"),
        (-1.5, "n"),
        ("-5", "s"),
    ]
