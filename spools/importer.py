"""Import the shop's spreadsheet (tabs Trabajadores, Roles, Operaciones, Uniones) into ZEUES.

Input shape: `{"Operaciones": rows, "Trabajadores": rows, "Roles": rows, "Uniones": rows}`, each a
list of lists of strings, header row first; `Uniones` may be absent (a whole-spool shop). A CSV export gives that (`read_csv_dir`), and so does the Google
Sheets API (which trims trailing empty cells, hence short rows are normal).

The rules (docs/import.md): columns are found by header name; a row with an invalid value in a
cell we read is rejected whole, never guessed; every row carrying a duplicated TAG_SPOOL is
rejected; the legacy ARM/SOLD/occupation state is taken only when a spool is first created,
after that ZEUES owns it and a re-import updates master data (NV, OT, Fecha_Materiales) only.
Joints follow the same rule: their legacy work is taken when ZEUES creates them; a re-import adds
new joints, refreshes DN/type of joints without recorded work and the NDT department's columns.
Everything runs in one transaction; a dry run rolls it back so its report is exact.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import functools
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from spools import kpi_facts
from spools.joints import PROGRESS_FIELDS, store_progress
from spools.models import (
    Accion,
    EstadoCalidad,
    EstadoOperacion,
    Event,
    EventType,
    Operacion,
    Rol,
    Spool,
    TipoUnion,
    Union,
    Worker,
    WorkerRole,
)
from zeues.lib import columns, csvsafe
from zeues.lib.dates import parse_sheet_date, parse_sheet_datetime, shop_tz
from zeues.lib.dn import DnInvalido, parse_dn
from zeues.lib.headers import HeaderMap, normalise_header

OPERACIONES, TRABAJADORES, ROLES, UNIONES = "Operaciones", "Trabajadores", "Roles", columns.UNIONES
# Uniones is optional: a sheet (or folder) without it is a whole-spool shop.
CSV_FILES = {
    OPERACIONES: "operaciones.csv",
    TRABAJADORES: "trabajadores.csv",
    ROLES: "roles.csv",
    UNIONES: "uniones.csv",
}
REQUIRED_TABS = (TRABAJADORES, ROLES, OPERACIONES)

# Columns per tab: those without which the tab is unusable, and those read when present.
REQUIRED = {
    TRABAJADORES: columns.TRABAJADORES_REQUIRED,
    ROLES: columns.ROLES_REQUIRED,
    OPERACIONES: (columns.TAG_SPOOL,),
    UNIONES: columns.UNIONES_REQUIRED,
}
OPTIONAL = {
    TRABAJADORES: columns.TRABAJADORES_OPTIONAL,
    ROLES: columns.ROLES_OPTIONAL,
    OPERACIONES: (*columns.MASTER, *columns.ZEUES_OWNED),
    UNIONES: (*columns.UNIONES_ZEUES_OWNED, *columns.UNIONES_NDT),
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

# progress(hoja, done, total): rows of that tab read so far.
Progress = Callable[[str, int, int], None]


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
        """`fila N, columna X, valor 'V': motivo`, as a person reads it (`sin fila` for fila 0)."""
        where = f"fila {self.fila}" if self.fila else "sin fila"
        return f"{where}, columna {self.columna}, valor '{self.valor}': {self.motivo}"


@dataclass
class Counts:
    """Created / updated / unchanged records of one kind."""

    creados: int = 0
    actualizados: int = 0
    sin_cambios: int = 0
    femenino: bool = False  # "uniones: 3 creadas"

    def __str__(self) -> str:
        o = "a" if self.femenino else "o"
        return f"{self.creados} cread{o}s, {self.actualizados} actualizad{o}s, {self.sin_cambios} sin cambios"


@dataclass
class ImportReport:
    """What an import did, and every row it rejected or doubted."""

    origen: str
    dry_run: bool = False
    trabajadores: Counts = field(default_factory=Counts)
    roles: Counts = field(default_factory=Counts)
    spools: Counts = field(default_factory=Counts)
    uniones: Counts = field(default_factory=lambda: Counts(femenino=True))
    hoja_uniones: bool = False  # whether the sheet had a Uniones tab at all
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
        """Issues in sheet order: tab, then row (notes about no row, `fila` 0, last)."""
        order = {TRABAJADORES: 0, ROLES: 1, OPERACIONES: 2, UNIONES: 3}
        return sorted(self.issues, key=lambda i: (order.get(i.hoja, 9), i.fila or _MAX_ID))

    def summary_lines(self) -> list[str]:
        """The summary printed after an import."""
        return [
            f"Importación desde {self.origen}",
            f"Trabajadores: {self.trabajadores}",
            f"Roles: {self.roles}",
            f"Spools: {self.spools}",
            f"Uniones: {self.uniones}"
            if self.hoja_uniones
            else "Uniones: no hay hoja Uniones (no cambia ninguna unión)",
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
                writer.writerow([i.hoja, i.fila or "", i.columna, i.valor, i.severidad.value, i.motivo])


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

    def warn(self, name: str, motivo: str, *, always: bool = False) -> None:
        """Report a doubtful value that was imported as explained (`always`: even when notes are off)."""
        if self.notes or always:
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

    def datetime(self, name: str) -> datetime.datetime | None:
        """A date-time cell (shop time); None when empty; rejects the row when unparseable."""
        text = self.text(name)
        if not text:
            return None
        try:
            return _datetime(text)
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
        if not _initials_match(initials, token):
            self.warn(name, f"las iniciales no coinciden con el trabajador {token}; se usa el Id {worker_id}")
        return True, worker_id


# A sheet repeats timestamps (joints recorded together); the result is immutable.
_datetime = functools.lru_cache(maxsize=65_536)(parse_sheet_datetime)


@functools.lru_cache(maxsize=1024)
def _initials_match(initials: str, token: str) -> bool:
    """`mr` matches `MR(93)` (case and accents aside); cached: a sheet repeats a few tokens a lot."""
    return normalise_header(initials) == normalise_header(token.partition("(")[0])


def _reason(exc: ValueError) -> str:
    """The reason of a date parser error without the value it repeats (the report shows it)."""
    return str(exc).partition(":")[0]


def reject_duplicates(
    keyed: Mapping[Any, list[Row]], column: str, what: str, *, repetido: str = "repetido"
) -> None:
    """Reject every row of every key that appears on more than one row."""
    for key, rows in keyed.items():
        if len(rows) < 2:
            continue
        numbers = [str(r.fila) for r in rows]
        listed = ", ".join(numbers[:-1]) + " y " + numbers[-1]
        for row in rows:
            row.reject(
                column, f"{what} {key} {repetido} en las filas {listed}", consecuencia="no se importa ninguna"
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
) -> tuple[list[SheetSpool], list[str]]:
    """Valid Operaciones rows and every tag seen; duplicated tags reject every row carrying them."""
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
            progress(OPERACIONES, done, total)
    return spools, list(by_tag)


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value.isoformat() if isinstance(value, datetime.date) else value


def _import_event(
    spool: Spool, accion: str, cambios: dict[str, Any], fila: int | None, origen: str, now: datetime.datetime
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


@dataclass
class ImportedSpools:
    """What the Operaciones part leaves for the Uniones part: the IMPORT events still to insert
    (by spool id, so joint changes join the spool's one event) and where each tag was."""

    events: dict[int, Event]
    filas: dict[str, int]  # valid rows: tag → row
    rejected: set[str]  # tags whose every row was rejected


def import_operaciones(
    tab: Tab,
    tokens: Mapping[int, str],
    report: ImportReport,
    progress: Progress | None,
    now: datetime.datetime,
) -> ImportedSpools:
    """Create new spools and update master data of known ones; their IMPORT events (not inserted)."""
    existing = {s.tag_spool: s for s in Spool.objects.only("id", "tag_spool", *MASTER_COLUMNS.values())}
    items, tags = read_spools(tab, tokens, existing, progress)
    origen, counts = report.origen, report.spools
    new = [i for i in items if i.tag not in existing]
    known = [i for i in items if i.tag in existing]
    events = create_spools(new, origen, now)
    update_events, updated = update_spools(known, existing, origen, now)
    counts.creados, counts.actualizados, counts.sin_cambios = len(new), updated, len(known) - updated
    filas = {i.tag: i.fila for i in items}
    by_spool = {e.spool_id: e for e in events + update_events if e.spool_id is not None}
    return ImportedSpools(by_spool, filas, set(tags) - set(filas))


# --- Uniones: rows to joints ----------------------------------------------------------------
# One row per joint, keyed by TAG_SPOOL + N_UNION (the sheet's ID column is a row number). The
# joint's legacy work (ARM_*, SOL_*) is read only when ZEUES creates the joint; a known joint gets
# its DN and type refreshed while ZEUES has no work recorded on it, and its NDT_* cells (the NDT
# department's, never written by ZEUES) on every import.


class JointKey(NamedTuple):
    """A joint as the sheet names it."""

    tag: str
    n_union: int

    def __str__(self) -> str:
        return f"{self.tag} #{self.n_union}"


@dataclass(frozen=True)
class JointWork:
    """One operation on a joint as the old system left it: who, and from when to when."""

    worker_id: int | None
    inicio: datetime.datetime | None
    fin: datetime.datetime

    def fields(self, op: str) -> dict[str, Any]:
        """`arm_worker_id`, `arm_inicio`, `arm_fin`, `arm_fecha` (the shop's day of the end)."""
        return {
            f"{op}_worker_id": self.worker_id,
            f"{op}_inicio": self.inicio,
            f"{op}_fin": self.fin,
            f"{op}_fecha": self.fin.astimezone(shop_tz()).date(),
        }


@dataclass
class SheetJoint:
    """One valid Uniones row."""

    fila: int
    key: JointKey
    dn: Decimal
    tipo: str
    ndt: dict[str, Any]  # the NDT columns present in the sheet: Union field → value
    arm: JointWork | None
    sold: JointWork | None

    def new_union(self, spool_id: int) -> dict[str, Any]:
        """The fields of the joint ZEUES creates from this row, with its legacy work.

        Plain values, not a `Union`: building 200,000 model instances cost ~5 s (measured).
        """
        work = {
            **(self.arm.fields("arm") if self.arm else {}),
            **(self.sold.fields("sold") if self.sold else {}),
        }
        return {"spool_id": spool_id, "n_union": self.key.n_union, "dn": self.dn, "tipo": self.tipo} | {
            **self.ndt,
            **work,
        }


# Per operation: its columns (start, end, worker) and the words of the report.
_WORK = {
    "arm": (("ARM_FECHA_INICIO", "ARM_FECHA_FIN", "ARM_WORKER"), "armada", "armador", "ARM"),
    "sold": (("SOL_FECHA_INICIO", "SOL_FECHA_FIN", "SOL_WORKER"), "soldada", "soldador", "SOLD"),
}
NDT_COLUMNS = dict(
    zip(columns.UNIONES_NDT, ("ndt_metodo", "ndt_informe", "ndt_fecha", "ndt_resultado"), strict=True)
)
_TIPOS = frozenset(TipoUnion.values)
_NDT_LENGTH = {"ndt_metodo": 20, "ndt_informe": 100, "ndt_resultado": 20}
_STORED = (
    "id",
    "spool_id",
    "n_union",
    "dn",
    "tipo",
    "arm_fin",
    "sold_fin",
    "anulada",
    "version",
    *NDT_COLUMNS.values(),
)


def joint_key(row: Row) -> JointKey | None:
    """TAG_SPOOL + N_UNION of a row, or None when the row is rejected for lack of one."""
    tag = row_tag(row)
    n_union = row.integer(columns.N_UNION, minimum=1)
    if n_union is None and not row.rejected:
        row.reject(columns.N_UNION, "fila con datos pero sin N_UNION")
    return JointKey(tag, n_union) if tag and n_union is not None else None


def joint_dn(row: Row) -> Decimal | None:
    """DN_UNION in inches (`2`, `2.5`, `2,5`, `1 1/2`); rejects the row when missing or invalid."""
    text = row.text("DN_UNION")
    if not text:
        row.reject("DN_UNION", "falta el DN de la unión")
        return None
    try:
        return parse_dn(text)
    except DnInvalido as exc:
        row.reject("DN_UNION", str(exc).rstrip("."))
        return None


def dn_note(row: Row, dn: Decimal) -> None:
    """A DN written with a decimal comma or as a fraction is read, and said how, where it is used."""
    text = row.text("DN_UNION")
    how = "con coma decimal" if "," in text else "como fracción" if "/" in text else ""
    if how:
        row.warn("DN_UNION", f"DN escrito {how}; se importa como {_inches(dn)} pulgadas", always=True)


def _inches(dn: Decimal) -> str:
    """`2.5`, `8`: a DN as the report shows it (a point, so `2,5` is never read back as two numbers)."""
    return format(dn.normalize(), "f")


def joint_tipo(row: Row) -> str:
    """TIPO_UNION in any case and spacing (` bw ` = `BW`); rejects the row when unknown or missing."""
    tipo = "".join(row.text("TIPO_UNION").split()).upper()
    if tipo not in _TIPOS:
        valid = ", ".join(TipoUnion.values)
        row.reject("TIPO_UNION", f"tipo de unión desconocido (válidos: {valid})" if tipo else "falta el tipo")
    return tipo


def joint_work(row: Row, op: str, tokens: Mapping[int, str]) -> JointWork | None:
    """ARM_* or SOL_*: the work the old system recorded, None when the joint was not finished."""
    (col_inicio, col_fin, col_worker), hecha, quien, nombre = _WORK[op]
    inicio, fin = row.datetime(col_inicio), row.datetime(col_fin)
    sin = f"se importa {hecha} sin {quien}" if fin is not None else f"se importa sin {nombre}"
    named, worker_id = row.worker(col_worker, tokens, sin)
    if fin is None:
        if worker_id is not None or (inicio is not None and not named):
            column = col_worker if named else col_inicio
            row.warn(column, f"{column} sin {col_fin}: la unión no está {hecha}; se importa sin {nombre}")
        return None
    if not named:
        row.warn(col_fin, f"unión {hecha} sin {col_worker}; se importa sin {quien}")
    if inicio is not None and inicio > fin:
        row.error(col_inicio, f"inicio posterior a {col_fin} ({fin:%d-%m-%Y %H:%M}); se importa sin inicio")
        inicio = None
    return JointWork(worker_id, inicio, fin)


def read_joint(row: Row, key: JointKey, tokens: Mapping[int, str], *, known: bool) -> SheetJoint | None:
    """The joint a row describes, or None when the row is rejected."""
    row.notes = not known  # a known joint's legacy work is not used: no notes about it
    dn, tipo = joint_dn(row), joint_tipo(row)
    ndt: dict[str, Any] = {}
    for column, attr in NDT_COLUMNS.items():
        if row.tab.has(column):
            ndt[attr] = row.date(column) if attr == "ndt_fecha" else row.limited(column, _NDT_LENGTH[attr])
    arm, sold = joint_work(row, "arm", tokens), joint_work(row, "sold", tokens)
    if sold is not None:
        # ZEUES never invents the fitting a weld implies, nor a shop weld of a field weld.
        if arm is None:
            motivo = "unión soldada pero nunca armada (sin ARM_FECHA_FIN); no se inventa el armado"
        elif tipo == TipoUnion.FW:
            motivo = "una unión FW se suelda en terreno, no en el taller"
        else:
            motivo = "soldada antes de armada (anterior a ARM_FECHA_FIN)" if sold.fin < arm.fin else ""
        if motivo:
            row.reject("SOL_FECHA_FIN", motivo)
    if row.rejected or dn is None:
        return None
    return SheetJoint(row.fila, key, dn, tipo, ndt, arm, sold)


def refresh_joint(union: Union, item: SheetJoint, row: Row, now: datetime.datetime) -> dict[str, Any]:
    """Bring a known joint in line: NDT always, DN and type only while no work is recorded."""
    wanted = dict(item.ndt)
    if union.tiene_trabajo:
        for attr, column, shown in (
            ("dn", "DN_UNION", f"DN {_inches(union.dn)}"),
            ("tipo", "TIPO_UNION", f"tipo {union.tipo}"),
        ):
            if getattr(union, attr) != getattr(item, attr):
                row.warn(
                    column,
                    f"la unión ya tiene trabajo registrado en ZEUES: se mantiene {shown} "
                    "(un supervisor puede corregirlo)",
                    always=True,
                )
    else:
        wanted |= {"dn": item.dn, "tipo": item.tipo}
        if union.dn != item.dn:
            dn_note(row, item.dn)
    cambios = {
        attr: {"antes": _json(getattr(union, attr)), "despues": _json(value)}
        for attr, value in wanted.items()
        if getattr(union, attr) != value
    }
    if cambios:
        for attr, value in wanted.items():
            setattr(union, attr, value)
        union.version += 1
        union.updated_at = now
    return cambios


@dataclass
class JointChanges:
    """What an import did to the joints of each spool (for the IMPORT event and the figures)."""

    creadas: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    actualizadas: dict[int, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))
    first_row: dict[int, int] = field(default_factory=dict)  # spool id → its first Uniones row

    def spool_ids(self) -> list[int]:
        """Every spool whose joints changed."""
        return list(dict.fromkeys([*self.creadas, *self.actualizadas]))

    def of(self, spool_id: int) -> dict[str, Any]:
        """The `uniones` entry of the spool's IMPORT event."""
        entry: dict[str, Any] = {}
        if spool_id in self.creadas:
            entry["creadas"] = self.creadas[spool_id]
        if spool_id in self.actualizadas:
            entry["actualizadas"] = self.actualizadas[spool_id]
        return entry


