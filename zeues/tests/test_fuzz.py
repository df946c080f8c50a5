"""Hostile input never earns a 5xx, and a refusal writes nothing (hardening issue, items 5 and 7).

Hypothesis fills every URL pattern's parameters and query strings with nasty text (NUL, lone
surrogates, digits that are not ASCII, numbers too big for PostgreSQL, very long text) and sends
GET and POST as an anonymous visitor, a kiosk tablet with a worker identified, a supervisor and
an API token holder; every JSON endpoint also gets hostile bodies (deep nesting, 3 MB, invalid
UTF-8, huge and negative numbers, wrong types). An exception in a view fails the test with its
traceback (the test client re-raises it), an answer of 500 or more fails it with the request.

Bounded for CI: a few examples per pattern, no deadline, derandomized (the same examples on
every run and machine, no example database). Both test passes run it: NUL only breaks
PostgreSQL, a lone surrogate breaks SQLite as well.
"""

from __future__ import annotations

import functools
import json
import re
import time
from collections.abc import Callable, Iterator
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote

import pytest
from django import forms
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from hypothesis import HealthCheck, given, note
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from metrologia import forms as metrologia_forms
from occupation import forms as occupation_forms
from occupation.services import spool_take
from reparacion import forms as reparacion_forms
from zeues.front.kiosk import session
from zeues.models import ApiToken

pytestmark = pytest.mark.django_db

FUZZ = hypothesis_settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

WORKER_ID, FREE_TAG, HELD_TAG = 93, "FZ-1", "FZ-2"  # real rows, so some requests get past validation

NASTY_TEXT = [
    "\x00",
    "PRB\x00X",
    "\ud800",
    "a\udfffb",
    "\ud83d\ude00",  # a surrogate pair as two code points: invalid UTF-8 once encoded
    "😀",
    "²",
    "١٢",
    "99999999999999999999",
    str(10**30),
    "-1",
    "0",
    "1e400",
    "NaN",
    "",
    " ",
    "%00",
    "%",
    "../../etc/passwd",
    "' OR '1'='1",
    "<script>alert(1)</script>",
    "\u202e\ufeff",
    "x" * 5000,
    "arm",
    FREE_TAG,
    HELD_TAG,
    str(WORKER_ID),
]
# Query parameters the views read (grep request.GET), and the fields of the API's forms.
QUERY_NAMES = [
    "q", "desde", "hasta", "tag", "tags", "grupo", "sel", "idem", "accion", "operacion",
    "resultado", "volver", "codigo", "op", "spool", "olvidar", "formato", "tabla", "nv", "ot",
    "trabajador", "worker_id", "limit", "filas", "segundos", "tv", "antiguas", "next", "page",
    "defecto", "motivo", "pin", "username", "password", "csrfmiddlewaretoken",
]  # fmt: skip
FIELDS = sorted(
    {
        name
        for module in (occupation_forms, metrologia_forms, reparacion_forms)
        for form in vars(module).values()
        if isinstance(form, type) and issubclass(form, forms.Form)
        for name in form.base_fields
    }
)

chars = st.one_of(st.characters(codec=None), st.sampled_from(["\x00", "\ud800", "\udbff", "\udfff", "²"]))
nasty_text = st.one_of(st.sampled_from(NASTY_TEXT), st.text(chars, max_size=10))
params = st.dictionaries(st.sampled_from(QUERY_NAMES) | nasty_text, nasty_text, max_size=4)

json_scalar = st.one_of(
    nasty_text,
    st.integers(),
    st.sampled_from(
        [
            10**30,
            -(10**30),
            2**31,
            2**63,
            -1,
            0,
            1,
            WORKER_ID,
            1.5,
            1e308,
            float("nan"),
            float("inf"),
            True,
            False,
            None,
        ]
    ),
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(nasty_text, inner, max_size=3)),
    max_leaves=8,
)
THREE_MB = 3 * 1024 * 1024
RAW_BODIES = [
    b"[" * 100_000,
    b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    b"[" * 33 + b"]" * 33,
    b'{"tag_spool": "' + b"x" * THREE_MB + b'"}',
    b'{"worker_id": 93, "tag_spools": [' + b'"T-1", ' * 400_000 + b'"T-2"]}',
    b"x" * THREE_MB,
    b'{"tag_spool": "\\ud800", "worker_id": 93, "operacion": "ARM"}',
    b'{"tag_spools": ["A\\u0000B"], "worker_id": 93, "operacion": "ARM"}',
    b'{"tag_spool": "\xed\xa0\x80"}',
    b"\xff\xfe{\x00}\x00",
    b'{"worker_id": 1' + b"0" * 5000 + b"}",
    b"[NaN, Infinity]",
    b"[]",
    b"null",
    b"",
    b"{",
]
body_object = st.dictionaries(st.sampled_from(FIELDS) | nasty_text, json_value, max_size=6)
bodies = st.one_of(body_object.map(lambda d: json.dumps(d).encode()), st.sampled_from(RAW_BODIES))
CONTENT_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded"]


# --- every URL pattern, filled ------------------------------------------------------------------


def _chains(resolver: URLResolver, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    for entry in resolver.url_patterns:
        chain = (*prefix, entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _chains(entry, chain)
        elif isinstance(entry, URLPattern):
            yield chain


PATTERNS = list(_chains(get_resolver()))
JSON_PATTERNS = [c for c in PATTERNS if str(c[0]) == "api/"]
_ROUTE_PARAM = re.compile(r"<(?:[^>:]+:)?(?P<name>[^>]+)>")
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<regex>[^()]*)\)")


