"""Metadata is the spools' log: a rejection carries its defect there; events of no spool stay out."""

from __future__ import annotations

import json

from metrologia.services import spool_inspect
from spools.models import EventType
from spools.services import event_append
from zeues.mirror.tests.conftest import sheet_rows, sync_until_idle


def test_a_rejection_reaches_metadata_with_its_defect_and_note(emulator, sheet, make_worker):
    spool = sheet["spools"][0]
    type(spool).objects.filter(pk=spool.pk).update(arm="completado", sold="completado")
    spool.refresh_from_db()
    inspector = make_worker(roles=["Metrologia"])
    spool_inspect(spool=spool, worker=inspector, resultado="RECHAZADO", defecto="FISURA", nota="raíz")
    sync_until_idle()
    headers, grid = sheet_rows(emulator, "Metadata")
    [row] = [r for r in grid[1:] if r[headers.index("TAG_SPOOL")] == spool.tag_spool]
    details = json.loads(row[headers.index("Metadata_JSON")])
    assert (details["resultado"], details["defecto"], details["defecto_nombre"], details["nota"]) == (
        "RECHAZADO",
        "FISURA",
        "Fisura",
        "raíz",
    )


def test_events_of_no_spool_are_not_appended(emulator, sheet, make_worker):
    worker = make_worker()
    event_append(tipo=EventType.PIN_BLOQUEADO, spool=None, worker=worker, details={"intentos": 5})
    sync_until_idle()
    headers, grid = sheet_rows(emulator, "Metadata")
    assert all(r[headers.index("Evento_Tipo")] != "PIN_BLOQUEADO" for r in grid[1:])