def _no_spool(tag: str, imported: ImportedSpools) -> str:
    if tag in imported.rejected:
        return f"la fila del spool {tag} en Operaciones fue rechazada"
    return f"el spool {tag} no existe en Operaciones"


def read_joints(
    tab: Tab,
    tokens: Mapping[int, str],
    spools: Mapping[str, int],
    stored: Mapping[tuple[int, int], Union],
    imported: ImportedSpools,
    progress: Progress | None,
) -> tuple[list[tuple[Row, SheetJoint]], set[tuple[int, int]]]:
    """Valid Uniones rows, and every (spool id, number) the sheet lists (valid or not)."""
    by_key: dict[JointKey, list[Row]] = defaultdict(list)
    for row in tab.data_rows():
        if (key := joint_key(row)) is not None:
            by_key[key].append(row)
    reject_duplicates(by_key, columns.N_UNION, "la unión", repetido="repetida")
    total, items = len(by_key), []
    for done, (key, rows) in enumerate(by_key.items(), start=1):
        row, spool_id = rows[0], spools.get(key.tag)
        if spool_id is None and not row.rejected:
            row.reject("TAG_SPOOL", _no_spool(key.tag, imported))
        if not row.rejected and spool_id is not None:
            known = (spool_id, key.n_union) in stored
            if (item := read_joint(row, key, tokens, known=known)) is not None:
                items.append((row, item))
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            progress(UNIONES, done, total)
    listed = {(spools[k.tag], k.n_union) for k in by_key if k.tag in spools}
    return items, listed


