"""The emulator: a ThreadingHTTPServer speaking Sheets API v4 plus a Python API for tests.

One lock guards the spreadsheets, the faults and the log; latency is slept outside it, so slow
answers do not serialise concurrent clients. Answers use HTTP/1.1 keep-alive with TCP_NODELAY
(small JSON replies otherwise stall ~40 ms on Nagle's algorithm meeting delayed ACKs).
"""

from __future__ import annotations

import contextlib
import csv
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import structure, values
from .a1 import column_index, quote_sheet
from .cells import from_raw, from_user_entered, render
from .errors import ApiError
from .faults import Fault, Faults, RequestRecord
from .model import Spreadsheet

Handler = Callable[[Spreadsheet, str, Mapping[str, Sequence[str]], Any], dict[str, Any]]

METADATA_HEADER = [
    "ID",
    "Timestamp",
    "Evento_Tipo",
    "TAG_SPOOL",
    "Worker_ID",
    "Worker_Nombre",
    "Operacion",
    "Accion",
    "Fecha_Operacion",
    "Metadata_JSON",
]
DEFAULT_CSV_NAMES = {
    "Operaciones": "operaciones.csv",
    "Trabajadores": "trabajadores.csv",
    "Roles": "roles.csv",
    "Metadata": "metadata.csv",
    "Uniones": "uniones.csv",
}
# Tabs a shop may not have: no file, no tab (a shop that tracks whole spools has no Uniones).
OPTIONAL_CSV = frozenset({"Uniones"})

_ID = r"/v4/spreadsheets/([^/:]+)"
ROUTES: list[tuple[str, re.Pattern[str], str, Handler]] = [
    ("GET", re.compile(f"^{_ID}$"), "spreadsheets.get", structure.spreadsheet_get),
    (
        "POST",
        re.compile(f"^{_ID}:batchUpdate$"),
        "spreadsheets.batchUpdate",
        structure.spreadsheet_batch_update,
    ),
    ("GET", re.compile(f"^{_ID}/values:batchGet$"), "values.batchGet", values.values_batch_get),
    ("POST", re.compile(f"^{_ID}/values:batchUpdate$"), "values.batchUpdate", values.values_batch_update),
    ("POST", re.compile(f"^{_ID}/values:batchClear$"), "values.batchClear", values.values_batch_clear),
    ("POST", re.compile(f"^{_ID}/values/(.+):append$"), "values.append", values.values_append),
    ("POST", re.compile(f"^{_ID}/values/(.+):clear$"), "values.clear", values.values_clear),
    ("GET", re.compile(f"^{_ID}/values/(.+)$"), "values.get", values.values_get),
    ("PUT", re.compile(f"^{_ID}/values/(.+)$"), "values.update", values.values_update),
]


def route(method: str, path: str) -> tuple[str, Handler | None, str, str]:
    """(kind, handler, spreadsheet id, decoded range) for a raw URL path."""
    for route_method, pattern, kind, handler in ROUTES:
        if (m := pattern.match(path)) and route_method == method:
            return kind, handler, unquote(m[1]), unquote(m[2]) if pattern.groups > 1 else ""
    return "unknown", None, "", ""


def _parse_json(raw: bytes) -> tuple[Any, bool]:
    """(parsed body or None, True when the body is not JSON)."""
    if not raw.strip():
        return None, False
    try:
        return json.loads(raw), False
    except ValueError:
        return None, True


