"""import_sheet and the Uniones tab: joints with their legacy work, every oddity reported (PostgreSQL)."""

from __future__ import annotations

import datetime
import io
import zoneinfo
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from spools.importer import CSV_FILES, ImportReport, Severidad, import_sheet, read_csv_dir
from spools.joints import PROGRESS_FIELDS, progress, store_progress
from spools.models import Event, EventType, Spool, Union
from spools.tests.sheet_factory import SAMPLE_DIR, copy_sample, generated_tag, write_generated_sheet
from zeues.lib import columns

pytestmark = pytest.mark.django_db

SANTIAGO = zoneinfo.ZoneInfo("America/Santiago")


def run_command(directory: Path, *args: str, stdout: io.StringIO | None = None) -> str:
    """Run `import_sheet --csv-dir directory ...` and return what it printed."""
    out = stdout or io.StringIO()
    call_command("import_sheet", "--csv-dir", str(directory), *args, stdout=out)
    return out.getvalue()


def joint(tag: str, n: int) -> Union:
    return Union.objects.get(spool__tag_spool=tag, n_union=n)


def joints_state(*, by_tag: bool = False) -> list[tuple]:
    """Every joint as stored (timestamps aside), to prove a refused or dry import wrote none;
    `by_tag`: keyed by tag and number instead of ids (to compare two imports)."""
    skip = ("created_at", "updated_at", *(("id", "spool_id") if by_tag else ()))
    fields = [f.attname for f in Union._meta.concrete_fields if f.attname not in skip]
    if by_tag:
        fields.insert(0, "spool__tag_spool")
    return list(Union.objects.order_by("spool__tag_spool", "n_union").values_list(*fields))


def uniones_issues(report: ImportReport) -> set[tuple[int, str, str, str]]:
    return {(i.fila, i.columna, i.valor, i.severidad.value) for i in report.issues if i.hoja == "Uniones"}


# --- the sample's Uniones tab and its oddities ----------------------------------------------

# The deliberate oddities of spools/fixtures/sample_sheet/ODDITIES.txt, as the report prints them.
SAMPLE_ODDITIES = [
    "  [AVISO] fila 5, columna DN_UNION, valor '2,5': DN escrito con coma decimal; se importa como 2.5 pulgadas",
    "  [RECHAZADA] fila 9, columna TIPO_UNION, valor 'XX': tipo de unión desconocido "
    "(válidos: BW, BR, SO, FILL, LET, MIT, FW); la fila no se importa",
    "  [RECHAZADA] fila 13, columna N_UNION, valor '1': la unión MK-1300-FW-25021-004 #1 repetida en las "
    "filas 13 y 14; no se importa ninguna",
    "  [RECHAZADA] fila 14, columna N_UNION, valor '1': la unión MK-1300-FW-25021-004 #1 repetida en las "
    "filas 13 y 14; no se importa ninguna",
    "  [RECHAZADA] fila 43, columna SOL_FECHA_FIN, valor '15-11-2026 10:00:00': unión soldada pero nunca "
    "armada (sin ARM_FECHA_FIN); no se inventa el armado; la fila no se importa",
    "  [RECHAZADA] fila 52, columna TAG_SPOOL, valor 'NO-EXISTE-0001': el spool NO-EXISTE-0001 no existe "
    "en Operaciones; la fila no se importa",
    "  [RECHAZADA] fila 92, columna TAG_SPOOL, valor 'MK-1300-FW-25070-011': la fila del spool "
    "MK-1300-FW-25070-011 en Operaciones fue rechazada; la fila no se importa",
    "  [ERROR] fila 178, columna ARM_WORKER, valor 'XX(99999)': no existe el trabajador con Id 99999; "
    "se importa armada sin armador",
    "  [RECHAZADA] fila 269, columna TAG_SPOOL, valor 'MK-1301-CW-25476-019': la fila del spool "
    "MK-1301-CW-25476-019 en Operaciones fue rechazada; la fila no se importa",
]


