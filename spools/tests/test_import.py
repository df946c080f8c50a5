"""import_sheet: the shop's spreadsheet into ZEUES, with every oddity reported (real PostgreSQL)."""

from __future__ import annotations

import csv
import datetime
import io
import time
import zoneinfo
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from spools.importer import ImportReport, Severidad, import_sheet
from spools.models import Event, EventType, Spool, Worker, WorkerRole
from spools.tests.sheet_factory import (
    SAMPLE_DIR,
    copy_sample,
    generated_tag,
    read_csv,
    write_csv,
    write_generated_sheet,
)

pytestmark = pytest.mark.django_db

SANTIAGO = zoneinfo.ZoneInfo("America/Santiago")


def run_command(directory: Path, *args: str, stdout: io.StringIO | None = None) -> str:
    """Run `import_sheet --csv-dir directory ...` and return what it printed."""
    out = stdout or io.StringIO()
    call_command("import_sheet", "--csv-dir", str(directory), *args, stdout=out)
    return out.getvalue()


def spool(tag: str) -> Spool:
    return Spool.objects.get(tag_spool=tag)


def import_events() -> int:
    return Event.objects.filter(evento_tipo=EventType.IMPORT).count()


@pytest.fixture
def sample_report() -> ImportReport:
    """The sample sheet imported once through the core function, as the command does."""
    from spools.importer import CSV_FILES, read_csv_dir

    return import_sheet(read_csv_dir(SAMPLE_DIR), origen="csv:sample", labels=CSV_FILES)


def cells(report: ImportReport) -> set[tuple[str, int, str, str, str]]:
    """The reported cells as comparable tuples (Uniones aside: test_import_joints.py has them)."""
    return {
        (i.hoja, i.fila, i.columna, i.valor, i.severidad.value) for i in report.issues if i.hoja != "Uniones"
    }


def operaciones_issues(report: ImportReport) -> list:
    return [i for i in report.issues if i.hoja == "Operaciones"]


# --- the sample sheet and its oddities --------------------------------------------------------


def test_sample_sheet_import_counts(sample_report):
    assert (sample_report.trabajadores.creados, sample_report.roles.creados) == (24, 32)
    # 402 data rows - 1 blank - 2 duplicated - 1 impossible date.
    assert sample_report.spools.creados == 398
    assert Spool.objects.count() == 398
    assert sample_report.filas_en_blanco == 2  # one in Operaciones, one in Uniones
    assert len({i.fila for i in operaciones_issues(sample_report) if i.severidad == Severidad.RECHAZADA}) == 3


def test_every_oddity_of_the_sample_is_reported_with_row_column_and_value(sample_report):
    assert cells(sample_report) == {
        ("Operaciones", 12, "TAG_SPOOL", "MK-1300-FW-25070-011", "rechazada"),
        ("Operaciones", 27, "TAG_SPOOL", "MK-1300-FW-25070-011", "rechazada"),
        ("Operaciones", 52, "Armador", "XX(99999)", "error"),
        ("Operaciones", 62, "TAG_SPOOL", "  MK-1301-SW-25406-009 ", "aviso"),
        ("Operaciones", 72, "Fecha_Materiales", "31-02-2026", "rechazada"),
    }


def test_duplicate_tag_rejects_every_row_carrying_it_and_names_all_rows(sample_report):
    duplicates = [i for i in operaciones_issues(sample_report) if i.valor == "MK-1300-FW-25070-011"]
    assert all("filas 12 y 27" in i.motivo for i in duplicates)
    assert not Spool.objects.filter(tag_spool="MK-1300-FW-25070-011").exists()


def test_impossible_date_rejects_the_row(sample_report):
    (issue,) = [i for i in operaciones_issues(sample_report) if i.fila == 72]
    assert "fecha imposible" in issue.motivo
    assert not Spool.objects.filter(tag_spool="MK-1301-CW-25476-019").exists()


def test_unknown_worker_is_reported_and_left_out_but_the_state_is_kept(sample_report):
    s = spool("MK-1300-FW-25336-049")
    assert (s.arm, s.armador_id) == ("pausado", None)
    (issue,) = [i for i in operaciones_issues(sample_report) if i.fila == 52]
    assert "99999" in issue.motivo


