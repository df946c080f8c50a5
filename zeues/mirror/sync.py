"""The sync worker: each cycle sends everything pending in about three requests.

1. one `values:batchGet`: the header rows of Operaciones and Metadata (drift is detected every
   cycle), the TAG_SPOOL column (rows are located by tag, never remembered), when joints are
   pending the Uniones header row and its TAG_SPOOL and N_UNION columns (joints are located by
   TAG_SPOOL + N_UNION), and, only after an unconfirmed append, the tail of Metadata's ID column;
2. one `values:batchUpdate` with the ZEUES-owned cells of every changed spool and of every
   changed joint, one range per run of adjacent columns of each row, nothing else;
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

from spools.models import Event, EventType, Spool, Union
from zeues.lib import sheets
from zeues.lib.headers import HeaderMap
from zeues.mirror import joints
from zeues.mirror.cells import (
    METADATA_COLUMNS,
    N_UNION_COLUMN,
    SPOOL_COLUMNS,
    TAG_COLUMN,
    event_cells,
    placed_row,
    row_ranges,
    spool_cells,
)
from zeues.mirror.events import events_after
from zeues.mirror.leader import leadership
from zeues.mirror.outbox import (
    Planned,
    outbox_confirm,
    outbox_mark_problems,
    union_outbox_confirm,
    union_outbox_hold,
    union_outbox_mark_problems,
)
from zeues.models import SheetSpoolChange, SheetSyncState, SheetUnionChange

log = logging.getLogger("zeues.sheets")

# Rows of Metadata re-read above our last confirmed append, in case people deleted some.
TAIL_MARGIN = 100
PROBLEM_RETRY = 60.0
SHEETS_ERRORS = (sheets.SheetsError, APIError, requests.RequestException)


class Paused(Exception):
    """The sheet's layout makes writing unsafe; nothing is written until it is fixed."""


class UnionesTabMissing(Exception):
    """The spreadsheet has no joints' tab: joints stay queued, the rest of the cycle goes on."""


@dataclass
class Layout:
    """Where things are in the sheet right now."""

    ops: HeaderMap
    meta: HeaderMap
    tags: list[str] = field(default_factory=list)  # entry i = TAG_SPOOL cell of row i + 1
    tail_ids: set[str] = field(default_factory=set)
    # The Uniones tab, when this cycle read it; why joints are not written when it did not.
    uniones: joints.JointLayout | None = None
    uniones_paused: str = ""
    uniones_missing: bool = False

    def spool_columns(self) -> dict[str, int]:
        """Written Operaciones column → 0-based index."""
        return {name: self.ops.index(name) for name in SPOOL_COLUMNS}  # type: ignore[misc]

    def metadata_columns(self) -> dict[str, int]:
        """Metadata column → 0-based index (N_UNION too when the tab has that column)."""
        positions = {name: self.meta.index(name) for name in METADATA_COLUMNS}
        if (n_union := self.meta.index(N_UNION_COLUMN)) is not None:
            positions[N_UNION_COLUMN] = n_union
        return positions  # type: ignore[return-value]

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
    unions_written: int = 0
    events_appended: int = 0
    requests: int = 0
    paused: str = ""
    error: str = ""
    problems: dict[int, str] = field(default_factory=dict)
    union_problems: dict[int, str] = field(default_factory=dict)
    # Joints are not written this cycle: their columns are missing (a pause) or the tab is.
    uniones_paused: str = ""


def layout_problems(ops: HeaderMap, meta: HeaderMap) -> list[str]:
    """Missing or ambiguous columns that make writing unsafe, as messages for people."""
    problems = []
    hojas = (
        (settings.ZEUES_SHEET_OPERACIONES, ops, (TAG_COLUMN, *SPOOL_COLUMNS), ()),
        # N_UNION is optional in Metadata, but a repeated one would make the row ambiguous.
        (settings.ZEUES_SHEET_METADATA, meta, METADATA_COLUMNS, (N_UNION_COLUMN,)),
    )
    for hoja, headers, needed, optional in hojas:
        missing = headers.missing(needed)
        if missing:
            problems.append(f"Falta en la hoja {hoja} la columna {', '.join(missing)}")
        problems += [f"En la hoja {hoja}, {dup}" for dup in headers.duplicates((*needed, *optional))]
    return problems


def last_row(updated_range: str) -> int:
    """The last row number of an A1 range such as `'Metadata'!A12:J14` (0 when absent)."""
    match = re.search(r"(\d+)$", updated_range or "")
    return int(match.group(1)) if match else 0


