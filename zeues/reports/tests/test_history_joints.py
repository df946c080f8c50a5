"""A spool's history with its joints (zeues/reports/history.py): one row per joint read from the
joints themselves, each session with the joints its close recorded, the supervisor's joint
changes among the supervisor acts, and a whole-spool spool left as it was."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from occupation import joints as joint_changes
from occupation.services import spool_finish, spool_take
from spools.joints import store_progress
from spools.models import Event, EventType, Spool, Union
from zeues.reports.history import spool_history
from zeues.reports.tests.test_history import TZ, at, ev

pytestmark = pytest.mark.django_db

JOINTS = [(1, "2", "BW"), (2, "2", "BW"), (3, "3", "SO"), (4, "1 1/2", "FW")]


@pytest.fixture
def ana(make_worker):
    return make_worker(id=110, nombre="Ana", apellido="Araya", roles=["Armador"])


@pytest.fixture
def beto(make_worker):
    return make_worker(id=90, nombre="Beto", apellido="Soto", roles=["Armador"])


@pytest.fixture
def spool(make_spool, make_joints):
    return make_joints(make_spool(tag_spool="MK-J-001"), JOINTS)


def _fresh(spool: Spool) -> Spool:
    return Spool.objects.with_people().get(pk=spool.pk)


def handoff(spool: Spool, a, b) -> Spool:
    """A fits 1–2 and pauses; B fits 3–4 and completes ARM (through the services)."""
    spool_take(spool=spool, worker=a, operacion="ARM")
    spool_finish(spool=_fresh(spool), worker=a, uniones=[1, 2])
    spool_take(spool=_fresh(spool), worker=b, operacion="ARM")
    spool_finish(spool=_fresh(spool), worker=b, uniones=[3, 4])
    return _fresh(spool)


def test_handoff_credits_each_joint_to_its_fitter_and_each_session_its_own_joints(spool, ana, beto):
    spool = handoff(spool, ana, beto)
    h = spool_history(spool)
    assert [(j.n_union, j.arm.worker_token, j.arm.worker_nombre) for j in h.joints] == [
        (1, "AA(110)", "Ana Araya"),
        (2, "AA(110)", "Ana Araya"),
        (3, "BS(90)", "Beto Soto"),
        (4, "BS(90)", "Beto Soto"),
    ]
    assert all(j.sold is None for j in h.joints)
    first, second = h.sessions
    assert (first.worker_id, first.cierre, first.uniones, first.pulgadas) == (
        110,
        "PAUSAR_SPOOL",
        [1, 2],
        Decimal("4"),
    )
    assert (second.worker_id, second.cierre, second.uniones, second.pulgadas) == (
        90,
        "COMPLETAR_ARM",
        [3, 4],
        Decimal("4.5"),
    )
    assert first.joints_text == "2 uniones (n.º 1, 2) · 4 PD"
    assert second.joints_text == "2 uniones (n.º 3, 4) · 4,5 PD"
    # Each joint starts when its fitter took the spool and ends when they recorded it.
    starts = list(
        Event.objects.filter(spool=spool, evento_tipo=EventType.TOMAR_SPOOL)
        .order_by("seq")
        .values_list("timestamp", flat=True)
    )
    assert [j.arm.inicio for j in h.joints] == [starts[0], starts[0], starts[1], starts[1]]
    assert h.joints[0].arm.fin == first.end and h.joints[3].arm.fin == second.end


def test_joint_events_are_not_sessions_nor_notes(spool, ana, beto):
    spool = handoff(spool, ana, beto)
    h = spool_history(spool)
    tipos = [e.evento_tipo for e in h.events]
    assert tipos.count(EventType.UNION_ARM_REGISTRADA) == 4
    assert len(h.sessions) == 2 and h.totals["ARM"].sessions == 2
    assert not h.orphans and not h.supervisor and not h.imports


def test_duration_of_a_joint_is_its_end_minus_its_start(spool, ana):
    start = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=TZ)
    Union.objects.filter(spool=spool, n_union=3).update(
        arm_worker=ana,
        arm_inicio=start,
        arm_fin=start + datetime.timedelta(hours=1, minutes=30, seconds=5),
        sold_worker=ana,
        sold_inicio=start + datetime.timedelta(days=1),
        sold_fin=start + datetime.timedelta(days=2, hours=3),
    )
    # Legacy work imported with an end and no start has no duration (none is invented).
    Union.objects.filter(spool=spool, n_union=1).update(arm_worker=ana, arm_fin=start)
    store_progress([spool.pk])
    joints = {j.n_union: j for j in spool_history(_fresh(spool)).joints}
    assert (joints[3].arm.seconds, joints[3].arm.duration) == (5405, "01:30:05")
    assert (joints[3].sold.seconds, joints[3].sold.duration) == (97200, "1 d 03:00:00")
    assert joints[3].arm.inicio.utcoffset() == datetime.timedelta(hours=-3)  # shop time
    assert (joints[1].arm.seconds, joints[1].arm.duration) == (None, "—")


def test_voided_joint_keeps_its_row_and_work_with_the_reason(spool, ana, admin_user):
    spool_take(spool=spool, worker=ana, operacion="ARM")
    spool_finish(spool=_fresh(spool), worker=ana, uniones=[2])
    union = Union.objects.get(spool=spool, n_union=2)
    joint_changes.union_void(
        union=union, motivo="Cambio de ingeniería: se elimina el ramal", actor=admin_user
    )
    h = spool_history(_fresh(spool))
    (voided,) = [j for j in h.joints if j.anulada]
    assert voided.n_union == 2 and voided.motivo == "Cambio de ingeniería: se elimina el ramal"
    assert voided.arm is not None and voided.arm.worker_token == "AA(110)"
    (act,) = h.supervisor
    assert act.event.evento_tipo == EventType.UNION_ANULADA and act.supervisor == admin_user.username
    assert act.motivo == "Cambio de ingeniería: se elimina el ramal" and act.cambio == "DN 2 · BW"


def test_supervisor_joint_changes_are_acts_with_who_why_and_what(spool, admin_user):
    joint_changes.union_add(
        spool=spool, n_union=5, dn="2,5", tipo="br", motivo="Isométrico rev. B", actor=admin_user
    )
    union = Union.objects.get(spool=spool, n_union=3)
    joint_changes.union_correct(union=union, dn="4", tipo="BW", motivo="Plano corregido", actor=admin_user)
    h = spool_history(_fresh(spool))
    assert [(n.event.evento_tipo, n.cambio, n.motivo, n.supervisor) for n in h.supervisor] == [
        (EventType.UNION_AGREGADA, "DN 2,5 · BR", "Isométrico rev. B", admin_user.username),
        (EventType.UNION_CORREGIDA, "DN 3 → 4 · tipo SO → BW", "Plano corregido", admin_user.username),
    ]
    assert not h.sessions and not h.orphans
    assert [(j.n_union, j.dn, j.tipo) for j in h.joints][-3:] == [
        (3, Decimal("4.000"), "BW"),
        (4, Decimal("1.500"), "FW"),
        (5, Decimal("2.500"), "BR"),
    ]


def test_releasing_without_joints_is_a_session_that_recorded_none(spool, ana):
    spool_take(spool=spool, worker=ana, operacion="ARM")
    spool_finish(spool=_fresh(spool), worker=ana, uniones=[])
    (s,) = spool_history(_fresh(spool)).sessions
    assert s.cierre == EventType.LIBERAR_SPOOL and s.uniones == [] and s.joints_text == "ninguna unión"


def test_a_whole_spool_spool_has_no_joints_and_reads_none(make_worker, make_spool, django_assert_num_queries):
    a, spool = make_worker(id=1), make_spool(tag_spool="MK-W-001")
    ev(spool, EventType.TOMAR_SPOOL, a, "ARM", at(0))
    ev(spool, EventType.PAUSAR_SPOOL, a, "ARM", at(90))
    spool = _fresh(spool)
    with django_assert_num_queries(1):  # the events only: no query for joints it does not have
        h = spool_history(spool, now=at(100))
    assert h.joints == [] and not h.has_joints
    (s,) = h.sessions
    assert (s.uniones, s.pulgadas, s.joints_text) == (None, None, "")
