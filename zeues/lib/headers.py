"""Find spreadsheet columns by header name, never by position.

Other departments insert, move and rename columns of the shop's sheet, so a column is found by
its normalised header: case-folded, accents stripped, and runs of spaces, underscores, dots and
hyphens collapsed. `Fecha_QC_Metrología`, `fecha qc metrologia` and `FECHA_QC_METROLOGIA` are
the same column. Pure Python: the CSV import and the Google Sheets mirror both use it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

_SEPARATORS = re.compile(r"[\s_.\-]+")
# Exports and copy-paste bring byte-order marks and zero-width characters into header cells.
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None)


def normalise_header(name: object) -> str:
    """The comparable form of a header: no case, no accents, separators collapsed to one space."""
    text = unicodedata.normalize("NFKD", str(name).translate(_INVISIBLE))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return _SEPARATORS.sub(" ", text).strip()


def column_letter(index: int) -> str:
    """The sheet's column letter for a 0-based index (0 → A, 26 → AA)."""
    letters = ""
    n = index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class DuplicateHeaderError(ValueError):
    """Two or more columns normalise to the same name, so we cannot tell which one to use."""

    def __init__(self, name: str, positions: Sequence[int], headers: Sequence[str]) -> None:
        self.name = name
        self.positions = list(positions)
        where = ", ".join(f"{column_letter(i)} ({headers[i]!r})" for i in positions)
        super().__init__(f"la columna {name} aparece {len(positions)} veces: {where}")


class HeaderMap:
    """Column positions of one header row, looked up by normalised name."""

    def __init__(self, headers: Sequence[object]) -> None:
        self.headers = [str(h) for h in headers]
        self._positions: dict[str, list[int]] = {}
        for i, header in enumerate(self.headers):
            key = normalise_header(header)
            if key:
                self._positions.setdefault(key, []).append(i)

    def index(self, name: str) -> int | None:
        """The column's 0-based index, None when absent; DuplicateHeaderError when ambiguous."""
        positions = self._positions.get(normalise_header(name), [])
        if len(positions) > 1:
            raise DuplicateHeaderError(name, positions, self.headers)
        return positions[0] if positions else None

    def header(self, name: str) -> str:
        """The header as the sheet spells it (for messages), or `name` when absent."""
        positions = self._positions.get(normalise_header(name), [])
        return self.headers[positions[0]] if positions else name

    def missing(self, names: Iterable[str]) -> list[str]:
        """The names among `names` that no column carries."""
        return [name for name in names if normalise_header(name) not in self._positions]

    def duplicates(self, names: Iterable[str] | None = None) -> list[DuplicateHeaderError]:
        """Ambiguous columns among `names` (all columns when None)."""
        if names is None:
            pairs = [(self.headers[p[0]], p) for p in self._positions.values()]
        else:
            pairs = [(n, self._positions.get(normalise_header(n), [])) for n in names]
        return [DuplicateHeaderError(n, p, self.headers) for n, p in pairs if len(p) > 1]

    @staticmethod
    def cell(row: Sequence[str], index: int | None) -> str:
        """The cell at `index`, or "" for an absent column or a short (trimmed) row."""
        if index is None or index >= len(row):
            return ""
        value = row[index]
        return "" if value is None else str(value)