def import_uniones(
    tab: Tab,
    tokens: Mapping[int, str],
    report: ImportReport,
    imported: ImportedSpools,
    progress: Progress | None,
    now: datetime.datetime,
) -> None:
    """Create new joints, refresh known ones, store the spools' figures, note it in the IMPORT events."""
    spools = dict(Spool.objects.values_list("tag_spool", "id"))
    stored = {(u.spool_id, u.n_union): u for u in Union.objects.only(*_STORED)}
    items, listed = read_joints(tab, tokens, spools, stored, imported, progress)
    changes, changed = JointChanges(), []
    new: list[dict[str, Any]] = []
    for row, item in items:
        spool_id = spools[item.key.tag]
        changes.first_row.setdefault(spool_id, item.fila)
        union = stored.get((spool_id, item.key.n_union))
        if union is None:
            dn_note(row, item.dn)
            new.append(item.new_union(spool_id))
            changes.creadas[spool_id].append(item.key.n_union)
        elif cambios := refresh_joint(union, item, row, now):
            changed.append(union)
            changes.actualizadas[spool_id][str(item.key.n_union)] = cambios
    insert_joints(new, now)
    count_legacy_work(new)
    fields = ["dn", "tipo", *NDT_COLUMNS.values(), "version", "updated_at"]
    Union.objects.bulk_update(changed, fields, batch_size=BATCH_SIZE)
    report.uniones.creados, report.uniones.actualizados = len(new), len(changed)
    report.uniones.sin_cambios = len(items) - len(new) - len(changed)
    store_progress(changes.spool_ids())
    tags = {pk: tag for tag, pk in spools.items()}
    warn_missing(report, stored, listed, tags)
    warn_inconsistent(report, changes, tags)
    for spool_id in changes.spool_ids():
        event = imported.events.get(spool_id)
        if event is None:
            tag = tags[spool_id]
            event = _import_event(
                Spool(pk=spool_id, tag_spool=tag),
                "actualizado",
                {},
                imported.filas.get(tag),
                report.origen,
                now,
            )
            imported.events[spool_id] = event
        event.details["cambios"]["uniones"] = changes.of(spool_id)


