"""CSV and XLSX exports: a spool's history sessions and joints, and the event log for a period.

The event log can hold a year of events, so it is never loaded whole: rows come from a `values()`
queryset read with `.iterator(chunk_size=2000)` and leave as they are formatted. CSV is streamed
as text; XLSX is written by xlsxwriter in `constant_memory` mode (row by row) into a temporary file
that is then streamed. Under ASGI (production runs uvicorn) Django would first gather a
synchronous iterator into a list, so there the rows are pulled in a worker thread batch by batch.
"""

from __future__ import annotations

import datetime
import json
import tempfile
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import IO, Any

import xlsxwriter
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db.models import Q
from django.http import FileResponse, HttpRequest, StreamingHttpResponse

from spools.models import JOINT_EVENTS, Event
from zeues.lib import columns, csvsafe
from zeues.lib.dates import format_sheet_date, format_sheet_datetime, shop_tz
from zeues.reports.history import History, JointWork

Cell = str | int | float
Sheet = tuple[str, Iterable[str], Iterable[list[Any]]]  # an XLSX sheet: name, header, rows
# The sheet's Metadata columns, then the joint's number for a joint's event ("" for the others).
EVENT_COLUMNS = (*columns.METADATA, columns.N_UNION)
SESSION_COLUMNS = (
    columns.TAG_SPOOL,
    "Worker_ID",
    "Worker",
    "Worker_Nombre",
    "Operacion",
    "Inicio",
    "Fin",
    "Duracion",
    "Duracion_Segundos",
    "Cierre",
)
# One row per joint: the Uniones tab's names where it has the column, the sessions' otherwise.
JOINT_COLUMNS = (
    columns.TAG_SPOOL,
    columns.N_UNION,
    "DN_UNION",
    "TIPO_UNION",
    "ARM_Worker_ID",
    "ARM_WORKER",
    "ARM_Worker_Nombre",
    "ARM_FECHA_INICIO",
    "ARM_FECHA_FIN",
    "ARM_Duracion",
    "ARM_Duracion_Segundos",
    "SOL_Worker_ID",
    "SOL_WORKER",
    "SOL_Worker_Nombre",
    "SOL_FECHA_INICIO",
    "SOL_FECHA_FIN",
    "SOL_Duracion",
    "SOL_Duracion_Segundos",
    *columns.UNIONES_NDT,
    "Anulada",
    "Motivo_Anulacion",
)
CHUNK_SIZE = 2000
ROWS_PER_BATCH = 500  # CSV rows joined into one piece of the response
FILE_BLOCK = 64 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def session_rows(h: History) -> Iterator[list[Cell]]:
    """The spool's sessions as export rows, in the history's order."""
    for s in h.sessions:
        yield [
            h.spool.tag_spool,
            s.worker_id if s.worker_id is not None else "",
            s.worker_token,
            s.worker_nombre,
            s.operacion,
            format_sheet_datetime(s.start),
            format_sheet_datetime(s.end),
            s.duration if s.duration_seconds is not None else "",
            s.duration_seconds if s.duration_seconds is not None else "",
            "EN_CURSO" if s.en_curso else s.cierre,
        ]


def _work_cells(w: JointWork | None) -> list[Cell]:
    if w is None:
        return ["", "", "", "", "", "", ""]
    seconds = w.seconds
    return [
        w.worker_id if w.worker_id is not None else "",
        w.worker_token,
        w.worker_nombre,
        format_sheet_datetime(w.inicio),
        format_sheet_datetime(w.fin),
        w.duration if seconds is not None else "",
        seconds if seconds is not None else "",
    ]


def joint_rows(h: History) -> Iterator[list[Cell]]:
    """The spool's joints as export rows, by number; DN a number, voided ones included (SI/"")."""
    for j in h.joints:
        yield [
            h.spool.tag_spool,
            j.n_union,
            float(j.dn),
            j.tipo,
            *_work_cells(j.arm),
            *_work_cells(j.sold),
            j.ndt_metodo,
            j.ndt_informe,
            format_sheet_date(j.ndt_fecha),
            j.ndt_resultado,
            "SI" if j.anulada else "",
            j.motivo,
        ]