def test_tag_with_surrounding_spaces_is_imported_stripped_and_reported(sample_report):
    assert spool("MK-1301-SW-25406-009").nv == "NV0601"
    (issue,) = [i for i in operaciones_issues(sample_report) if i.fila == 62]
    assert "espacios" in issue.motivo


def test_short_row_takes_missing_trailing_cells_as_empty(sample_report):
    s = spool("MK-1301-CW-25546-029")  # row 82, trimmed after the Soldador columns
    assert (s.arm, s.armador_id, s.ocupado_por_id, s.version) == ("pausado", 108, None, 0)
    assert s.fecha_materiales == datetime.date(2026, 9, 21)


def test_blank_row_is_skipped_silently(sample_report):
    assert not [i for i in operaciones_issues(sample_report) if i.fila == 42]


# --- legacy state mapping -------------------------------------------------------------------


def test_armador_occupying_the_spool_means_arm_en_progreso_and_occupied(sample_report):
    s = spool("MK-1300-CW-25000-001")
    assert (s.arm, s.sold, s.armador_id) == ("en_progreso", "pendiente", 110)
    assert (s.ocupado_por_id, s.operacion_actual) == (110, "ARM")
    assert s.fecha_ocupacion == datetime.datetime(2026, 11, 20, 11, 15, tzinfo=SANTIAGO)


def test_armador_without_date_and_without_occupant_means_arm_pausado(sample_report):
    s = spool("MK-1300-CW-25063-010")
    assert (s.arm, s.armador_id, s.ocupado_por_id, s.operacion_actual) == ("pausado", 90, None, "")


def test_dates_mean_completado_in_every_format(sample_report):
    s = spool("MK-1300-SW-25028-005")  # Fecha_Armado 14/10/2026, Fecha_Soldadura 15-10-2026
    assert (s.arm, s.sold, s.armador_id, s.soldador_id) == ("completado", "completado", 90, 102)
    assert (s.fecha_armado, s.fecha_soldadura) == (datetime.date(2026, 10, 14), datetime.date(2026, 10, 15))
    assert spool("MK-1300-TW-25035-006").fecha_materiales == datetime.date(2026, 11, 1)  # 2026-11-01


def test_excel_serial_dates_are_converted(sample_report):
    s = spool("MK-1300-TW-25014-003")  # Fecha_Materiales 46332
    assert s.fecha_materiales == datetime.date(2026, 11, 6)
    assert spool("MK-1300-CW-25189-028").fecha_armado == datetime.date(2026, 11, 4)  # 46330
    assert spool("MK-1300-TW-25119-018").fecha_soldadura == datetime.date(2026, 11, 12)  # 46338


def test_soldador_without_date_means_sold_pausado(sample_report):
    s = spool("MK-1300-TW-25014-003")
    assert (s.arm, s.sold, s.soldador_id) == ("completado", "pausado", 102)


def test_empty_legacy_columns_mean_pendiente(sample_report):
    s = spool("MK-1300-CW-25007-002")
    assert (s.arm, s.sold, s.armador_id, s.soldador_id, s.fecha_materiales) == (
        "pendiente",
        "pendiente",
        None,
        None,
        None,
    )


def test_workers_and_roles_are_imported(sample_report):
    assert Worker.objects.get(pk=91).token == "JG(91)"
    assert Worker.objects.get(pk=93).activo is False
    roles = {(r.rol, r.activo) for r in WorkerRole.objects.filter(worker_id=99)}
    assert roles == {("Soldador", True), ("Pintura", False)}


def test_created_spool_gets_one_import_event_with_row_and_origin(sample_report):
    (event,) = Event.objects.filter(tag_spool="MK-1300-CW-25000-001")
    assert (event.evento_tipo, event.accion, event.operacion, event.worker_id) == (
        "IMPORT",
        "IMPORT",
        "",
        None,
    )
    assert event.details["accion"] == "creado"
    assert (event.details["fila"], event.details["origen"]) == (2, "csv:sample")
    assert event.details["cambios"]["arm"] == "en_progreso"
    assert event.details["cambios"]["fecha_ocupacion"] == "2026-11-20T11:15:00-03:00"
    assert import_events() == 398


