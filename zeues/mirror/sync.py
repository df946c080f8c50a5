"""The sync worker: each cycle sends everything pending in about three requests.

1. one `values:batchGet`: the header rows of Operaciones and Metadata (drift is detected every
   cycle), the TAG_SPOOL column (rows are located by tag, never remembered) and, only after an
   unconfirmed append, the tail of Metadata's ID column;
2. one `values:batchUpdate` with the ZEUES-owned cells of every changed spool, one range per
   run of adjacent columns of each row, nothing else;
3. one `values:append` of the new events to Metadata.

Bookkeeping happens only after Google confirmed each write. Before an append the worker
records that it is in flight; if the process dies before recording the confirmation, the next
cycle reads Metadata's ID column tail and skips the events already there.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import gspread
import requests
from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from gspread.exceptions import APIError

from spools.models import Event, EventType, Spool
from zeues.lib import sheets
from zeues.lib.headers import HeaderMap
from zeues.mirror.cells import (
    METADATA_COLUMNS,
    SPOOL_COLUMNS,
    TAG_COLUMN,
    contiguous_runs,
    event_cells,
    placed_row,
    spool_cells,
)
from zeues.mirror.events import events_after
from zeues.mirror.leader import leadership
from zeues.mirror.outbox import outbox_confirm, outbox_mark_problems
from zeues.models import SheetSpoolChange, SheetSyncState

log = logging.getLogger("zeues.sheets")

# Rows of Metadata re-read above our last confirmed append, in case people deleted some.
TAIL_MARGIN = 100
PROBLEM_RETRY = 60.0
SHEETS_ERRORS = (sheets.SheetsError, APIError, requests.RequestException)


class Paused(Exception):
    """The sheet's layout makes writing unsafe; nothing is written until it is fixed."""


@dataclass
class Layout:
    """Where things are in the sheet right now."""

    ops: HeaderMap
    meta: HeaderMap
    tags: list[str] = field(default_factory=list)  # entry i = TAG_SPOOL cell of row i + 1
    tail_ids: set[str] = field(default_factory=set)

    def spool_columns(self) -> dict[str, int]:
        """Written Operaciones column → 0-based index."""
        return {name: self.ops.index(name) for name in SPOOL_COLUMNS}  # type: ignore[misc]

    def metadata_columns(self) -> dict[str, int]:
        """Metadata column → 0-based index."""
        return {name: self.meta.index(name) for name in METADATA_COLUMNS}  # type: ignore[misc]

    def rows_by_tag(self) -> dict[str, list[int]]:
        """Stripped tag → the 1-based rows that carry it (the header row excluded)."""
        rows: dict[str, list[int]] = defaultdict(list)
        for number, value in enumerate(self.tags[1:], start=2):
            if value.strip():
                rows[value.strip()].append(number)
        return rows


@dataclass
class CycleResult:
    """What one cycle did."""

    idle: bool = False
    skipped: str = ""
    spools_written: int = 0
    events_appended: int = 0
    requests: int = 0
    paused: str = ""
    error: str = ""
    problems: dict[int, str] = field(default_factory=dict)


def layout_problems(ops: HeaderMap, meta: HeaderMap) -> list[str]:
    """Missing or ambiguous columns that make writing unsafe, as messages for people."""
    problems = []
    hojas = (
        (settings.ZEUES_SHEET_OPERACIONES, ops, (TAG_COLUMN, *SPOOL_COLUMNS)),
        (settings.ZEUES_SHEET_METADATA, meta, METADATA_COLUMNS),
    )
    for hoja, headers, needed in hojas:
        missing = headers.missing(needed)
        if missing:
            problems.append(f"Falta en la hoja {hoja} la columna {', '.join(missing)}")
        problems += [f"En la hoja {hoja}, {dup}" for dup in headers.duplicates(needed)]
    return problems


def last_row(updated_range: str) -> int:
    """The last row number of an A1 range such as `'Metadata'!A12:J14` (0 when absent)."""
    match = re.search(r"(\d+)$", updated_range or "")
    return int(match.group(1)) if match else 0


# --- bookkeeping (each step in its own transaction, after Google confirmed) ---------------


def confirm_spools(written: dict[int, int], problems: dict[int, str]) -> None:
    """Dequeue the spools Google confirmed; note why the others could not be written."""
    with transaction.atomic():
        outbox_confirm(written)
        outbox_mark_problems(problems)


