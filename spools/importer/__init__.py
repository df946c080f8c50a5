"""Import the shop's spreadsheet (tabs Trabajadores, Roles, Operaciones, Uniones) into ZEUES.

Input shape: `{"Operaciones": rows, "Trabajadores": rows, "Roles": rows, "Uniones": rows}`, each a
list of lists of strings, header row first; `Uniones` may be absent (a whole-spool shop). A CSV
export gives that (`read_csv_dir`), and so does the Google Sheets API (which trims trailing empty
cells, hence short rows are normal).

The rules (docs/import.md): columns are found by header name; a row with an invalid value in a
cell we read is rejected whole, never guessed; every row carrying a duplicated TAG_SPOOL is
rejected; the legacy ARM/SOLD/occupation state is taken only when a spool is first created,
after that ZEUES owns it and a re-import updates master data (NV, OT, Fecha_Materiales) only.
Joints follow the same rule: their legacy work is taken when ZEUES creates them; a re-import adds
new joints, refreshes DN/type of joints without recorded work and the NDT department's columns.
Everything runs in one transaction; a dry run rolls it back so its report is exact.

The parts: `sheet.py` (the tabs, rows and cells read strictly, the report), `operaciones.py`
(Trabajadores, Roles, Operaciones and the legacy state), `uniones.py` (the joints); this module
holds the entry points.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Mapping, Sequence
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from spools.importer.operaciones import (
    import_operaciones,
    read_roles,
    read_workers,
    upsert_roles,
    upsert_workers,
)
from spools.importer.sheet import (
    BATCH_SIZE,
    CSV_FILES,
    OPERACIONES,
    REQUIRED_TABS,
    ROLES,
    TRABAJADORES,
    UNIONES,
    ImportReport,
    Progress,
    Severidad,
    SheetImportError,
    Tab,
)
from spools.importer.uniones import import_uniones
from spools.models import Event, Worker

__all__ = [
    "CSV_FILES",
    "ImportReport",
    "OPERACIONES",
    "ROLES",
    "Severidad",
    "SheetImportError",
    "TRABAJADORES",
    "UNIONES",
    "import_sheet",
    "read_csv_dir",
]

# --- entry points --------------------------------------------------------------------------


def _serialise_imports() -> None:
    """Two imports at once would race on new tags; on PostgreSQL the second one waits."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('zeues-import-sheet'))")


def import_sheet(
    tabs: Mapping[str, Sequence[Sequence[str]]],
    *,
    origen: str,
    dry_run: bool = False,
    labels: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    now: datetime.datetime | None = None,
) -> ImportReport:
    """Import the tabs in one transaction (rolled back when `dry_run`) and report.

    Uniones is optional: without it (or with it entirely empty) no joint is touched.
    """
    report = ImportReport(origen=origen, dry_run=dry_run)
    now = now or timezone.now()
    labels = labels or {}
    for hoja in REQUIRED_TABS:
        if hoja not in tabs:
            raise SheetImportError(f"Falta la hoja {labels.get(hoja, hoja)}.")
    hojas = [*REQUIRED_TABS, *([UNIONES] if tabs.get(UNIONES) else [])]
    opened = {h: Tab(h, tabs[h], report, labels.get(h, f"la hoja {h}")) for h in hojas}
    report.hoja_uniones = UNIONES in opened
    with transaction.atomic():
        _serialise_imports()
        upsert_workers(read_workers(opened[TRABAJADORES]), report.trabajadores, now)
        workers = list(Worker.objects.all())
        upsert_roles(read_roles(opened[ROLES], {w.pk for w in workers}), report.roles)
        tokens = {w.pk: w.token for w in workers}
        imported = import_operaciones(opened[OPERACIONES], tokens, report, progress, now)
        if UNIONES in opened:
            import_uniones(opened[UNIONES], tokens, report, imported, progress, now)
        Event.objects.bulk_create(list(imported.events.values()), batch_size=BATCH_SIZE)
        if dry_run:
            transaction.set_rollback(True)
    return report


def read_csv_dir(directory: str | Path) -> dict[str, list[list[str]]]:
    """Read operaciones.csv, trabajadores.csv, roles.csv and, when there, uniones.csv (UTF-8, BOM allowed)."""
    folder = Path(directory)
    if not folder.is_dir():
        raise SheetImportError(f"No existe la carpeta {folder}.")
    tabs = {}
    for hoja, name in CSV_FILES.items():
        path = folder / name
        if not path.is_file():
            if hoja not in REQUIRED_TABS:
                continue
            raise SheetImportError(f"Falta el archivo {name} en {folder}.")
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                tabs[hoja] = list(csv.reader(fh))
        except UnicodeDecodeError as exc:
            raise SheetImportError(f"{name} no está en UTF-8 (expórtelo como «CSV UTF-8»): {exc}") from exc
        except csv.Error as exc:
            raise SheetImportError(f"{name} no es un CSV válido: {exc}") from exc
    return tabs
