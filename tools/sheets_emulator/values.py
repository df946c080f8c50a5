"""The spreadsheets.values methods: get, batchGet, update, batchUpdate, append, clear, batchClear.

Each handler takes the spreadsheet, the decoded range (when the URL has one), the query string
(`name → [values]`) and the parsed JSON body, and returns the response body or raises ApiError.
Semantics follow Google's reference and recorded Google answers (see docs/sheets_emulator.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .a1 import A1Range, RangeError, column_letters, format_range, parse_range
from .cells import Cell, InvalidValue, from_raw, from_user_entered, render
from .errors import ApiError
from .model import SKIP, Box, Sheet, Skip, Spreadsheet

Query = Mapping[str, Sequence[str]]
Matrix = list[list[Cell | None | Skip]]

VALUE_RENDER = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DATE_RENDER = ("SERIAL_NUMBER", "FORMATTED_STRING")
DIMENSIONS = ("ROWS", "COLUMNS")
VALUE_INPUT = ("RAW", "USER_ENTERED")
INSERT_DATA = ("OVERWRITE", "INSERT_ROWS")


def first(query: Query, name: str) -> str | None:
    """A query parameter's first value."""
    values = query.get(name)
    return values[0] if values else None


def enum(value: object, allowed: Sequence[str], default: str | None, field_name: str, type_name: str) -> str:
    """An enum option, its default when absent, or Google's error for a wrong value."""
    if value is None or value == "":
        if default is None:
            raise ApiError.bad(f"'{field_name}' is required but not specified")
        return default
    if value not in allowed:
        raise ApiError.bad(
            f"Invalid value at '{field_name}' (type.googleapis.com/google.apps.sheets.v4.{type_name}), \"{value}\""
        )
    return str(value)


def truthy(value: object) -> bool:
    """A boolean option from a query string or a JSON body."""
    return value is True or (isinstance(value, str) and value.lower() in ("true", "1"))


def locate(book: Spreadsheet, text: str) -> tuple[Sheet, A1Range]:
    """The sheet and parsed range named by `text`; unknown sheets are parse errors, as in Google."""
    try:
        rng = parse_range(text)
    except RangeError:
        raise ApiError.bad(f"Unable to parse range: {text}") from None
    sheet = book.sheets[0] if rng.sheet is None else book.by_title(rng.sheet)
    if sheet is None:
        raise ApiError.bad(f"Unable to parse range: {text}")
    return sheet, rng


def grid_box(sheet: Sheet, rng: A1Range, text: str) -> Box:
    """The range inside the grid; open sides stop at the grid's edge, bounded ones may not pass it."""
    row0, col0 = rng.row0 or 0, rng.col0 or 0
    row1 = sheet.rows if rng.row1 is None else rng.row1
    col1 = sheet.cols if rng.col1 is None else rng.col1
    if row0 >= sheet.rows or col0 >= sheet.cols or row1 > sheet.rows or col1 > sheet.cols:
        raise ApiError.bad(
            f"Range ({text}) exceeds grid limits. Max rows: {sheet.rows}, max columns: {sheet.cols}"
        )
    return row0, col0, row1, col1


def trim(matrix: list[list[Any]]) -> list[list[Any]]:
    """Google's output shape: no trailing empty cells in a line, no trailing empty lines."""
    lines = []
    for line in matrix:
        end = len(line)
        while end and line[end - 1] is None:
            end -= 1
        lines.append(["" if v is None else v for v in line[:end]])
    while lines and not lines[-1]:
        lines.pop()
    return lines


def value_range(
    book: Spreadsheet, sheet: Sheet, box: Box, major: str, value_render: str, date_render: str
) -> dict[str, Any]:
    """A ValueRange for a box of the grid, rendered and trimmed."""
    locale = book.locale
    matrix = [
        [None if cell is None else render(cell, value_render, date_render, locale) for cell in row]
        for row in sheet.read(box)
    ]
    if major == "COLUMNS":
        matrix = [list(column) for column in zip(*matrix, strict=True)]
    result: dict[str, Any] = {"range": format_range(sheet.title, *box), "majorDimension": major}
    if values := trim(matrix):
        result["values"] = values
    return result


def render_options(source: Mapping[str, Any], prefix: str = "") -> tuple[str, str]:
    """(valueRenderOption, dateTimeRenderOption) from a query or body, with Google's defaults.

    `prefix="response"` reads responseValueRenderOption / responseDateTimeRenderOption.
    """
    value_name = f"{prefix}ValueRenderOption" if prefix else "valueRenderOption"
    date_name = f"{prefix}DateTimeRenderOption" if prefix else "dateTimeRenderOption"
    picked = []
    for name in (value_name, date_name):
        value = source.get(name)
        picked.append(value[0] if isinstance(value, list) and value else value)
    value_render = enum(picked[0], VALUE_RENDER, "FORMATTED_VALUE", value_name, "ValueRenderOption")
    date_render = enum(picked[1], DATE_RENDER, "SERIAL_NUMBER", date_name, "DateTimeRenderOption")
    return value_render, date_render