class _Server(ThreadingHTTPServer):
    """Threads per connection; remembers open connections so stop() can cut keep-alives."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], emulator: SheetsEmulator) -> None:
        self.emulator = emulator
        self.connections: set[socket.socket] = set()
        super().__init__(address, _RequestHandler)


class _RequestHandler(BaseHTTPRequestHandler):
    """Reads a request, lets the emulator answer it, writes JSON."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        """Small replies go out at once (TCP_NODELAY); remember the connection for stop()."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.connections.add(self.connection)

    def finish(self) -> None:
        """Forget the connection."""
        self.server.connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is the emulator's own."""

    def _serve(self) -> None:
        """Read the body, let the emulator answer, write the JSON reply."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        emulator = self.server.emulator
        status, payload, retry_after = emulator.handle(
            self.command, self.path, raw, self.headers.get("Authorization")
        )
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        if retry_after is not None:
            self.send_header("Retry-After", f"{retry_after:g}")
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


class SheetsEmulator:
    """A local Google Sheets API v4 for gspread: in memory, thread-safe, with fault injection."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        locale: str = "es_CL",
        time_zone: str = "America/Santiago",
    ) -> None:
        self.host, self.port = host, port
        self.locale, self.time_zone = locale, time_zone
        self._lock = threading.RLock()
        self._books: dict[str, Spreadsheet] = {}
        self._faults = Faults()
        self._log: list[RequestRecord] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle

    def start(self) -> SheetsEmulator:
        """Listen and serve in a daemon thread; `port=0` picks a free port."""
        if self._server is None:
            self._server = _Server((self.host, self.port), self)
            self.port = self._server.server_address[1]
            # A short poll keeps stop() fast (shutdown waits for the next poll).
            self._thread = threading.Thread(
                target=self._server.serve_forever, args=(0.05,), name="sheets-emulator", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and drop open connections."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        for connection in list(server.connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SheetsEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """`http://host:port`, for endpoint_session()."""
        return f"http://{self.host}:{self.port}"

    # HTTP

    def handle(
        self, method: str, raw_path: str, raw_body: bytes, authorization: str | None = None
    ) -> tuple[int, dict[str, Any], float | None]:
        """Answer one request: (status, JSON body, Retry-After seconds or None)."""
        arrived = time.monotonic()
        split = urlsplit(raw_path)
        query = parse_qs(split.query, keep_blank_values=True)
        kind, handler, spreadsheet_id, range_text = route(method, split.path)
        with self._lock:
            error = self._faults.take(kind, method != "GET", arrived)
            latency = self._faults.latency
        if latency:
            time.sleep(latency)
        body, bad_json = _parse_json(raw_body)
        if error is None and bad_json:
            error = ApiError.bad("Invalid JSON payload received.")
        try:
            if error is not None:
                raise error
            with self._lock:
                payload = self._dispatch(handler, spreadsheet_id, range_text, query, body)
            status, retry_after = 200, None
        except ApiError as exc:
            payload, status, retry_after = exc.body(), exc.code, exc.retry_after
        except Exception as exc:  # A bug here must still answer, loudly.
            payload, status, retry_after = ApiError(500, f"Sheets emulator bug: {exc!r}").body(), 500, None
        self._record(method, unquote(split.path), query, body, status, arrived, kind, payload, authorization)
        return status, payload, retry_after

    def _record(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: Any,
        status: int,
        arrived: float,
        kind: str,
        payload: dict[str, Any],
        authorization: str | None,
    ) -> None:
        """Append the request to the log."""
        record = RequestRecord(
            method=method,
            path=path,
            query={k: v[0] for k, v in query.items()},
            query_lists=query,
            body=body,
            status=status,
            at=arrived,
            kind=kind,
            error=payload["error"]["message"] if "error" in payload else None,
            authorization=authorization,
        )
        with self._lock:
            self._log.append(record)

    def _dispatch(
        self,
        handler: Handler | None,
        spreadsheet_id: str,
        range_text: str,
        query: Mapping[str, Sequence[str]],
        body: Any,
    ) -> dict[str, Any]:
        """Find the spreadsheet and run the handler (lock held)."""
        if handler is None:
            raise ApiError(404, "Method not found.")
        book = self._books.get(spreadsheet_id)
        if book is None:
            raise ApiError.not_found()
        return handler(book, range_text, query, body)

    # Set-up

    def create_spreadsheet(
        self,
        spreadsheet_id: str,
        sheets: Mapping[str, Sequence[Sequence[object]]],
        title: str = "ZEUES",
        *,
        value_input: str = "RAW",
        min_rows: int = 0,
        min_cols: int = 0,
    ) -> None:
        """Create (or replace) a spreadsheet; each sheet's grid is its data's size (at least min_rows × min_cols)."""
        book = Spreadsheet(spreadsheet_id, title, self.locale, self.time_zone)
        if not sheets:
            book.add_sheet("Sheet1", max(min_rows, 1000), max(min_cols, 26))
        for name, rows in sheets.items():
            width = max((len(row) for row in rows), default=0)
            sheet = book.add_sheet(name, max(len(rows), min_rows, 1), max(width, min_cols, 1))
            sheet.write(0, 0, [[self._convert(v, value_input, book) for v in row] for row in rows])
        with self._lock:
            self._books[spreadsheet_id] = book

    def load_csv_dir(
        self,
        spreadsheet_id: str,
        path: str | Path,
        names: Mapping[str, str] | None = None,
        *,
        title: str = "ZEUES",
        value_input: str = "RAW",
        min_rows: int = 0,
        min_cols: int = 0,
    ) -> None:
        """Create a spreadsheet from CSV files (`{sheet: file}`); a missing Metadata gets its header row,
        a missing Uniones file means no Uniones tab."""
        directory = Path(path)
        sheets: dict[str, list[list[str]]] = {}
        for sheet, filename in (names or DEFAULT_CSV_NAMES).items():
            file = directory / filename
            if not file.exists() and sheet == "Metadata":
                sheets[sheet] = [list(METADATA_HEADER)]
                continue
            if not file.exists() and sheet in OPTIONAL_CSV:
                continue
            with file.open(encoding="utf-8-sig", newline="") as handle:
                sheets[sheet] = [row for row in csv.reader(handle)]
        self.create_spreadsheet(
            spreadsheet_id, sheets, title, value_input=value_input, min_rows=min_rows, min_cols=min_cols
        )

    @staticmethod
    def _convert(value: object, value_input: str, book: Spreadsheet) -> Any:
        """A Python value as a stored cell (None and "" are empty)."""
        if value is None:
            return None
        if value_input == "USER_ENTERED":
            return from_user_entered(value, book.locale)
        return from_raw(value)

    # Inspection

    def _book(self, spreadsheet_id: str) -> Spreadsheet:
        """The spreadsheet or KeyError (lock held by the caller)."""
        try:
            return self._books[spreadsheet_id]
        except KeyError:
            raise KeyError(f"no spreadsheet {spreadsheet_id!r} in the emulator") from None

    def _sheet_range(self, sheet: str, a1_range: str = "") -> str:
        """`'Sheet'!A1` text for a sheet title and an optional A1 range."""
        return quote_sheet(sheet) + (f"!{a1_range}" if a1_range else "")

    def metadata(self, spreadsheet_id: str) -> dict[str, Any]:
        """What spreadsheets.get answers (properties, sheets, grid sizes)."""
        with self._lock:
            return self._book(spreadsheet_id).to_json()

    def grid_size(self, spreadsheet_id: str, sheet: str) -> tuple[int, int]:
        """(rowCount, columnCount) of a sheet."""
        with self._lock:
            found, _ = values.locate(self._book(spreadsheet_id), self._sheet_range(sheet))
            return found.rows, found.cols

    def values(
        self,
        spreadsheet_id: str,
        sheet: str,
        render: str = "FORMATTED_VALUE",
        date_render: str = "SERIAL_NUMBER",
    ) -> list[list[Any]]:
        """The whole grid (rowCount × columnCount, not trimmed), empty cells as ""."""
        with self._lock:
            book = self._book(spreadsheet_id)
            found, _ = values.locate(book, self._sheet_range(sheet))
            return [[self._render(c, render, date_render, book) for c in row] for row in found.grid]

    def cell(self, spreadsheet_id: str, sheet: str, a1: str, render: str = "FORMATTED_VALUE") -> Any:
        """One cell's value ("" when empty or outside the grid)."""
        with self._lock:
            book = self._book(spreadsheet_id)
            found, rng = values.locate(book, self._sheet_range(sheet, a1))
            row, col = rng.row0 or 0, rng.col0 or 0
            if row >= found.rows or col >= found.cols:
                return ""
            return self._render(found.grid[row][col], render, "SERIAL_NUMBER", book)

    @staticmethod
    def _render(cell: Any, value_render: str, date_render: str, book: Spreadsheet) -> Any:
        """A stored cell as the API would render it."""
        return render(cell, value_render, date_render, book.locale)

    # Human edits (not logged, no faults)

    def set_values(
        self,
        spreadsheet_id: str,
        sheet: str,
        a1_range: str,
        rows: Sequence[Sequence[object]],
        value_input: str = "USER_ENTERED",
    ) -> None:
        """Type values into the sheet as a person would (None leaves a cell as it is)."""
        with self._lock:
            book = self._book(spreadsheet_id)
            matrix = values.to_matrix([list(r) for r in rows], "ROWS", value_input, book)
            values.plan_write(book, self._sheet_range(sheet, a1_range), matrix).apply()

    def insert_columns(self, spreadsheet_id: str, sheet: str, index: int | str, count: int = 1) -> None:
        """Insert empty columns so the first new one is column `index` (1-based, or a letter like "C")."""
        self._structural(spreadsheet_id, sheet, "COLUMNS", self._column(index), count, insert=True)

    def delete_columns(self, spreadsheet_id: str, sheet: str, index: int | str, count: int = 1) -> None:
        """Delete `count` columns starting at column `index` (1-based, or a letter)."""
        self._structural(spreadsheet_id, sheet, "COLUMNS", self._column(index), count, insert=False)

    def insert_rows(self, spreadsheet_id: str, sheet: str, index: int, count: int = 1) -> None:
        """Insert empty rows so the first new one is row `index` (1-based)."""
        self._structural(spreadsheet_id, sheet, "ROWS", index - 1, count, insert=True)

    def delete_rows(self, spreadsheet_id: str, sheet: str, index: int, count: int = 1) -> None:
        """Delete `count` rows starting at row `index` (1-based)."""
        self._structural(spreadsheet_id, sheet, "ROWS", index - 1, count, insert=False)

    @staticmethod
    def _column(index: int | str) -> int:
        """A 1-based column number or a letter as a 0-based index."""
        return column_index(index) if isinstance(index, str) else index - 1

    def _structural(
        self, spreadsheet_id: str, sheet: str, dimension: str, start: int, count: int, *, insert: bool
    ) -> None:
        """Insert or delete rows/columns in place."""
        with self._lock:
            found, _ = values.locate(self._book(spreadsheet_id), self._sheet_range(sheet))
            if insert:
                found.insert(dimension, start, start + count)
            else:
                found.delete(dimension, start, start + count)

    # Request log

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request answered so far (a copy), oldest first."""
        with self._lock:
            return list(self._log)

    def clear_log(self) -> None:
        """Forget the logged requests."""
        with self._lock:
            self._log.clear()

    def count(self, kind: str | None = None, since: float | None = None, *, ok: bool | None = None) -> int:
        """How many requests (of a kind, arrived at or after `since`, answered 2xx or not)."""
        with self._lock:
            return sum(
                1
                for r in self._log
                if (kind is None or r.kind == kind)
                and (since is None or r.at >= since)
                and (ok is None or r.ok == ok)
            )

    # Faults

    def fail_next(
        self, n: int = 1, status: int = 429, retry_after: float | None = None, *, kind: str | None = None
    ) -> None:
        """Queue `n` failures for the next requests (only of `kind`, when given)."""
        with self._lock:
            self._faults.queue.extend(Fault(status, retry_after, kind) for _ in range(n))

    def set_down(self, down: bool = True) -> None:
        """While down, every request answers 503 UNAVAILABLE."""
        with self._lock:
            self._faults.down = down

    def set_latency(self, seconds: float) -> None:
        """Sleep this long before answering each request."""
        with self._lock:
            self._faults.latency = max(0.0, seconds)

    def set_quota(
        self, per_minute: int | None, *, window: float = 60.0, split_read_write: bool = False
    ) -> None:
        """At most `per_minute` accepted requests per sliding `window` seconds, else 429.

        One bucket for all requests by default (stricter than Google); `split_read_write=True`
        counts reads and writes separately, as Google's per-user quotas do.
        """
        with self._lock:
            self._faults.per_minute = per_minute
            self._faults.window = window
            self._faults.split_read_write = split_read_write
            self._faults.accepted.clear()

    def reset_faults(self) -> None:
        """Up, no queued failures, no latency, no quota."""
        with self._lock:
            self._faults.reset()

    def spreadsheet_ids(self) -> Iterable[str]:
        """Ids of the spreadsheets held."""
        with self._lock:
            return list(self._books)
