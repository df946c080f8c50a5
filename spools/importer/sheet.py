"""The import's common ground: the tabs and their columns, rows and cells read strictly, the report."""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from spools.models import (
    Rol,
)
from zeues.lib import columns, csvsafe
from zeues.lib.dates import parse_sheet_date, parse_sheet_datetime
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
