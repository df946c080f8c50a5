"""Manager KPIs (zeues/reports/kpis.py): every query against the hand-computed shop, and filters.

The shop (period 2026-03-02 .. 2026-03-04, plant time) is described in kpi_shop.py.
"""

from __future__ import annotations

import datetime

import pytest

from spools.models import EventType
from zeues.reports import kpis
from zeues.reports.tests import kpi_shop
from zeues.reports.tests.kpi_shop import DAY, at, ev

pytestmark = pytest.mark.django_db

shop = kpi_shop.shop  # the hand-computed KPI fixture, used here as a fixture of this module
F = kpis.Filtros(DAY, DAY + datetime.timedelta(days=2))
H = 3600


@pytest.fixture(params=[pytest.param("sql", marks=pytest.mark.real_services), "python"])
def percentiles(request, monkeypatch):
    """Run percentile figures both in the database (PostgreSQL's percentile_cont, so marked
    real_services and left out of the SQLite pass) and in the Python fallback."""
    monkeypatch.setattr(kpis, "use_sql_percentiles", lambda: request.param == "sql")
    return request.param


def test_completed_per_day(shop):
    rows = kpis.completed_per_day(F)
    assert [(r["fecha"].day, r["ARM"], r["SOLD"], r["METROLOGIA"]) for r in rows] == [
        (2, 2, 2, 0),  # the rejection of S2 completes nothing
        (3, 0, 0, 2),
        (4, 0, 0, 0),
    ]


def test_cycle_and_queue_times_median_and_p90(shop, percentiles):
    rows = {r["etapa"]: (r["n"], r["p50"], r["p90"]) for r in kpis.cycle_and_queue_times(F)}
    assert rows == {
        "ARM (ciclo)": (2, 2 * H, 2.8 * H),  # 3 h and 1 h
        "SOLD (ciclo)": (2, 3 * H, 3.8 * H),  # 4 h and 2 h
        "ARM → SOLD (espera)": (2, 1.5 * H, 1.9 * H),  # 2 h and 1 h
        "SOLD → METROLOGIA (espera)": (2, 9 * H, 14.6 * H),  # 16 h and 2 h
    }


def test_percentile_cont_interpolates_like_postgresql():
    assert kpis.percentile_cont([], 0.5) is None
    assert kpis.percentile_cont([5.0], 0.9) == 5.0
    assert kpis.percentile_cont([4.0, 1.0, 2.0, 3.0], 0.5) == 2.5
    assert kpis.percentile_cont([1.0, 2.0, 3.0, 4.0], 0.9) == pytest.approx(3.7)


def test_wip_counts_states_and_occupied_now(shop):
    w = kpis.wip(F)
    assert (w["total"], w["ocupados"], w["arm_completado"], w["arm_en_progreso"]) == (4, 1, 3, 1)
    assert (w["sold_completado"], w["sold_pendiente"], w["calidad_aprobado"], w["calidad_pendiente"]) == (
        2,
        2,
        2,
        2,
    )
    assert kpis.wip(kpis.Filtros(F.desde, F.hasta, nv="NV1"))["total"] == 2


def test_first_pass_yield_and_rejection_rate_per_fitter_and_welder(shop):
    fitters = {r["worker_id"]: r for r in kpis.first_pass_yield(F, "armador")}
    assert {
        w: (r["inspecciones"], r["rechazos"], r["primeras"], r["aprobadas_primera"])
        for w, r in fitters.items()
    } == {
        1: (1, 0, 1, 1),
        3: (2, 1, 1, 0),
    }
    assert (fitters[1]["fpy"], fitters[1]["tasa_rechazo"], fitters[3]["fpy"], fitters[3]["tasa_rechazo"]) == (
        100.0, 0.0, 0.0, 50.0,
    )  # fmt: skip
    welders = kpis.first_pass_yield(F, "soldador")
    assert [(r["worker_id"], r["fpy"], r["tasa_rechazo"], r["nombre"]) for r in welders] == [
        (2, 50.0, 33.3, "BS(2) Beto Soto")
    ]


def test_yield_per_attempt(shop):
    rows = kpis.yield_per_attempt(F)
    assert [
        (r["intento"], r["inspecciones"], r["aprobados"], r["rechazados"], r["tasa_rechazo"]) for r in rows
    ] == [
        (1, 2, 1, 1, 50.0),
        (2, 1, 1, 0, 0.0),
    ]
    # The second inspection of S2 is still its attempt 2 when the period starts after the first.
    later = kpis.Filtros(DAY + datetime.timedelta(days=1), F.hasta)
    assert [(r["intento"], r["inspecciones"]) for r in kpis.yield_per_attempt(later)] == [(1, 1), (2, 1)]


def test_hours_by_worker_and_operation_sum_closed_sessions(shop):
    rows = [(r["worker_id"], r["operacion"], r["sesiones"], r["horas"]) for r in kpis.hours_by_worker(F)]
    assert rows == [
        (1, "ARM", 2, 2.0),  # S3's open session is not counted
        (2, "REPARACION", 1, 2.0),
        (2, "SOLD", 2, 6.0),
        (3, "ARM", 1, 1.0),  # S5's session started before the period
    ]


def test_an_event_between_take_and_close_does_not_split_the_session(shop, make_spool):
    s6, b = make_spool(tag_spool="S6"), shop["B"]
    ev(s6, EventType.TOMAR_REPARACION, b, "REPARACION", at(2, 8))
    ev(s6, EventType.SUPERVISOR_OVERRIDE, None, "REPARACION", at(2, 9), motivo="Revisado")
    ev(s6, EventType.COMPLETAR_REPARACION, b, "REPARACION", at(2, 11))
    rows = {(r["worker_id"], r["operacion"]): r["horas"] for r in kpis.hours_by_worker(F)}
    assert rows[(2, "REPARACION")] == 5.0


def test_stale_occupations(shop):
    assert [s.tag_spool for s in kpis.stale_occupations(F)] == ["S3"]
    assert kpis.stale_occupations(kpis.Filtros(F.desde, F.hasta, nv="NV1")) == []


def test_filters_by_nv_ot_and_worker(shop, percentiles):
    by_ot = kpis.Filtros(F.desde, F.hasta, ot="002")
    assert [r["ARM"] for r in kpis.completed_per_day(by_ot)] == [1, 0, 0]
    assert kpis.cycle_and_queue_times(by_ot)[0]["p50"] == 1 * H
    assert [r["worker_id"] for r in kpis.first_pass_yield(by_ot, "armador")] == [3]
    by_worker = kpis.Filtros(F.desde, F.hasta, worker_id=3)
    assert [r["ARM"] for r in kpis.completed_per_day(by_worker)] == [1, 0, 0]
    assert [(r["worker_id"], r["horas"]) for r in kpis.hours_by_worker(by_worker)] == [(3, 1.0)]
    assert [r["worker_id"] for r in kpis.first_pass_yield(by_worker, "armador")] == [3]
    assert [r["ARM"] for r in kpis.completed_per_day(kpis.Filtros(F.desde, F.hasta, nv="NV2"))] == [0, 0, 0]