def _q(text: str) -> str:
    """Percent-encoded, as a client would send it (a lone surrogate becomes invalid UTF-8)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def _slot(regex: str, value: str) -> str:
    """The value where the parameter's regex takes it, else something the regex accepts."""
    for candidate in (value, "99999999999999999999", "x"):
        if re.fullmatch(regex, candidate):
            return _q(candidate)
    return regex.split("|")[0]  # a choice of words (the kiosk's operations, csv|xlsx)


def fill(chain: tuple[Any, ...], value: str) -> str:
    """A URL matching `chain` (when the value allows it) with every parameter set to `value`."""
    url = "/"
    for pattern in chain:
        if isinstance(pattern, RoutePattern):
            regexes = {name: converter.regex for name, converter in pattern.converters.items()}
            url += _ROUTE_PARAM.sub(lambda m, r=regexes: _slot(r[m["name"]], value), str(pattern))
        else:
            text = str(pattern).removeprefix("^").removesuffix("$")
            url += _GROUP.sub(lambda m: _slot(m["regex"], value), text).replace("\\", "")
    return url


def encode(pairs: dict[str, str]) -> str:
    return "&".join(f"{_q(k)}={_q(v)}" for k, v in pairs.items())


# --- who asks -----------------------------------------------------------------------------------


@pytest.fixture
def actors(
    make_worker, make_spool, django_user_model
) -> dict[str, Callable[[], tuple[Client, dict[str, str]]]]:
    """Each actor as a client with only its own cookie (a logout cannot reach the next example)."""
    worker = make_worker(id=WORKER_ID, roles=["Armador", "Soldador", "Metrologia"])
    make_spool(tag_spool=FREE_TAG)
    spool_take(spool=make_spool(tag_spool=HELD_TAG), worker=worker, operacion="ARM")
    tablet = django_user_model.objects.create_user(username="tablet-fuzz", password="x-123456789")
    tablet.groups.add(Group.objects.get_or_create(name=django_settings.ZEUES_KIOSK_GROUP)[0])
    boss = django_user_model.objects.create_superuser(username="jefa-fuzz", password="x-123456789")
    _, raw = ApiToken.issue(user=django_user_model.objects.create_user(username="api-fuzz"), nombre="fuzz")
    cookies = {}
    for name, user in (("tablet", tablet), ("supervisor", boss)):
        client = Client()
        client.force_login(user)
        store = client.session
        if name == "tablet":
            store[session.KEY] = {
                "worker_id": WORKER_ID,
                "op": session.ALL,
                "pin_ok": True,
                "seen": time.time(),
            }
            store.save()
        cookies[name] = store.session_key

    def as_(name: str) -> Callable[[], tuple[Client, dict[str, str]]]:
        def make() -> tuple[Client, dict[str, str]]:
            client = _client()
            client.cookies = SimpleCookie()
            if name in cookies:
                client.cookies[django_settings.SESSION_COOKIE_NAME] = cookies[name]
            return client, ({"Authorization": f"Bearer {raw}"} if name == "token" else {})

        return make

    return {name: as_(name) for name in ("anonymous", "tablet", "supervisor", "token")}


@functools.cache
def _client() -> Client:
    """One test client for the module: each new one loads the middleware, and WhiteNoise's scan of
    the static files (~80 ms) would be most of the run."""
    return Client()


Request = tuple[str, str, str, bytes | str, str]  # actor, method, URL, body, content type


def send_all(nothing_written, actors, requests: list[Request]) -> None:
    """Send each request: none answers 5xx, and together the refusals (4xx) wrote nothing.

    Each request runs in a savepoint: an accepted one's is rolled back at once (it may write, and
    must not change what the next one sees), a refusal's is kept until the check of
    `nothing_written` at the end; then the whole example is undone.
    """
    refused = []
    with transaction.atomic():
        with nothing_written():
            for who, method, url, body, content_type in requests:
                client, headers = actors[who]()
                point = transaction.savepoint_create()
                if method == "GET":
                    answer = client.get(url, headers=headers)
                else:
                    answer = client.generic(method, url, body, content_type=content_type, headers=headers)
                status = answer.status_code
                assert status < 500, f"{who} {method} {url!r} → {status}: {answer.content[:300]!r}"
                if status < 400:
                    transaction.savepoint_rollback(point)
                else:
                    transaction.savepoint_commit(point)
                    refused.append(f"{who} {method} {url[:200]!r} → {status}")
            note("refused: " + "; ".join(refused))
        transaction.set_rollback(True)


ACTORS = ["anonymous", "tablet", "supervisor", "token"]
FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("chain", PATTERNS, ids=lambda c: "".join(map(str, c)) or "/")
@hypothesis_settings(FUZZ, max_examples=2)
@given(value=nasty_text, query=params)
def test_no_url_answers_5xx_to_nasty_parameters(chain, value, query, actors, nothing_written):
    url = fill(chain, value)
    get = f"{url}?{encode(query)}" if query else url
    # Every actor gets every example: for most URLs only one of them gets past the door.
    requests: list[Request] = [(who, "GET", get, b"", "") for who in ACTORS]
    requests += [(who, "POST", url, encode(query), FORM) for who in ACTORS]
    send_all(nothing_written, actors, requests)


@pytest.mark.parametrize("chain", JSON_PATTERNS, ids=lambda c: "".join(map(str, c)))
@hypothesis_settings(FUZZ, max_examples=8)
@given(
    body=bodies, content_type=st.sampled_from(CONTENT_TYPES), method=st.sampled_from(["POST", "PUT", "PATCH"])
)
def test_no_json_endpoint_answers_5xx_to_hostile_bodies(
    chain, body, content_type, method, actors, nothing_written
):
    url = fill(chain, FREE_TAG)
    send_all(nothing_written, actors, [(who, method, url, body, content_type) for who in ACTORS])