def values_get(book: Spreadsheet, text: str, query: Query, body: Any) -> dict[str, Any]:
    """GET …/values/{range}."""
    sheet, rng = locate(book, text)
    box = grid_box(sheet, rng, text)
    major = enum(first(query, "majorDimension"), DIMENSIONS, "ROWS", "majorDimension", "Dimension")
    return value_range(book, sheet, box, major, *render_options(query))


def values_batch_get(book: Spreadsheet, text: str, query: Query, body: Any) -> dict[str, Any]:
    """GET …/values:batchGet?ranges=…&ranges=…."""
    ranges = [values_get(book, r, query, None) for r in query.get("ranges", [])]
    result: dict[str, Any] = {"spreadsheetId": book.id}
    if ranges:
        result["valueRanges"] = ranges
    return result


def to_matrix(values: object, major: str, value_input: str, book: Spreadsheet) -> Matrix:
    """Written values as rows of cells; JSON null becomes SKIP (leave the cell as it is)."""
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(line, list) for line in values):
        raise ApiError.bad("Invalid values: expected a list of lists (ListValue of ListValue).")
    if major == "COLUMNS":
        height = max((len(column) for column in values), default=0)
        values = [[column[r] if r < len(column) else None for column in values] for r in range(height)]
    locale = book.locale
    try:
        if value_input == "RAW":
            return [[SKIP if v is None else from_raw(v) for v in row] for row in values]
        return [[SKIP if v is None else from_user_entered(v, locale) for v in row] for row in values]
    except InvalidValue as exc:
        raise ApiError.bad(str(exc)) from None


@dataclass
class Write:
    """A block about to be written: where, what, and what Google reports about it."""

    sheet: Sheet
    row0: int
    col0: int
    matrix: Matrix
    rows: set[int] = field(default_factory=set)
    cols: set[int] = field(default_factory=set)
    cells: int = 0

    def __post_init__(self) -> None:
        for i, line in enumerate(self.matrix):
            for j, cell in enumerate(line):
                if cell is not SKIP:
                    self.rows.add(self.row0 + i)
                    self.cols.add(self.col0 + j)
                    self.cells += 1

    @property
    def box(self) -> Box:
        """The block's extent (at least the anchor cell)."""
        height = max(len(self.matrix), 1)
        width = max((len(line) for line in self.matrix), default=0) or 1
        return self.row0, self.col0, self.row0 + height, self.col0 + width

    def apply(self) -> None:
        """Store the cells (the grid grows as needed)."""
        self.sheet.write(self.row0, self.col0, self.matrix)

    def summary(self, book: Spreadsheet) -> dict[str, Any]:
        """UpdateValuesResponse; zero counts omitted, as proto3 JSON does."""
        result: dict[str, Any] = {
            "spreadsheetId": book.id,
            "updatedRange": format_range(self.sheet.title, *self.box),
        }
        for key, count in (
            ("updatedRows", len(self.rows)),
            ("updatedColumns", len(self.cols)),
            ("updatedCells", self.cells),
        ):
            if count:
                result[key] = count
        return result


def plan_write(book: Spreadsheet, text: str, matrix: Matrix) -> Write:
    """Where a values.update lands; values overflowing a bounded range are an error, as in Google."""
    sheet, rng = locate(book, text)
    row0, col0 = rng.row0 or 0, rng.col0 or 0
    height, width = len(matrix), max((len(line) for line in matrix), default=0)
    if not rng.is_cell and rng.row1 is not None and row0 + height > rng.row1:
        raise ApiError.bad(
            f"Requested writing within range [{text}], but tried writing to row [{rng.row1 + 1}]"
        )
    if not rng.is_cell and rng.col1 is not None and col0 + width > rng.col1:
        raise ApiError.bad(
            f"Requested writing within range [{text}], but tried writing to column [{column_letters(rng.col1)}]"
        )
    return Write(sheet, row0, col0, matrix)


def written_data(book: Spreadsheet, write: Write, options: Mapping[str, Any]) -> dict[str, Any]:
    """`updatedData` for includeValuesInResponse: the block as it reads back now."""
    box = write.box
    sheet = write.sheet
    box = (box[0], box[1], min(box[2], sheet.rows), min(box[3], sheet.cols))
    return value_range(book, sheet, box, "ROWS", *render_options(options, "response"))


def values_update(book: Spreadsheet, text: str, query: Query, body: Any) -> dict[str, Any]:
    """PUT …/values/{range}?valueInputOption=…."""
    value_input = enum(
        first(query, "valueInputOption"), VALUE_INPUT, None, "valueInputOption", "ValueInputOption"
    )
    body = body or {}
    major = enum(body.get("majorDimension"), DIMENSIONS, "ROWS", "majorDimension", "Dimension")
    write = plan_write(book, text, to_matrix(body.get("values"), major, value_input, book))
    write.apply()
    result = write.summary(book)
    if truthy(first(query, "includeValuesInResponse")):
        result["updatedData"] = written_data(book, write, {k: v[0] for k, v in query.items() if v})
    return result