class TestTheSample:
    """Reads of the sample sheet imported once for the class (each test in a savepoint inside)."""

    @pytest.fixture(scope="class")
    def sample_report(self, django_db_setup, django_db_blocker) -> Iterator[ImportReport]:
        """The sample sheet (with uniones.csv) imported once, rolled back after the class."""
        with django_db_blocker.unblock(), transaction.atomic():
            yield import_sheet(read_csv_dir(SAMPLE_DIR), origen="csv:sample", labels=CSV_FILES)
            transaction.set_rollback(True)

    @pytest.fixture(autouse=True)
    def _db(self, db) -> None:
        """Every test of the class runs in its own savepoint, as pytest-django's `db` gives."""

    def test_every_oddity_of_the_sample_uniones_is_reported_with_row_column_and_value(self, sample_report):
        lines = sample_report.issue_lines()
        for expected in SAMPLE_ODDITIES:
            assert expected in lines
        # The rest of the Uniones tab's report: the other rows of the rejected spools, the second
        # unknown fitter, and the generator's end times (serial numbers) that precede their start.
        rest = uniones_issues(sample_report) - {
            (5, "DN_UNION", "2,5", "aviso"),
            (9, "TIPO_UNION", "XX", "rechazada"),
            (13, "N_UNION", "1", "rechazada"),
            (14, "N_UNION", "1", "rechazada"),
            (43, "SOL_FECHA_FIN", "15-11-2026 10:00:00", "rechazada"),
            (52, "TAG_SPOOL", "NO-EXISTE-0001", "rechazada"),
            (92, "TAG_SPOOL", "MK-1300-FW-25070-011", "rechazada"),
            (93, "TAG_SPOOL", "MK-1300-FW-25070-011", "rechazada"),
            (178, "ARM_WORKER", "XX(99999)", "error"),
            (179, "ARM_WORKER", "XX(99999)", "error"),
            *((fila, "TAG_SPOOL", "MK-1301-CW-25476-019", "rechazada") for fila in (269, 270, 271, 272)),
        }
        assert {(c, s) for _, c, _, s in rest} == {("ARM_FECHA_INICIO", "error")}
        assert len(rest) == 60
        (late,) = [i for i in sample_report.issues if i.hoja == "Uniones" and i.fila == 246]
        assert late.line() == (
            "fila 246, columna ARM_FECHA_INICIO, valor '02-11-2026 16:30:00': inicio posterior a "
            "ARM_FECHA_FIN (02-11-2026 08:16); se importa sin inicio"
        )
        assert joint("MK-1301-FW-25441-014", 4).arm_inicio is None

    def test_sample_uniones_counts(self, sample_report):
        # 1808 data rows - 1 blank - 11 rejected (1 type, 2 duplicated, 1 welded never fitted, 1 unknown
        # tag, 6 of the two spools whose Operaciones rows were rejected).
        assert str(sample_report.uniones) == "1796 creadas, 0 actualizadas, 0 sin cambios"
        assert Union.objects.count() == 1796
        assert "Uniones: 1796 creadas, 0 actualizadas, 0 sin cambios" in sample_report.summary_lines()
        assert sample_report.filas_en_blanco == 2  # one in Operaciones, one in Uniones
        assert not Union.objects.filter(spool__tag_spool="MK-1300-FW-25021-004", n_union=1).exists()
        assert Union.objects.filter(spool__tag_spool="MK-1300-FW-25021-004").count() == 4

    def test_decimal_comma_is_read_as_inches(self, sample_report):
        assert joint("MK-1300-CW-25000-001", 4).dn == Decimal("2.5")
        assert joint("MK-1300-CW-25000-001", 5).dn == Decimal("2.5")  # written 2.5

    def test_welded_but_never_fitted_joint_is_rejected_not_given_an_invented_fitting(self, sample_report):
        assert not Union.objects.filter(spool__tag_spool="MK-1300-CW-25098-015", n_union=7).exists()
        assert sorted(
            Union.objects.filter(spool__tag_spool="MK-1300-CW-25098-015").values_list("n_union", flat=True)
        ) == [1, 2, 3, 4, 5, 6, 8, 9, 10]
        assert not Union.objects.filter(arm_fin__isnull=True, sold_fin__isnull=False).exists()

    def test_legacy_work_is_taken_with_workers_times_and_the_shops_day(self, sample_report):
        fitted = joint("MK-1300-CW-25000-001", 1)
        assert (fitted.arm_worker_id, fitted.tipo, fitted.dn) == (90, "SO", Decimal("8"))
        assert fitted.arm_inicio == datetime.datetime(2026, 11, 9, 9, 2, tzinfo=SANTIAGO)
        assert fitted.arm_fin == datetime.datetime(2026, 11, 9, 15, 7, tzinfo=SANTIAGO)
        assert (fitted.arm_fecha, fitted.sold_fin, fitted.sold_worker_id) == (
            datetime.date(2026, 11, 9),
            None,
            None,
        )
        welded = joint("MK-1300-TW-25014-003", 1)
        assert (welded.arm_worker_id, welded.sold_worker_id) == (108, 102)
        assert welded.sold_inicio == datetime.datetime(2026, 11, 10, 8, 23, tzinfo=SANTIAGO)
        assert welded.sold_fecha == datetime.date(2026, 11, 10)
        # An end time written as a serial number: 46322.528472 = 27-10-2026 12:41.
        serial = joint("MK-1300-TW-25042-007", 2)
        assert serial.arm_fin == datetime.datetime(2026, 10, 27, 12, 41, tzinfo=SANTIAGO)
        assert serial.arm_fecha == datetime.date(2026, 10, 27)
        unfitted = joint("MK-1300-CW-25000-001", 9)
        assert (unfitted.arm_fin, unfitted.arm_worker_id, unfitted.arm_fecha) == (None, None, None)

    def test_unknown_fitter_token_keeps_the_joint_fitted_without_fitter(self, sample_report):
        u = joint("MK-1300-FW-25336-049", 1)
        assert u.arm_fin == datetime.datetime(2026, 11, 10, 15, 19, tzinfo=SANTIAGO)
        assert u.arm_worker_id is None

    def test_spools_joint_figures_are_stored_after_the_import(self, sample_report):
        s = Spool.objects.get(tag_spool="MK-1300-CW-25000-001")  # #8 rejected (type XX), #9 unfitted
        assert (s.uniones_total, s.uniones_arm, s.uniones_sold) == (8, 7, 0)
        assert s.pulgadas_arm == Decimal("30")  # 8 + 6 + 4 + 2.5 + 2.5 + 4 + 3
        assert (s.arm, s.ocupado_por_id) == ("en_progreso", 110)  # the state is Operaciones'
        for spool in Spool.objects.filter(uniones_total__gt=0)[:40]:
            assert {f: getattr(spool, f) for f in PROGRESS_FIELDS} == vars(progress(spool.pk))
        assert not Spool.objects.filter(tag_spool="MK-1300-CW-25007-002", uniones_total__gt=0).exists()

    def test_created_spools_import_event_lists_its_joints(self, sample_report):
        (event,) = Event.objects.filter(tag_spool="MK-1300-FW-25021-004")
        assert event.details["accion"] == "creado"
        assert event.details["cambios"]["uniones"] == {"creadas": [2, 3, 4, 5]}
        assert Event.objects.filter(evento_tipo=EventType.IMPORT).count() == 398  # one per spool
        assert not Event.objects.exclude(evento_tipo=EventType.IMPORT).exists()  # no joint events

    def test_legacy_work_counts_in_gerencias_day_facts(self, sample_report):
        from spools.kpi_facts import union_days_check
        from spools.models import KpiUnionDia

        assert union_days_check() == []
        day = KpiUnionDia.objects.get(fecha=datetime.date(2026, 11, 10), operacion="SOLD", worker_id=102)
        done = Union.objects.filter(sold_fecha=datetime.date(2026, 11, 10), sold_worker_id=102, anulada=False)
        assert day.uniones == done.count() >= 1

    def test_sample_import_is_consistent_with_operaciones(self, sample_report):
        """The sample's joints agree with its spools' states: no inconsistency is reported."""
        assert not [i for i in sample_report.issues if "el estado del spool no se cambia" in i.motivo]


