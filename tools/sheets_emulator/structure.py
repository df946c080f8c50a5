"""spreadsheets.get and spreadsheets.batchUpdate (the structural requests).

batchUpdate is all-or-nothing, as Google documents: the requests run on a copy that replaces the
spreadsheet only when every one succeeded. Supported: addSheet, deleteSheet, insertDimension,
deleteDimension, appendDimension, updateSheetProperties, updateSpreadsheetProperties. Anything
else is a 400 naming the request, so a missing feature is never mistaken for success.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .errors import ApiError
from .model import ModelError, Sheet, Spreadsheet

Reply = dict[str, Any]


def spreadsheet_get(
    book: Spreadsheet, text: str, query: Mapping[str, Sequence[str]], body: Any
) -> dict[str, Any]:
    """GET /v4/spreadsheets/{id}: properties and sheets; `fields` is ignored (a superset is sent)."""
    fields = (query.get("fields") or [""])[0]
    if (query.get("includeGridData") or ["false"])[0].lower() == "true" or "sheets.data" in fields:
        raise ApiError.bad(
            "The Sheets emulator does not implement grid data in spreadsheets.get; use values.get."
        )
    return book.to_json()


def spreadsheet_batch_update(
    book: Spreadsheet, text: str, query: Mapping[str, Sequence[str]], body: Any
) -> dict[str, Any]:
    """POST /v4/spreadsheets/{id}:batchUpdate {requests: [...]}."""
    requests = (body or {}).get("requests") or []
    work = book.clone()
    replies = [_apply(work, i, request) for i, request in enumerate(requests)]
    book.props, book.sheets = work.props, work.sheets
    result: dict[str, Any] = {"spreadsheetId": book.id, "replies": replies}
    if (body or {}).get("includeSpreadsheetInResponse"):
        result["updatedSpreadsheet"] = book.to_json()
    return result


def _apply(book: Spreadsheet, index: int, request: Any) -> Reply:
    """Run one request, naming it in the error as Google does (`Invalid requests[0].addSheet: …`)."""
    if not isinstance(request, dict) or len(request) != 1:
        raise ApiError.bad(f"Invalid requests[{index}]: exactly one kind of request is required.")
    ((name, payload),) = request.items()
    handler = HANDLERS.get(name)
    if handler is None:
        raise ApiError.bad(f'Invalid requests[{index}]: the Sheets emulator does not implement "{name}".')
    try:
        return handler(book, payload or {})
    except (ModelError, KeyError, TypeError, ValueError) as exc:
        raise ApiError.bad(f"Invalid requests[{index}].{name}: {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    """A readable reason for a failed request."""
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}"
    return str(exc)


def _add_sheet(book: Spreadsheet, payload: dict[str, Any]) -> Reply:
    """addSheet: a new tab, 1000×26 unless gridProperties says otherwise."""
    props = dict(payload.get("properties") or {})
    grid = props.pop("gridProperties", None) or {}
    title = props.pop("title", None) or _free_title(book)
    sheet = book.add_sheet(
        str(title),
        int(grid.get("rowCount", 1000)),
        int(grid.get("columnCount", 26)),
        index=props.pop("index", None),
        sheet_id=props.pop("sheetId", None),
    )
    props.pop("sheetType", None)
    sheet.props.update(props)
    sheet.props["gridProperties"].update(
        {k: v for k, v in grid.items() if k not in ("rowCount", "columnCount")}
    )
    return {"addSheet": {"properties": sheet.properties()}}


def _free_title(book: Spreadsheet) -> str:
    """`SheetN` for the first N not taken, as the Sheets UI names new tabs."""
    n = len(book.sheets) + 1
    while book.by_title(f"Sheet{n}") is not None:
        n += 1
    return f"Sheet{n}"


def _delete_sheet(book: Spreadsheet, payload: dict[str, Any]) -> Reply:
    """deleteSheet {sheetId}."""
    book.delete_sheet(int(payload["sheetId"]))
    return {}


def _dimension_range(book: Spreadsheet, payload: dict[str, Any]) -> tuple[Sheet, str, int, int]:
    """A DimensionRange: sheet, ROWS/COLUMNS, start, end (missing end = to the grid's end)."""
    rng = payload["range"]
    sheet = book.by_id(int(rng.get("sheetId", 0)))
    dimension = rng.get("dimension")
    if dimension not in ("ROWS", "COLUMNS"):
        raise ModelError(f"Invalid dimension: {dimension!r}")
    limit = sheet.rows if dimension == "ROWS" else sheet.cols
    return sheet, dimension, int(rng.get("startIndex", 0)), int(rng.get("endIndex", limit))


def _insert_dimension(book: Spreadsheet, payload: dict[str, Any]) -> Reply:
    """insertDimension: empty rows or columns pushed in, the others shift."""
    sheet, dimension, start, end = _dimension_range(book, payload)
    sheet.insert(dimension, start, end)
    return {}


def _delete_dimension(book: Spreadsheet, payload: dict[str, Any]) -> Reply:
    """deleteDimension: rows or columns removed, the others shift back."""
    sheet, dimension, start, end = _dimension_range(book, payload)
    sheet.delete(dimension, start, end)
    return {}


def _append_dimension(book: Spreadsheet, payload: dict[str, Any]) -> Reply:
    """appendDimension {sheetId, dimension, length}: grow the grid at its end."""
    sheet = book.by_id(int(payload.get("sheetId", 0)))
    length = int(payload["length"])
    if payload.get("dimension") == "ROWS":
        sheet.insert("ROWS", sheet.rows, sheet.rows + length)
    elif payload.get("dimension") == "COLUMNS":
        sheet.insert("COLUMNS", sheet.cols, sheet.cols + length)
    else:
        raise ModelError(f"Invalid dimension: {payload.get('dimension')!r}")
    return {}


def _field_paths(fields: str, props: dict[str, Any]) -> list[list[str]]:
    """A field mask (`title,gridProperties.rowCount`, `/` also accepted, `*` = all given)."""
    if not fields:
        raise ModelError("'fields' is required.")
    if fields.strip() == "*":
        return [[key] for key in props if key != "sheetId"]
    return [part.strip().replace("/", ".").split(".") for part in fields.split(",") if part.strip()]


def _lookup(props: dict[str, Any], path: list[str]) -> Any:
    """The value at a field path of the request's properties."""
    value: Any = props
    for key in path:
        if not isinstance(value, dict) or key not in value:
            raise ModelError(f"field {'.'.join(path)!r} is in 'fields' but has no value.")
        value = value[key]
    return value


def _update_sheet_properties(book: Spreadsheet, payload: dict[str, Any]) -> Reply:
    """updateSheetProperties: title, index, grid size and any other property named in `fields`."""
    props = payload["properties"]
    sheet = book.by_id(int(props.get("sheetId", 0)))
    for path in _field_paths(payload.get("fields", ""), props):
        value = _lookup(props, path)
        if path == ["sheetId"]:
            raise ModelError("sheetId cannot be changed.")
        if path == ["title"]:
            other = book.by_title(str(value))
            if other is not None and other is not sheet:
                raise ModelError(
                    f'A sheet with the name "{value}" already exists. Please enter another name.'
                )
            sheet.props["title"] = str(value)
        elif path == ["index"]:
            book.move_sheet(sheet, int(value))
        elif path[0] == "gridProperties":
            _update_grid(sheet, {path[1]: value} if len(path) > 1 else dict(value))
        else:
            _set_path(sheet.props, path, value)
    return {}


def _update_grid(sheet: Sheet, grid: dict[str, Any]) -> None:
    """Resize for rowCount/columnCount; keep other grid properties (frozen rows…) as given."""
    rows, cols = int(grid.pop("rowCount", sheet.rows)), int(grid.pop("columnCount", sheet.cols))
    sheet.resize(rows, cols)
    sheet.props["gridProperties"].update(grid)


def _set_path(target: dict[str, Any], path: list[str], value: Any) -> None:
    """Store a value at a nested path."""
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value


def _update_spreadsheet_properties(book: Spreadsheet, payload: dict[str, Any]) -> Reply:
    """updateSpreadsheetProperties: title, locale, timeZone (whatever `fields` names)."""
    props = payload["properties"]
    for path in _field_paths(payload.get("fields", ""), props):
        _set_path(book.props, path, _lookup(props, path))
    return {}


HANDLERS: dict[str, Callable[[Spreadsheet, dict[str, Any]], Reply]] = {
    "addSheet": _add_sheet,
    "deleteSheet": _delete_sheet,
    "insertDimension": _insert_dimension,
    "deleteDimension": _delete_dimension,
    "appendDimension": _append_dimension,
    "updateSheetProperties": _update_sheet_properties,
    "updateSpreadsheetProperties": _update_spreadsheet_properties,
}