# --- bookkeeping (each step in its own transaction, after Google confirmed) ---------------


def confirm_cells(spools: Planned, unions: Planned, *, hold: str = "") -> None:
    """Dequeue the spools and joints Google confirmed; note why the others could not be written.

    `hold`: the joints' tab is missing; every queued joint is marked with it (kept, retried).
    """
    with transaction.atomic():
        outbox_confirm(spools.written)
        outbox_mark_problems(spools.problems)
        union_outbox_confirm(unions.written)
        union_outbox_mark_problems(unions.problems)
        if hold:
            union_outbox_hold(hold)


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


def joint_warnings(layout: Layout, unions: Planned) -> dict[str, Any]:
    """The joints' part of `avisos`: rows missing or repeated, a pause, a missing tab or column."""
    avisos = joints.summarise(unions.problems, unions.names)
    if layout.uniones_paused:
        avisos["uniones_pausado"] = layout.uniones_paused
    if layout.uniones_missing:
        avisos["uniones_sin_hoja"] = joints.missing_tab_message() + " hasta que exista."
    if layout.meta.index(N_UNION_COLUMN) is None and Union.objects.exists():
        hoja = settings.ZEUES_SHEET_METADATA
        avisos["metadata_sin_n_union"] = (
            f"La hoja {hoja} no tiene la columna {N_UNION_COLUMN}: el número de cada unión va solo "
            "en Metadata_JSON. Agregue la columna para verlo aparte."
        )
    return avisos