# --- re-import ------------------------------------------------------------------------------


def edit(rows: list[list[str]], tag: str, n: int, **cells: str) -> None:
    """Change cells of one joint's row in place."""
    header = rows[0]
    (row,) = [r for r in rows[1:] if len(r) > 3 and r[3] == tag and r[2] == str(n)]
    row.extend([""] * (len(header) - len(row)))
    for column, value in cells.items():
        row[header.index(column)] = value


def test_reimport_adds_a_joint_refreshes_an_unworked_dn_and_never_touches_recorded_work(tmp_path):
    run_command(SAMPLE_DIR)
    tag = "MK-1300-CW-25000-001"
    fitted_before = joint(tag, 1)

    def change(rows):
        edit(rows, tag, 9, DN_UNION="1 1/2")  # unworked: refreshed
        edit(rows, tag, 1, DN_UNION="10", TIPO_UNION="BW", ARM_WORKER="CG(108)")  # fitted: kept
        rows.append(["99000", "001", "10", tag, "3/4", " so "])  # new, trimmed like the API does
        return rows

    output = run_command(copy_sample(tmp_path / "sheet", uniones=change))
    assert "Uniones: 1 creadas, 1 actualizadas, 1795 sin cambios" in output
    refreshed = joint(tag, 9)
    assert (refreshed.dn, refreshed.version) == (Decimal("1.5"), 1)
    assert "columna DN_UNION, valor '1 1/2': DN escrito como fracción; se importa como 1.5 pulgadas" in output
    kept = joint(tag, 1)
    assert (kept.dn, kept.tipo, kept.arm_worker_id, kept.arm_fin, kept.version) == (
        fitted_before.dn,
        "SO",
        90,
        fitted_before.arm_fin,
        0,
    )
    assert (
        "columna DN_UNION, valor '10': la unión ya tiene trabajo registrado en ZEUES: se mantiene DN 8 "
        "(un supervisor puede corregirlo)"
    ) in output
    assert (
        "columna TIPO_UNION, valor 'BW': la unión ya tiene trabajo registrado en ZEUES: se mantiene tipo SO"
        in output
    )
    new = joint(tag, 10)
    assert (new.dn, new.tipo, new.arm_fin) == (Decimal("0.75"), "SO", None)
    s = Spool.objects.get(tag_spool=tag)
    assert (s.uniones_total, s.uniones_arm, s.arm) == (9, 7, "en_progreso")
    event = Event.objects.filter(tag_spool=tag).order_by("seq").last()
    assert event.details["accion"] == "actualizado"
    assert event.details["fila"] == 2  # the spool's Operaciones row
    assert event.details["cambios"] == {
        "uniones": {"creadas": [10], "actualizadas": {"9": {"dn": {"antes": 2.0, "despues": 1.5}}}}
    }


