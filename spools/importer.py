"""Import the shop's spreadsheet (tabs Trabajadores, Roles, Operaciones) into ZEUES.

Input shape: `{"Operaciones": rows, "Trabajadores": rows, "Roles": rows}`, each a list of lists
of strings, header row first. A CSV export gives that (`read_csv_dir`), and so does the Google
Sheets API (which trims trailing empty cells, hence short rows are normal).

The rules (docs/import.md): columns are found by header name; a row with an invalid value in a
cell we read is rejected whole, never guessed; every row carrying a duplicated TAG_SPOOL is
rejected; the legacy ARM/SOLD/occupation state is taken only when a spool is first created,
after that ZEUES owns it and a re-import updates master data (NV, OT, Fecha_Materiales) only.
Everything runs in one transaction; a dry run rolls it back so its report is exact.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from spools.models import (
    Accion,
    EstadoCalidad,
    EstadoOperacion,
    Event,
    EventType,
    Operacion,
    Rol,
    Spool,
    Worker,
    WorkerRole,
)
from zeues.lib import columns, csvsafe
from zeues.lib.dates import parse_sheet_date, parse_sheet_datetime
from zeues.lib.headers import HeaderMap, normalise_header

OPERACIONES, TRABAJADORES, ROLES = "Operaciones", "Trabajadores", "Roles"
CSV_FILES = {OPERACIONES: "operaciones.csv", TRABAJADORES: "trabajadores.csv", ROLES: "roles.csv"}

# Columns per tab: those without which the tab is unusable, and those read when present.
REQUIRED = {
    TRABAJADORES: columns.TRABAJADORES_REQUIRED,
    ROLES: columns.ROLES_REQUIRED,
    OPERACIONES: (columns.TAG_SPOOL,),
}
OPTIONAL = {
    TRABAJADORES: columns.TRABAJADORES_OPTIONAL,
    ROLES: columns.ROLES_OPTIONAL,
    OPERACIONES: (*columns.MASTER, *columns.ZEUES_OWNED),
}
# Sheet column → Spool field, for the master data a re-import keeps in sync.
MASTER_COLUMNS = dict(zip(columns.MASTER, ("nv", "ot", "fecha_materiales"), strict=True))

BATCH_SIZE = 1000
PROGRESS_EVERY = 500
_MAX_ID = 2_147_483_647  # PostgreSQL integer; a bigger "id" is a typo, not a worker.
_TOKEN = re.compile(r"^([^\W\d_]*)\s*\(\s*(\d+)\s*\)$")
_INTEGER = re.compile(r"^\d+$")
_BOOLEANS = {
    **dict.fromkeys(("true", "verdadero", "1", "si", "s", "yes"), True),
    **dict.fromkeys(("false", "falso", "0", "no", "n"), False),
}
_ROLES = {normalise_header(value): value for value in Rol.values}

_MISSING_COLUMN = "columna no encontrada; se trata como vacía (no cambia ese dato en registros existentes)"

Progress = Callable[[int, int], None]


class SheetImportError(Exception):
    """The input cannot be imported at all (missing file, tab or column); nothing is written."""


# --- report --------------------------------------------------------------------------------


class Severidad(StrEnum):
    """How a reported cell was handled."""

    RECHAZADA = "rechazada"  # the row was not imported (nor updated)
    ERROR = "error"  # the row was imported, without the value reported
    AVISO = "aviso"  # the row was imported as reported; worth a look


@dataclass(frozen=True)
class Issue:
    """One reported cell: where it is in the sheet, what it holds and what was done with it."""

    hoja: str
    fila: int
    columna: str
    valor: str
    severidad: Severidad
    motivo: str

    def line(self) -> str:
        """`fila N, columna X, valor 'V': motivo`, as a person reads it."""
        return f"fila {self.fila}, columna {self.columna}, valor '{self.valor}': {self.motivo}"


@dataclass
class Counts:
    """Created / updated / unchanged records of one kind."""

    creados: int = 0
    actualizados: int = 0
    sin_cambios: int = 0

    def __str__(self) -> str:
        return f"{self.creados} creados, {self.actualizados} actualizados, {self.sin_cambios} sin cambios"


@dataclass
class ImportReport:
    """What an import did, and every row it rejected or doubted."""

    origen: str
    dry_run: bool = False
    trabajadores: Counts = field(default_factory=Counts)
    roles: Counts = field(default_factory=Counts)
    spools: Counts = field(default_factory=Counts)
    filas_en_blanco: int = 0
    issues: list[Issue] = field(default_factory=list)

    def add(self, hoja: str, fila: int, columna: str, valor: str, severidad: Severidad, motivo: str) -> None:
        """Record one issue."""
        self.issues.append(Issue(hoja, fila, columna, valor, severidad, motivo))

    def count(self, severidad: Severidad) -> int:
        """Issues of one severity (rejections are counted per row, not per cell)."""
        if severidad == Severidad.RECHAZADA:
            return len({(i.hoja, i.fila) for i in self.issues if i.severidad == severidad})
        return sum(1 for i in self.issues if i.severidad == severidad)

    def sorted_issues(self) -> list[Issue]:
        """Issues in sheet order: tab, then row."""
        order = {TRABAJADORES: 0, ROLES: 1, OPERACIONES: 2}
        return sorted(self.issues, key=lambda i: (order.get(i.hoja, 9), i.fila))

    def summary_lines(self) -> list[str]:
        """The summary printed after an import."""
        return [
            f"Importación desde {self.origen}",
            f"Trabajadores: {self.trabajadores}",
            f"Roles: {self.roles}",
            f"Spools: {self.spools}",
            f"Filas rechazadas (no importadas): {self.count(Severidad.RECHAZADA)}",
            f"Errores (fila importada sin el valor indicado): {self.count(Severidad.ERROR)}",
            f"Avisos: {self.count(Severidad.AVISO)}",
            f"Filas en blanco omitidas: {self.filas_en_blanco}",
        ]

    def issue_lines(self) -> list[str]:
        """Every reported cell, grouped by tab, each as `[SEVERIDAD] fila N, columna X, ...`."""
        lines: list[str] = []
        hoja = None
        for issue in self.sorted_issues():
            if issue.hoja != hoja:
                hoja = issue.hoja
                lines.append(f"{hoja}:")
            lines.append(f"  [{issue.severidad.upper()}] {issue.line()}")
        return lines

    def write_csv(self, path: str | Path) -> None:
        """Write the issues as CSV (hoja, fila, columna, valor, severidad, motivo).

        `valor` is the sheet's cell as typed, so formula-like text is neutralised (csvsafe).
        """
        with Path(path).open("w", encoding="utf-8", newline="") as fh:
            writer = csvsafe.writer(fh)
            writer.writerow(["hoja", "fila", "columna", "valor", "severidad", "motivo"])
            for i in self.sorted_issues():
                writer.writerow([i.hoja, i.fila, i.columna, i.valor, i.severidad.value, i.motivo])


# --- reading tabs and rows -----------------------------------------------------------------


class Tab:
    """One tab of the sheet: its header map and its data rows, numbered as the sheet shows them."""

    def __init__(self, hoja: str, rows: Sequence[Sequence[str]], report: ImportReport, label: str) -> None:
        if not rows:
            raise SheetImportError(f"No hay fila de encabezados en {label}.")
        self.hoja, self.report, self.rows = hoja, report, rows
        self.headers = HeaderMap(rows[0])
        wanted = REQUIRED[hoja] + OPTIONAL[hoja]
        missing = self.headers.missing(REQUIRED[hoja])
        if missing:
            raise SheetImportError(f"Falta la columna {', '.join(missing)} en {label}.")
        duplicated = self.headers.duplicates(wanted)
        if duplicated:
            raise SheetImportError(f"En {label}: " + "; ".join(str(d) for d in duplicated) + ".")
        self.index = {name: self.headers.index(name) for name in wanted}
        for name in self.headers.missing(OPTIONAL[hoja]):
            report.add(hoja, 1, name, "", Severidad.AVISO, _MISSING_COLUMN)

    def has(self, name: str) -> bool:
        """Whether the sheet has this column."""
        return self.index[name] is not None

    def data_rows(self) -> Iterator[Row]:
        """Rows after the header; entirely blank rows are counted and skipped."""
        for number, cells in enumerate(self.rows[1:], start=2):
            if all(not str(c or "").strip() for c in cells):
                self.report.filas_en_blanco += 1
                continue
            yield Row(self, cells, number)


class Row:
    """One data row: its cells by column name, and the issues found while reading it."""

    def __init__(self, tab: Tab, cells: Sequence[str], fila: int) -> None:
        self.tab, self.cells, self.fila = tab, cells, fila
        self.rejected = False
        # Off for spools ZEUES already has: their legacy state is not used, so notes about how
        # it would have been imported are noise. Rejections are always reported.
        self.notes = True

    def raw(self, name: str) -> str:
        """The cell as written ("" for an absent column or a trimmed short row)."""
        return HeaderMap.cell(self.cells, self.tab.index[name])

    def text(self, name: str) -> str:
        """The cell without surrounding spaces."""
        return self.raw(name).strip()

    def _add(self, name: str, severidad: Severidad, motivo: str) -> None:
        column = self.tab.headers.header(name)
        self.tab.report.add(self.tab.hoja, self.fila, column, self.raw(name), severidad, motivo)

    def reject(self, name: str, motivo: str, *, consecuencia: str = "la fila no se importa") -> None:
        """Report the cell and reject the whole row."""
        self.rejected = True
        self._add(name, Severidad.RECHAZADA, f"{motivo}; {consecuencia}")

    def error(self, name: str, motivo: str) -> None:
        """Report a value that was dropped while the row is still imported."""
        if self.notes:
            self._add(name, Severidad.ERROR, motivo)

    def warn(self, name: str, motivo: str) -> None:
        """Report a doubtful value that was imported as explained."""
        if self.notes:
            self._add(name, Severidad.AVISO, motivo)

    def date(self, name: str) -> datetime.date | None:
        """A date cell; None when empty; rejects the row when unparseable."""
        text = self.text(name)
        if not text:
            return None
        try:
            return parse_sheet_date(text)
        except ValueError as exc:
            self.reject(name, f"fecha no válida: {_reason(exc)}")
            return None

    def integer(self, name: str, *, minimum: int = 0) -> int | None:
        """A whole-number cell; None when empty; rejects the row otherwise."""
        text = self.text(name)
        if not text:
            return None
        if not _INTEGER.match(text) or not minimum <= int(text) <= _MAX_ID:
            self.reject(name, "no es un número entero válido")
            return None
        return int(text)

    def boolean(self, name: str) -> bool | None:
        """TRUE/FALSE (also VERDADERO/FALSO, 1/0, sí/no); None when empty; rejects otherwise."""
        text = self.text(name)
        if not text:
            return None
        value = _BOOLEANS.get(normalise_header(text))
        if value is None:
            self.reject(name, "no es TRUE ni FALSE")
        return value

    def limited(self, name: str, max_length: int) -> str:
        """A text cell that must fit its database column; rejects the row when too long."""
        text = self.text(name)
        if len(text) > max_length:
            self.reject(name, f"tiene más de {max_length} caracteres")
        return text

    def worker(self, name: str, tokens: Mapping[int, str], sin: str) -> tuple[bool, int | None]:
        """A worker token `MR(93)`: (cell names a worker, known worker id or None)."""
        text = self.text(name)
        if not text:
            return False, None
        match = _TOKEN.match(text)
        if match is None:
            self.reject(name, "no es un trabajador con formato INICIALES(ID), p. ej. MR(93)")
            return False, None
        initials, worker_id = match.group(1), int(match.group(2))
        token = tokens.get(worker_id)
        if token is None:
            self.error(name, f"no existe el trabajador con Id {worker_id}; {sin}")
            return True, None
        if normalise_header(initials) != normalise_header(token.partition("(")[0]):
            self.warn(name, f"las iniciales no coinciden con el trabajador {token}; se usa el Id {worker_id}")
        return True, worker_id


def _reason(exc: ValueError) -> str:
    """The reason of a date parser error without the value it repeats (the report shows it)."""
    return str(exc).partition(":")[0]


def reject_duplicates(keyed: Mapping[Any, list[Row]], column: str, what: str) -> None:
    """Reject every row of every key that appears on more than one row."""
    for key, rows in keyed.items():
        if len(rows) < 2:
            continue
        numbers = [str(r.fila) for r in rows]
        listed = ", ".join(numbers[:-1]) + " y " + numbers[-1]
        for row in rows:
            row.reject(
                column, f"{what} {key} repetido en las filas {listed}", consecuencia="no se importa ninguna"
            )


# --- Trabajadores and Roles ----------------------------------------------------------------


@dataclass
class SheetWorker:
    """One valid Trabajadores row."""

    fila: int
    id: int
    nombre: str
    apellido: str | None  # None: column absent, leave as is
    activo: bool | None  # None: empty or absent, leave as is (new workers are active)


def read_workers(tab: Tab) -> list[SheetWorker]:
    """Valid Trabajadores rows; invalid and duplicated ids are reported and left out."""
    by_id: dict[int, list[Row]] = defaultdict(list)
    parsed: list[tuple[Row, SheetWorker]] = []
    for row in tab.data_rows():
        worker_id = row.integer("Id", minimum=1)
        if worker_id is None and not row.rejected:
            row.reject("Id", "fila con datos pero sin Id")
        nombre = row.limited("Nombre", 100)
        if not nombre:
            row.reject("Nombre", "el trabajador no tiene Nombre")
        apellido = row.limited("Apellido", 100) if tab.has("Apellido") else None
        activo = row.boolean("Activo")
        if activo is None and tab.has("Activo") and not row.text("Activo"):
            row.warn("Activo", "Activo vacío; un trabajador nuevo queda activo y uno existente no cambia")
        if worker_id is not None:
            by_id[worker_id].append(row)
        parsed.append((row, SheetWorker(row.fila, worker_id or 0, nombre, apellido, activo)))
    reject_duplicates(by_id, "Id", "Id")
    return [w for row, w in parsed if not row.rejected]


def upsert_workers(items: list[SheetWorker], counts: Counts, now: datetime.datetime) -> None:
    """Create new workers and update changed names and Activo, in bulk."""
    existing = Worker.objects.in_bulk()
    new, changed = [], []
    for item in items:
        worker = existing.get(item.id)
        if worker is None:
            activo = True if item.activo is None else item.activo
            new.append(Worker(id=item.id, nombre=item.nombre, apellido=item.apellido or "", activo=activo))
            continue
        wanted = {"nombre": item.nombre, "apellido": item.apellido, "activo": item.activo}
        diff = {k: v for k, v in wanted.items() if v is not None and getattr(worker, k) != v}
        for attr, value in diff.items():
            setattr(worker, attr, value)
        if diff:
            worker.updated_at = now
            changed.append(worker)
    Worker.objects.bulk_create(new, batch_size=BATCH_SIZE)
    Worker.objects.bulk_update(changed, ["nombre", "apellido", "activo", "updated_at"], batch_size=BATCH_SIZE)
    counts.creados, counts.actualizados = len(new), len(changed)
    counts.sin_cambios = len(items) - len(new) - len(changed)


@dataclass
class SheetRole:
    """One valid Roles row."""

    fila: int
    worker_id: int
    rol: str
    activo: bool | None


def read_roles(tab: Tab, worker_ids: set[int]) -> list[SheetRole]:
    """Valid Roles rows; unknown roles or workers and duplicated pairs are reported and left out."""
    by_pair: dict[str, list[Row]] = defaultdict(list)
    parsed: list[tuple[Row, SheetRole]] = []
    for row in tab.data_rows():
        worker_id = row.integer("Id", minimum=1)
        if worker_id is None and not row.rejected:
            row.reject("Id", "fila con datos pero sin Id")
        elif worker_id is not None and worker_id not in worker_ids:
            row.reject("Id", f"no existe el trabajador con Id {worker_id}")
        rol = _ROLES.get(normalise_header(row.text("Rol")), "")
        if not rol:
            row.reject("Rol", "rol desconocido (válidos: " + ", ".join(Rol.values) + ")")
        activo = row.boolean("Activo")
        if worker_id is not None and rol:
            by_pair[f"{rol} del trabajador {worker_id}"].append(row)
        parsed.append((row, SheetRole(row.fila, worker_id or 0, rol, activo)))
    reject_duplicates(by_pair, "Rol", "el rol")
    return [r for row, r in parsed if not row.rejected]


def upsert_roles(items: list[SheetRole], counts: Counts) -> None:
    """Create new worker roles and update Activo of existing ones, in bulk."""
    existing = {(r.worker_id, r.rol): r for r in WorkerRole.objects.all()}
    new, changed = [], []
    for item in items:
        role = existing.get((item.worker_id, item.rol))
        if role is None:
            activo = True if item.activo is None else item.activo
            new.append(WorkerRole(worker_id=item.worker_id, rol=item.rol, activo=activo))
        elif item.activo is not None and role.activo != item.activo:
            role.activo = item.activo
            changed.append(role)
    WorkerRole.objects.bulk_create(new, batch_size=BATCH_SIZE)
    WorkerRole.objects.bulk_update(changed, ["activo"], batch_size=BATCH_SIZE)
    counts.creados, counts.actualizados = len(new), len(changed)
    counts.sin_cambios = len(items) - len(new) - len(changed)


# --- Operaciones: the legacy state ---------------------------------------------------------


@dataclass(frozen=True)
class LegacyState:
    """A spool's state as the old system left it in the sheet; used once, when ZEUES creates it."""

    arm: str = EstadoOperacion.PENDIENTE
    sold: str = EstadoOperacion.PENDIENTE
    armador_id: int | None = None
    soldador_id: int | None = None
    fecha_armado: datetime.date | None = None
    fecha_soldadura: datetime.date | None = None
    ocupado_por_id: int | None = None
    fecha_ocupacion: datetime.datetime | None = None
    operacion_actual: str = ""
    version: int = 0
    calidad: str = EstadoCalidad.PENDIENTE
    ciclo: int = 0
    fecha_qc_metrologia: datetime.date | None = None
    # Kept verbatim for the IMPORT event; the quality state above was parsed from it once.
    estado_detalle: str = ""

    def spool_fields(self) -> dict[str, Any]:
        """Keyword arguments for `Spool(...)` (the FSM fields may only be set this way)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "estado_detalle"}


def _machine_state(fecha: datetime.date | None, named: bool, holds: bool) -> str:
    """ARM or SOLD from the legacy columns: date → completado; worker → en_progreso/pausado."""
    if fecha is not None:
        return EstadoOperacion.COMPLETADO
    if named:
        return EstadoOperacion.EN_PROGRESO if holds else EstadoOperacion.PAUSADO
    return EstadoOperacion.PENDIENTE


def legacy_occupation(row: Row, tokens: Mapping[int, str]) -> tuple[int | None, datetime.datetime | None]:
    """Ocupado_Por + Fecha_Ocupacion: (worker id, since), or (None, None) when not usable."""
    named, worker_id = row.worker("Ocupado_Por", tokens, "se importa sin ocupar")
    fecha_text = row.text("Fecha_Ocupacion")
    if not named:
        if fecha_text:
            row.warn("Fecha_Ocupacion", "hay Fecha_Ocupacion pero no Ocupado_Por; se ignora")
        return None, None
    if worker_id is None:
        return None, None
    if not fecha_text:
        row.error(
            "Fecha_Ocupacion", f"falta la fecha de ocupación de {tokens[worker_id]}; se importa sin ocupar"
        )
        return None, None
    try:
        return worker_id, parse_sheet_datetime(fecha_text)
    except ValueError as exc:
        row.error("Fecha_Ocupacion", f"fecha no válida: {_reason(exc)}; se importa sin ocupar")
        return None, None


# The old system kept the quality loop only inside Estado_Detalle: this is the one place a
# display string is ever parsed. Anything else in the string is ARM/SOLD text, read from columns.
_QUALITY_PATTERNS = [
    (re.compile(r"^METROLOGIA APROBADO"), EstadoCalidad.APROBADO),
    (re.compile(r"^RECHAZADO \(Ciclo (\d+)(?:/\d+)?\)"), EstadoCalidad.RECHAZADO),
    (re.compile(r"^EN_REPARACION \(Ciclo (\d+)(?:/\d+)?\)"), EstadoCalidad.REPARACION_PAUSADA),
    (re.compile(r"^REPARACION_PAUSADA \(Ciclo (\d+)(?:/\d+)?\)"), EstadoCalidad.REPARACION_PAUSADA),
    (re.compile(r"^PENDIENTE_METROLOGIA \(Ciclo (\d+)(?:/\d+)?\)"), EstadoCalidad.PENDIENTE_METROLOGIA),
    (re.compile(r"^BLOQUEADO\b"), EstadoCalidad.BLOQUEADO),
]


def _parse_quality(text: str) -> tuple[str, int] | None:
    for pattern, calidad in _QUALITY_PATTERNS:
        if (match := pattern.match(text)) is not None:
            if calidad == EstadoCalidad.BLOQUEADO:
                return calidad, settings.ZEUES_MAX_CICLOS or 3
            return calidad, int(match.group(1)) if match.groups() else 0
    return None


def legacy_quality(row: Row, *, welded: bool) -> tuple[str, int, datetime.date | None]:
    """(calidad, ciclo, Fecha_QC_Metrología) from Estado_Detalle and the approval date."""
    fecha_qc = row.date("Fecha_QC_Metrología")
    text = row.text("Estado_Detalle")
    parsed = _parse_quality(text)
    if parsed is None:
        if fecha_qc is None:
            return EstadoCalidad.PENDIENTE, 0, None
        parsed = (EstadoCalidad.APROBADO, 0)
    calidad, ciclo = parsed
    if not welded:
        row.error("Estado_Detalle", "estado de calidad sin ARM y SOLD completados; se importa sin metrología")
        return EstadoCalidad.PENDIENTE, 0, None
    if calidad == EstadoCalidad.APROBADO:
        if fecha_qc is None:
            row.warn(
                "Fecha_QC_Metrología", "METROLOGIA APROBADO sin fecha de aprobación; se importa sin fecha"
            )
        return calidad, 0, fecha_qc
    if fecha_qc is not None:
        # The old system wrote the approval date on rejections too (a known bug).
        row.warn("Fecha_QC_Metrología", f"fecha de aprobación junto a '{text}': se ignora la fecha")
    if text.startswith("EN_REPARACION"):
        row.warn(
            "Estado_Detalle",
            "reparación en curso en la planilla: se importa como reparación pausada, sin ocupar",
        )
    return calidad, ciclo, None


def legacy_state(row: Row, tokens: Mapping[int, str]) -> LegacyState:
    """Assemble the legacy state of one Operaciones row: the one place that interprets it."""
    fecha_armado, fecha_soldadura = row.date("Fecha_Armado"), row.date("Fecha_Soldadura")
    arm_named, armador_id = row.worker("Armador", tokens, "se importa sin Armador")
    sold_named, soldador_id = row.worker("Soldador", tokens, "se importa sin Soldador")
    version = row.integer("version") or 0
    occupant, since = legacy_occupation(row, tokens)
    # The occupant works on the operation they are named on and have not finished; ARM first,
    # since one occupation cannot be two operations.
    arm = _machine_state(fecha_armado, arm_named, occupant is not None and armador_id == occupant)
    arm_held = arm == EstadoOperacion.EN_PROGRESO
    sold_holds = occupant is not None and not arm_held and soldador_id == occupant
    sold = _machine_state(fecha_soldadura, sold_named, sold_holds)
    operacion = Operacion.ARM if arm_held else Operacion.SOLD if sold_holds else ""
    welded = arm == sold == EstadoOperacion.COMPLETADO
    calidad, ciclo, fecha_qc = legacy_quality(row, welded=welded)
    if occupant is not None and not operacion:
        row.error(
            "Ocupado_Por",
            "no es el Armador ni el Soldador de una operación sin terminar; se importa sin ocupar",
        )
        occupant = since = None
    return LegacyState(
        arm=arm,
        sold=sold,
        armador_id=armador_id,
        soldador_id=soldador_id,
        fecha_armado=fecha_armado,
        fecha_soldadura=fecha_soldadura,
        ocupado_por_id=occupant,
        fecha_ocupacion=since,
        operacion_actual=operacion,
        version=version,
        calidad=calidad,
        ciclo=ciclo,
        fecha_qc_metrologia=fecha_qc,
        estado_detalle=row.text("Estado_Detalle"),
    )


# --- Operaciones: rows to spools ------------------------------------------------------------


@dataclass
class SheetSpool:
    """One valid Operaciones row: master data (present columns only) and legacy state."""

    fila: int
    tag: str
    master: dict[str, Any]
    legacy: LegacyState


def row_tag(row: Row) -> str:
    """TAG_SPOOL without surrounding spaces (reported); "" rejects the row."""
    raw, tag = row.raw("TAG_SPOOL"), row.text("TAG_SPOOL")
    if not tag:
        row.reject("TAG_SPOOL", "fila con datos pero sin TAG_SPOOL")
    elif len(tag) > 100:
        row.reject("TAG_SPOOL", "tiene más de 100 caracteres")
    elif raw != tag:
        row.warn("TAG_SPOOL", f"TAG_SPOOL con espacios alrededor; se importa como '{tag}'")
    return tag


def read_spool(row: Row, tag: str, tokens: Mapping[int, str], *, known: bool) -> SheetSpool | None:
    """The spool a row describes, or None when the row is rejected."""
    row.notes = not known
    master: dict[str, Any] = {}
    for column, attr in MASTER_COLUMNS.items():
        if row.tab.has(column):
            master[attr] = row.date(column) if attr == "fecha_materiales" else row.limited(column, 50)
    legacy = legacy_state(row, tokens)
    return None if row.rejected else SheetSpool(row.fila, tag, master, legacy)


def read_spools(
    tab: Tab, tokens: Mapping[int, str], known: Container[str], progress: Progress | None
) -> list[SheetSpool]:
    """Valid Operaciones rows; duplicated tags reject every row that carries them."""
    by_tag: dict[str, list[Row]] = defaultdict(list)
    for row in tab.data_rows():
        tag = row_tag(row)
        if tag:
            by_tag[tag].append(row)
    reject_duplicates(by_tag, "TAG_SPOOL", "TAG_SPOOL")
    total, spools = len(by_tag), []
    for done, (tag, rows) in enumerate(by_tag.items(), start=1):
        row = rows[0]
        if not row.rejected and (item := read_spool(row, tag, tokens, known=tag in known)) is not None:
            spools.append(item)
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
    return spools


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _import_event(
    spool: Spool, accion: str, cambios: dict[str, Any], fila: int, origen: str, now: datetime.datetime
) -> Event:
    """An IMPORT audit event, built for bulk_create (Event.save is insert-only anyway)."""
    return Event(
        id=uuid.uuid4(),
        timestamp=now,
        evento_tipo=EventType.IMPORT,
        spool_id=spool.pk,
        tag_spool=spool.tag_spool,
        worker=None,
        worker_token="",
        operacion="",
        accion=Accion.IMPORT,
        fecha_operacion=timezone.localdate(now),
        details={"accion": accion, "cambios": cambios, "fila": fila, "origen": origen},
    )


def create_spools(items: list[SheetSpool], origen: str, now: datetime.datetime) -> list[Event]:
    """Create the new spools with master data and legacy state; their IMPORT events."""
    spools = [Spool(tag_spool=i.tag, **i.master, **i.legacy.spool_fields()) for i in items]
    Spool.objects.bulk_create(spools, batch_size=BATCH_SIZE)
    if any(s.pk is None for s in spools):  # backends that cannot return ids from bulk inserts
        ids = dict(
            Spool.objects.filter(tag_spool__in=[s.tag_spool for s in spools]).values_list("tag_spool", "id")
        )
        for spool in spools:
            spool.pk = ids[spool.tag_spool]
    events = []
    for item, spool in zip(items, spools, strict=True):
        cambios = {k: _json(v) for k, v in {**item.master, **item.legacy.spool_fields()}.items()}
        # Kept for the later mapping of the legacy quality state (RECHAZADO, BLOQUEADO).
        cambios["estado_detalle_hoja"] = item.legacy.estado_detalle
        events.append(_import_event(spool, "creado", cambios, item.fila, origen, now))
    return events


def update_spools(
    items: list[SheetSpool], existing: Mapping[str, Spool], origen: str, now: datetime.datetime
) -> tuple[list[Event], int]:
    """Bring master data of existing spools in line with the sheet; never touch their state."""
    changed, events = [], []
    for item in items:
        spool = existing[item.tag]
        cambios = {
            attr: {"antes": _json(getattr(spool, attr)), "despues": _json(value)}
            for attr, value in item.master.items()
            if getattr(spool, attr) != value
        }
        if cambios:
            for attr, value in item.master.items():
                setattr(spool, attr, value)
            spool.updated_at = now
            changed.append(spool)
            events.append(_import_event(spool, "actualizado", cambios, item.fila, origen, now))
    fields = [*MASTER_COLUMNS.values(), "updated_at"]
    Spool.objects.bulk_update(changed, fields, batch_size=BATCH_SIZE)
    return events, len(changed)


def import_operaciones(
    tab: Tab,
    tokens: Mapping[int, str],
    report: ImportReport,
    progress: Progress | None,
    now: datetime.datetime,
) -> None:
    """Create new spools, update master data of known ones, append one IMPORT event for each."""
    existing = {s.tag_spool: s for s in Spool.objects.only("id", "tag_spool", *MASTER_COLUMNS.values())}
    items = read_spools(tab, tokens, existing, progress)
    origen, counts = report.origen, report.spools
    new = [i for i in items if i.tag not in existing]
    known = [i for i in items if i.tag in existing]
    events = create_spools(new, origen, now)
    update_events, updated = update_spools(known, existing, origen, now)
    Event.objects.bulk_create(events + update_events, batch_size=BATCH_SIZE)
    counts.creados, counts.actualizados, counts.sin_cambios = len(new), updated, len(known) - updated


# --- entry points --------------------------------------------------------------------------


def _serialise_imports() -> None:
    """Two imports at once would race on new tags; on PostgreSQL the second one waits."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('zeues-import-sheet'))")


