"""What ZEUES writes into the sheet, in the sheet's formats (docs/sheets.md)."""

from __future__ import annotations

import json
from typing import Any

from spools.models import Event, Spool, Worker
from zeues.lib import columns
from zeues.lib.dates import format_sheet_date, format_sheet_datetime

TAG_COLUMN = columns.TAG_SPOOL
# Operaciones columns ZEUES owns; every other cell of the sheet belongs to someone else.
SPOOL_COLUMNS = columns.ZEUES_OWNED
METADATA_COLUMNS = columns.METADATA

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


def event_cells(event: Event) -> dict[str, Cell]:
    """One Metadata row: the event as the old system's log spelled it."""
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
    }


def placed_row(cells: dict[str, Cell], positions: dict[str, int]) -> list[Any]:
    """A row with each cell at its column's position (columns found by header name)."""
    row: list[Any] = [""] * (max(positions.values()) + 1)
    for name, value in cells.items():
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
