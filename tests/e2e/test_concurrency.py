"""Concurrent TOMAR / PAUSAR / COMPLETAR through a real 2-process uvicorn server.

Every request crosses HTTP, two server processes, Redis and PostgreSQL; the assertions read
the committed result back through the ORM of the test process.
"""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
from django.utils import timezone

from spools.models import Event, EventType, Spool, Worker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# URL names (E2EClient reverses them).
TOMAR = "occupation:tomar"
PAUSAR = "occupation:pausar"
COMPLETAR = "occupation:completar"
BATCH_TOMAR = "occupation:batch-tomar"
ARM_ROLES = ("Armador", "Ayudante")


def arm_workers(make_worker, n: int) -> list[Worker]:
    """`n` workers allowed to do ARM, alternating the two roles that may."""
    return [make_worker(roles=[ARM_ROLES[i % 2]], nombre=f"Worker{i}") for i in range(n)]


def take_body(spool: Spool, worker: Worker) -> dict:
    """Body of a TOMAR ARM."""
    return {"tag_spool": spool.tag_spool, "worker_id": worker.id, "operacion": "ARM"}


def errors(responses: list[httpx.Response]) -> Counter:
    """(status, error code) of every answer, counted."""
    return Counter((r.status_code, r.json().get("error")) for r in responses)


def events(spool: Spool, tipo: str | None = None) -> list[Event]:
    """The spool's audit events in the model's order (insertion), optionally of one type."""
    qs = Event.objects.filter(spool=spool)
    return list(qs.filter(evento_tipo=tipo) if tipo else qs)


def assert_single_winner(responses: list[httpx.Response], workers: list[Worker], spool: Spool) -> Worker:
    """One 200, every other answer a 409 SPOOL_OCUPADO; DB and audit agree on the winner."""
    winners = [w for w, r in zip(workers, responses, strict=True) if r.status_code == 200]
    assert len(winners) == 1, errors(responses)
    winner = winners[0]
    assert errors(responses) == {(200, None): 1, (409, "SPOOL_OCUPADO"): len(workers) - 1}
    spool.refresh_from_db()
    assert spool.ocupado_por_id == winner.id
    assert [e.worker_id for e in events(spool, EventType.TOMAR_SPOOL)] == [winner.id]
    assert len(events(spool)) == 1
    return winner


def assert_only_owner_succeeds(responses: list[httpx.Response], owner: Worker) -> None:
    """The owner's call (first) succeeds; every other is refused and none changes anything.

    A non-owner whose request is read before the owner's commit gets 403 NO_AUTORIZADO naming
    the owner; one read after it finds the spool already free and gets 400 SPOOL_NO_OCUPADO.
    """
    assert responses[0].status_code == 200, responses[0].json()
    for response in responses[1:]:
        body = response.json()
        assert (response.status_code, body["error"]) in {(403, "NO_AUTORIZADO"), (400, "SPOOL_NO_OCUPADO")}
        if response.status_code == 403:
            assert body["data"]["ocupado_por_id"] == owner.id


@pytest.mark.parametrize("n", [10, 50])
def test_one_of_n_concurrent_takes_wins_and_the_others_get_409_naming_the_winner(
    n, http_api, make_worker, make_spool
):
    spool = make_spool()
    workers = arm_workers(make_worker, n)

    responses = http_api.post_concurrently([(TOMAR, take_body(spool, w)) for w in workers])

    winner = assert_single_winner(responses, workers, spool)
    for response in responses:
        if response.status_code == 409:
            data = response.json()["data"]
            assert (data["ocupado_por_id"], data["ocupado_por"]) == (winner.id, winner.token)


def test_concurrent_pauses_only_the_owner_pauses_and_the_others_are_refused(
    http_api, make_worker, make_spool
):
    spool = make_spool()
    owner, *others = arm_workers(make_worker, 5)
    assert http_api.post(TOMAR, take_body(spool, owner)).status_code == 200

    body = {"tag_spool": spool.tag_spool, "operacion": "ARM"}
    responses = http_api.post_concurrently([(PAUSAR, {**body, "worker_id": w.id}) for w in [owner, *others]])

    assert_only_owner_succeeds(responses, owner)
    assert [e.worker_id for e in events(spool, EventType.PAUSAR_SPOOL)] == [owner.id]
    spool.refresh_from_db()
    assert (spool.ocupado_por_id, spool.arm) == (None, "pausado")


