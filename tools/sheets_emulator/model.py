"""In-memory spreadsheets: a dense grid of cells per sheet, exactly rowCount × columnCount.

Nothing here locks or knows HTTP; the emulator holds one lock around every call. Indexes are
0-based and end-exclusive.
"""

from __future__ import annotations

import copy
import zlib
from collections.abc import Iterable, Sequence
from typing import Any

from .cells import Cell, Locale

Grid = list[list[Cell | None]]
Box = tuple[int, int, int, int]  # row0, col0, row1, col1


class ModelError(ValueError):
    """A structural request Google would reject (message as Google words it)."""


class Sheet:
    """One tab: its properties (as the API shows them) and its cells."""

    def __init__(self, sheet_id: int, title: str, index: int, rows: int, cols: int) -> None:
        self.props: dict[str, Any] = {
            "sheetId": sheet_id,
            "title": title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": rows, "columnCount": cols},
        }
        self.grid: Grid = [[None] * cols for _ in range(rows)]

    @property
    def sheet_id(self) -> int:
        """The numeric id (gid)."""
        return int(self.props["sheetId"])

    @property
    def title(self) -> str:
        """The tab's name."""
        return str(self.props["title"])

    @property
    def rows(self) -> int:
        """rowCount."""
        return len(self.grid)

    @property
    def cols(self) -> int:
        """columnCount."""
        return int(self.props["gridProperties"]["columnCount"])

    def clone(self) -> Sheet:
        """A copy whose grid can change without touching this one (cells are immutable)."""
        twin = copy.copy(self)
        twin.props = copy.deepcopy(self.props)
        twin.grid = [row[:] for row in self.grid]
        return twin

    def properties(self) -> dict[str, Any]:
        """SheetProperties as JSON."""
        props = copy.deepcopy(self.props)
        props["gridProperties"]["rowCount"] = self.rows
        return props

    def resize(self, rows: int, cols: int) -> None:
        """Set rowCount/columnCount, dropping cells that fall outside."""
        if rows < 1 or cols < 1:
            raise ModelError("The grid must keep at least one row and one column.")
        del self.grid[rows:]
        for row in self.grid:
            del row[cols:]
            row.extend([None] * (cols - len(row)))
        self.grid.extend([None] * cols for _ in range(rows - len(self.grid)))
        self.props["gridProperties"]["columnCount"] = cols
        self.props["gridProperties"]["rowCount"] = rows

    def grow_to(self, rows: int, cols: int) -> None:
        """Make the grid at least this big."""
        if rows > self.rows or cols > self.cols:
            self.resize(max(rows, self.rows), max(cols, self.cols))

    def insert(self, dimension: str, start: int, end: int) -> None:
        """Insert empty rows or columns [start, end)."""
        limit = self.rows if dimension == "ROWS" else self.cols
        if not 0 <= start <= limit or end <= start:
            raise ModelError(f"Invalid range: {dimension} [{start}, {end}) on a grid of {limit}.")
        count = end - start
        if dimension == "ROWS":
            self.grid[start:start] = [[None] * self.cols for _ in range(count)]
            self.props["gridProperties"]["rowCount"] = self.rows
            return
        for row in self.grid:
            row[start:start] = [None] * count
        self.props["gridProperties"]["columnCount"] = self.cols + count

    def delete(self, dimension: str, start: int, end: int) -> None:
        """Delete rows or columns [start, end); never all of them."""
        limit = self.rows if dimension == "ROWS" else self.cols
        end = min(end, limit)
        if not 0 <= start < end:
            raise ModelError(f"Invalid range: {dimension} [{start}, {end}) on a grid of {limit}.")
        if end - start >= limit:
            what = "rows" if dimension == "ROWS" else "columns"
            raise ModelError(f"You can't delete all the {what} on the sheet.")
        if dimension == "ROWS":
            del self.grid[start:end]
            self.props["gridProperties"]["rowCount"] = self.rows
            return
        for row in self.grid:
            del row[start:end]
        self.props["gridProperties"]["columnCount"] = self.cols - (end - start)

    def read(self, box: Box) -> Grid:
        """The cells of a box that lies inside the grid."""
        row0, col0, row1, col1 = box
        return [row[col0:col1] for row in self.grid[row0:row1]]

    def write(self, row0: int, col0: int, matrix: Sequence[Sequence[Cell | None | Skip]]) -> None:
        """Store a block at (row0, col0), growing the grid; SKIP leaves a cell as it is."""
        width = max((len(r) for r in matrix), default=0)
        self.grow_to(row0 + len(matrix), col0 + width)
        for i, values in enumerate(matrix):
            row = self.grid[row0 + i]
            for j, cell in enumerate(values):
                if cell is not SKIP:
                    row[col0 + j] = cell  # type: ignore[assignment]

    def clear(self, box: Box) -> None:
        """Empty every cell of a box inside the grid."""
        row0, col0, row1, col1 = box
        for row in self.grid[row0:row1]:
            row[col0:col1] = [None] * (col1 - col0)

    def last_filled(self, box: Box) -> tuple[int, int] | None:
        """The last non-empty cell of the box in reading order (bottom row, rightmost)."""
        row0, col0, row1, col1 = box
        for r in range(row1 - 1, row0 - 1, -1):
            row = self.grid[r]
            for c in range(col1 - 1, col0 - 1, -1):
                if row[c] is not None:
                    return r, c
        return None

    def region(self, r: int, c: int) -> Box:
        """The table around a cell: the rectangle bounded by empty rows and columns.

        Grown from the cell while any cell just outside the rectangle (corners included) has
        data, like a spreadsheet's "current region".
        """
        box = (r, c, r + 1, c + 1)
        while (bigger := self._grow_once(box)) != box:
            box = bigger
        return box

    def _grow_once(self, box: Box) -> Box:
        """Push each side outwards while the line just beyond it (corners included) has data.

        Rows are pushed one after another before columns are looked at, so a long table costs
        one pass over its edges rather than one pass per row.
        """
        row0, col0, row1, col1 = box
        lo_c, hi_c = max(col0 - 1, 0), min(col1 + 1, self.cols)
        while row0 > 0 and self._any(self.grid[row0 - 1][lo_c:hi_c]):
            row0 -= 1
        while row1 < self.rows and self._any(self.grid[row1][lo_c:hi_c]):
            row1 += 1
        lo_r, hi_r = max(row0 - 1, 0), min(row1 + 1, self.rows)
        while col0 > 0 and self._any(self.grid[r][col0 - 1] for r in range(lo_r, hi_r)):
            col0 -= 1
        while col1 < self.cols and self._any(self.grid[r][col1] for r in range(lo_r, hi_r)):
            col1 += 1
        return row0, col0, row1, col1

    @staticmethod
    def _any(cells: Iterable[Cell | None]) -> bool:
        """True when one of the cells has a value."""
        return any(cell is not None for cell in cells)


