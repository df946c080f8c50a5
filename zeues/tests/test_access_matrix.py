"""Who gets what: every URL pattern of the project, for six kinds of account (deny by default).

The walk goes through `get_resolver()` recursively; a URL pattern without a row in `PAGES` (or,
under /api/, in `API`) fails the test, so a new page cannot ship without saying who may see it.
docs/architecture.md ("Who sees what") is this table in words.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from zeues.models import ApiToken

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "kiosk", "plain", "supervisor", "manager", "superuser")

# Expected answers.
OK = "200"
LOGIN = "302 → /login/"
KIOSK = "302 → /kiosko/"
ADMIN_LOGIN = "302 → /admin/login/"
SOME_LOGIN = "302 → a login page"  # admin: its own login page, or /login/ first for anonymous
DENIED = "403"
UNAUTHORIZED = "401"
NOT_FOUND = "404"
RUNS = "the view runs"  # its own answer (a kiosk step's redirect, 405 for GET on a POST form, 204 stream)

MANAGEMENT = (LOGIN, KIOSK, DENIED, OK, OK, OK)
OFFICE = (LOGIN, KIOSK, DENIED, OK, OK, OK)
KIOSK_AREA = (LOGIN, RUNS, DENIED, RUNS, DENIED, RUNS)
# The JSON API with a session and no token: a session never opens it (kiosk sessions are sent back).
API_SESSION = (UNAUTHORIZED, KIOSK, UNAUTHORIZED, UNAUTHORIZED, UNAUTHORIZED, UNAUTHORIZED)

# URL name → what each actor (ACTORS order) gets with a browser session.
PAGES: dict[str, tuple[str, ...]] = {
    "index": OFFICE,
    "healthz": (OK, OK, OK, OK, OK, OK),
    "kiosk:*": KIOSK_AREA,
    "rechazo-foto": (LOGIN, NOT_FOUND, DENIED, NOT_FOUND, NOT_FOUND, NOT_FOUND),  # no photo: 404
    "board": OFFICE,
    "alerts": MANAGEMENT,
    "labels": OFFICE,
    "label": OFFICE,
    "history-search": MANAGEMENT,
    "export-events": (LOGIN, KIOSK, DENIED, RUNS, RUNS, RUNS),  # no dates given: its 400
    "export-spool": MANAGEMENT,
    "history": MANAGEMENT,
    "kpis": MANAGEMENT,
    "admin:*": (SOME_LOGIN, KIOSK, ADMIN_LOGIN, OK, ADMIN_LOGIN, OK),  # admin's own staff check
    "login": (OK, KIOSK, RUNS, RUNS, RUNS, RUNS),  # logged in: sent on to their start page
    "logout": (LOGIN, RUNS, RUNS, RUNS, RUNS, RUNS),  # GET: 405 (logging out is a POST)
}

# API URL name → (with a session and no token, with the actor's own bearer token).
SUPERVISOR_ACT = (UNAUTHORIZED, DENIED, DENIED, RUNS, DENIED, RUNS)
TOKEN = (UNAUTHORIZED, RUNS, RUNS, RUNS, RUNS, RUNS)
API: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "supervisor-desbloquear": (API_SESSION, SUPERVISOR_ACT),
    "supervisor-liberar": (API_SESSION, SUPERVISOR_ACT),
    "supervisor-atender": (API_SESSION, SUPERVISOR_ACT),
    "sse-stream": (
        (UNAUTHORIZED, RUNS, DENIED, RUNS, RUNS, RUNS),  # a session must be the kiosk's or the office's
        TOKEN,
    ),
    "api-not-found": ((NOT_FOUND, KIOSK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND), (NOT_FOUND,) * 6),
}
API_DEFAULT = (API_SESSION, TOKEN)  # every other /api/ URL: any active token, no session


def _walk(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in (namespace, entry.namespace or "") if n)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        else:
            name = ":".join(n for n in (namespace, entry.name or "") if n) or prefix + str(entry.pattern)
            yield name, prefix + str(entry.pattern), entry


def _params(entry: URLPattern, tag: str) -> dict[str, str]:
    values = {"tag": tag, "op": "ARM", "fmt": "csv", "key": "no-existe", "rest": "no-existe"}
    names = list(getattr(entry.pattern, "converters", {}) or entry.pattern.regex.groupindex)
    return {name: values[name] for name in names}


def _answer(response: Any) -> str:
    status = response.status_code
    if status in (301, 302):
        location = response["Location"]
        for code, start in ((LOGIN, "/login/"), (ADMIN_LOGIN, "/admin/login/")):
            if location.startswith(start):
                return code
        if location == "/kiosko/":
            return KIOSK
    return str(status)


def _matches(expected: str, got: str) -> bool:
    if expected == SOME_LOGIN:
        return got in (LOGIN, ADMIN_LOGIN)
    if expected == RUNS:
        return got not in (LOGIN, ADMIN_LOGIN, DENIED, UNAUTHORIZED) and not got.startswith("5")
    return expected == got


@pytest.fixture
def actors(django_user_model, supervisores_group, settings) -> dict[str, Any]:
    """The six accounts (None for anonymous)."""
    make = django_user_model.objects.create_user
    kiosk = make("tableta", password="x-123456789")
    kiosk.groups.add(Group.objects.get_or_create(name=settings.ZEUES_KIOSK_GROUP)[0])
    supervisor = make("supervisora", password="x-123456789", is_staff=True)
    supervisor.groups.add(supervisores_group)
    manager = make("gerente", password="x-123456789")
    manager.groups.add(Group.objects.get_or_create(name="Gerencia")[0])
    return {
        "anonymous": None,
        "kiosk": kiosk,
        "plain": make("cualquiera", password="x-123456789"),
        "supervisor": supervisor,
        "manager": manager,
        "superuser": django_user_model.objects.create_superuser("jefa", password="x-123456789"),
    }


def _session(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _call(client: Client, entry: URLPattern, url: str, tag: str, headers: dict[str, str]) -> Any:
    methods = getattr(entry.callback, "api_methods", ("GET",))
    if "GET" in methods:
        return client.get(url, headers=headers)
    body = {"tag_spool": tag, "motivo": "revisión de permisos", "worker_id": 93}
    return client.post(url, body, content_type="application/json", headers=headers)


def test_every_url_answers_each_kind_of_account_as_the_table_says(actors, make_spool, make_worker):
    tag = make_spool(tag_spool="MATRIZ-1").tag_spool
    make_worker(id=93)
    clients = {actor: _session(user) for actor, user in actors.items()}
    tokens = {a: ApiToken.issue(user=u, nombre="matriz")[1] for a, u in actors.items() if u is not None}
    wrong: list[str] = []
    seen: set[str] = set()
    for name, route, entry in _walk(get_resolver().url_patterns):
        is_api = route.startswith("api/")
        area = "admin" if route.startswith("admin/") else "kiosk" if name.startswith("kiosk:") else None
        key = f"{area}:*" if area else name
        if not is_api and key not in PAGES:
            wrong.append(f"{route} ({name}): no row in PAGES — say who may see it")
            continue
        if key in seen and area == "admin":
            continue  # admin answers for itself: its index and one list stand for it
        seen.add(key)
        if area == "admin":
            urls = [reverse("admin:index"), reverse("admin:spools_spool_changelist")]
        else:
            urls = [reverse(name, kwargs=_params(entry, tag))]
        rows = [(PAGES[key], {})] if not is_api else []
        if is_api:
            session_row, token_row = API.get(name, API_DEFAULT)
            rows = [(session_row, {}), (token_row, "token")]  # type: ignore[list-item]
        for url in urls:
            for expected_row, mode in rows:
                for actor, expected in zip(ACTORS, expected_row, strict=True):
                    if mode == "token":
                        client = Client()
                        headers = {"Authorization": f"Bearer {tokens[actor]}"} if actor in tokens else {}
                    else:
                        client, headers = clients[actor], {}
                    got = _answer(_call(client, entry, url, tag, headers))
                    if not _matches(expected, got):
                        how = "token" if mode == "token" else "session"
                        wrong.append(f"{url} [{how}] {actor}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)
    assert seen >= {"index", "board", "labels", "kiosk:*", "admin:*"}
