"""Live updates end to end: real Redis (private, restartable), two server processes, browsers.

Two single-process servers share the database and Redis, so "served by one process, seen by a
browser connected to the other" is guaranteed rather than left to the kernel's accept() lottery.
"""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.urls import reverse
from django.utils import timezone

from spools.models import Spool
from tests.browser.conftest import DESKTOP
from tests.e2e.conftest import E2EClient
from tests.e2e.sse import SseClient
from zeues.lib import live
from zeues.models import ApiToken

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def servers(start_server, private_redis):
    env = {"REDIS_URL": private_redis.url, "ZEUES_REDIS_PREFIX": "zeues-live-e2e"}
    return start_server(workers=1, **env), start_server(workers=1, **env)


@pytest.fixture
def boss(db):
    user = get_user_model().objects.create_user(username="jefe-live", is_staff=True)
    # The servers use the production hasher, not the tests' fast one.
    user.password = PBKDF2PasswordHasher().encode("clave-jefe-123", PBKDF2PasswordHasher().salt())
    user.save()
    return user, ApiToken.issue(user=user)[1]


def open_board(browser, server):
    page = browser.new_context(viewport=DESKTOP, locale="es-CL").new_page()
    page.goto(f"{server.url}{reverse('login')}")
    page.fill("#id_username", "jefe-live")
    page.fill("#id_password", "clave-jefe-123")
    page.click("button[type=submit]")
    page.goto(f"{server.url}{reverse('board')}")
    page.wait_for_function("() => window.zeuesLive && window.zeuesLive.state === 'online'", timeout=10000)
    return page


def test_action_on_one_process_reaches_a_browser_on_the_other_within_a_second(
    servers, browser, boss, make_worker, make_spool
):
    one, two = servers
    make_worker(id=90, nombre="Valentina", apellido="Soto", roles=["Armador"])
    make_spool(tag_spool="LIVE-1")
    board = open_board(browser, two)
    started = time.monotonic()
    r = E2EClient(one.url, boss[1]).post(
        "occupation:tomar", {"tag_spool": "LIVE-1", "worker_id": 90, "operacion": "ARM"}
    )
    assert r.status_code == 200
    board.wait_for_selector("tr[data-tag='LIVE-1']", timeout=1000)
    elapsed = time.monotonic() - started
    assert elapsed < 1.0, elapsed
    received = board.evaluate("window.zeuesLive.received.filter(e => e.type === 'TOMAR')")
    assert received[-1]["data"]["tag_spool"] == "LIVE-1" and received[-1]["data"]["worker_nombre"] == "VS(90)"


def test_hidden_board_stops_streaming_and_shows_everything_when_shown_again(
    servers, browser, boss, make_worker, make_spool
):
    one, two = servers
    make_worker(id=90, roles=["Armador"])
    for i in range(5):
        make_spool(tag_spool=f"HID-{i}")
    board = open_board(browser, two)
    board.wait_for_timeout(600)  # let the catch-up refresh that follows every (re)connection finish
    opens = board.evaluate("window.zeuesLive.opens")
    board.evaluate("""() => { Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});
                             document.dispatchEvent(new Event('visibilitychange')); }""")
    assert board.evaluate("window.zeuesLive.state") == "paused"
    api = E2EClient(one.url, boss[1])
    for i in range(5):
        assert (
            api.post(
                "occupation:tomar", {"tag_spool": f"HID-{i}", "worker_id": 90, "operacion": "ARM"}
            ).status_code
            == 200
        )
    time.sleep(0.5)
    assert board.locator("tr[data-tag^='HID-']").count() == 0  # nothing arrived while hidden
    board.evaluate("""() => { Object.defineProperty(document, 'visibilityState', {value: 'visible', configurable: true});
                             document.dispatchEvent(new Event('visibilitychange')); }""")
    board.wait_for_function(f"() => window.zeuesLive.opens > {opens}", timeout=5000)
    board.wait_for_function(
        "() => document.querySelectorAll(`tr[data-tag^='HID-']`).length === 5", timeout=5000
    )


def test_reconnecting_client_gets_the_missed_events_replayed_by_last_event_id(
    servers, boss, make_worker, make_spool
):
    one, two = servers
    make_worker(id=90, roles=["Armador"])
    for i in range(6):
        make_spool(tag_spool=f"REP-{i}")
    headers = {"Authorization": f"Bearer {boss[1]}"}
    api = E2EClient(one.url, boss[1])
    first = SseClient(two.url, headers)
    api.post("occupation:tomar", {"tag_spool": "REP-0", "worker_id": 90, "operacion": "ARM"})
    assert first.wait_for(1, ("TOMAR",))[0].data["tag_spool"] == "REP-0"
    first.close()
    for i in range(1, 6):
        api.post("occupation:tomar", {"tag_spool": f"REP-{i}", "worker_id": 90, "operacion": "ARM"})
    again = SseClient(two.url, headers, last_id=first.last_id)
    replayed = again.wait_for(5, ("TOMAR",))
    again.close()
    assert [e.data["tag_spool"] for e in replayed] == [f"REP-{i}" for i in range(1, 6)]