# --- re-import ------------------------------------------------------------------------------


def test_reimport_is_idempotent():
    run_command(SAMPLE_DIR)
    events = import_events()
    output = run_command(SAMPLE_DIR)
    assert "Spools: 0 creados, 0 actualizados, 398 sin cambios" in output
    assert "Trabajadores: 0 creados, 0 actualizados, 24 sin cambios" in output
    assert "Roles: 0 creados, 0 actualizados, 32 sin cambios" in output
    assert Spool.objects.count() == 398
    assert import_events() == events
    # Rejections are reported again; notes about a legacy state that is no longer used are not.
    assert "fila 72, columna Fecha_Materiales" in output
    assert "fila 52, columna Armador" not in output


def test_reimport_updates_master_data_and_audits_the_change(tmp_path):
    run_command(SAMPLE_DIR)

    def change(rows):
        header = rows[0]
        rows[2][header.index("NV")] = "NV9999"  # MK-1300-CW-25007-002, row 3
        rows[2][header.index("Fecha_Materiales")] = "01-12-2026"
        return rows

    output = run_command(copy_sample(tmp_path / "sheet", operaciones=change))
    assert "Spools: 0 creados, 1 actualizados, 397 sin cambios" in output
    s = spool("MK-1300-CW-25007-002")
    assert (s.nv, s.fecha_materiales) == ("NV9999", datetime.date(2026, 12, 1))
    event = Event.objects.filter(tag_spool=s.tag_spool).order_by("timestamp").last()
    assert event.details["accion"] == "actualizado"
    assert event.details["fila"] == 3
    assert event.details["cambios"] == {
        "nv": {"antes": "NV0600", "despues": "NV9999"},
        "fecha_materiales": {"antes": None, "despues": "2026-12-01"},
    }


def test_reimport_never_overwrites_the_state_zeues_owns(tmp_path, nothing_written):
    run_command(SAMPLE_DIR)
    tag = "MK-1300-CW-25000-001"  # ARM en progreso by MD(110) in the sheet
    Spool.objects.filter(tag_spool=tag).update(
        arm="completado",
        fecha_armado=datetime.date(2026, 11, 21),
        ocupado_por=None,
        fecha_ocupacion=None,
        operacion_actual="",
        version=3,
    )
    with nothing_written():
        run_command(SAMPLE_DIR)
    s = spool(tag)
    assert (s.arm, s.ocupado_por_id, s.operacion_actual, s.version) == ("completado", None, "", 3)


def test_reimport_updates_workers_and_roles(tmp_path):
    run_command(SAMPLE_DIR)
    folder = copy_sample(tmp_path / "sheet")
    write_csv(
        folder / "trabajadores.csv",
        [["Id", "Nombre", "Apellido", "Activo"], ["90", "Valeria", "Soto", "false"]],
    )
    write_csv(
        folder / "roles.csv",
        [["Id", "Rol", "Activo"], ["90", "Armador", "FALSE"], ["90", "Soldador", "TRUE"]],
    )
    output = run_command(folder)
    assert "Trabajadores: 0 creados, 1 actualizados, 0 sin cambios" in output
    assert "Roles: 1 creados, 1 actualizados, 0 sin cambios" in output
    worker = Worker.objects.get(pk=90)
    assert (worker.token, worker.activo) == ("VS(90)", False)
    assert {(r.rol, r.activo) for r in worker.roles.all()} == {("Armador", False), ("Soldador", True)}


# --- the command ----------------------------------------------------------------------------


def test_dry_run_reports_exactly_and_writes_nothing(nothing_written):
    with nothing_written():
        output = run_command(SAMPLE_DIR, "--dry-run")
    assert "Spools: 398 creados" in output
    assert "fila 72, columna Fecha_Materiales, valor '31-02-2026'" in output
    assert output.rstrip().endswith("(simulación: no se guardó nada)")
    assert (Spool.objects.count(), Worker.objects.count(), Event.objects.count()) == (0, 0, 0)


