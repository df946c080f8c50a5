"""Bad days against the real 2-process server: Redis stops, the database kills our connections, a
process dies holding a lock, a tablet retries, slow clients trickle in (hardening, items 1–4)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse

from spools.models import Event, Spool
from tests.e2e.conftest import ROOT, database_url, server_env

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "clave-123456"
APP_NAME = "zeues-bad-days"


def _account(username: str, group: str | None = None, **flags) -> None:
    user = get_user_model().objects.create_user(username=username, **flags)
    # The servers use the production hasher, not the tests' fast one.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user.save()
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])


def _login(server, username: str) -> httpx.Client:
    http = httpx.Client(base_url=server.url, timeout=20, follow_redirects=False)
    page = http.get(reverse("login"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    done = http.post(
        reverse("login"), data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert done.status_code == 302, done.text[:300]
    return http


def _csrf(http: httpx.Client, path: str) -> str:
    page = http.get(path)
    assert page.status_code == 200, (path, page.status_code)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def _kiosk_act(http: httpx.Client, op: str, accion: str, tag: str) -> str:
    """Identify worker 93 for `op` and run `accion` on `tag` as a one-tap form would; the result's text."""
    url_op = op.lower()
    token = _csrf(http, reverse("kiosk:identify", args=[op]))
    http.post(reverse("kiosk:identify", args=[op]), data={"worker_id": "93", "csrfmiddlewaretoken": token})
    token = _csrf(http, reverse("kiosk:list", args=[op]))
    done = http.post(
        f"/kiosko/{url_op}/ejecutar/",
        data={
            "accion": accion,
            "operacion": op,
            "tags": tag,
            "idem": uuid.uuid4().hex,
            "csrfmiddlewaretoken": token,
        },
    )
    assert done.status_code == 302, (done.status_code, done.text[:500])
    page = http.get(done.headers["location"], follow_redirects=True)
    assert page.status_code == 200
    return page.text


@pytest.fixture(scope="module")
def redis_server(start_server, private_redis):
    # Named connections: the test terminates the servers' own, never the test process's.
    server = start_server(
        REDIS_URL=private_redis.url,
        ZEUES_REDIS_PREFIX="zeues-baddays",
        DATABASE_URL=f"{database_url()}?application_name={APP_NAME}",
    )
    yield server
    server.stop()


def test_with_redis_down_the_kiosk_pauses_and_completes_and_says_why_it_cannot_take(
    redis_server, private_redis, make_worker, make_spool, defectos
):
    _account("tablet-bd", "Kioscos")
    make_worker(id=93, nombre="Mauricio", apellido="Rodriguez", roles=["Armador"])
    make_spool(tag_spool="BD-1")
    make_spool(tag_spool="BD-2")
    http = _login(redis_server, "tablet-bd")
    assert "Tomado" in _kiosk_act(http, "ARM", "TOMAR", "BD-1")
    private_redis.stop()
    try:
        paused = _kiosk_act(http, "ARM", "PAUSAR", "BD-1")
        assert "Pausado" in paused
        assert Spool.objects.get(tag_spool="BD-1").arm == "pausado"
        refused = _kiosk_act(http, "ARM", "TOMAR", "BD-2")
        assert "El servicio de bloqueos no responde" in refused and "no se registró nada" in refused
        assert Spool.objects.get(tag_spool="BD-2").ocupado_por_id is None
        assert not Event.objects.filter(spool__tag_spool="BD-2").exists()
    finally:
        private_redis.start()
    deadline = time.monotonic() + 15
    while "Tomado" not in (text := _kiosk_act(http, "ARM", "TOMAR", "BD-2")) and time.monotonic() < deadline:
        time.sleep(0.5)  # the pool reconnects by itself
    assert "Tomado" in text


def test_after_the_database_kills_every_connection_the_first_requests_work(redis_server, make_spool):
    _account("tablet-pg", "Kioscos")
    _account("jefa-pg", "Supervisores", is_staff=True)
    make_spool(tag_spool="PG-1")
    tablet, boss = _login(redis_server, "tablet-pg"), _login(redis_server, "jefa-pg")
    for _ in range(6):  # fill both processes' pools
        assert tablet.get(reverse("kiosk:start")).status_code == 200
        assert boss.get(reverse("board")).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [APP_NAME],
        )
        assert cursor.fetchone()[0] >= 2
    answers = [
        (path, client.get(path).status_code)
        for _ in range(4)
        for client, path in (
            (tablet, reverse("kiosk:start")),
            (boss, reverse("board")),
            (boss, reverse("healthz")),
        )
    ]
    assert all(status == 200 for _, status in answers), answers