def values_batch_update(book: Spreadsheet, text: str, query: Query, body: Any) -> dict[str, Any]:
    """POST …/values:batchUpdate; every range is checked before anything is written."""
    body = body or {}
    value_input = enum(
        body.get("valueInputOption"), VALUE_INPUT, None, "valueInputOption", "ValueInputOption"
    )
    writes = []
    for item in body.get("data") or []:
        major = enum(item.get("majorDimension"), DIMENSIONS, "ROWS", "majorDimension", "Dimension")
        matrix = to_matrix(item.get("values"), major, value_input, book)
        writes.append(plan_write(book, str(item.get("range", "")), matrix))
    for write in writes:
        write.apply()
    result: dict[str, Any] = {"spreadsheetId": book.id}
    totals = (
        ("totalUpdatedRows", {(w.sheet.sheet_id, r) for w in writes for r in w.rows}),
        ("totalUpdatedColumns", {(w.sheet.sheet_id, c) for w in writes for c in w.cols}),
        ("totalUpdatedSheets", {w.sheet.sheet_id for w in writes if w.cells}),
    )
    for key, distinct in totals:
        if distinct:
            result[key] = len(distinct)
    if cells := sum(w.cells for w in writes):
        result["totalUpdatedCells"] = cells
    with_values = truthy(body.get("includeValuesInResponse"))
    responses = []
    for write in writes:
        response = write.summary(book)
        if with_values:
            response["updatedData"] = written_data(book, write, body)
        responses.append(response)
    if responses:
        result["responses"] = responses
    return result


def values_append(book: Spreadsheet, text: str, query: Query, body: Any) -> dict[str, Any]:
    """POST …/values/{range}:append: find the table in the range, write below it."""
    value_input = enum(
        first(query, "valueInputOption"), VALUE_INPUT, None, "valueInputOption", "ValueInputOption"
    )
    insert = enum(
        first(query, "insertDataOption"), INSERT_DATA, "OVERWRITE", "insertDataOption", "InsertDataOption"
    )
    body = body or {}
    major = enum(body.get("majorDimension"), DIMENSIONS, "ROWS", "majorDimension", "Dimension")
    matrix = to_matrix(body.get("values"), major, value_input, book)
    sheet, rng = locate(book, text)
    table = find_table(sheet, rng)
    if table is None:
        row0, col0 = rng.row0 or 0, rng.col0 or 0
    else:
        row0, col0 = table[2], table[1]
    if insert == "INSERT_ROWS" and matrix and row0 <= sheet.rows:
        sheet.insert("ROWS", row0, row0 + len(matrix))
    write = Write(sheet, row0, col0, matrix)
    write.apply()
    result: dict[str, Any] = {"spreadsheetId": book.id}
    if table is not None:
        result["tableRange"] = format_range(sheet.title, *table)
    result["updates"] = write.summary(book)
    if truthy(first(query, "includeValuesInResponse")):
        result["updates"]["updatedData"] = written_data(book, write, {k: v[0] for k, v in query.items() if v})
    return result


def find_table(sheet: Sheet, rng: A1Range) -> Box | None:
    """The "table" values.append extends: the data region around the range's last filled cell.

    Google documents only "the input range is used to search for existing data and find a table".
    Recorded answers pin the details: with `A1` and `C1` filled (B1 empty), appending to the whole
    sheet finds table `C1` and writes at `C2`; appending to `A1` finds `A1`; appending to an empty
    column (gspread's insert_cols) finds no table and writes at the range's first cell.
    """
    row0, col0 = rng.row0 or 0, rng.col0 or 0
    row1 = min(sheet.rows, sheet.rows if rng.row1 is None else rng.row1)
    col1 = min(sheet.cols, sheet.cols if rng.col1 is None else rng.col1)
    if row0 >= row1 or col0 >= col1:
        return None
    hit = sheet.last_filled((row0, col0, row1, col1))
    return None if hit is None else sheet.region(*hit)


def values_clear(book: Spreadsheet, text: str, query: Query, body: Any) -> dict[str, Any]:
    """POST …/values/{range}:clear."""
    sheet, rng = locate(book, text)
    box = grid_box(sheet, rng, text)
    sheet.clear(box)
    return {"spreadsheetId": book.id, "clearedRange": format_range(sheet.title, *box)}


def values_batch_clear(book: Spreadsheet, text: str, query: Query, body: Any) -> dict[str, Any]:
    """POST …/values:batchClear {ranges}; all ranges are checked before clearing."""
    targets = []
    for item in (body or {}).get("ranges") or []:
        sheet, rng = locate(book, str(item))
        targets.append((sheet, grid_box(sheet, rng, str(item))))
    for sheet, box in targets:
        sheet.clear(box)
    cleared = [format_range(sheet.title, *box) for sheet, box in targets]
    result: dict[str, Any] = {"spreadsheetId": book.id}
    if cleared:
        result["clearedRanges"] = cleared
    return result