def test_reimport_keeps_work_recorded_in_zeues(tmp_path):
    from occupation.services import spool_finish

    run_command(SAMPLE_DIR)
    tag = "MK-1300-CW-25000-001"  # held for ARM by MD(110); #9 open
    s = Spool.objects.get(tag_spool=tag)
    spool_finish(spool=s, worker=s.ocupado_por, uniones=[9])
    recorded = joint(tag, 9)
    assert recorded.arm_worker_id == 110

    def change(rows):
        edit(rows, tag, 9, DN_UNION="4", NDT_STATUS="APROBADO")
        return rows

    output = run_command(copy_sample(tmp_path / "sheet", uniones=change))
    after = joint(tag, 9)
    assert (after.dn, after.arm_worker_id, after.arm_fin, after.arm_inicio) == (
        Decimal("2"),
        110,
        recorded.arm_fin,
        recorded.arm_inicio,
    )
    assert after.ndt_resultado == "APROBADO"  # the NDT department's cell is still refreshed
    assert after.version == recorded.version + 1
    assert "valor '4': la unión ya tiene trabajo registrado en ZEUES: se mantiene DN 2" in output


def test_ndt_columns_are_refreshed_on_every_import_even_on_worked_joints(tmp_path):
    tag = "MK-1300-TW-25014-003"  # #1 fitted and welded

    def ndt(result: str):
        def change(rows):
            edit(
                rows, tag, 1, NDT_UNION="RT", R_NDT_UNION="INF-77", NDT_FECHA="20-11-2026", NDT_STATUS=result
            )
            return rows

        return change

    run_command(copy_sample(tmp_path / "first", uniones=ndt("PENDIENTE")))
    first = joint(tag, 1)
    assert (first.ndt_metodo, first.ndt_informe, first.ndt_fecha, first.ndt_resultado) == (
        "RT",
        "INF-77",
        datetime.date(2026, 11, 20),
        "PENDIENTE",
    )
    output = run_command(copy_sample(tmp_path / "second", uniones=ndt("RECHAZADO")))
    second = joint(tag, 1)
    assert (second.ndt_resultado, second.version, second.sold_worker_id) == ("RECHAZADO", 1, 102)
    assert "Uniones: 0 creadas, 1 actualizadas" in output
    event = Event.objects.filter(tag_spool=tag).order_by("seq").last()
    assert event.details["cambios"]["uniones"] == {
        "actualizadas": {"1": {"ndt_resultado": {"antes": "PENDIENTE", "despues": "RECHAZADO"}}}
    }