def test_a_dead_process_lock_blocks_a_spool_only_for_the_short_ttl(
    redis_server, private_redis, make_worker, make_spool, api_token
):
    make_worker(id=93, nombre="Mauricio", apellido="Rodriguez", roles=["Armador"])
    spool = make_spool(tag_spool="KL-1")
    # A real process takes the spool's lock (with the renewer running), then is killed with SIGKILL.
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import django, os, sys, time
            django.setup()
            from zeues.lib import locks
            with locks.hold("spool:{spool.pk}"):
                print("held", flush=True)
                time.sleep(60)
        """)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
        env={**server_env(REDIS_URL=private_redis.url, ZEUES_REDIS_PREFIX="zeues-baddays"), "DATABASE_URL": database_url()},
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        api = httpx.Client(
            base_url=redis_server.url, headers={"Authorization": f"Bearer {api_token}"}, timeout=20
        )
        body = {"tag_spool": "KL-1", "worker_id": 93, "operacion": "ARM"}
        time.sleep(2.5)  # past the TTL: the live holder's renewals keep it
        blocked = api.post(reverse("occupation:tomar"), json=body)
        assert blocked.status_code == 409 and "tomando" in blocked.json()["message"]
        os.kill(holder.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        while (answer := api.post(reverse("occupation:tomar"), json=body)).status_code == 409:
            assert time.monotonic() - killed_at < 5, "the dead process's lock outlived its TTL"
        assert answer.status_code == 200
        assert time.monotonic() - killed_at < 4.5  # 2 s TTL, plus the 2 s a take waits for a lock
    finally:
        holder.kill()
        holder.wait()


def test_a_retry_with_the_same_idempotency_key_on_another_process_gets_the_first_answer(
    redis_server, make_worker, make_spool, api_token
):
    make_worker(id=93, nombre="Mauricio", apellido="Rodriguez", roles=["Armador"])
    spool = make_spool(tag_spool="IK-1")
    headers = {"Authorization": f"Bearer {api_token}", "Idempotency-Key": "tablet-3-7781"}
    body = {"tag_spool": "IK-1", "worker_id": 93, "operacion": "ARM"}
    barrier = threading.Barrier(6)
    answers: list[httpx.Response] = []

    def send() -> None:
        with httpx.Client(base_url=redis_server.url, headers=headers, timeout=20) as http:
            http.get(reverse("healthz"))  # a connection each, likely spread over both processes
            barrier.wait(timeout=20)
            answers.append(http.post(reverse("occupation:tomar"), json=body))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [200] * 6
    assert len({a.text for a in answers}) == 1  # one answer, the first, for everyone
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 5
    assert Event.objects.filter(spool=spool, evento_tipo="TOMAR_SPOOL").count() == 1


@pytest.fixture(scope="module")
def impatient_server(start_server):
    """A server with short deadlines for slow clients, so the test is quick."""
    server = start_server(ZEUES_HEADER_TIMEOUT_SECONDS="2", ZEUES_BODY_TIMEOUT_SECONDS="3")
    yield server
    server.stop()


def _trickle(port: int, first: bytes, drip: bytes, closed_after: list[float]) -> None:
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(first)
        try:
            while time.monotonic() - start < 15:
                sock.sendall(drip)
                sock.settimeout(1)
                try:
                    if sock.recv(4096) == b"":
                        break
                except TimeoutError:
                    continue
                # Something came back (a 408): the server is closing the connection.
                while sock.recv(4096):
                    pass
                break
        except OSError:
            pass
    closed_after.append(time.monotonic() - start)


def test_slow_clients_are_cut_off_and_do_not_hold_the_server(impatient_server):
    port = int(impatient_server.url.rsplit(":", 1)[1])
    closed: list[float] = []
    slow_headers = (b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n", b"X")  # a byte a second
    slow_body = (
        b"POST /api/occupation/tomar HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100000\r\n\r\n",
        b"x" * 1024,  # a kilobyte a second
    )
    threads = [
        threading.Thread(target=_trickle, args=(port, *(slow_headers if i % 2 else slow_body), closed))
        for i in range(16)
    ]
    for thread in threads:
        thread.start()
    time.sleep(1)
    started = time.monotonic()
    assert httpx.get(f"{impatient_server.url}{reverse('healthz')}", timeout=5).status_code == 200
    assert time.monotonic() - started < 1  # the server still answers others at once
    for thread in threads:
        thread.join()
    assert len(closed) == 16
    assert max(closed) < 8, closed  # 2 s for headers, 3 s + 100 kB / 256 kB/s for a body