def test_command_prints_summary_and_every_reported_row():
    output = run_command(SAMPLE_DIR)
    assert "Filas rechazadas (no importadas): 14" in output  # 3 in Operaciones, 11 in Uniones
    assert "Filas en blanco omitidas: 2" in output
    assert (
        "[RECHAZADA] fila 27, columna TAG_SPOOL, valor 'MK-1300-FW-25070-011': "
        "TAG_SPOOL MK-1300-FW-25070-011 repetido en las filas 12 y 27; no se importa ninguna"
    ) in output
    assert "[ERROR] fila 52, columna Armador, valor 'XX(99999)'" in output


def test_report_file_lists_every_issue_as_csv(tmp_path):
    target = tmp_path / "informe.csv"
    run_command(SAMPLE_DIR, "--report", str(target))
    with target.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["hoja"] == "Operaciones"]
    assert [r["fila"] for r in rows] == ["12", "27", "52", "62", "72"]
    assert rows[2] == {
        "hoja": "Operaciones",
        "fila": "52",
        "columna": "Armador",
        "valor": "XX(99999)",
        "severidad": "error",
        "motivo": "no existe el trabajador con Id 99999; se importa sin Armador",
    }


def test_report_file_carries_a_formula_typed_in_the_sheet_as_text(tmp_path):
    """The report repeats the sheet's cell as typed: a formula there must not run here."""
    report = ImportReport(origen="prueba")
    report.add("Operaciones", 7, "Armador", '=HYPERLINK("http://x","c")', Severidad.ERROR, "-no existe")
    report.add("Operaciones", 8, "Armador", "José Ñúñez", Severidad.ERROR, "no existe")
    target = tmp_path / "informe.csv"
    report.write_csv(target)
    with target.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["valor"], r["motivo"]) for r in rows] == [
        ('\'=HYPERLINK("http://x","c")', "'-no existe"),
        ("José Ñúñez", "no existe"),
    ]


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_is_shown_only_on_a_terminal():
    assert "\r" not in run_command(SAMPLE_DIR, "--dry-run")
    output = run_command(SAMPLE_DIR, "--dry-run", stdout=FakeTerminal())
    assert "\rOperaciones: 400/400 spools" in output


def test_missing_tag_spool_column_fails_naming_column_and_file(tmp_path, nothing_written):
    folder = copy_sample(
        tmp_path / "sheet",
        operaciones=lambda rows: [[c.replace("TAG_SPOOL", "TAG") for c in r] for r in rows],
    )
    with (
        nothing_written(),
        pytest.raises(CommandError, match=r"Falta la columna TAG_SPOOL en operaciones\.csv"),
    ):
        run_command(folder)
    assert Worker.objects.count() == 0


def test_missing_file_fails_naming_it(tmp_path):
    folder = copy_sample(tmp_path / "sheet")
    (folder / "roles.csv").unlink()
    with pytest.raises(CommandError, match=r"Falta el archivo roles\.csv"):
        run_command(folder)


def test_missing_id_column_in_trabajadores_fails(tmp_path):
    folder = copy_sample(tmp_path / "sheet")
    write_csv(folder / "trabajadores.csv", [["Nombre", "Apellido"], ["Ana", "Soto"]])
    with pytest.raises(CommandError, match=r"Falta la columna Id en trabajadores\.csv"):
        run_command(folder)


def test_file_with_bom_and_not_utf8(tmp_path):
    folder = copy_sample(tmp_path / "sheet")
    write_csv(folder / "trabajadores.csv", read_csv(SAMPLE_DIR / "trabajadores.csv"), bom=True)
    assert "Trabajadores: 24 creados" in run_command(folder, "--dry-run")
    (folder / "roles.csv").write_bytes("Id,Rol\n90,Metrología\n".encode("latin-1"))
    with pytest.raises(CommandError, match="roles.csv no está en UTF-8"):
        run_command(folder)


# --- columns by header ----------------------------------------------------------------------


def test_columns_are_found_by_header_when_reordered_inserted_and_respelled(tmp_path):
    def shuffle(rows):
        width = len(rows[0])
        padded = [r + [""] * (width - len(r)) for r in rows]
        # Another department's new first column, filled on every row that has data.
        reordered = [["dato" if any(r) else "", *reversed(r)] for r in padded]
        reordered[0][0] = "Columna nueva"
        reordered[0] = [
            h.upper().replace("_", " ") if h in ("TAG_SPOOL", "Fecha_Materiales") else h for h in reordered[0]
        ]
        return reordered

    report_text = run_command(copy_sample(tmp_path / "sheet", operaciones=shuffle))
    assert "Spools: 398 creados" in report_text
    s = spool("MK-1300-CW-25000-001")
    assert (s.arm, s.ocupado_por_id, s.fecha_materiales) == ("en_progreso", 110, datetime.date(2026, 11, 9))
    assert "fila 72, columna FECHA MATERIALES, valor '31-02-2026'" in report_text


