"""Fixtures shared by the spools app's tests."""

from __future__ import annotations

import pytest

import occupation.services as occupation
import reparacion.services as reparacion
from metrologia.services import spool_inspect
from spools.models import Spool


@pytest.fixture
def real_loop(make_worker, make_spool, django_user_model, settings) -> Spool:
    """Spool "H-REAL" through every service, as the shop would: ARM by worker 11 with a pause; SOLD
    by 12, force-released by supervisor "jefa" ("Turno terminado") and finished; rejected by
    inspector 13; repaired by 12; approved. Returns the spool as the last service left it."""
    settings.ZEUES_MAX_CICLOS = 3
    boss = django_user_model.objects.create_user(username="jefa", password="x-123456789")
    arm = make_worker(id=11, roles=["Armador"])
    sold = make_worker(id=12, roles=["Soldador"])
    qc = make_worker(id=13, roles=["Metrologia"])
    spool = make_spool(tag_spool="H-REAL")
    spool = occupation.spool_take(spool=spool, worker=arm, operacion="ARM")
    spool = occupation.spool_pause(spool=spool, worker=arm)
    spool = occupation.spool_take(spool=spool, worker=arm, operacion="ARM")
    spool = occupation.spool_complete(spool=spool, worker=arm)
    spool = occupation.spool_take(spool=spool, worker=sold, operacion="SOLD")
    spool = reparacion.spool_force_release(spool=spool, supervisor=boss, motivo="Turno terminado")
    spool = occupation.spool_take(spool=spool, worker=sold, operacion="SOLD")
    spool = occupation.spool_complete(spool=spool, worker=sold)
    spool = spool_inspect(spool=spool, worker=qc, resultado="RECHAZADO")
    spool = reparacion.repair_take(spool=spool, worker=sold)
    spool = reparacion.repair_complete(spool=spool, worker=sold)
    return spool_inspect(spool=spool, worker=qc, resultado="APROBADO")