def test_concurrent_completes_only_the_owner_completes_and_the_others_are_refused(
    http_api, make_worker, make_spool
):
    spool = make_spool()
    owner, *others = arm_workers(make_worker, 5)
    assert http_api.post(TOMAR, take_body(spool, owner)).status_code == 200

    body = {"tag_spool": spool.tag_spool, "operacion": "ARM"}
    calls = [(COMPLETAR, {**body, "worker_id": w.id}) for w in [owner, *others]]
    responses = http_api.post_concurrently(calls)

    assert_only_owner_succeeds(responses, owner)
    assert [e.worker_id for e in events(spool, EventType.COMPLETAR_ARM)] == [owner.id]
    spool.refresh_from_db()
    assert (spool.ocupado_por_id, spool.arm) == (None, "completado")
    assert (spool.fecha_armado, spool.armador_id) == (timezone.localdate(), owner.id)


def test_batch_take_of_ten_with_three_held_by_others_takes_seven_and_reports_three_occupied(
    http_api, make_worker, make_spool
):
    spools = [make_spool() for _ in range(10)]
    taker, *holders = arm_workers(make_worker, 4)
    held = {s.tag_spool: h for s, h in zip(spools[2:8:2], holders, strict=True)}
    for spool in spools:
        if spool.tag_spool in held:
            assert http_api.post(TOMAR, take_body(spool, held[spool.tag_spool])).status_code == 200

    body = {"tag_spools": [s.tag_spool for s in spools], "worker_id": taker.id, "operacion": "ARM"}
    result = http_api.post(BATCH_TOMAR, body).json()

    assert (result["total"], result["succeeded"], result["failed"]) == (10, 7, 3)
    failed = {d["tag_spool"]: d["error"] for d in result["details"] if not d["success"]}
    assert failed == dict.fromkeys(held, "SPOOL_OCUPADO")
    for spool in spools:
        spool.refresh_from_db()
        expected = held.get(spool.tag_spool, taker)
        assert spool.ocupado_por_id == expected.id
        assert [e.worker_id for e in events(spool)] == [expected.id]


def test_handoff_a_takes_a_pauses_b_takes_b_completes_and_b_is_the_armador(http_api, make_worker, make_spool):
    spool = make_spool()
    a, b = arm_workers(make_worker, 2)
    body = {"tag_spool": spool.tag_spool, "operacion": "ARM"}

    for name, worker in [(TOMAR, a), (PAUSAR, a), (TOMAR, b), (COMPLETAR, b)]:
        response = http_api.post(name, {**body, "worker_id": worker.id})
        assert response.status_code == 200, response.json()

    spool.refresh_from_db()
    assert (spool.arm, spool.armador_id, spool.ocupado_por_id) == ("completado", b.id, None)
    assert [(e.evento_tipo, e.worker_id) for e in events(spool)] == [
        (EventType.TOMAR_SPOOL, a.id),
        (EventType.PAUSAR_SPOOL, a.id),
        (EventType.TOMAR_SPOOL, b.id),
        (EventType.COMPLETAR_ARM, b.id),
    ]


@pytest.fixture(scope="module")
def unlocked_server(start_server):
    """A server whose Redis lock expires after 1 ms and is never waited for."""
    server = start_server(ZEUES_LOCK_WAIT_MS="0", ZEUES_LOCK_TTL_MS="1")
    yield server
    server.stop()


def test_without_an_effective_redis_lock_20_concurrent_takes_still_make_one_occupant(
    client_for, unlocked_server, make_worker, make_spool
):
    spool = make_spool()
    workers = arm_workers(make_worker, 20)

    responses = client_for(unlocked_server).post_concurrently([(TOMAR, take_body(spool, w)) for w in workers])

    assert_single_winner(responses, workers, spool)


@pytest.fixture(scope="module")
def redis_down_server(start_server):
    """A server whose Redis is a closed port."""
    server = start_server(REDIS_URL="redis://127.0.0.1:1/0")
    yield server
    server.stop()


def test_take_with_redis_down_answers_503_and_writes_nothing(
    client_for, redis_down_server, make_worker, make_spool
):
    spool = make_spool()
    (worker,) = arm_workers(make_worker, 1)

    response = client_for(redis_down_server).post(TOMAR, take_body(spool, worker))

    assert response.status_code == 503
    assert response.json()["error"] == "SERVICIO_NO_DISPONIBLE"
    fresh = Spool.objects.get(pk=spool.pk)
    assert (fresh.ocupado_por_id, fresh.arm, fresh.version) == (None, "pendiente", spool.version)
    assert events(spool) == []