def import_sheet(
    tabs: Mapping[str, Sequence[Sequence[str]]],
    *,
    origen: str,
    dry_run: bool = False,
    labels: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    now: datetime.datetime | None = None,
) -> ImportReport:
    """Import the three tabs in one transaction (rolled back when `dry_run`) and report."""
    report = ImportReport(origen=origen, dry_run=dry_run)
    now = now or timezone.now()
    labels = labels or {}
    for hoja in (TRABAJADORES, ROLES, OPERACIONES):
        if hoja not in tabs:
            raise SheetImportError(f"Falta la hoja {labels.get(hoja, hoja)}.")
    opened = {
        h: Tab(h, tabs[h], report, labels.get(h, f"la hoja {h}")) for h in (TRABAJADORES, ROLES, OPERACIONES)
    }
    with transaction.atomic():
        _serialise_imports()
        upsert_workers(read_workers(opened[TRABAJADORES]), report.trabajadores, now)
        workers = list(Worker.objects.all())
        upsert_roles(read_roles(opened[ROLES], {w.pk for w in workers}), report.roles)
        tokens = {w.pk: w.token for w in workers}
        import_operaciones(opened[OPERACIONES], tokens, report, progress, now)
        if dry_run:
            transaction.set_rollback(True)
    return report


def read_csv_dir(directory: str | Path) -> dict[str, list[list[str]]]:
    """Read operaciones.csv, trabajadores.csv and roles.csv (UTF-8, BOM allowed) into tabs."""
    folder = Path(directory)
    if not folder.is_dir():
        raise SheetImportError(f"No existe la carpeta {folder}.")
    tabs = {}
    for hoja, name in CSV_FILES.items():
        path = folder / name
        if not path.is_file():
            raise SheetImportError(f"Falta el archivo {name} en {folder}.")
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                tabs[hoja] = list(csv.reader(fh))
        except UnicodeDecodeError as exc:
            raise SheetImportError(f"{name} no está en UTF-8 (expórtelo como «CSV UTF-8»): {exc}") from exc
        except csv.Error as exc:
            raise SheetImportError(f"{name} no es un CSV válido: {exc}") from exc
    return tabs
