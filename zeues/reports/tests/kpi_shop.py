"""The hand-computed KPI shop: the `shop` fixture and its helpers (not a test module).

Used by zeues/reports/tests/test_kpis.py, zeues/front/tests/test_gerencia.py and
tests/browser/test_manager_pages.py, each as `shop = kpi_shop.shop`.

The fixture (period 2026-03-02 .. 2026-03-04, plant time):

- S1 (NV1/001), armador A, soldador B: ARM 08:00-09:00 + 10:00-11:00 (cycle 3 h), SOLD taken 13:00
  (wait 2 h) and completed 17:00 (cycle 4 h), approved next day 09:00 (wait 16 h, first pass).
- S2 (NV1/002), armador C, soldador B: ARM 08:00-09:00 (1 h), SOLD 10:00-12:00 (wait 1 h, cycle
  2 h), rejected 14:00 (wait 2 h), repaired by B next day 08:00-10:00, approved 12:00.
- S3 (NV2/001): ARM taken by A on day 3 and still held; occupied 20 h ago (stale).
- S5 (NV2/001): ARM done before the period (excluded everywhere).
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from spools.models import EventType, Spool, Worker
from spools.services import event_append

TZ = zoneinfo.ZoneInfo("America/Santiago")
DAY = datetime.date(2026, 3, 2)


def at(day: int, hour: int) -> datetime.datetime:
    """A plant-time instant `day` days after 2026-03-02 at `hour`:00."""
    return datetime.datetime.combine(DAY + datetime.timedelta(days=day), datetime.time(hour), tzinfo=TZ)


def ev(spool: Spool, tipo: str, worker: Worker, op: str, when: datetime.datetime, **details):
    """Append an event at a chosen time."""
    return event_append(tipo=tipo, spool=spool, worker=worker, operacion=op, now=when, details=details)


@pytest.fixture
def shop(make_worker, make_spool):
    """The fixture described in the module docstring; returns the workers by letter."""
    a, b = (
        make_worker(id=1, nombre="Ana", apellido="Araya"),
        make_worker(id=2, nombre="Beto", apellido="Soto"),
    )
    c, i = (
        make_worker(id=3, nombre="Carla", apellido="Diaz"),
        make_worker(id=9, nombre="Ines", apellido="Mora"),
    )
    done = {"arm": "completado", "sold": "completado", "calidad": "aprobado"}
    s1 = make_spool(tag_spool="S1", nv="NV1", ot="001", armador=a, soldador=b, **done)
    s2 = make_spool(tag_spool="S2", nv="NV1", ot="002", armador=c, soldador=b, **done)
    held_since = timezone.now() - datetime.timedelta(hours=20)
    s3 = make_spool(
        tag_spool="S3", nv="NV2", ot="001", arm="en_progreso", armador=a, ocupado_por=a,
        fecha_ocupacion=held_since, operacion_actual="ARM",
    )  # fmt: skip
    s5 = make_spool(tag_spool="S5", nv="NV2", ot="001", arm="completado", armador=c)
    T, P = EventType.TOMAR_SPOOL, EventType.PAUSAR_SPOOL
    ev(s1, T, a, "ARM", at(0, 8)), ev(s1, P, a, "ARM", at(0, 9))
    ev(s1, T, a, "ARM", at(0, 10)), ev(s1, EventType.COMPLETAR_ARM, a, "ARM", at(0, 11))
    ev(s1, T, b, "SOLD", at(0, 13)), ev(s1, EventType.COMPLETAR_SOLD, b, "SOLD", at(0, 17))
    ev(s1, EventType.COMPLETAR_METROLOGIA, i, "METROLOGIA", at(1, 9), resultado="APROBADO", ciclo=0)
    ev(s2, T, c, "ARM", at(0, 8)), ev(s2, EventType.COMPLETAR_ARM, c, "ARM", at(0, 9))
    ev(s2, T, b, "SOLD", at(0, 10)), ev(s2, EventType.COMPLETAR_SOLD, b, "SOLD", at(0, 12))
    ev(s2, EventType.COMPLETAR_METROLOGIA, i, "METROLOGIA", at(0, 14), resultado="RECHAZADO", ciclo=1)
    ev(s2, EventType.TOMAR_REPARACION, b, "REPARACION", at(1, 8))
    ev(s2, EventType.COMPLETAR_REPARACION, b, "REPARACION", at(1, 10))
    ev(s2, EventType.COMPLETAR_METROLOGIA, i, "METROLOGIA", at(1, 12), resultado="APROBADO", ciclo=0)
    ev(s3, T, a, "ARM", at(2, 8))
    ev(s5, T, c, "ARM", at(-3, 8)), ev(s5, EventType.COMPLETAR_ARM, c, "ARM", at(-3, 10))
    return {"A": a, "B": b, "C": c, "I": i}
