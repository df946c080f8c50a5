"""What ZEUES writes into the sheet, in the sheet's formats (docs/sheets.md)."""

from __future__ import annotations

import json
from typing import Any

from spools.models import JOINT_EVENTS, Event, Spool, Union, Worker
from zeues.lib import columns, sheets
from zeues.lib.dates import format_sheet_date, format_sheet_datetime

TAG_COLUMN = columns.TAG_SPOOL
# Operaciones columns ZEUES owns; every other cell of the sheet belongs to someone else.
SPOOL_COLUMNS = columns.ZEUES_OWNED
METADATA_COLUMNS = columns.METADATA
# Uniones columns ZEUES owns (never the NDT_* columns, DN, type or the tab's own `version`).
UNION_COLUMNS = columns.UNIONES_ZEUES_OWNED
# Metadata's optional column for the joint number of a joint's event (Metadata_JSON always has it).
N_UNION_COLUMN = columns.N_UNION
_JOINT_EVENT_TYPES = frozenset(t.value for t in JOINT_EVENTS)

Cell = str | int


def _token(worker: Worker | None) -> str:
    return worker.token if worker is not None else ""


def spool_cells(spool: Spool) -> dict[str, Cell]:
    """The ZEUES-owned cells of one spool (workers as tokens, dates DD-MM-YYYY)."""
    return {
        "Fecha_Armado": format_sheet_date(spool.fecha_armado),
        "Armador": _token(spool.armador),
        "Fecha_Soldadura": format_sheet_date(spool.fecha_soldadura),
        "Soldador": _token(spool.soldador),
        "Fecha_QC_Metrología": format_sheet_date(spool.fecha_qc_metrologia),
        "Ocupado_Por": _token(spool.ocupado_por),
        "Fecha_Ocupacion": format_sheet_datetime(spool.fecha_ocupacion),
        "version": spool.version,
        "Estado_Detalle": spool.estado_detalle,
    }


def union_cells(union: Union) -> dict[str, Cell]:
    """The six ZEUES-owned cells of one joint: date-times as the sheet writes them, workers as tokens.

    Its whole current state, so an operation not done (yet, or any more) is written empty: ZEUES
    owns these cells for every joint it writes.
    """
    return {
        "ARM_FECHA_INICIO": format_sheet_datetime(union.arm_inicio),
        "ARM_FECHA_FIN": format_sheet_datetime(union.arm_fin),
        "ARM_WORKER": _token(union.arm_worker),
        "SOL_FECHA_INICIO": format_sheet_datetime(union.sold_inicio),
        "SOL_FECHA_FIN": format_sheet_datetime(union.sold_fin),
        "SOL_WORKER": _token(union.sold_worker),
    }


def event_n_union(event: Event) -> Cell:
    """The joint number of a joint's event (UNION_ARM_REGISTRADA …), empty for every other event."""
    if event.evento_tipo not in _JOINT_EVENT_TYPES:
        return ""
    number = (event.details or {}).get("n_union")
    return number if isinstance(number, int) else ""


def event_cells(event: Event) -> dict[str, Cell]:
    """One Metadata row: the event as the old system's log spelled it, plus its joint number.

    `N_UNION` is placed only when the tab has that column (`placed_row` skips absent ones).
    """
    return {
        "ID": str(event.id),
        "Timestamp": format_sheet_datetime(event.timestamp),
        "Evento_Tipo": event.evento_tipo,
        "TAG_SPOOL": event.tag_spool,
        "Worker_ID": event.worker_id if event.worker_id is not None else "",
        "Worker_Nombre": event.worker_token,
        "Operacion": event.operacion,
        "Accion": event.accion,
        "Fecha_Operacion": format_sheet_date(event.fecha_operacion),
        "Metadata_JSON": json.dumps(event.details, ensure_ascii=False, sort_keys=True, default=str),
        N_UNION_COLUMN: event_n_union(event),
    }


def placed_row(cells: dict[str, Cell], positions: dict[str, int]) -> list[Any]:
    """A row with each cell at its column's position (columns found by header name).

    Cells whose column is not in `positions` (an optional column the tab lacks) are left out.
    """
    row: list[Any] = [""] * (max(positions.values()) + 1)
    for name, value in cells.items():
        if name in positions:
            row[positions[name]] = value
    return row


def contiguous_runs(positions: dict[str, int]) -> list[list[str]]:
    """Column names grouped into runs of adjacent columns, left to right."""
    runs: list[list[str]] = []
    previous = None
    for name, index in sorted(positions.items(), key=lambda item: item[1]):
        if previous is not None and index == previous + 1:
            runs[-1].append(name)
        else:
            runs.append([name])
        previous = index
    return runs


def row_ranges(
    sheet: str, cells: dict[str, Cell], row: int, positions: dict[str, int]
) -> list[dict[str, Any]]:
    """One row's cells as one range per run of adjacent columns (nothing between them is touched)."""
    ranges = []
    for run in contiguous_runs(positions):
        first, last = positions[run[0]], positions[run[-1]]
        ranges.append({"range": sheets.a1(sheet, first, row, last, row), "values": [[cells[n] for n in run]]})
    return ranges