def test_reimport_of_the_same_sheet_changes_no_joint_and_writes_no_event():
    run_command(SAMPLE_DIR)
    before, events = joints_state(), Event.objects.count()
    output = run_command(SAMPLE_DIR)
    assert "Uniones: 0 creadas, 0 actualizadas, 1796 sin cambios" in output
    assert joints_state() == before
    assert Event.objects.count() == events
    # Rejections are reported again; notes about legacy work that is no longer used are not.
    assert "fila 43, columna SOL_FECHA_FIN" in output
    assert "fila 178, columna ARM_WORKER" not in output
    assert "fila 5, columna DN_UNION" not in output


def test_joint_missing_from_the_sheet_is_kept_and_reported(tmp_path):
    run_command(SAMPLE_DIR)
    tag = "MK-1300-FW-25021-004"
    output = run_command(
        copy_sample(
            tmp_path / "sheet", uniones=lambda rows: [r for r in rows if not (tag in r and r[2] == "5")]
        )
    )
    assert joint(tag, 5).dn == Decimal("12")
    assert (
        f"[AVISO] sin fila, columna N_UNION, valor '{tag} #5': la unión está en ZEUES pero no en la hoja "
        "Uniones; se mantiene"
    ) in output


# --- the command and its dry run ------------------------------------------------------------


def test_dry_run_writes_no_joint(nothing_written):
    with nothing_written():
        output = run_command(SAMPLE_DIR, "--dry-run")
    assert "Uniones: 1796 creadas" in output
    assert "fila 43, columna SOL_FECHA_FIN" in output
    assert Union.objects.count() == 0


def test_dry_run_of_a_reimport_leaves_joints_and_figures_as_they_were(tmp_path):
    run_command(SAMPLE_DIR)
    tag = "MK-1300-CW-25000-001"
    before = joints_state(), list(Spool.objects.order_by("pk").values_list(*PROGRESS_FIELDS))
    folder = copy_sample(tmp_path / "sheet", uniones=lambda rows: [*rows, ["1", "001", "10", tag, "3", "BW"]])
    assert "Uniones: 1 creadas" in run_command(folder, "--dry-run")
    assert (joints_state(), list(Spool.objects.order_by("pk").values_list(*PROGRESS_FIELDS))) == before


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_covers_the_joints_too():
    output = run_command(SAMPLE_DIR, "--dry-run", stdout=FakeTerminal())
    assert "\rOperaciones: 400/400 spools\n" in output
    assert "\rUniones: 1806/1806 uniones\n" in output


def test_folder_without_uniones_csv_imports_and_touches_no_joint(tmp_path):
    folder = copy_sample(tmp_path / "sheet")
    (folder / "uniones.csv").unlink()
    output = run_command(folder)
    assert "Spools: 398 creados" in output
    assert "Uniones: no hay hoja Uniones (no cambia ninguna unión)" in output
    assert Union.objects.count() == 0


# --- Sheets-shaped input --------------------------------------------------------------------

OPS = [["TAG_SPOOL", "Fecha_Armado", "Armador", "Fecha_Soldadura", "Soldador"]]
WORKERS = [["Id", "Nombre", "Apellido"], ["93", "Mauricio", "Rodriguez"], ["94", "Ana", "Fuentes"]]
UNIONES_HEADER = list(columns.UNIONES_ALL)


def u(**cells: str) -> list[str]:
    """One Uniones row, trimmed like the Sheets API trims it."""
    row = [cells.get(h, "") for h in UNIONES_HEADER]
    while row and row[-1] == "":
        row.pop()
    return row


def run(*uniones: list[str], ops=None, **kwargs) -> ImportReport:
    tabs = {
        "Operaciones": ops or [*OPS, ["T-1"], ["T-2"]],
        "Trabajadores": WORKERS,
        "Roles": [["Id", "Rol"]],
    }
    if uniones:
        tabs["Uniones"] = [UNIONES_HEADER, *uniones]
    return import_sheet(tabs, origen="test", **kwargs)


def test_sheet_without_uniones_tab_still_imports():
    report = run()
    assert (report.spools.creados, report.hoja_uniones, Union.objects.count()) == (2, False, 0)
    assert report.summary_lines()[4] == "Uniones: no hay hoja Uniones (no cambia ninguna unión)"