def event_log_filter(
    *, desde: datetime.date, hasta: datetime.date, nv: str = "", worker_id: int | None = None
) -> Q:
    """Events from `desde` 00:00 to the end of `hasta`, shop time; optionally one NV, one worker."""
    tz = shop_tz()
    start = datetime.datetime.combine(desde, datetime.time(), tzinfo=tz)
    end = datetime.datetime.combine(hasta + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)
    q = Q(timestamp__gte=start, timestamp__lt=end)
    if nv:
        q &= Q(spool__nv__iexact=nv)
    if worker_id is not None:
        q &= Q(worker_id=worker_id)
    return q


def event_log_rows(where: Q) -> Iterator[list[Cell]]:
    """Metadata-shaped rows of the matching events, in `seq` order, read 2,000 at a time."""
    rows = (
        Event.objects.filter(where)
        .order_by("seq")
        .values_list(
            "id",
            "timestamp",
            "evento_tipo",
            "tag_spool",
            "worker_id",
            "worker_token",
            "operacion",
            "accion",
            "fecha_operacion",
            "details",
        )
    )
    for id_, ts, tipo, tag, worker_id, token, op, accion, fecha, details in rows.iterator(
        chunk_size=CHUNK_SIZE
    ):
        yield [
            str(id_),
            format_sheet_datetime(ts),
            tipo,
            tag,
            worker_id if worker_id is not None else "",
            token,
            op,
            accion,
            format_sheet_date(fecha),
            json.dumps(details, ensure_ascii=False, sort_keys=True, default=str),
            _n_union(tipo, details),
        ]


def _n_union(tipo: str, details: object) -> Cell:
    """A joint event's joint number; "" for every other event (whose details may hold `uniones`)."""
    if tipo not in JOINT_EVENTS or not isinstance(details, dict):
        return ""
    n = details.get("n_union")
    return n if isinstance(n, int) else ""


class _Line:
    """A write-only 'file' that hands back what csv.writer writes."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV text in batches of rows; a UTF-8 BOM first so Excel reads accents right.

    Text cells a spreadsheet would run as formulas get a leading `'` (zeues/lib/csvsafe.py).
    """
    writer = csvsafe.writer(_Line())
    yield "\ufeff" + writer.writerow(header)
    batch: list[str] = []
    for row in rows:
        batch.append(writer.writerow(row))
        if len(batch) >= ROWS_PER_BATCH:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def xlsx_file(header: Iterable[str], rows: Iterable[list[Any]], *, sheet: str) -> IO[bytes]:
    """An XLSX workbook of one sheet written row by row into an anonymous temporary file, rewound."""
    return xlsx_book([(sheet, header, rows)])


def xlsx_book(sheets: Iterable[Sheet]) -> IO[bytes]:
    """An XLSX workbook, one sheet per (name, header, rows), written row by row; rewound.

    Dates and datetimes become real Excel dates (yyyy-mm-dd [hh:mm]); everything else is written as
    it comes: numbers stay numbers, and text is always a text cell, never turned into a number
    ("007" is not 7), a formula (a worker named `=HYPERLINK(…)`) or a link (OWASP CSV injection;
    a typed text cell is never evaluated, so it needs no `'` as the CSV does).
    """
    # Handed to the response, which closes it once sent; a `with` block would close it here.
    out = tempfile.TemporaryFile()  # noqa: SIM115
    book = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "default_date_format": "yyyy-mm-dd",
            "remove_timezone": True,
        },
    )
    bold = book.add_format({"bold": True})
    for name, header, rows in sheets:
        ws = book.add_worksheet(name[:31])
        ws.write_row(0, 0, list(header), bold)
        for n, row in enumerate(rows, start=1):
            ws.write_row(n, 0, row)
    book.close()
    out.seek(0)
    return out


async def _pulled(chunks: Iterator[Any]) -> AsyncIterator[Any]:
    """Yield a sync iterator's items, each one fetched in Django's sync thread (same DB connection)."""
    fetch = sync_to_async(lambda: next(chunks, None), thread_sensitive=True)
    while (chunk := await fetch()) is not None:
        yield chunk


def csv_response(request: HttpRequest, lines: Iterator[str], *, filename: str) -> StreamingHttpResponse:
    """A streamed CSV download (async iteration under ASGI, so nothing is gathered in memory)."""
    content: Any = _pulled(lines) if isinstance(request, ASGIRequest) else lines
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(request: HttpRequest, file: IO[bytes], *, filename: str) -> FileResponse:
    """The temporary XLSX file streamed as a download; the file is deleted when closed."""
    response = FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
    if isinstance(request, ASGIRequest):
        response.streaming_content = _pulled(iter(lambda: file.read(FILE_BLOCK), b""))
    return response