def test_board_shows_offline_when_redis_dies_and_recovers_when_it_returns(
    servers, browser, boss, private_redis, make_worker, make_spool
):
    one, two = servers
    worker = make_worker(id=90, roles=["Armador"])
    make_spool(
        tag_spool="RED-1",
        arm="en_progreso",
        ocupado_por=worker,
        fecha_ocupacion=timezone.now(),
        operacion_actual="ARM",
    )
    board = open_board(browser, two)
    assert board.locator("tr[data-tag='RED-1']").count() == 1
    private_redis.stop()
    board.wait_for_function("() => window.zeuesLive.state === 'offline'", timeout=10000)
    assert "Sin conexión" in board.inner_text("[data-live-status]")
    # The action does not depend on the stream: PAUSAR needs no Redis lock and succeeds.
    r = E2EClient(one.url, boss[1]).post("occupation:pausar", {"tag_spool": "RED-1", "worker_id": 90})
    assert r.status_code == 200
    private_redis.start()
    board.wait_for_function("() => window.zeuesLive.state === 'online'", timeout=40000)
    board.wait_for_function(
        "() => document.querySelectorAll(`tr[data-tag='RED-1']`).length === 0", timeout=5000
    )
    assert Spool.objects.get(tag_spool="RED-1").arm == "pausado"


def test_every_event_type_arrives_with_the_documented_fields(
    servers, boss, make_worker, make_spool, supervisores_group, defectos
):
    one, two = servers
    user, token = boss
    user.groups.add(supervisores_group)
    make_worker(id=90, roles=["Armador"])
    make_worker(id=97, roles=["Metrologia"])
    make_worker(id=93, roles=[])
    make_spool(tag_spool="EV-Q", arm="completado", sold="completado", calidad="pendiente_metrologia", ciclo=2)
    make_spool(tag_spool="EV-C", arm="completado", sold="completado", calidad="rechazado", ciclo=1)
    make_spool(tag_spool="EV-A")
    make_spool(tag_spool="EV-F")
    stream = SseClient(two.url, {"Authorization": f"Bearer {token}"})
    api = E2EClient(one.url, token)
    calls = [
        (
            "metrologia:completar",
            {"tag_spool": "EV-Q", "worker_id": 97, "resultado": "RECHAZADO", "defecto": "FISURA"},
        ),
        ("supervisor-desbloquear", {"tag_spool": "EV-Q", "motivo": "Revisión con calidad"}),
        ("reparacion:tomar", {"tag_spool": "EV-Q", "worker_id": 93}),
        ("reparacion:pausar", {"tag_spool": "EV-Q", "worker_id": 93}),
        ("reparacion:tomar", {"tag_spool": "EV-Q", "worker_id": 93}),
        ("reparacion:completar", {"tag_spool": "EV-Q", "worker_id": 93}),
        ("reparacion:tomar", {"tag_spool": "EV-C", "worker_id": 93}),
        ("reparacion:cancelar", {"tag_spool": "EV-C", "worker_id": 93}),
        ("alertas-llamar", {"tag_spool": "EV-C", "worker_id": 93, "mensaje": "Falta un plano"}),
        ("supervisor-atender", {"tag_spool": "EV-C", "respuesta": "Voy"}),
        ("occupation:tomar", {"tag_spool": "EV-A", "worker_id": 90, "operacion": "ARM"}),
        ("occupation:pausar", {"tag_spool": "EV-A", "worker_id": 90}),
        ("occupation:tomar", {"tag_spool": "EV-A", "worker_id": 90, "operacion": "ARM"}),
        ("occupation:completar", {"tag_spool": "EV-A", "worker_id": 90}),
        ("occupation:tomar", {"tag_spool": "EV-F", "worker_id": 90, "operacion": "ARM"}),
        ("supervisor-liberar", {"tag_spool": "EV-F", "motivo": "Terminó el turno"}),
    ]
    for name, body in calls:
        assert api.post(name, body).status_code == 200, (name, body)
    events = stream.wait_for(len(calls) + 1, live.EVENT_TYPES, timeout=10)
    stream.close()
    assert {e.type for e in events} == set(live.EVENT_TYPES)
    assert len(events) == len(calls) + 1  # the blocking rejection also sends STATE_CHANGE
    for event in events:
        assert tuple(event.data) == live.FIELDS, event
        assert event.id and event.data["event_id"] and event.data["timestamp"][-6] in "+-"
