"""Gerencia's joint figures (zeues/reports/kpis.py): PD per fitter and welder per day and period,
joints per day, and the share of joint-tracked work, against the hand-computed `joint_shop`.

The shop and every expected figure are in kpi_shop.py's docstring.
"""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from occupation.services import spool_finish, spool_take
from spools.models import Operacion
from zeues.reports import kpis
from zeues.reports.tests import kpi_shop
from zeues.reports.tests.kpi_shop import DAY

pytestmark = pytest.mark.django_db

shop, joint_shop = kpi_shop.shop, kpi_shop.joint_shop  # fixtures of this module
F = kpis.Filtros(DAY, DAY + datetime.timedelta(days=2))


def _days(f: kpis.Filtros, op: str) -> list[tuple[int, int, int, D]]:
    return [(r["fecha"].day, r["worker_id"], r["uniones"], r["pd"]) for r in kpis.pd_rows(f, op)]


def _workers(pd: kpis.PdOperacion) -> list[tuple[int, int, D, int, D]]:
    return [(r["worker_id"], r["uniones"], r["pd"], r["dias"], r["pd_dia"]) for r in pd.por_trabajador]


def test_pd_arm_per_fitter_per_day_and_period(joint_shop):
    arm = kpis.pd_per_worker_and_day(F, Operacion.ARM)
    # The voided 6" joint of D, A's joint fitted the day before and C's the day after do not count.
    assert _days(F, "ARM") == [
        (2, 1, 2, D("4.0")),
        (2, 4, 1, D("3")),
        (3, 3, 2, D("6")),
        (4, 4, 1, D("0.75")),
    ]
    assert _workers(arm) == [
        (3, 2, D("6"), 1, D("6.00")),
        (1, 2, D("4.0"), 1, D("4.00")),
        (4, 2, D("3.75"), 2, D("1.88")),
    ]
    assert (arm.uniones, arm.pd) == (6, D("13.75"))
    assert arm.por_trabajador[1]["nombre"] == "AA(1) Ana Araya"
    # The worker × day table of the page: one column per day of the period, None without joints.
    assert arm.dias == [DAY, DAY + datetime.timedelta(days=1), DAY + datetime.timedelta(days=2)]
    assert [w["por_dia"] for w in arm.por_trabajador] == [
        [None, D("6"), None],
        [D("4.0"), None, None],
        [D("3"), None, D("0.75")],
    ]


def test_pd_sold_per_welder_per_day_and_period_leaves_field_welds_out(joint_shop):
    sold = kpis.pd_per_worker_and_day(F, Operacion.SOLD)
    assert _days(F, "SOLD") == [
        (2, 2, 2, D("4.5")),
        (3, 2, 1, D("1.5")),
        (3, 5, 1, D("4")),
        (4, 5, 1, D("3")),
    ]
    assert _workers(sold) == [(5, 2, D("7"), 2, D("3.50")), (2, 3, D("6.0"), 2, D("3.00"))]
    assert (sold.uniones, sold.pd) == (5, D("13"))


def test_joints_per_day_counts_and_pd(joint_shop):
    u = kpis.joint_kpis(F)
    rows = [
        (r["fecha"].day, r["arm_uniones"], r["arm_pd"], r["sold_uniones"], r["sold_pd"]) for r in u.por_dia
    ]
    assert rows == [(2, 3, D("7.0"), 2, D("4.5")), (3, 2, D("6"), 2, D("5.5")), (4, 1, D("0.75"), 1, D("3"))]
    assert u.hay


def test_share_of_completions_on_joint_and_whole_spools(joint_shop):
    assert kpis.joint_share(F) == [
        {"operacion": "ARM", "completados": 3, "con_uniones": 1, "sin_uniones": 2, "pct_con": 33.3,
         "pct_sin": 66.7},
        {"operacion": "SOLD", "completados": 4, "con_uniones": 2, "sin_uniones": 2, "pct_con": 50.0,
         "pct_sin": 50.0},
    ]  # fmt: skip