def count_legacy_work(joints: list[dict[str, Any]]) -> None:
    """The new joints' legacy work in Gerencia's joints-per-day facts (KpiUnionDia), added like
    the engine adds a joint recorded on the kiosk, so an import never races a kiosk's count."""
    deltas: kpi_facts.UnionDelta = {}
    for joint in joints:
        for op, prefix in (("ARM", "arm"), ("SOLD", "sold")):
            fecha = joint.get(f"{prefix}_fecha")
            if fecha is not None:
                key = (fecha, op, joint.get(f"{prefix}_worker_id"))
                n, pd = deltas.get(key, (0, Decimal("0")))
                deltas[key] = (n + 1, pd + joint["dn"])
    kpi_facts.union_days_add(deltas)


def insert_joints(joints: list[dict[str, Any]], now: datetime.datetime) -> None:
    """Insert new joints (their fields; the model's defaults for the rest): one COPY on
    PostgreSQL, bulk_create elsewhere.

    Measured on 200,000 joints: Django's insert compiler spends ~90 µs of Python per joint (18 s),
    COPY a few µs, which keeps the import of 20,000 spools + 200,000 joints within its minute.
    """
    if connection.vendor != "postgresql":
        Union.objects.bulk_create([Union(**j) for j in joints], batch_size=BATCH_SIZE)
        return
    fields = [f for f in Union._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields} | {"created_at": now, "updated_at": now}
    names = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    sql = f"COPY {connection.ops.quote_name(Union._meta.db_table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for joint in joints:
            row = defaults | joint
            copy.write_row([row[f.attname] for f in fields])