def test_missing_optional_column_is_warned_and_existing_values_kept(tmp_path, nothing_written):
    run_command(SAMPLE_DIR)

    def drop_nv(rows):
        i = rows[0].index("NV")
        return [r[:i] + r[i + 1 :] for r in rows]

    folder = copy_sample(tmp_path / "sheet", operaciones=drop_nv)
    with nothing_written():
        output = run_command(folder)
    assert "[AVISO] fila 1, columna NV, valor '': columna no encontrada" in output
    assert "Spools: 0 creados, 0 actualizados, 398 sin cambios" in output
    assert spool("MK-1300-CW-25000-001").nv == "NV0600"


def test_duplicated_header_of_a_used_column_fails(tmp_path):
    folder = copy_sample(
        tmp_path / "sheet", operaciones=lambda rows: [r + [r[1]] for r in rows[:1]] + rows[1:]
    )
    with pytest.raises(CommandError, match="la columna NV aparece 2 veces"):
        run_command(folder)


def test_duplicated_header_of_an_unused_column_is_fine(tmp_path):
    folder = copy_sample(
        tmp_path / "sheet", operaciones=lambda rows: [r + ["Notas"] for r in rows[:1]] + rows[1:]
    )
    assert "Spools: 398 creados" in run_command(folder)


# --- Sheets-shaped input: lists of lists, trailing cells trimmed ----------------------------

OPS_HEADER = [
    "TAG_SPOOL",
    "NV",
    "OT",
    "Fecha_Materiales",
    "Fecha_Armado",
    "Armador",
    "Fecha_Soldadura",
    "Soldador",
    "Ocupado_Por",
    "Fecha_Ocupacion",
    "version",
    "Estado_Detalle",
    "Fecha_QC_Metrología",
]
WORKERS = [
    ["Id", "Nombre", "Apellido", "Activo"],
    ["93", "Mauricio", "Rodriguez", "TRUE"],
    ["94", "Ana", "Fuentes", "TRUE"],
]


def op(**cells: str) -> list[str]:
    """One Operaciones row, trimmed like the Sheets API trims it."""
    row = [cells.get(h, "") for h in OPS_HEADER]
    while row and row[-1] == "":
        row.pop()
    return row


def run(*ops: list[str], workers=None, roles=None, **kwargs) -> ImportReport:
    return import_sheet(
        {
            "Operaciones": [OPS_HEADER, *ops],
            "Trabajadores": workers or WORKERS,
            "Roles": roles or [["Id", "Rol", "Activo"]],
        },
        origen="test",
        **kwargs,
    )


def test_sheets_shaped_rows_import():
    report = run(op(TAG_SPOOL="T-1", NV="NV1", Fecha_Materiales="46332.75"))
    assert report.issues == []
    assert spool("T-1").fecha_materiales == datetime.date(2026, 11, 6)


def test_occupation_for_sold_sets_sold_en_progreso():
    run(
        op(
            TAG_SPOOL="T-1",
            Fecha_Armado="01-11-2026",
            Armador="MR(93)",
            Soldador="AF(94)",
            Ocupado_Por="AF(94)",
            Fecha_Ocupacion="46346.4319444444",
        )
    )
    s = spool("T-1")
    assert (s.arm, s.sold, s.ocupado_por_id, s.operacion_actual) == ("completado", "en_progreso", 94, "SOLD")
    assert s.fecha_ocupacion == datetime.datetime(2026, 11, 20, 10, 22, tzinfo=SANTIAGO)