class Skip:
    """The marker for a JSON null in written values: leave the cell unchanged."""

    def __repr__(self) -> str:
        return "SKIP"


SKIP = Skip()


class Spreadsheet:
    """A spreadsheet: properties and its sheets in tab order."""

    def __init__(self, spreadsheet_id: str, title: str, locale: str, time_zone: str) -> None:
        self.id = spreadsheet_id
        self.props: dict[str, Any] = {"title": title, "locale": locale, "timeZone": time_zone}
        self.sheets: list[Sheet] = []

    @property
    def locale(self) -> Locale:
        """Number and date conventions for USER_ENTERED and FORMATTED_VALUE."""
        return Locale.of(str(self.props["locale"]))

    def clone(self) -> Spreadsheet:
        """A copy to apply an all-or-nothing batch to."""
        twin = copy.copy(self)
        twin.props = dict(self.props)
        twin.sheets = [sheet.clone() for sheet in self.sheets]
        return twin

    def by_title(self, title: str) -> Sheet | None:
        """The sheet with exactly this title."""
        return next((s for s in self.sheets if s.title == title), None)

    def by_id(self, sheet_id: int) -> Sheet:
        """The sheet with this gid, or ModelError as Google words it."""
        sheet = next((s for s in self.sheets if s.sheet_id == sheet_id), None)
        if sheet is None:
            raise ModelError(f"No grid with id: {sheet_id}")
        return sheet

    def new_sheet_id(self, title: str) -> int:
        """0 for the first sheet, then stable non-sequential ids (code must not assume gid == index)."""
        taken = {s.sheet_id for s in self.sheets}
        candidate = 0 if not taken else zlib.crc32(f"{self.id}/{title}".encode()) & 0x3FFFFFFF
        while candidate in taken:
            candidate += 1
        return candidate

    def add_sheet(
        self, title: str, rows: int, cols: int, *, index: int | None = None, sheet_id: int | None = None
    ) -> Sheet:
        """Add a tab; ModelError for a duplicate title or id."""
        if self.by_title(title) is not None:
            raise ModelError(f'A sheet with the name "{title}" already exists. Please enter another name.')
        if sheet_id is not None and any(s.sheet_id == sheet_id for s in self.sheets):
            raise ModelError(f"Sheet with id {sheet_id} already exists.")
        if rows < 1 or cols < 1:
            raise ModelError("The grid must have at least one row and one column.")
        chosen_id = self.new_sheet_id(title) if sheet_id is None else sheet_id
        position = len(self.sheets) if index is None else max(0, min(index, len(self.sheets)))
        sheet = Sheet(chosen_id, title, position, rows, cols)
        self.sheets.insert(position, sheet)
        self.renumber()
        return sheet

    def delete_sheet(self, sheet_id: int) -> None:
        """Remove a tab; never the last one."""
        sheet = self.by_id(sheet_id)
        if len(self.sheets) == 1:
            raise ModelError("You can't remove all the sheets in a document.")
        self.sheets.remove(sheet)
        self.renumber()

    def move_sheet(self, sheet: Sheet, index: int) -> None:
        """Put a tab at another position."""
        self.sheets.remove(sheet)
        self.sheets.insert(max(0, min(index, len(self.sheets))), sheet)
        self.renumber()

    def renumber(self) -> None:
        """Keep each sheet's `index` equal to its position."""
        for position, sheet in enumerate(self.sheets):
            sheet.props["index"] = position

    def to_json(self) -> dict[str, Any]:
        """The Spreadsheet resource without grid data."""
        return {
            "spreadsheetId": self.id,
            "properties": dict(self.props),
            "sheets": [{"properties": s.properties()} for s in self.sheets],
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.id}/edit",
        }