def warn_missing(
    report: ImportReport,
    stored: Mapping[tuple[int, int], Union],
    listed: set[tuple[int, int]],
    tags: Mapping[int, str],
) -> None:
    """A joint ZEUES has (not voided) that the sheet no longer lists is kept, and said."""
    for key, union in stored.items():
        if key not in listed and not union.anulada:
            report.add(
                UNIONES,
                0,
                columns.N_UNION,
                f"{tags[union.spool_id]} #{union.n_union}",
                Severidad.AVISO,
                "la unión está en ZEUES pero no en la hoja Uniones; se mantiene",
            )


_DONE = {"ARM": ("armadas", "armar"), "SOLD": ("soldadas", "soldar")}


def inconsistencies(spool: Spool) -> list[str]:
    """Where a spool's ARM/SOLD state and its joints disagree (the import never moves the state)."""
    found = []
    figures = (
        ("ARM", spool.arm, spool.uniones_arm, spool.uniones_total),
        ("SOLD", spool.sold, spool.uniones_sold, spool.uniones_sold_total),
    )
    for op, state, done, total in figures:
        hechas, hacer = _DONE[op]
        if state == EstadoOperacion.COMPLETADO and done < total:
            found.append(f"{op} completado en ZEUES pero {total - done} de {total} uniones sin {hacer}")
        elif state == EstadoOperacion.PENDIENTE and done:
            found.append(f"{op} pendiente en ZEUES pero {done} de {total} uniones {hechas}")
        elif state == EstadoOperacion.PAUSADO and total and done == total:
            found.append(f"{op} pausado en ZEUES pero las {total} uniones {hechas}")
    return found


