"""The quality loop through a real 2-process uvicorn server: races and the full BLOQUEADO cycle."""

from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.auth import get_user_model

from spools.models import Event, EventType, Spool
from tests.e2e.conftest import E2EClient
from zeues.models import ApiToken

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _codes(responses):
    return Counter((r.status_code, r.json().get("error")) for r in responses)


def test_ten_concurrent_repair_takes_have_one_winner(http_api, make_worker, make_spool):
    spool = make_spool(arm="completado", sold="completado", calidad="rechazado", ciclo=1)
    workers = [make_worker(roles=[], nombre=f"Rep{i}") for i in range(10)]
    calls = [("reparacion:tomar", {"tag_spool": spool.tag_spool, "worker_id": w.id}) for w in workers]
    responses = http_api.post_concurrently(calls)
    assert _codes(responses) == {(200, None): 1, (409, "SPOOL_OCUPADO"): 9}
    winner = next(w for w, r in zip(workers, responses, strict=True) if r.status_code == 200)
    fresh = Spool.objects.get(pk=spool.pk)
    assert fresh.ocupado_por_id == winner.id and fresh.calidad == "en_reparacion"
    assert list(Event.objects.filter(spool=spool).values_list("evento_tipo", "worker_id")) == [
        (EventType.TOMAR_REPARACION, winner.id)
    ]


def _verdict(resultado: str) -> dict[str, str]:
    """A metrología result as the API takes it: a rejection names its defect."""
    return (
        {"resultado": resultado, "defecto": "POROSIDAD"}
        if resultado == "RECHAZADO"
        else {"resultado": resultado}
    )


@pytest.mark.parametrize("first", ["APROBADO", "RECHAZADO"])
def test_concurrent_metrologia_results_apply_exactly_once(http_api, make_worker, make_spool, defectos, first):
    spool = make_spool(arm="completado", sold="completado")
    inspectors = [make_worker(roles=["Metrologia"], nombre=f"Insp{i}") for i in range(6)]
    results = [
        first if i % 2 == 0 else ("RECHAZADO" if first == "APROBADO" else "APROBADO") for i in range(6)
    ]
    calls = [
        ("metrologia:completar", {"tag_spool": spool.tag_spool, "worker_id": w.id, **_verdict(res)})
        for w, res in zip(inspectors, results, strict=True)
    ]
    responses = http_api.post_concurrently(calls)
    ok = [r for r in responses if r.status_code == 200]
    assert len(ok) == 1, _codes(responses)
    assert all(r.status_code == 400 for r in responses if r.status_code != 200), _codes(responses)
    events = list(Event.objects.filter(spool=spool))
    assert [e.evento_tipo for e in events] == [EventType.COMPLETAR_METROLOGIA]
    applied = ok[0].json()["resultado"]
    fresh = Spool.objects.get(pk=spool.pk)
    assert (fresh.calidad, fresh.ciclo) == (("aprobado", 0) if applied == "APROBADO" else ("rechazado", 1))
    assert events[0].details["resultado"] == applied


def test_three_rejections_block_and_a_supervisor_unblocks_end_to_end(
    http_api, server, make_worker, make_spool, supervisores_group, defectos
):
    spool = make_spool(arm="completado", sold="completado")
    inspector = make_worker(roles=["Metrologia"])
    repairer = make_worker(roles=[])
    body = {"tag_spool": spool.tag_spool, "worker_id": repairer.id}
    inspect = {"tag_spool": spool.tag_spool, "worker_id": inspector.id}
    for ciclo in (1, 2):
        r = http_api.post("metrologia:completar", {**inspect, **_verdict("RECHAZADO")})
        assert r.json()["ciclo"] == ciclo
        for action in ("tomar", "pausar", "tomar", "completar"):
            assert http_api.post(f"reparacion:{action}", body).status_code == 200
    r = http_api.post("metrologia:completar", {**inspect, **_verdict("RECHAZADO")})
    assert r.json()["estado_detalle"] == "BLOQUEADO - Contactar supervisor" and r.json()["bloqueado"] is True
    for name, payload in [
        ("reparacion:tomar", body),
        ("reparacion:cancelar", body),
        ("metrologia:completar", {**inspect, "resultado": "APROBADO"}),
    ]:
        assert http_api.post(name, payload).json()["error"] == "SPOOL_BLOQUEADO"
    boss = get_user_model().objects.create_user(username="jefe-e2e", password="x-123456789")
    boss.groups.add(supervisores_group)
    supervisor = E2EClient(server.url, ApiToken.issue(user=boss)[1])
    r = supervisor.post(
        "supervisor-desbloquear", {"tag_spool": spool.tag_spool, "motivo": "Revisión con calidad"}
    )
    assert r.status_code == 200 and r.json()["spool"]["ciclo"] == 0
    for action in ("tomar", "completar"):
        assert http_api.post(f"reparacion:{action}", body).status_code == 200
    r = http_api.post("metrologia:completar", {**inspect, "resultado": "APROBADO"})
    assert r.json()["estado_detalle"] == "METROLOGIA APROBADO ✓"
    types = list(Event.objects.filter(spool=spool).values_list("evento_tipo", flat=True))
    assert types.count("COMPLETAR_METROLOGIA") == 4 and types.count("SPOOL_BLOQUEADO") == 1
    assert types.count("SUPERVISOR_OVERRIDE") == 1 and types.count("TOMAR_REPARACION") == 5
