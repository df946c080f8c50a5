"""CSV cells that a spreadsheet cannot run as formulas (OWASP "CSV injection").

Excel, LibreOffice and Google Sheets treat a cell that starts with `=`, `+`, `-` or `@` as a
formula, and a leading tab or carriage return can hide one; a worker named
`=HYPERLINK("http://x","c")` would otherwise reach a manager's spreadsheet as a live link. Such a
text cell gets a leading `'`, which spreadsheets show as text and nothing runs.

Only text is touched: a number written by the app (an int, a float, a Decimal: a duration in
seconds, a count, a negative figure) is a value we produced, not text someone typed, and stays a
number the spreadsheet can add up. A *string* "-5" is quoted like any other text starting with `-`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, value: str, /) -> Any: ...


def cell(value: Any) -> Any:
    """`value` with a leading `'` if it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def row(values: Iterable[Any]) -> list[Any]:
    """Every cell of a row through `cell`."""
    return [cell(v) for v in values]


class Writer:
    """`csv.writer` whose rows are neutralised first; `writerow` returns what the file's write did."""

    def __init__(self, file: _Writable, **fmtparams: Any) -> None:
        self._writer = csv.writer(file, **fmtparams)

    def writerow(self, values: Iterable[Any]) -> Any:
        """Write one row, every text cell neutralised."""
        return self._writer.writerow(row(values))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write many rows, every text cell neutralised."""
        self._writer.writerows(row(r) for r in rows)


def writer(file: _Writable, **fmtparams: Any) -> Writer:
    """The one way the app writes CSV: `csv.writer(file)`, formula cells neutralised."""
    return Writer(file, **fmtparams)