def test_occupation_without_fecha_ocupacion_is_reported_and_imported_free():
    report = run(op(TAG_SPOOL="T-1", Armador="MR(93)", Ocupado_Por="MR(93)"))
    s = spool("T-1")
    assert (s.arm, s.ocupado_por_id, s.fecha_ocupacion, s.operacion_actual) == ("pausado", None, None, "")
    assert cells(report) == {("Operaciones", 2, "Fecha_Ocupacion", "", "error")}


def test_unparseable_fecha_ocupacion_is_reported_and_imported_free():
    report = run(op(TAG_SPOOL="T-1", Armador="MR(93)", Ocupado_Por="MR(93)", Fecha_Ocupacion="ayer"))
    assert spool("T-1").ocupado_por_id is None
    assert cells(report) == {("Operaciones", 2, "Fecha_Ocupacion", "ayer", "error")}


def test_occupant_who_is_neither_armador_nor_soldador_is_reported_and_imported_free():
    report = run(
        op(TAG_SPOOL="T-1", Armador="MR(93)", Ocupado_Por="AF(94)", Fecha_Ocupacion="20-11-2026 10:00")
    )
    s = spool("T-1")
    assert (s.arm, s.ocupado_por_id, s.operacion_actual) == ("pausado", None, "")
    assert cells(report) == {("Operaciones", 2, "Ocupado_Por", "AF(94)", "error")}


def test_occupant_holding_a_finished_operation_is_reported_and_imported_free():
    report = run(
        op(
            TAG_SPOOL="T-1",
            Fecha_Armado="01-11-2026",
            Armador="MR(93)",
            Ocupado_Por="MR(93)",
            Fecha_Ocupacion="20-11-2026 10:00",
        )
    )
    assert (spool("T-1").arm, spool("T-1").ocupado_por_id) == ("completado", None)
    assert cells(report) == {("Operaciones", 2, "Ocupado_Por", "MR(93)", "error")}


def test_fecha_ocupacion_without_occupant_is_ignored_with_a_warning():
    report = run(op(TAG_SPOOL="T-1", Fecha_Ocupacion="20-11-2026 10:00"))
    assert spool("T-1").ocupado_por_id is None
    assert cells(report) == {("Operaciones", 2, "Fecha_Ocupacion", "20-11-2026 10:00", "aviso")}


def test_initials_that_do_not_match_the_worker_are_warned_and_the_id_is_used():
    report = run(op(TAG_SPOOL="T-1", Fecha_Armado="01-11-2026", Armador="XY(93)"))
    assert spool("T-1").armador_id == 93
    (issue,) = report.issues
    assert (issue.columna, issue.valor, issue.severidad) == ("Armador", "XY(93)", Severidad.AVISO)
    assert "MR(93)" in issue.motivo


def test_accented_and_lower_case_initials_match():
    workers = [*WORKERS, ["97", "Óscar", "Pérez López", "TRUE"]]
    report = run(op(TAG_SPOOL="T-1", Armador="op(97)"), workers=workers)
    assert report.issues == []
    assert spool("T-1").armador_id == 97


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("Fecha_Armado", "31-02-2026"),
        ("Fecha_Soldadura", "mañana"),
        ("Fecha_Materiales", "2026/11/20"),
        ("version", "dos"),
        ("version", "-1"),
        ("Armador", "Mauricio"),
        ("NV", "N" * 51),
    ],
)
def test_invalid_value_in_a_read_cell_rejects_the_row(column, value):
    report = run(op(TAG_SPOOL="T-1"), op(TAG_SPOOL="T-2", **{column: value}))
    assert cells(report) == {("Operaciones", 3, column, value, "rechazada")}
    assert list(Spool.objects.values_list("tag_spool", flat=True)) == ["T-1"]


def test_invalid_row_for_an_existing_spool_does_not_update_it(nothing_written):
    run(op(TAG_SPOOL="T-1", NV="NV1"))
    with nothing_written():
        report = run(op(TAG_SPOOL="T-1", NV="NV2", Fecha_Materiales="31-02-2026"))
    assert report.spools.actualizados == 0
    assert spool("T-1").nv == "NV1"


def test_row_without_tag_but_with_data_is_rejected(nothing_written):
    with nothing_written():
        report = run(op(NV="NV1", OT="001"))
    assert cells(report) == {("Operaciones", 2, "TAG_SPOOL", "", "rechazada")}
    assert Spool.objects.count() == 0