def mark_append_pending(state: SheetSyncState, upto: int) -> None:
    """Record, before sending it, that an append up to `upto` may reach the sheet."""
    state.append_pending_upto = upto
    state.save(update_fields=["append_pending_upto", "updated_at"])


def confirm_append(state: SheetSyncState, upto: int, row: int) -> None:
    """Move the event cursor past an append Google confirmed (or events not mirrored)."""
    state.event_cursor = upto
    state.append_pending_upto = None
    if row:
        state.metadata_last_row = row
    state.save(update_fields=["event_cursor", "append_pending_upto", "metadata_last_row", "updated_at"])


def requeue(tags: set[str]) -> None:
    """Queue these spools again (their cells may have landed on the wrong row or column)."""
    for spool in Spool.objects.filter(tag_spool__in=tags):
        SheetSpoolChange.queue(spool)


def summarise(problems: dict[int, str], tags: dict[int, str]) -> dict[str, Any]:
    """The `avisos` shown in admin and /api/health: tags missing from, or repeated in, the sheet."""
    missing = sorted(tags[pk] for pk, why in problems.items() if " no está en " in why)
    repeated = {tags[pk]: why for pk, why in problems.items() if " no está en " not in why}
    return {"sin_fila": missing[:100], "sin_fila_total": len(missing), "duplicados": repeated}