def test_filters_narrow_the_joint_figures(joint_shop):
    by_worker = kpis.joint_kpis(kpis.Filtros(F.desde, F.hasta, worker_id=4))
    assert (
        _workers(by_worker.arm) == [(4, 2, D("3.75"), 2, D("1.88"))] and by_worker.sold.por_trabajador == []
    )
    assert [r["con_uniones"] for r in by_worker.reparto] == [0, 0]  # D completed nothing
    by_ot = kpis.joint_kpis(kpis.Filtros(F.desde, F.hasta, ot="002"))  # J2 (and the whole-spool S2)
    assert (by_ot.arm.pd, by_ot.sold.pd) == (D("3.75"), D("3"))
    assert [(r["completados"], r["con_uniones"]) for r in by_ot.reparto] == [(1, 0), (1, 0)]
    by_nv = kpis.joint_kpis(kpis.Filtros(F.desde, F.hasta, nv="NV1"))
    assert not by_nv.hay and by_nv.arm.por_trabajador == [] and by_nv.sold.pd == 0
    one_day = kpis.pd_per_worker_and_day(kpis.Filtros(DAY, DAY), Operacion.SOLD)
    assert _workers(one_day) == [(2, 2, D("4.5"), 1, D("4.50"))]


def test_a_period_without_joints_gives_zeros_and_no_rows(shop):
    u = kpis.joint_kpis(F)
    assert not u.hay and u.arm.por_trabajador == [] and u.sold.por_fecha == {}
    assert [(r["arm_uniones"], r["sold_pd"]) for r in u.por_dia] == [(0, 0), (0, 0), (0, 0)]
    # The whole-spool completions are all "sin uniones".
    assert [(r["completados"], r["con_uniones"], r["pct_sin"]) for r in u.reparto] == [
        (2, 0, 100.0),
        (2, 0, 100.0),
    ]
    empty = kpis.joint_share(
        kpis.Filtros(DAY - datetime.timedelta(days=30), DAY - datetime.timedelta(days=29))
    )
    assert [(r["completados"], r["pct_con"], r["pct_sin"]) for r in empty] == [
        (0, None, None),
        (0, None, None),
    ]


def test_a_long_period_is_summed_by_the_database_to_the_same_figures(joint_shop):
    # Over PIVOT_DAYS the per-worker and per-day sums come from one SQL statement (`_rollup`).
    long = kpis.Filtros(DAY - datetime.timedelta(days=40), F.hasta)
    arm = kpis.pd_per_worker_and_day(long, Operacion.ARM)
    assert arm.dias == [] and all(w["por_dia"] == [] for w in arm.por_trabajador)
    # A's joint of the day before F is in this period: A 6 over 2 days.
    assert _workers(arm) == [
        (1, 3, D("6.0"), 2, D("3.00")),
        (3, 2, D("6"), 1, D("6.00")),
        (4, 2, D("3.75"), 2, D("1.88")),
    ]
    assert (arm.uniones, arm.pd, arm.por_trabajador[0]["nombre"]) == (7, D("15.75"), "AA(1) Ana Araya")
    sold = kpis.pd_per_worker_and_day(long, Operacion.SOLD)
    assert _workers(sold) == _workers(kpis.pd_per_worker_and_day(F, Operacion.SOLD))
    per_day = {r["fecha"]: (r["arm_uniones"], r["arm_pd"]) for r in kpis.joints_per_day(long, arm, sold)}
    assert len(per_day) == 43 and sum(n for n, _ in per_day.values()) == 7
    day = {n: DAY + datetime.timedelta(days=n) for n in (-1, 0, 2)}
    assert (per_day[day[-1]], per_day[day[0]], per_day[day[2]]) == (
        (1, D("2")),
        (3, D("7.0")),
        (1, D("0.75")),
    )
    # The share joins the spools over a long period: + J3's ARM (day -1) and S5's (day -3, whole).
    share = [(r["completados"], r["con_uniones"], r["pct_con"]) for r in kpis.joint_share(long)]
    assert share == [(5, 2, 40.0), (4, 2, 50.0)]
    by_worker = kpis.pd_per_worker_and_day(kpis.Filtros(long.desde, long.hasta, worker_id=4), Operacion.ARM)
    assert _workers(by_worker) == [(4, 2, D("3.75"), 2, D("1.88"))]


def test_joints_recorded_through_the_engine_count_at_once(make_worker, make_spool, make_joints):
    fitter = make_worker(id=70, nombre="Rita", apellido="Paz", roles=["Armador"])
    spool = make_joints(make_spool(tag_spool="MK-PD-1"), [(1, "2.5", "BW"), (2, "1.5", "SO"), (3, "4", "BW")])
    spool = spool_take(spool=spool, worker=fitter, operacion="ARM")
    spool_finish(spool=spool, worker=fitter, uniones=[1, 2])
    today = timezone.localdate()
    u = kpis.joint_kpis(kpis.Filtros(today, today))
    assert _workers(u.arm) == [(70, 2, D("4.0"), 1, D("4.00"))] and u.sold.uniones == 0