def test_version_and_estado_detalle_are_kept_at_creation():
    run(op(TAG_SPOOL="T-1", version="7", Estado_Detalle="RECHAZADO (Ciclo 2/3) - Pendiente reparación"))
    s = spool("T-1")
    assert s.version == 7
    event = Event.objects.get(tag_spool="T-1")
    assert event.details["cambios"]["estado_detalle_hoja"] == "RECHAZADO (Ciclo 2/3) - Pendiente reparación"


# --- Trabajadores and Roles -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("TRUE", True),
        ("false", False),
        ("1", True),
        ("0", False),
        ("si", True),
        ("Sí", True),
        ("no", False),
        ("VERDADERO", True),
        ("FALSO", False),
    ],
)
def test_activo_accepts_the_sheet_spellings(value, expected):
    run(workers=[["Id", "Nombre", "Apellido", "Activo"], ["93", "Mauricio", "Rodriguez", value]])
    assert Worker.objects.get(pk=93).activo is expected


def test_invalid_activo_or_id_rejects_the_worker_row():
    report = run(
        workers=[
            ["Id", "Nombre", "Activo"],
            ["93", "Mauricio", "quizás"],
            ["x1", "Ana", "TRUE"],
            ["95", "Luis", "TRUE"],
        ]
    )
    assert cells(report) == {
        ("Trabajadores", 2, "Activo", "quizás", "rechazada"),
        ("Trabajadores", 3, "Id", "x1", "rechazada"),
        ("Trabajadores", 1, "Apellido", "", "aviso"),
    }
    assert list(Worker.objects.values_list("id", flat=True)) == [95]


def test_duplicated_worker_id_rejects_both_rows():
    report = run(
        workers=[
            ["Id", "Nombre", "Apellido", "Activo"],
            ["93", "Mauricio", "R", "TRUE"],
            ["93", "Mario", "R", "TRUE"],
        ]
    )
    assert {(i.fila, i.columna) for i in report.issues} == {(2, "Id"), (3, "Id")}
    assert Worker.objects.count() == 0


def test_role_names_are_matched_normalised():
    run(roles=[["Id", "Rol", "Activo"], ["93", "metrología", "TRUE"], ["94", " ARMADOR ", "FALSE"]])
    assert set(WorkerRole.objects.values_list("worker_id", "rol", "activo")) == {
        (93, "Metrologia", True),
        (94, "Armador", False),
    }


def test_unknown_role_and_role_of_unknown_worker_are_reported_and_skipped():
    report = run(
        roles=[
            ["Id", "Rol", "Activo"],
            ["93", "Gerente", "TRUE"],
            ["555", "Armador", "TRUE"],
            ["94", "Soldador", "TRUE"],
        ]
    )
    assert cells(report) == {
        ("Roles", 2, "Rol", "Gerente", "rechazada"),
        ("Roles", 3, "Id", "555", "rechazada"),
    }
    assert list(WorkerRole.objects.values_list("worker_id", "rol")) == [(94, "Soldador")]


def test_role_of_a_worker_already_in_zeues_is_accepted(make_worker):
    make_worker(id=500, roles=[])
    run(roles=[["Id", "Rol"], ["500", "Ayudante"]])
    assert list(WorkerRole.objects.values_list("worker_id", "rol")) == [(500, "Ayudante")]


# --- volume ---------------------------------------------------------------------------------


def test_twenty_thousand_rows_import(tmp_path):
    folder = write_generated_sheet(tmp_path / "big", 20_000)
    started = time.perf_counter()
    output = run_command(folder)
    print(f"\n20,000 rows imported in {time.perf_counter() - started:.1f} s")
    assert "Spools: 20000 creados" in output
    assert "Filas rechazadas (no importadas): 0" in output
    assert Spool.objects.count() == 20_000
    assert import_events() == 20_000
    states = {n: spool(generated_tag(n)) for n in (5, 6, 7, 8, 9)}
    assert [(s.arm, s.sold, s.ocupado_por_id) for s in states.values()] == [
        ("pendiente", "pendiente", None),
        ("pausado", "pendiente", None),
        ("en_progreso", "pendiente", 110),
        ("completado", "pausado", None),
        ("completado", "completado", None),
    ]
    assert states[9].fecha_armado == datetime.date(2026, 10, 7)  # serial 46302
    assert "Spools: 0 creados, 0 actualizados, 20000 sin cambios" in run_command(folder)
    assert import_events() == 20_000


