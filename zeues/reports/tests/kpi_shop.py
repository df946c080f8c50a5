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

`joint_shop` adds, on top, three spools made of joints (NV3), fitted by A, C and D (Dario Rojas,
4) and welded by B and E (Elena Vega, 5); day 0 = Monday 2026-03-02:

    spool  N  DN    tipo  ARM         SOLD        note
    J1     1  2.5   BW    A day 0     B day 0
    J1     2  1.5   SO    A day 0     B day 1
    J1     3  4     BW    C day 1     E day 1
    J1     4  2     FW    C day 1     -           field weld: never SOLD
    J2     1  3     BW    D day 0     E day 2
    J2     2  0.75  SO    D day 2     -
    J2     3  6     BR    D day 2     -           voided: counts for nothing
    J2     4  1.5   LET   -           -
    J2     5  8     BW    C day 3     -           after the period
    J3     1  2     BW    A day -1    B day 0     fitted before the period

PD ARM:  day 0 A 4 (2 joints), D 3 (1); day 1 C 6 (2); day 2 D 0.75 (1)
         period: C 6 (2 joints, 1 day), A 4 (2, 1 day), D 3.75 (2, 2 days: 1.88 a day)
PD SOLD: day 0 B 4.5 (2); day 1 B 1.5 (1), E 4 (1); day 2 E 3 (1)
         period: E 7 (2 joints, 2 days: 3.50), B 6 (3, 2 days: 3.00)
Per day: ARM 3 joints 7 PD, 2 / 6, 1 / 0.75 (6 / 13.75); SOLD 2 / 4.5, 2 / 5.5, 1 / 3 (5 / 13).
Completions in the period: ARM S1, S2 (whole) and J1 by C day 1 (joints): 1 of 3 (33.3 %);
SOLD S1, S2 (whole), J1 by E day 1 and J3 by B day 0 (joints): 2 of 4 (50 %).
"""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import timezone

from spools.joints import store_progress
from spools.kpi_facts import union_days_add_joints
from spools.models import EventType, Spool, Union, Worker
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


def joint(spool: Spool, n: int, dn: str, tipo: str, arm=None, sold=None, **fields) -> Union:
    """A joint; `arm`/`sold` = (worker, when it was recorded), started an hour before."""
    for op, done in (("arm", arm), ("sold", sold)):
        if done:
            worker, when = done
            fields |= {
                f"{op}_worker": worker,
                f"{op}_inicio": when - datetime.timedelta(hours=1),
                f"{op}_fin": when,
                f"{op}_fecha": timezone.localdate(when),
            }
    union = Union.objects.create(spool=spool, n_union=n, dn=Decimal(dn), tipo=tipo, **fields)
    union_days_add_joints([union])  # what the engine's step counts when a joint is recorded
    return union


@pytest.fixture
def joint_shop(shop, make_worker, make_spool):
    """`shop` plus the joints of the module docstring; returns the workers by letter."""
    a, b, c = shop["A"], shop["B"], shop["C"]
    d = make_worker(id=4, nombre="Dario", apellido="Rojas")
    e = make_worker(id=5, nombre="Elena", apellido="Vega", roles=["Soldador"])
    done = {"arm": "completado", "sold": "completado"}
    j1 = make_spool(tag_spool="J1", nv="NV3", ot="001", armador=c, soldador=e, **done)
    j2 = make_spool(tag_spool="J2", nv="NV3", ot="002", arm="pausado", sold="pausado")
    j3 = make_spool(tag_spool="J3", nv="NV3", ot="003", armador=a, soldador=b, **done)
    joint(j1, 1, "2.5", "BW", arm=(a, at(0, 9)), sold=(b, at(0, 15)))
    joint(j1, 2, "1.5", "SO", arm=(a, at(0, 10)), sold=(b, at(1, 9)))
    joint(j1, 3, "4", "BW", arm=(c, at(1, 8)), sold=(e, at(1, 14)))
    joint(j1, 4, "2", "FW", arm=(c, at(1, 9)))
    joint(j2, 1, "3", "BW", arm=(d, at(0, 11)), sold=(e, at(2, 10)))
    joint(j2, 2, "0.75", "SO", arm=(d, at(2, 8)))
    joint(j2, 3, "6", "BR", arm=(d, at(2, 9)), anulada=True, anulada_motivo="Cambio de ingeniería")
    joint(j2, 4, "1.5", "LET")
    joint(j2, 5, "8", "BW", arm=(c, at(3, 9)))
    joint(j3, 1, "2", "BW", arm=(a, at(-1, 15)), sold=(b, at(0, 16)))
    store_progress([j1.pk, j2.pk, j3.pk])
    ev(j1, EventType.COMPLETAR_ARM, c, "ARM", at(1, 9))
    ev(j1, EventType.COMPLETAR_SOLD, e, "SOLD", at(1, 14))
    ev(j3, EventType.COMPLETAR_ARM, a, "ARM", at(-1, 15))
    ev(j3, EventType.COMPLETAR_SOLD, b, "SOLD", at(0, 16))
    return {**shop, "D": d, "E": e}