def warn_inconsistent(report: ImportReport, changes: JointChanges, tags: Mapping[int, str]) -> None:
    """Report, on the spool's first Uniones row, a state its new joint figures contradict."""
    ids = changes.spool_ids()
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = Spool.objects.filter(pk__in=ids[start : start + BATCH_SIZE]).only(
            "id", "arm", "sold", *PROGRESS_FIELDS
        )
        for spool in chunk:
            for motivo in inconsistencies(spool):
                report.add(
                    UNIONES,
                    changes.first_row[spool.pk],
                    columns.TAG_SPOOL,
                    tags[spool.pk],
                    Severidad.AVISO,
                    f"{motivo}; el estado del spool no se cambia",
                )


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
    """Import the tabs in one transaction (rolled back when `dry_run`) and report.

    Uniones is optional: without it (or with it entirely empty) no joint is touched.
    """
    report = ImportReport(origen=origen, dry_run=dry_run)
    now = now or timezone.now()
    labels = labels or {}
    for hoja in REQUIRED_TABS:
        if hoja not in tabs:
            raise SheetImportError(f"Falta la hoja {labels.get(hoja, hoja)}.")
    hojas = [*REQUIRED_TABS, *([UNIONES] if tabs.get(UNIONES) else [])]
    opened = {h: Tab(h, tabs[h], report, labels.get(h, f"la hoja {h}")) for h in hojas}
    report.hoja_uniones = UNIONES in opened
    with transaction.atomic():
        _serialise_imports()
        upsert_workers(read_workers(opened[TRABAJADORES]), report.trabajadores, now)
        workers = list(Worker.objects.all())
        upsert_roles(read_roles(opened[ROLES], {w.pk for w in workers}), report.roles)
        tokens = {w.pk: w.token for w in workers}
        imported = import_operaciones(opened[OPERACIONES], tokens, report, progress, now)
        if UNIONES in opened:
            import_uniones(opened[UNIONES], tokens, report, imported, progress, now)
        Event.objects.bulk_create(list(imported.events.values()), batch_size=BATCH_SIZE)
        if dry_run:
            transaction.set_rollback(True)
    return report


def read_csv_dir(directory: str | Path) -> dict[str, list[list[str]]]:
    """Read operaciones.csv, trabajadores.csv, roles.csv and, when there, uniones.csv (UTF-8, BOM allowed)."""
    folder = Path(directory)
    if not folder.is_dir():
        raise SheetImportError(f"No existe la carpeta {folder}.")
    tabs = {}
    for hoja, name in CSV_FILES.items():
        path = folder / name
        if not path.is_file():
            if hoja not in REQUIRED_TABS:
                continue
            raise SheetImportError(f"Falta el archivo {name} en {folder}.")
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                tabs[hoja] = list(csv.reader(fh))
        except UnicodeDecodeError as exc:
            raise SheetImportError(f"{name} no está en UTF-8 (expórtelo como «CSV UTF-8»): {exc}") from exc
        except csv.Error as exc:
            raise SheetImportError(f"{name} no es un CSV válido: {exc}") from exc
    return tabs