class SheetSync:
    """The mirror's worker: `run_once()` is one cycle, `run_forever()` loops until stopped."""

    def __init__(self, client: gspread.Client | None = None, spreadsheet_id: str | None = None) -> None:
        self._client = client
        self.key = spreadsheet_id or settings.GOOGLE_SHEET_ID
        self._tag_col: int | None = None
        self._id_col: int | None = None
        # What the previous cycle wrote: spool cell positions and row → tag, checked next cycle.
        self._last_write: tuple[dict[str, int], dict[int, str]] | None = None
        self._problems_at = float("-inf")

    @property
    def client(self) -> gspread.Client:
        """The gspread client, built on first use (an idle worker never talks to Google)."""
        if self._client is None:
            self._client = sheets.build_client()
        return self._client

    @property
    def http(self) -> sheets.RetryingHTTPClient:
        """The client's bounded-retry HTTP client."""
        return self.client.http_client  # type: ignore[return-value]

    # --- the loop ---------------------------------------------------------------------------

    def run_forever(self, stop: threading.Event, interval: float | None = None) -> None:
        """Run cycles every `interval` seconds until `stop` is set; stops between cycles."""
        interval = settings.ZEUES_SHEETS_INTERVAL if interval is None else interval
        while not stop.is_set():
            started = time.monotonic()
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 - the loop must survive anything and retry
                log.exception("Error inesperado en el ciclo del espejo de Google Sheets")
            finally:
                close_old_connections()
            stop.wait(max(0.0, interval - (time.monotonic() - started)))

    def run_once(self) -> CycleResult:
        """One cycle under the single-writer lock; skipped when another worker holds it."""
        if not self.key:
            return CycleResult(skipped="GOOGLE_SHEET_ID no está configurado")
        with leadership() as leader:
            if not leader:
                return CycleResult(skipped="otro proceso está sincronizando la planilla")
            return self._cycle()

    def _cycle(self) -> CycleResult:
        state = SheetSyncState.load()
        changes = list(
            SheetSpoolChange.objects.order_by("problema", "first_change_at")[
                : settings.ZEUES_SHEETS_BATCH_SPOOLS
            ]
        )
        events = events_after(state.event_cursor, settings.ZEUES_SHEETS_BATCH_EVENTS)
        pending = state.append_pending_upto is not None
        # Spools the sheet lacks are retried every PROBLEM_RETRY seconds, not every cycle.
        fresh = any(not c.problema for c in changes)
        retry = bool(changes) and time.monotonic() - self._problems_at >= PROBLEM_RETRY
        if not (fresh or retry or events or pending or self._last_write or state.paused_reason):
            SheetSyncState.objects.filter(pk=1).update(last_cycle_at=timezone.now())
            return CycleResult(idle=True)
        result = CycleResult()
        self._problems_at = time.monotonic()
        sent = self._sent()
        try:
            self._sync(state, changes, events, result)
        except Paused as exc:
            result.paused = str(exc)
            self._record(state, paused=result.paused)
        except SHEETS_ERRORS as exc:
            result.error = sheets.describe(exc)
            log.warning("Espejo de Google Sheets: %s", result.error)
            self._record(state, error=result.error)
        result.requests = self._sent() - sent
        return result

    def _sent(self) -> int:
        """Requests sent so far by this worker's client (0 before it exists)."""
        return self.http.sent if self._client is not None else 0

    def _sync(
        self, state: SheetSyncState, changes: list[SheetSpoolChange], events: list[Event], result: CycleResult
    ) -> None:
        tail_from = None
        if state.append_pending_upto is not None:
            # Start inside rows known to exist: Google refuses a range beyond the grid.
            tail_from = max(1, state.metadata_last_row - TAIL_MARGIN)
        layout = self.read_layout(tags=bool(changes or self._last_write), tail_from=tail_from)
        self._verify_last_write(layout)
        written, result.problems, tags = self.write_spools(layout, changes)
        result.spools_written = len(written)
        confirm_spools(written, result.problems)
        result.events_appended = self.append_events(layout, state, events)
        self._record(state, avisos=summarise(result.problems, tags))
        if result.spools_written or result.events_appended:
            log.info(
                "Espejo de Google Sheets: %d spools escritos, %d eventos agregados a Metadata",
                result.spools_written,
                result.events_appended,
            )

    def _record(
        self, state: SheetSyncState, *, paused: str = "", error: str = "", avisos: Any = None
    ) -> None:
        """Store the cycle's outcome for admin and /api/health."""
        now = timezone.now()
        fields: dict[str, Any] = {"last_cycle_at": now}
        if error:  # the layout could not be read: a pause, if any, stands
            fields.update(last_error=error, last_error_at=now)
        elif paused:
            fields.update(paused_reason=paused)
        else:
            fields.update(last_success_at=now, paused_reason="", avisos=avisos or {})
        SheetSyncState.objects.filter(pk=state.pk).update(**fields)

    # --- reading ----------------------------------------------------------------------------

    def batch_get(self, wanted: dict[str, str]) -> dict[str, list[list[str]]]:
        """One values:batchGet of named ranges (formatted, as people see them)."""
        params: dict[str, Any] = {"valueRenderOption": "FORMATTED_VALUE", "majorDimension": "ROWS"}
        try:
            answer = self.http.values_batch_get(self.key, list(wanted.values()), params=params)
        except APIError as exc:
            if exc.response.status_code == 400:
                self._check_tabs()
            raise
        return {
            name: sheets.grid(vr) for name, vr in zip(wanted, answer.get("valueRanges", []), strict=False)
        }

    def _check_tabs(self) -> None:
        """Pause with a clear message when a tab the mirror needs is missing."""
        tabs = [settings.ZEUES_SHEET_OPERACIONES, settings.ZEUES_SHEET_METADATA]
        missing = sheets.missing_tabs(self.client, self.key, tabs)
        if missing:
            raise Paused(f"Falta la hoja {', '.join(missing)} en la planilla. El espejo no escribe nada.")

    def read_layout(self, *, tags: bool, tail_from: int | None) -> Layout:
        """Headers every cycle; the tag column and the ID tail when needed (cached positions)."""
        ops_name, meta_name = settings.ZEUES_SHEET_OPERACIONES, settings.ZEUES_SHEET_METADATA
        wanted = {"ops": sheets.row_range(ops_name), "meta": sheets.row_range(meta_name)}
        if tags and self._tag_col is not None:
            wanted["tags"] = sheets.column_range(ops_name, self._tag_col)
        if tail_from is not None and self._id_col is not None:
            wanted["tail"] = sheets.column_range(meta_name, self._id_col, tail_from)
        try:
            got = self.batch_get(wanted)
        except APIError as exc:
            if "tail" not in wanted or exc.response.status_code != 400:
                raise
            # People deleted Metadata rows: read the whole ID column instead.
            tail_from = 1
            wanted["tail"] = sheets.column_range(meta_name, self._id_col, tail_from)  # type: ignore[arg-type]
            got = self.batch_get(wanted)
        layout = Layout(sheets.header_map(got["ops"]), sheets.header_map(got["meta"]))
        problems = layout_problems(layout.ops, layout.meta)
        if problems:
            raise Paused("; ".join(problems) + ". El espejo no escribe nada hasta que se corrija.")
        tag_col, id_col = layout.ops.index(TAG_COLUMN), layout.meta.index("ID")
        again = {}
        if tags and tag_col != self._tag_col:
            again["tags"] = sheets.column_range(ops_name, tag_col)  # type: ignore[arg-type]
        if tail_from is not None and id_col != self._id_col:
            again["tail"] = sheets.column_range(meta_name, id_col, tail_from)  # type: ignore[arg-type]
        if again:
            got.update(self.batch_get(again))
        self._tag_col, self._id_col = tag_col, id_col
        layout.tags = [row[0] if row else "" for row in got.get("tags", [])]
        layout.tail_ids = {row[0].strip() for row in got.get("tail", []) if row}
        return layout

    def _verify_last_write(self, layout: Layout) -> None:
        """Queue again what the previous cycle wrote if its rows or columns moved meanwhile.

        A person may insert a row or column between our read and our write; the cells would
        then land one row or column off. Rows or positions that differ now are rewritten (a
        rewrite of correct cells is harmless).
        """
        previous, self._last_write = self._last_write, None
        if previous is None:
            return
        positions, rows = previous
        if positions != layout.spool_columns():
            requeue(set(rows.values()))
            return
        moved = {
            row: tag
            for row, tag in rows.items()
            if row > len(layout.tags) or layout.tags[row - 1].strip() != tag
        }
        if moved:
            now_there = {layout.tags[row - 1].strip() for row in moved if row <= len(layout.tags)}
            requeue(set(moved.values()) | now_there)

    # --- writing ----------------------------------------------------------------------------

    def write_spools(
        self, layout: Layout, changes: list[SheetSpoolChange]
    ) -> tuple[dict[int, int], dict[int, str], dict[int, str]]:
        """One values:batchUpdate: (written spool → version, problems, spool → tag)."""
        if not changes:
            return {}, {}, {}
        spools = Spool.objects.with_people().in_bulk([c.spool_id for c in changes])
        rows_by_tag, positions = layout.rows_by_tag(), layout.spool_columns()
        data, written, problems, placed = [], {}, {}, {}
        for spool in spools.values():
            rows = rows_by_tag.get(spool.tag_spool, [])
            if len(rows) != 1:
                problems[spool.pk] = self._problem(spool.tag_spool, rows)
                continue
            data += self._ranges(spool, rows[0], positions)
            written[spool.pk], placed[rows[0]] = spool.version, spool.tag_spool
        if data:
            body = {"valueInputOption": "RAW", "data": data}
            self.http.values_batch_update(self.key, body)
            self._last_write = (positions, placed)
        return written, problems, {pk: s.tag_spool for pk, s in spools.items()}

    @staticmethod
    def _problem(tag: str, rows: list[int]) -> str:
        hoja = settings.ZEUES_SHEET_OPERACIONES
        if not rows:
            return f"TAG_SPOOL {tag} no está en la hoja {hoja}; no se escribe"
        listed = ", ".join(map(str, rows[:-1])) + f" y {rows[-1]}"
        return f"TAG_SPOOL {tag} repetido en las filas {listed} de {hoja}; no se escribe"

    @staticmethod
    def _ranges(spool: Spool, row: int, positions: dict[str, int]) -> list[dict[str, Any]]:
        """The spool's cells as one range per run of adjacent columns of its row."""
        cells, hoja = spool_cells(spool), settings.ZEUES_SHEET_OPERACIONES
        ranges = []
        for run in contiguous_runs(positions):
            first, last = positions[run[0]], positions[run[-1]]
            ranges.append(
                {"range": sheets.a1(hoja, first, row, last, row), "values": [[cells[n] for n in run]]}
            )
        return ranges

    def append_events(self, layout: Layout, state: SheetSyncState, events: list[Event]) -> int:
        """One values:append of the events Metadata lacks; the cursor moves once confirmed."""
        if not events:
            return 0
        positions = layout.metadata_columns()
        rows = [
            placed_row(event_cells(e), positions)
            for e in events
            # Metadata is the spools' log: imports and events of no spool (a PIN lockout) stay out.
            if e.evento_tipo != EventType.IMPORT
            and e.spool_id is not None
            and str(e.id) not in layout.tail_ids
        ]
        upto = events[-1].seq
        if not rows:
            confirm_append(state, upto, 0)
            return 0
        mark_append_pending(state, upto)
        answer = self.http.values_append(
            self.key,
            sheets.a1(settings.ZEUES_SHEET_METADATA, 0, 1),
            params={"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"},
            body={"majorDimension": "ROWS", "values": rows},
        )
        confirm_append(state, upto, last_row(answer.get("updates", {}).get("updatedRange", "")))
        return len(rows)
