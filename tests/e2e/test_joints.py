"""Joints through the real 2-process server (docs/joints.md): two tablets ticking the same joint,
and a handoff between two fitters, over HTTP, Redis and PostgreSQL; read back through the ORM."""

from __future__ import annotations

from collections import Counter

import pytest

from spools import kpi_facts
from spools.models import Event, EventType, KpiUnionDia, Spool, Union

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TOMAR = "occupation:tomar"
FINALIZAR = "occupation:finalizar"
V4_INICIAR = "v4-iniciar"
V4_FINALIZAR = "v4-finalizar"


def _codes(responses):
    return Counter((r.status_code, r.json().get("error")) for r in responses)


@pytest.mark.parametrize("n", [2, 6])
def test_tablets_ticking_the_same_joint_one_wins_the_others_get_union_ya_registrada(
    n, http_api, make_worker, make_spool, make_joints
):
    """The holder's finish sent from `n` tablets at once (a double tap, a second tablet, a retry)."""
    fitter = make_worker(roles=["Armador"])
    spool = make_joints(make_spool(), [(1, "2", "BW"), (2, "4", "BW"), (3, "2,5", "SO"), (4, "6", "BR")])
    assert (
        http_api.post(
            TOMAR, {"tag_spool": spool.tag_spool, "worker_id": fitter.id, "operacion": "ARM"}
        ).status_code
        == 200
    )

    body = {"tag_spool": spool.tag_spool, "worker_id": fitter.id, "operacion": "ARM", "uniones": [3]}
    responses = http_api.post_concurrently([(FINALIZAR, body)] * n)

    assert _codes(responses) == {(200, None): 1, (409, "UNION_YA_REGISTRADA"): n - 1}, [
        r.json() for r in responses
    ]
    for r in responses:
        if r.status_code == 409:
            assert r.json()["data"]["uniones"] == [
                {"n_union": 3, "worker": fitter.token, "worker_id": fitter.id}
            ]
    joint = Union.objects.get(spool=spool, n_union=3)
    assert joint.arm_worker_id == fitter.id
    assert Event.objects.filter(spool=spool, evento_tipo=EventType.UNION_ARM_REGISTRADA).count() == 1
    assert Event.objects.filter(spool=spool, evento_tipo=EventType.PAUSAR_SPOOL).count() == 1
    s = Spool.objects.get(pk=spool.pk)
    assert (s.uniones_arm, s.pulgadas_arm, s.ocupado_por_id, s.arm) == (1, 2.5, None, "pausado")
    assert kpi_facts.union_days_check() == []


def test_one_welder_finishing_two_spools_at_once_counts_both_in_the_day_facts(
    http_api, make_worker, make_spool, make_joints
):
    """Two spools, two row locks, one (day, SOLD, welder) row: the upsert adds, never overwrites."""
    fitter = make_worker(roles=["Armador"])
    welder = make_worker(roles=["Soldador"])
    spools = [
        make_joints(make_spool(arm="completado"), [(n, "2", "BW", {"arm": fitter}) for n in range(1, 6)])
        for _ in range(4)
    ]
    for s in spools:
        assert (
            http_api.post(
                TOMAR, {"tag_spool": s.tag_spool, "worker_id": welder.id, "operacion": "SOLD"}
            ).status_code
            == 200
        )
    calls = [
        (FINALIZAR, {"tag_spool": s.tag_spool, "worker_id": welder.id, "uniones": [1, 2, 3, 4, 5]})
        for s in spools
    ]
    responses = http_api.post_concurrently(calls)
    assert [r.status_code for r in responses] == [200] * 4, [r.json() for r in responses]
    assert kpi_facts.union_days_check() == []
    row = KpiUnionDia.objects.get(operacion="SOLD", worker=welder)
    assert (row.uniones, row.pulgadas) == (20, 40)


def test_handoff_between_two_fitters_credits_each_with_their_joints(
    http_api, make_worker, make_spool, make_joints
):
    a = make_worker(roles=["Armador"], nombre="Ana", apellido="Bravo")
    b = make_worker(roles=["Armador"], nombre="Bruno", apellido="Cid")
    welder = make_worker(roles=["Soldador"], nombre="Sara", apellido="Diaz")
    spool = make_joints(make_spool(), [(1, "2", "BW"), (2, "2", "BW"), (3, "3", "BW"), (4, "1 1/2", "FW")])

    def call(name, worker, op, **extra):
        r = http_api.post(
            name, {"tag_spool": spool.tag_spool, "worker_id": worker.id, "operacion": op, **extra}
        )
        assert r.status_code == 200, r.json()
        return r.json()

    call(TOMAR, a, "ARM")
    assert call(FINALIZAR, a, "ARM", uniones=[1, 2])["accion"] == "PAUSAR"
    # The welder starts on what is fitted while the rest is still to fit (v4 paths).
    call(V4_INICIAR, welder, "SOLD")
    assert call(V4_FINALIZAR, welder, "SOLD", selected_unions=[1])["action_taken"] == "PAUSAR"
    call(TOMAR, b, "ARM")
    done = call(FINALIZAR, b, "ARM", uniones=[3, 4])
    assert done["accion"] == "COMPLETAR" and done["pulgadas"] == 4.5

    detail = http_api.get("spools:detail", tag=spool.tag_spool).json()
    assert [(u["n_union"], u["arm"]["worker_id"]) for u in detail["uniones"]] == [
        (1, a.id),
        (2, a.id),
        (3, b.id),
        (4, b.id),
    ]
    assert [u["n_union"] for u in detail["uniones"] if u["sold"]] == [1]
    assert detail["progreso"] == {
        "arm_hechas": 4,
        "arm_total": 4,
        "sold_hechas": 1,
        "sold_total": 3,
        "pulgadas_arm": 8.5,
        "pulgadas_sold": 2.0,
    }
    trail = list(
        Event.objects.filter(spool=spool, evento_tipo=EventType.UNION_ARM_REGISTRADA)
        .order_by("seq")
        .values_list("details__n_union", "worker_id")
    )
    assert trail == [(1, a.id), (2, a.id), (3, b.id), (4, b.id)]