def test_quiet_run_with_keyword_arguments_as_seed_demo_calls_it():
    out = io.StringIO()
    call_command("import_sheet", csv_dir=str(SAMPLE_DIR), verbosity=0, stdout=out)
    assert out.getvalue() == ""
    assert Spool.objects.count() == 398


# --- legacy quality state (the only place a display string is parsed) -----------------------

WELDED = {
    "Fecha_Materiales": "01-10-2026",
    "Fecha_Armado": "02-10-2026",
    "Armador": "MR(93)",
    "Fecha_Soldadura": "03-10-2026",
    "Soldador": "AF(94)",
}


def test_sample_quality_states_map_onto_the_new_fields(sample_report):
    by_state = dict(Counter(Spool.objects.values_list("calidad", "ciclo")))
    # 58 rows say APROBADO; two of them carry the duplicated tag (rows 12 and 27) and are rejected.
    assert by_state[("aprobado", 0)] == 56
    assert by_state[("rechazado", 1)] == 6
    assert by_state[("rechazado", 2)] == 5
    assert by_state[("bloqueado", 3)] == 5
    blocked = Spool.objects.filter(calidad="bloqueado").first()
    assert blocked.estado_detalle == "BLOQUEADO - Contactar supervisor"
    rejected = Spool.objects.filter(calidad="rechazado", ciclo=2).first()
    assert rejected.estado_detalle == "RECHAZADO (Ciclo 2/3) - Pendiente reparación"
    assert rejected.fecha_qc_metrologia is None
    assert Spool.objects.filter(calidad="aprobado", fecha_qc_metrologia__isnull=True).count() == 0


@pytest.mark.parametrize(
    "estado, calidad, ciclo",
    [
        ("RECHAZADO (Ciclo 2/3) - Pendiente reparación", "rechazado", 2),
        ("REPARACION_PAUSADA (Ciclo 1/3)", "reparacion_pausada", 1),
        ("PENDIENTE_METROLOGIA (Ciclo 2/3)", "pendiente_metrologia", 2),
        ("BLOQUEADO - Contactar supervisor", "bloqueado", 3),
        ("EN_REPARACION (Ciclo 1/3) - Ocupado: MR(93)", "reparacion_pausada", 1),
        ("Disponible - ARM completado, SOLD completado, Metrología pendiente", "pendiente", 0),
    ],
)
def test_legacy_quality_strings(estado, calidad, ciclo):
    run(op(TAG_SPOOL="Q-1", Estado_Detalle=estado, **WELDED))
    s = spool("Q-1")
    assert (s.calidad, s.ciclo, s.ocupado_por_id) == (calidad, ciclo, None)


def test_approval_date_beside_a_rejection_is_the_old_bug_and_is_dropped():
    report = run(
        op(
            TAG_SPOOL="Q-2",
            Estado_Detalle="RECHAZADO (Ciclo 1/3) - Pendiente reparación",
            **{"Fecha_QC_Metrología": "04-10-2026"},
            **WELDED,
        )
    )
    s = spool("Q-2")
    assert s.calidad == "rechazado" and s.fecha_qc_metrologia is None
    assert any(i.columna == "Fecha_QC_Metrología" and "se ignora" in i.motivo for i in report.issues)


def test_approval_date_alone_means_aprobado():
    run(op(TAG_SPOOL="Q-3", **{"Fecha_QC_Metrología": "04-10-2026"}, **WELDED))
    s = spool("Q-3")
    assert s.calidad == "aprobado" and s.fecha_qc_metrologia == datetime.date(2026, 10, 4)


def test_quality_state_on_an_unwelded_spool_is_reported_not_guessed():
    report = run(
        op(TAG_SPOOL="Q-4", Fecha_Materiales="01-10-2026", Estado_Detalle="BLOQUEADO - Contactar supervisor")
    )
    assert spool("Q-4").calidad == "pendiente"
    assert any(i.columna == "Estado_Detalle" and i.fila == 2 for i in report.issues)