@pytest.mark.parametrize(
    ("text", "dn"), [("1 1/2", "1.5"), ("1-1/2", "1.5"), ("3/4", "0.75"), ("2,5", "2.5"), ("0.75", "0.75")]
)
def test_dn_as_the_shop_writes_it(text, dn):
    report = run(u(TAG_SPOOL="T-1", N_UNION="1", DN_UNION=text, TIPO_UNION="BW"))
    assert joint("T-1", 1).dn == Decimal(dn)
    noted = {(c, s) for _, c, _, s in uniones_issues(report)}
    assert noted == (set() if text == "0.75" else {("DN_UNION", Severidad.AVISO.value)})


@pytest.mark.parametrize(("text", "tipo"), [(" bw ", "BW"), ("Fill", "FILL"), ("f w", "FW"), ("LET", "LET")])
def test_type_in_any_case_and_spacing_is_accepted_without_a_note(text, tipo):
    report = run(u(TAG_SPOOL="T-1", N_UNION="1", DN_UNION="2", TIPO_UNION=text))
    assert (joint("T-1", 1).tipo, uniones_issues(report)) == (tipo, set())


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("N_UNION", "x"),
        ("N_UNION", "0"),
        ("N_UNION", ""),
        ("DN_UNION", "abc"),
        ("DN_UNION", "0"),
        ("DN_UNION", ""),
        ("TIPO_UNION", "XX"),
        ("TIPO_UNION", ""),
        ("ARM_FECHA_FIN", "31-02-2026 10:00"),
        ("ARM_WORKER", "Mauricio"),
        ("NDT_FECHA", "ayer"),
        ("R_NDT_UNION", "I" * 101),
    ],
)
def test_invalid_value_in_a_read_cell_rejects_the_joint_row(column, value):
    good = {"TAG_SPOOL": "T-1", "N_UNION": "2", "DN_UNION": "2", "TIPO_UNION": "BW"}
    report = run(u(TAG_SPOOL="T-1", N_UNION="1", DN_UNION="4", TIPO_UNION="SO"), u(**{**good, column: value}))
    assert uniones_issues(report) == {(3, column, value, "rechazada")}
    assert list(Union.objects.values_list("n_union", flat=True)) == [1]


def test_joints_of_an_unknown_tag_and_a_duplicated_joint_reject_every_such_row():
    report = run(
        u(TAG_SPOOL="T-1", N_UNION="1", DN_UNION="2", TIPO_UNION="BW"),
        u(TAG_SPOOL="T-1", N_UNION="1", DN_UNION="3", TIPO_UNION="BW"),
        u(TAG_SPOOL="T-9", N_UNION="1", DN_UNION="2", TIPO_UNION="BW"),
        u(TAG_SPOOL="T-2", N_UNION="1", DN_UNION="2", TIPO_UNION="BW"),
    )
    assert uniones_issues(report) == {
        (2, "N_UNION", "1", "rechazada"),
        (3, "N_UNION", "1", "rechazada"),
        (4, "TAG_SPOOL", "T-9", "rechazada"),
    }
    assert list(Union.objects.values_list("spool__tag_spool", "n_union")) == [("T-2", 1)]


def test_a_field_weld_with_shop_welding_or_a_weld_before_its_fitting_is_rejected():
    fitted = {"ARM_FECHA_FIN": "01-11-2026 10:00", "ARM_WORKER": "MR(93)"}
    welded = {"SOL_FECHA_FIN": "02-11-2026 10:00", "SOL_WORKER": "AF(94)"}
    report = run(
        u(TAG_SPOOL="T-1", N_UNION="1", DN_UNION="2", TIPO_UNION="FW", **fitted, **welded),
        u(
            TAG_SPOOL="T-1",
            N_UNION="2",
            DN_UNION="2",
            TIPO_UNION="BW",
            **fitted,
            SOL_FECHA_FIN="31-10-2026 10:00",
            SOL_WORKER="AF(94)",
        ),
        u(TAG_SPOOL="T-1", N_UNION="3", DN_UNION="2", TIPO_UNION="BW", **fitted, **welded),
    )
    assert uniones_issues(report) == {
        (2, "SOL_FECHA_FIN", "02-11-2026 10:00", "rechazada"),
        (3, "SOL_FECHA_FIN", "31-10-2026 10:00", "rechazada"),
        (4, "TAG_SPOOL", "T-1", "aviso"),  # ARM and SOLD pendiente in Operaciones, #3 done
    }
    assert list(Union.objects.values_list("n_union", "arm_worker_id", "sold_worker_id")) == [(3, 93, 94)]


