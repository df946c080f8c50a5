"""End-to-end fixtures: a real uvicorn server (2 worker processes) on the test database.

The server runs as a subprocess against the database pytest-django created, so tests must use
`@pytest.mark.django_db(transaction=True)`: only committed rows are visible to the server.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from zeues.models import ApiToken

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 20
STOP_TIMEOUT_S = 10
WORKERS = 2


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """DATABASE_URL of the database pytest-django created (xdist suffix included)."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def server_env(**overrides: str) -> dict[str, str]:
    """The environment of a production-like server process on the test database."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(),
        REDIS_URL=settings.REDIS_URL,
        ZEUES_REDIS_PREFIX=settings.ZEUES_REDIS_PREFIX,
        DEBUG="false",
        SECRET_KEY="e2e-secret-key-not-for-production",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # The test servers speak plain HTTP (no TLS proxy in front): relax exactly the two
        # defaults that need HTTPS. HSTS and the Content-Security-Policy stay as in production.
        ZEUES_SSL_REDIRECT="false",
        ZEUES_SECURE_COOKIES="false",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


class Server:
    """A uvicorn subprocess: started, waited for, and stopped by its process id."""

    def __init__(self, log_path: Path, workers: int = WORKERS, **env: str) -> None:
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.log = log_path.open("wb")
        cmd = [
            sys.executable, "-m", "zeues.serve", "zeues.asgi:application", "--workers", str(workers),
            "--host", "127.0.0.1", "--port", str(self.port), "--timeout-graceful-shutdown", "5",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            cmd, cwd=ROOT, env=server_env(**env), stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def output(self) -> str:
        """What the server printed so far."""
        return self.log_path.read_text(errors="replace")

    def wait_ready(self) -> None:
        """Block until every worker started and /healthz answers 200, or fail with the log."""
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if self.output().count("Application startup complete.") >= self.workers and self._healthy():
                return
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"uvicorn did not become ready on {self.url}:\n{self.output()}", pytrace=False)

    def _healthy(self) -> bool:
        try:
            return httpx.get(f"{self.url}{reverse('healthz')}", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        """SIGTERM, then SIGKILL of the server's own process group after STOP_TIMEOUT_S (idempotent)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> Path:
    """collectstatic once, as a release does: DEBUG=false servers serve the manifest's files."""
    root = tmp_path_factory.mktemp("static")
    env = {
        **os.environ,
        "STATIC_ROOT": str(root),
        "DEBUG": "false",
        "SECRET_KEY": "e2e",
        "ALLOWED_HOSTS": "x",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    return root


@pytest.fixture(scope="session")
def start_server(django_db_setup, tmp_path_factory, static_root) -> Iterator[Any]:
    """Factory: `start_server(**env)` returns a ready Server; all are stopped before the DB drops.

    Server logs stay in pytest's temporary directory (the last three runs are kept).
    """
    if connection.vendor != "postgresql":
        # Justified skip: a developer running plain pytest on SQLite. CI never reaches it: its
        # SQLite pass deselects `e2e` by marker and its PostgreSQL pass runs every e2e test.
        pytest.skip("end-to-end tests need PostgreSQL (DATABASE_URL)")
    started: list[Server] = []
    logs = tmp_path_factory.mktemp("uvicorn")

    def start(workers: int = WORKERS, **env: str) -> Server:
        server = Server(logs / f"server-{len(started)}.log", workers, STATIC_ROOT=str(static_root), **env)
        started.append(server)
        server.wait_ready()
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def server(start_server) -> Server:
    """The shared production-like server (Redis locks with their default timings)."""
    return start_server()


class E2EClient:
    """Sends JSON API calls with a bearer token to one server, one by one or all at once.

    Calls name their URL (`"occupation:tomar"`); the path comes from `reverse()`.
    """

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {token}"}

    def post(self, name: str, body: dict[str, Any]) -> httpx.Response:
        """One POST to the URL named `name`."""
        return httpx.post(f"{self.base_url}{reverse(name)}", json=body, headers=self.headers, timeout=30)

    def get(self, name: str, **kwargs: Any) -> httpx.Response:
        """One GET of the URL named `name` (its keyword arguments in `kwargs`)."""
        return httpx.get(f"{self.base_url}{reverse(name, kwargs=kwargs)}", headers=self.headers, timeout=30)

    def post_concurrently(self, calls: list[tuple[str, dict[str, Any]]]) -> list[httpx.Response]:
        """Fire every (URL name, body) at the same instant from its own thread; answers in order."""
        barrier = threading.Barrier(len(calls))
        results: list[Any] = [None] * len(calls)
        # Reversed up front, in the test's thread: the threads only send.
        requests = [(reverse(name), body) for name, body in calls]
        ready = reverse("healthz")

        def run(i: int, path: str, body: dict[str, Any]) -> None:
            with httpx.Client(base_url=self.base_url, headers=self.headers, timeout=30) as http:
                try:
                    # Open the connection first so the barrier releases requests, not handshakes.
                    http.get(ready)
                    barrier.wait(timeout=30)
                    results[i] = http.post(path, json=body)
                except Exception as exc:  # noqa: BLE001 - reported below, with its index
                    results[i] = exc

        threads = [threading.Thread(target=run, args=(i, *request)) for i, request in enumerate(requests)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        failures = [r for r in results if not isinstance(r, httpx.Response)]
        assert not failures, f"{len(failures)} requests failed to complete: {failures[:3]}"
        return results


@pytest.fixture
def api_token(db) -> str:
    """A raw bearer token of a fresh kiosk account, committed for the server to see."""
    user = get_user_model().objects.create_user(username="e2e-kiosk", password="x-secret-123")
    return ApiToken.issue(user=user, nombre="e2e")[1]


@pytest.fixture
def client_for(api_token) -> Any:
    """`client_for(server)`: an E2EClient authenticated with `api_token`."""
    return lambda srv: E2EClient(srv.url, api_token)


@pytest.fixture
def http_api(client_for, server) -> E2EClient:
    """A client of the shared server."""
    return client_for(server)


class PrivateRedis:
    """A redis-server of our own on a free port, so a test may stop and restart it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start (or restart) on the same port and wait until it answers."""
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        """Stop it now (SIGTERM, then SIGKILL)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def private_redis() -> Iterator[PrivateRedis]:
    """A redis-server only this module's servers use (the live tests restart it)."""
    redis = PrivateRedis()
    redis.start()
    yield redis
    redis.stop()
