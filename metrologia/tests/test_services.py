"""METROLOGIA rules (docs/domain.md, "Metrología") through metrologia/services.py, on the real database."""

from __future__ import annotations

import pytest
from django.utils import timezone

from metrologia.services import spool_inspect
from occupation.exceptions import (
    DependenciasNoSatisfechas,
    OperacionNoPermitida,
    RolNoAutorizado,
    SpoolOcupado,
)
from spools.exceptions import SpoolBloqueado
from spools.models import Event, Spool

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspector(make_worker):
    return make_worker(id=97, nombre="Óscar", apellido="Pérez", roles=["Metrologia"])


@pytest.fixture
def welded(make_spool):
    return make_spool(arm="completado", sold="completado")


def test_aprobado_is_final_and_writes_the_approval_date(inspector, welded, nothing_written):
    spool = spool_inspect(spool=welded, worker=inspector, resultado="APROBADO")
    spool.refresh_from_db()
    assert spool.calidad == "aprobado" and spool.fecha_qc_metrologia == timezone.localdate()
    assert spool.estado_detalle == "METROLOGIA APROBADO ✓"
    event = Event.objects.get(spool=spool)
    assert (event.evento_tipo, event.details["resultado"], event.details["ciclo"]) == (
        "COMPLETAR_METROLOGIA",
        "APROBADO",
        0,
    )
    with nothing_written(), pytest.raises(OperacionNoPermitida):
        spool_inspect(spool=spool, worker=inspector, resultado="RECHAZADO", defecto="POROSIDAD")


def test_rejection_never_writes_the_approval_date(inspector, welded):
    spool = spool_inspect(spool=welded, worker=inspector, resultado="RECHAZADO", defecto="POROSIDAD")
    spool.refresh_from_db()
    assert spool.fecha_qc_metrologia is None
    assert spool.calidad == "rechazado" and spool.ciclo == 1
    assert spool.estado_detalle == "RECHAZADO (Ciclo 1/3) - Pendiente reparación"


def test_rejected_spool_cannot_be_inspected_before_repair(inspector, welded, nothing_written):
    spool = spool_inspect(spool=welded, worker=inspector, resultado="RECHAZADO", defecto="POROSIDAD")
    with nothing_written(), pytest.raises(DependenciasNoSatisfechas):
        spool_inspect(spool=spool, worker=inspector, resultado="APROBADO")


@pytest.mark.parametrize(
    "arm, sold", [("en_progreso", "pendiente"), ("completado", "pausado"), ("completado", "pendiente")]
)
def test_inspection_needs_arm_and_sold_completed(inspector, make_spool, nothing_written, arm, sold):
    spool = make_spool(arm=arm, sold=sold)
    with nothing_written(), pytest.raises(DependenciasNoSatisfechas):
        spool_inspect(spool=spool, worker=inspector, resultado="APROBADO")


def test_inspection_refused_on_an_occupied_spool(inspector, make_worker, make_spool, nothing_written):
    w = make_worker(roles=["Soldador"])
    spool = make_spool(
        arm="completado",
        sold="completado",
        ocupado_por=w,
        fecha_ocupacion=timezone.now(),
        operacion_actual="SOLD",
    )
    with nothing_written(), pytest.raises(SpoolOcupado):
        spool_inspect(spool=spool, worker=inspector, resultado="APROBADO")


def test_only_metrologia_role_may_inspect(make_worker, welded, nothing_written):
    worker = make_worker(roles=["Armador", "Soldador", "Ayudante"])
    with nothing_written(), pytest.raises(RolNoAutorizado):
        spool_inspect(spool=welded, worker=worker, resultado="APROBADO")


def test_third_consecutive_rejection_blocks(inspector, make_spool, nothing_written):
    spool = make_spool(arm="completado", sold="completado", calidad="pendiente_metrologia", ciclo=2)
    spool = spool_inspect(spool=spool, worker=inspector, resultado="RECHAZADO", defecto="POROSIDAD")
    spool.refresh_from_db()
    assert spool.calidad == "bloqueado" and spool.ciclo == 3
    assert spool.estado_detalle == "BLOQUEADO - Contactar supervisor"
    types = list(Event.objects.filter(spool=spool).values_list("evento_tipo", flat=True))
    assert types == ["COMPLETAR_METROLOGIA", "SPOOL_BLOQUEADO"]  # insertion order, same timestamp
    with nothing_written(), pytest.raises(SpoolBloqueado):
        spool_inspect(spool=spool, worker=inspector, resultado="APROBADO")


def test_limit_is_a_setting_and_zero_means_unlimited(inspector, make_spool, settings):
    settings.ZEUES_MAX_CICLOS = 0
    spool = make_spool(arm="completado", sold="completado", calidad="pendiente_metrologia", ciclo=7)
    spool = spool_inspect(spool=spool, worker=inspector, resultado="RECHAZADO", defecto="POROSIDAD")
    assert spool.calidad == "rechazado" and spool.ciclo == 8
    assert spool.estado_detalle == "RECHAZADO (Ciclo 8) - Pendiente reparación"
    settings.ZEUES_MAX_CICLOS = 1
    other = spool_inspect(
        spool=make_spool(arm="completado", sold="completado"),
        worker=inspector,
        resultado="RECHAZADO",
        defecto="POROSIDAD",
    )
    assert other.calidad == "bloqueado"


def test_approval_resets_the_counter(inspector, make_spool):
    spool = make_spool(arm="completado", sold="completado", calidad="pendiente_metrologia", ciclo=2)
    spool = spool_inspect(spool=spool, worker=inspector, resultado="APROBADO")
    assert Spool.objects.get(pk=spool.pk).ciclo == 0