def test_unfinished_or_unattributed_legacy_work_is_noted_and_not_guessed():
    report = run(
        u(TAG_SPOOL="T-1", N_UNION="1", DN_UNION="2", TIPO_UNION="BW", ARM_WORKER="MR(93)"),
        u(TAG_SPOOL="T-1", N_UNION="2", DN_UNION="2", TIPO_UNION="BW", ARM_FECHA_FIN="46332.5"),
    )
    assert uniones_issues(report) == {
        (2, "ARM_WORKER", "MR(93)", "aviso"),
        (3, "ARM_FECHA_FIN", "46332.5", "aviso"),
        (2, "TAG_SPOOL", "T-1", "aviso"),  # ARM pendiente while a joint is fitted
    }
    assert joint("T-1", 1).arm_fin is None
    second = joint("T-1", 2)
    assert (second.arm_fin, second.arm_worker_id) == (
        datetime.datetime(2026, 11, 6, 12, tzinfo=SANTIAGO),
        None,
    )


def test_state_that_the_joints_contradict_is_reported_and_left_alone():
    ops = [*OPS, ["T-1", "01-11-2026", "MR(93)"], ["T-2"]]
    report = run(
        u(TAG_SPOOL="T-1", N_UNION="1", DN_UNION="2", TIPO_UNION="BW"),
        u(TAG_SPOOL="T-2", N_UNION="1", DN_UNION="2", TIPO_UNION="BW", ARM_FECHA_FIN="01-11-2026 10:00"),
        ops=ops,
    )
    lines = [i.line() for i in report.sorted_issues() if i.hoja == "Uniones"]
    assert lines == [
        "fila 2, columna TAG_SPOOL, valor 'T-1': ARM completado en ZEUES pero 1 de 1 uniones sin armar; "
        "el estado del spool no se cambia",
        "fila 3, columna ARM_FECHA_FIN, valor '01-11-2026 10:00': unión armada sin ARM_WORKER; se importa sin armador",
        "fila 3, columna TAG_SPOOL, valor 'T-2': ARM pendiente en ZEUES pero 1 de 1 uniones armadas; "
        "el estado del spool no se cambia",
    ]
    assert list(Spool.objects.order_by("tag_spool").values_list("arm", flat=True)) == [
        "completado",
        "pendiente",
    ]


def test_a_joint_on_a_held_spool_is_created_and_the_spool_stays_held():
    ops = [
        ["TAG_SPOOL", "Armador", "Ocupado_Por", "Fecha_Ocupacion"],
        ["T-1", "MR(93)", "MR(93)", "20-11-2026 10:00"],
    ]
    run(u(TAG_SPOOL="T-1", N_UNION="1", DN_UNION="2", TIPO_UNION="BW"), ops=ops)
    s = Spool.objects.get(tag_spool="T-1")
    assert (s.ocupado_por_id, s.arm, s.uniones_total) == (93, "en_progreso", 1)


def test_missing_required_uniones_column_stops_the_import_and_writes_nothing(nothing_written):
    from spools.importer import SheetImportError

    run(u(TAG_SPOOL="T-1", N_UNION="1", DN_UNION="2", TIPO_UNION="BW"))
    before = joints_state()
    tabs = {"Operaciones": [*OPS, ["T-1"], ["T-3"]], "Trabajadores": WORKERS, "Roles": [["Id", "Rol"]]}
    tabs["Uniones"] = [["TAG_SPOOL", "N_UNION", "TIPO_UNION"], ["T-1", "2", "BW"]]
    with (
        nothing_written(),
        pytest.raises(SheetImportError, match="Falta la columna DN_UNION en la hoja Uniones"),
    ):
        import_sheet(tabs, origen="test")
    assert joints_state() == before
    assert not Spool.objects.filter(tag_spool="T-3").exists()


# --- store_progress -------------------------------------------------------------------------