class SheetSync:
    """The mirror's worker: `run_once()` is one cycle, `run_forever()` loops until stopped."""

    def __init__(self, client: gspread.Client | None = None, spreadsheet_id: str | None = None) -> None:
        self._client = client
        self.key = spreadsheet_id or settings.GOOGLE_SHEET_ID
        self._tag_col: int | None = None
        self._id_col: int | None = None
        self._union_cols: tuple[int, int] | None = None  # Uniones' TAG_SPOOL and N_UNION
        self._previous_joints: joints.JointLayout | None = None  # last cycle's keys and row map
        # When the joints' tab was last found missing (monotonic), None while it exists.
        self._uniones_missing_at: float | None = None
        # What the previous cycle wrote: cell positions and row → tag (joint key), checked next cycle.
        self._last_write: tuple[dict[str, int], dict[int, str]] | None = None
        self._last_joint_write: tuple[dict[str, int], dict[int, joints.Key]] | None = None
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
        union_changes = list(
            SheetUnionChange.objects.order_by("problema", "first_change_at")[: joints.batch_size()]
        )
        events = events_after(state.event_cursor, settings.ZEUES_SHEETS_BATCH_EVENTS)
        pending = state.append_pending_upto is not None
        # Spools and joints the sheet lacks are retried every PROBLEM_RETRY seconds, not every cycle.
        fresh = any(not c.problema for c in changes) or any(not c.problema for c in union_changes)
        retry = bool(changes or union_changes) and time.monotonic() - self._problems_at >= PROBLEM_RETRY
        written_last = self._last_write or self._last_joint_write
        if not (fresh or retry or events or pending or written_last or state.paused_reason):
            SheetSyncState.objects.filter(pk=1).update(last_cycle_at=timezone.now())
            return CycleResult(idle=True)
        result = CycleResult()
        self._problems_at = time.monotonic()
        sent = self._sent()
        try:
            self._sync(state, changes, union_changes, events, result)
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
        self,
        state: SheetSyncState,
        changes: list[SheetSpoolChange],
        union_changes: list[SheetUnionChange],
        events: list[Event],
        result: CycleResult,
    ) -> None:
        tail_from = None
        if state.append_pending_upto is not None:
            # Start inside rows known to exist: Google refuses a range beyond the grid.
            tail_from = max(1, state.metadata_last_row - TAIL_MARGIN)
        layout = self.read_layout(
            tags=bool(changes or self._last_write),
            uniones=bool(union_changes or self._last_joint_write),
            tail_from=tail_from,
        )
        self._verify_last_write(layout)
        self._verify_last_joint_write(layout)
        spools, unions = self.plan_spools(layout, changes), self.plan_joints(layout, union_changes)
        self.write_cells(spools.data + unions.data)
        if spools.data:
            self._last_write = (layout.spool_columns(), spools.placed)
        if unions.data and layout.uniones is not None:
            self._last_joint_write = (layout.uniones.columns(), unions.placed)
        confirm_cells(spools, unions, hold=joints.missing_tab_message() if layout.uniones_missing else "")
        if spools.cleared or unions.cleared:
            self._problems_at = float("-inf")  # a fixed sheet: the other retries need not wait
        result.spools_written, result.unions_written = len(spools.written), len(unions.written)
        result.problems, result.union_problems = spools.problems, unions.problems
        result.uniones_paused = layout.uniones_paused or (
            joints.missing_tab_message() if layout.uniones_missing else ""
        )
        result.events_appended = self.append_events(layout, state, events)
        avisos = summarise(spools.problems, spools.names) | joint_warnings(layout, unions)
        self._record(state, avisos=avisos)
        if result.spools_written or result.unions_written or result.events_appended:
            log.info(
                "Espejo de Google Sheets: %d spools y %d uniones escritos, %d eventos agregados a Metadata",
                result.spools_written,
                result.unions_written,
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
                self._check_tabs(uniones="uniones" in wanted)
            raise
        return {
            name: sheets.grid(vr) for name, vr in zip(wanted, answer.get("valueRanges", []), strict=False)
        }

    def _check_tabs(self, *, uniones: bool) -> None:
        """Pause with a clear message when a tab the mirror needs is missing.

        A missing joints' tab pauses nothing: UnionesTabMissing lets the cycle go on without it.
        """
        needed = [settings.ZEUES_SHEET_OPERACIONES, settings.ZEUES_SHEET_METADATA]
        tabs = [*needed, joints.uniones_tab()] if uniones else needed
        missing = sheets.missing_tabs(self.client, self.key, tabs)
        required = [tab for tab in missing if tab in needed]
        if required:
            raise Paused(f"Falta la hoja {', '.join(required)} en la planilla. El espejo no escribe nada.")
        if missing:
            raise UnionesTabMissing(missing[0])

    def _uniones_tab_present(self) -> bool:
        """Whether to read the joints' tab: yes, unless it was missing (re-checked every PROBLEM_RETRY s)."""
        if self._uniones_missing_at is None:
            return True
        if time.monotonic() - self._uniones_missing_at < PROBLEM_RETRY:
            return False
        if sheets.missing_tabs(self.client, self.key, [joints.uniones_tab()]):
            self._uniones_missing_at = time.monotonic()
            return False
        self._uniones_missing_at = None
        return True

    def _fetch(
        self, wanted: dict[str, str], tail_from: int | None
    ) -> tuple[dict[str, list[list[str]]], int | None]:
        """batch_get, without the joints' ranges when their tab is missing, the whole ID column
        when the tail's start is beyond the grid (people deleted Metadata rows)."""
        try:
            return self.batch_get(wanted), tail_from
        except UnionesTabMissing:
            self._uniones_missing_at, self._union_cols = time.monotonic(), None
            return self._fetch({k: v for k, v in wanted.items() if not k.startswith("uniones")}, tail_from)
        except APIError as exc:
            if "tail" not in wanted or exc.response.status_code != 400 or tail_from == 1:
                raise
            meta_name = settings.ZEUES_SHEET_METADATA
            return self._fetch({**wanted, "tail": sheets.column_range(meta_name, self._id_col, 1)}, 1)  # type: ignore[arg-type]

    def read_layout(self, *, tags: bool, tail_from: int | None, uniones: bool = False) -> Layout:
        """Headers every cycle; the tag columns and the ID tail when needed (cached positions)."""
        ops_name, meta_name = settings.ZEUES_SHEET_OPERACIONES, settings.ZEUES_SHEET_METADATA
        wanted = {"ops": sheets.row_range(ops_name), "meta": sheets.row_range(meta_name)}
        if tags and self._tag_col is not None:
            wanted["tags"] = sheets.column_range(ops_name, self._tag_col)
        if tail_from is not None and self._id_col is not None:
            wanted["tail"] = sheets.column_range(meta_name, self._id_col, tail_from)
        if uniones and self._uniones_tab_present():
            wanted.update(self._union_ranges(self._union_cols, header=True))
        got, tail_from = self._fetch(wanted, tail_from)
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
        union_cols = self._read_union_headers(layout, got.get("uniones"))
        if union_cols is not None and union_cols != self._union_cols:
            again.update(self._union_ranges(union_cols, header=False))
        if again:
            got.update(self.batch_get(again))
        self._tag_col, self._id_col = tag_col, id_col
        layout.tags = [row[0] if row else "" for row in got.get("tags", [])]
        layout.tail_ids = {row[0].strip() for row in got.get("tail", []) if row}
        if union_cols is not None and layout.uniones is not None:
            self._union_cols = union_cols
            layout.uniones.tags = [row[0] if row else "" for row in got.get("uniones_tags", [])]
            layout.uniones.numbers = [row[0] if row else "" for row in got.get("uniones_n", [])]
            if layout.uniones.same_keys(self._previous_joints):  # nobody touched the keys: reuse the map
                layout.uniones._rows = self._previous_joints._rows  # type: ignore[union-attr]
            self._previous_joints = layout.uniones
        return layout

    @staticmethod
    def _union_ranges(cols: tuple[int, int] | None, *, header: bool) -> dict[str, str]:
        """The Uniones ranges of the batchGet: its header row, its TAG_SPOOL and N_UNION columns."""
        hoja = joints.uniones_tab()
        wanted = {"uniones": sheets.row_range(hoja)} if header else {}
        if cols is not None:
            wanted["uniones_tags"] = sheets.column_range(hoja, cols[0])
            wanted["uniones_n"] = sheets.column_range(hoja, cols[1])
        return wanted

    def _read_union_headers(
        self, layout: Layout, header_rows: list[list[str]] | None
    ) -> tuple[int, int] | None:
        """Note on the layout what the Uniones header row allows: the key columns, or a pause."""
        if header_rows is None:  # not read: no joint pending, or the tab is missing
            layout.uniones_missing = self._uniones_missing_at is not None
            return None
        headers = sheets.header_map(header_rows)
        problems = joints.layout_problems(headers)
        if problems:
            layout.uniones_paused = joints.pause_message(problems)
            return None
        layout.uniones = joints.JointLayout(headers)
        return layout.uniones.key_columns()

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

    def _verify_last_joint_write(self, layout: Layout) -> None:
        """The same check for the joints the previous cycle wrote in Uniones."""
        previous, self._last_joint_write = self._last_joint_write, None
        if previous is None:
            return
        positions, rows = previous
        current = layout.uniones
        if current is None or positions != current.columns():
            joints.requeue(set(rows.values()))
            return
        moved = {row: key for row, key in rows.items() if current.key_at(row) != key}
        if moved:
            now_there = {key for row in moved if (key := current.key_at(row)) is not None}
            joints.requeue(set(moved.values()) | now_there)

    # --- writing ----------------------------------------------------------------------------

    def plan_spools(self, layout: Layout, changes: list[SheetSpoolChange]) -> Planned:
        """The ZEUES-owned cells of each changed spool, on its row found by tag; the rest are problems."""
        planned = Planned()
        if not changes:
            return planned
        had_problem = {c.spool_id for c in changes if c.problema}
        spools = Spool.objects.with_people().in_bulk([c.spool_id for c in changes])
        rows_by_tag, positions = layout.rows_by_tag(), layout.spool_columns()
        hoja = settings.ZEUES_SHEET_OPERACIONES
        for spool in spools.values():
            planned.names[spool.pk] = spool.tag_spool
            rows = rows_by_tag.get(spool.tag_spool, [])
            if len(rows) != 1:
                planned.problems[spool.pk] = self._problem(spool.tag_spool, rows)
                continue
            planned.data += row_ranges(hoja, spool_cells(spool), rows[0], positions)
            planned.written[spool.pk], planned.placed[rows[0]] = spool.version, spool.tag_spool
            planned.cleared |= spool.pk in had_problem
        return planned

    @staticmethod
    def plan_joints(layout: Layout, changes: list[SheetUnionChange]) -> Planned:
        """The changed joints' cells when Uniones can be written; a missing tab marks them all."""
        if layout.uniones is not None:
            return joints.plan(layout.uniones, changes)
        if layout.uniones_missing:
            return Planned(problems={c.union_id: joints.missing_tab_message() for c in changes})
        return Planned()  # a pause (stated in the status) or nothing pending

    def write_cells(self, data: list[dict[str, Any]]) -> None:
        """One values:batchUpdate of every spool's and joint's ranges (none when there are none)."""
        if data:
            self.http.values_batch_update(self.key, {"valueInputOption": "RAW", "data": data})

    @staticmethod
    def _problem(tag: str, rows: list[int]) -> str:
        hoja = settings.ZEUES_SHEET_OPERACIONES
        if not rows:
            return f"TAG_SPOOL {tag} no está en la hoja {hoja}; no se escribe"
        listed = ", ".join(map(str, rows[:-1])) + f" y {rows[-1]}"
        return f"TAG_SPOOL {tag} repetido en las filas {listed} de {hoja}; no se escribe"

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
