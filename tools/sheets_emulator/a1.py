"""A1 notation: parse the ranges clients send, print ranges the way Google answers them.

Accepted (letters in any case, optional `$`): `Sheet!A1`, `Sheet!A1:C3`, `Sheet!A:C`,
`Sheet!2:5`, `Sheet!A2:C` (open downwards), `Sheet!A2:5` (open to the right, what gspread's
`row_values` sends), a bare `Sheet` (the whole sheet) and `'Quoted ''name'''!A1`. A range
without a sheet (`A1:B2`) means the first sheet, as in Google. Reversed corners are put in order.
Indexes here are 0-based and end-exclusive, like Google's GridRange.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_COLUMNS = 18_278  # ZZZ, Google's column limit.

_COL = r"\$?([A-Za-z]{1,3})"
_ROW = r"\$?(\d+)"
_CELL = re.compile(f"^{_COL}{_ROW}$")
_CELL_CELL = re.compile(f"^{_COL}{_ROW}:{_COL}{_ROW}$")
_COL_COL = re.compile(f"^{_COL}:{_COL}$")
_ROW_ROW = re.compile(f"^{_ROW}:{_ROW}$")
_CELL_COL = re.compile(f"^{_COL}{_ROW}:{_COL}$")
_CELL_ROW = re.compile(f"^{_COL}{_ROW}:{_ROW}$")
_PLAIN_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOOKS_LIKE_CELL = re.compile(r"^([A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*|true|false)$", re.IGNORECASE)


class RangeError(ValueError):
    """The text is not A1 notation."""


@dataclass(frozen=True, slots=True)
class A1Range:
    """A parsed range; None on a side means unbounded (to the grid's edge)."""

    sheet: str | None
    row0: int | None = None
    col0: int | None = None
    row1: int | None = None
    col1: int | None = None
    is_cell: bool = False  # a single cell: an anchor for writes, not a bound

    @property
    def whole_sheet(self) -> bool:
        """True for a bare sheet name."""
        return self.row0 is None and self.col0 is None and self.row1 is None and self.col1 is None


def column_index(letters: str) -> int:
    """`A` → 0, `Z` → 25, `AA` → 26."""
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - ord("A") + 1
    if not 1 <= index <= MAX_COLUMNS:
        raise RangeError(letters)
    return index - 1


def column_letters(index: int) -> str:
    """0 → `A`, 26 → `AA`."""
    index += 1
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def parse_range(text: str) -> A1Range:
    """Parse a decoded A1 range; RangeError when it is not one."""
    if not text:
        raise RangeError(text)
    if text.startswith("'"):
        sheet, rest = _split_quoted(text)
        if not rest:
            return A1Range(sheet)
        if not rest.startswith("!"):
            raise RangeError(text)
        return _parse_cells(rest[1:], sheet)
    if "!" in text:
        sheet, cells = text.rsplit("!", 1)
        if not sheet:
            raise RangeError(text)
        return _parse_cells(cells, sheet)
    try:
        return _parse_cells(text, None)
    except RangeError:
        # Not a cell reference: Google reads it as a sheet name.
        return A1Range(text)


def _split_quoted(text: str) -> tuple[str, str]:
    """`'It''s'!A1` → (`It's`, `!A1`)."""
    i, chars = 1, []
    while i < len(text):
        if text[i] == "'":
            if text[i + 1 : i + 2] == "'":
                chars.append("'")
                i += 2
                continue
            if not chars:
                raise RangeError(text)
            return "".join(chars), text[i + 1 :]
        chars.append(text[i])
        i += 1
    raise RangeError(text)


def _row(digits: str) -> int:
    """A 1-based row number as a 0-based index."""
    number = int(digits)
    if number < 1:
        raise RangeError(digits)
    return number - 1


def _parse_cells(cells: str, sheet: str | None) -> A1Range:
    """The part after `!`."""
    if m := _CELL.match(cells):
        row, col = _row(m[2]), column_index(m[1])
        return A1Range(sheet, row, col, row + 1, col + 1, is_cell=True)
    if m := _CELL_CELL.match(cells):
        r0, r1 = sorted((_row(m[2]), _row(m[4])))
        c0, c1 = sorted((column_index(m[1]), column_index(m[3])))
        return A1Range(sheet, r0, c0, r1 + 1, c1 + 1)
    if m := _COL_COL.match(cells):
        c0, c1 = sorted((column_index(m[1]), column_index(m[2])))
        return A1Range(sheet, None, c0, None, c1 + 1)
    if m := _ROW_ROW.match(cells):
        r0, r1 = sorted((_row(m[1]), _row(m[2])))
        return A1Range(sheet, r0, None, r1 + 1, None)
    if m := _CELL_COL.match(cells):
        c0, c1 = sorted((column_index(m[1]), column_index(m[3])))
        return A1Range(sheet, _row(m[2]), c0, None, c1 + 1)
    if m := _CELL_ROW.match(cells):
        r0, r1 = sorted((_row(m[2]), _row(m[3])))
        return A1Range(sheet, r0, column_index(m[1]), r1 + 1, None)
    raise RangeError(cells)


def quote_sheet(title: str) -> str:
    """The title as Google prints it in a range: quoted only when it has to be."""
    if _PLAIN_TITLE.match(title) and not _LOOKS_LIKE_CELL.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def format_range(title: str, row0: int, col0: int, row1: int, col1: int) -> str:
    """`Sheet1!A1:D5`, or `Sheet1!C1` for a single cell (end-exclusive indexes in)."""
    start = f"{column_letters(col0)}{row0 + 1}"
    if row1 - row0 <= 1 and col1 - col0 <= 1:
        return f"{quote_sheet(title)}!{start}"
    return f"{quote_sheet(title)}!{start}:{column_letters(col1 - 1)}{row1}"