def test_store_progress_writes_every_spools_figures_and_zero_without_joints(make_spool, make_worker):
    fitter = make_worker(id=501)
    a, b, c = make_spool(tag_spool="P-1"), make_spool(tag_spool="P-2"), make_spool(tag_spool="P-3")
    done = {"arm_worker": fitter, "arm_fin": datetime.datetime(2026, 11, 1, 10, tzinfo=SANTIAGO)}
    Union.objects.create(spool=a, n_union=1, dn=Decimal("2.5"), tipo="BW", **done)
    Union.objects.create(spool=a, n_union=2, dn=Decimal("4"), tipo="FW", **done)
    Union.objects.create(spool=a, n_union=3, dn=Decimal("1"), tipo="SO")
    Union.objects.create(spool=a, n_union=4, dn=Decimal("6"), tipo="SO", anulada=True)
    Union.objects.create(spool=b, n_union=1, dn=Decimal("3"), tipo="BW")
    Spool.objects.filter(pk=c.pk).update(uniones_total=5, pulgadas_arm=Decimal("9"))  # stale figures
    store_progress([a.pk, b.pk, c.pk, a.pk])
    got = {s.tag_spool: tuple(getattr(s, f) for f in PROGRESS_FIELDS) for s in Spool.objects.all()}
    assert got == {
        "P-1": (3, 2, 2, 0, 1, Decimal("6.5"), Decimal("0")),
        "P-2": (1, 0, 1, 0, 0, Decimal("0"), Decimal("0")),
        "P-3": (0, 0, 0, 0, 0, Decimal("0"), Decimal("0")),
    }
    for spool in (a, b, c):
        assert vars(progress(spool.pk)) == dict(zip(PROGRESS_FIELDS, got[spool.tag_spool], strict=True))


# --- the live sheet (Sheets emulator over HTTP) ---------------------------------------------

LIVE_TABS = {"Operaciones": "operaciones.csv", "Trabajadores": "trabajadores.csv", "Roles": "roles.csv"}


def live_import():
    from spools.management.commands.import_sheet import read_live_sheet

    tabs, labels = read_live_sheet()
    return tabs, import_sheet(tabs, origen="sheets", labels=labels)


def test_live_sheet_reads_the_uniones_tab_in_the_same_request(emulator, sheet_settings):
    emulator.load_csv_dir(sheet_settings.GOOGLE_SHEET_ID, SAMPLE_DIR, {**LIVE_TABS, "Uniones": "uniones.csv"})
    emulator.clear_log()
    with transaction.atomic():
        tabs, live = live_import()
        assert joint("MK-1300-CW-25000-001", 4).dn == Decimal("2.5")
        stored = joints_state(by_tag=True)
        transaction.set_rollback(True)
    assert [r.kind for r in emulator.requests] == ["values.batchGet"]
    csv = import_sheet(read_csv_dir(SAMPLE_DIR), origen="csv", labels=CSV_FILES)
    assert str(live.uniones) == "1796 creadas, 0 actualizadas, 0 sin cambios"
    assert (live.summary_lines()[1:], live.issue_lines()) == (csv.summary_lines()[1:], csv.issue_lines())
    assert stored == joints_state(by_tag=True)


def test_live_sheet_without_a_uniones_tab_imports_as_a_whole_spool_shop(emulator, sheet_settings):
    emulator.load_csv_dir(sheet_settings.GOOGLE_SHEET_ID, SAMPLE_DIR, LIVE_TABS)
    tabs, report = live_import()
    assert "Uniones" not in tabs
    assert (report.spools.creados, report.hoja_uniones, Union.objects.count()) == (398, False, 0)


def test_live_sheet_missing_another_tab_still_names_it(emulator, sheet_settings):
    from zeues.lib.sheets import SheetsError

    sheet_id = sheet_settings.GOOGLE_SHEET_ID
    emulator.create_spreadsheet(sheet_id, {"Operaciones": [["TAG_SPOOL"]], "Roles": [["Id", "Rol"]]})
    with pytest.raises(SheetsError, match="Falta la hoja Trabajadores en la planilla"):
        live_import()


# --- volume (the benchmark's generator, small) ----------------------------------------------


def test_generated_joints_match_their_spools_state(tmp_path):
    report = import_sheet(read_csv_dir(write_generated_sheet(tmp_path, 50, joints=6)), origen="test")
    assert (report.spools.creados, report.uniones.creados, report.issues) == (50, 300, [])
    by_case = {n % 5: Spool.objects.get(tag_spool=generated_tag(n)) for n in range(5, 10)}
    assert [(s.arm, s.uniones_arm, s.uniones_sold) for s in by_case.values()] == [
        ("pendiente", 0, 0),
        ("pausado", 3, 0),
        ("en_progreso", 2, 0),
        ("completado", 6, 3),
        ("completado", 6, 6),
    ]
