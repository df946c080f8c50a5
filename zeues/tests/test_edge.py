"""Each input that answered 500 (DEBUG=false, PostgreSQL) is refused at the edge, writing nothing.

Hardening issue, items 5 and 7: the path, query string and form fields through the middleware
(zeues/edge.py), JSON bodies through the one decoder (zeues.lib.edge.json_decode), numbers from
query strings through `query_int`. zeues/tests/test_fuzz.py looks for the cases nobody listed.
"""

from __future__ import annotations

import json
import time

import pytest
from django.contrib.auth.models import Group

from zeues.front.kiosk import session

pytestmark = pytest.mark.django_db

TOO_BIG = 3 * 1024 * 1024  # over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)


@pytest.fixture
def spools(make_worker, make_spool):
    """A fitter (93) and a spool, so a request that got through could change something."""
    make_worker(id=93, roles=["Armador"])
    return make_spool(tag_spool="PRB-1")


@pytest.fixture
def tablet(client, django_user_model, spools):
    """A kiosk tablet with fitter 93 identified for ARM."""
    user = django_user_model.objects.create_user(username="tablet-edge", password="x-123456789")
    user.groups.add(Group.objects.get_or_create(name="Kioscos")[0])
    client.force_login(user)
    store = client.session
    store[session.KEY] = {"worker_id": 93, "op": "ARM", "pin_ok": True, "seen": time.time()}
    store.save()
    return client


def refused(response, status: int, code: str) -> bool:
    """The API's envelope with this status and code."""
    body = response.json()
    return response.status_code == status and body["success"] is False and body["error"] == code


def spanish_400(response) -> bool:
    return response.status_code == 400 and "Solicitud no válida" in response.content.decode()


# --- the JSON API -------------------------------------------------------------------------------


def test_api_body_over_the_limit_is_413(api, spools, nothing_written):
    with nothing_written():
        answer = api.post("/api/occupation/tomar", raw=b"x" * TOO_BIG)
    assert refused(answer, 413, "SOLICITUD_DEMASIADO_GRANDE")


def test_api_json_with_a_lone_surrogate_is_400(api, spools, nothing_written):
    body = '{"tag_spool": "\\ud800", "worker_id": 93, "operacion": "ARM"}'
    with nothing_written():
        answer = api.post("/api/occupation/tomar", raw=body)
    assert refused(answer, 400, "SOLICITUD_INVALIDA") and answer.json()["data"] == {"donde": "json"}


def test_api_json_nested_100000_deep_is_422(api, spools, nothing_written):
    with nothing_written():
        answer = api.post("/api/occupation/tomar", raw="[" * 100_000 + "]" * 100_000)
    assert refused(answer, 422, "DATOS_INVALIDOS")


def test_api_spool_path_with_nul_is_400(api, spools, nothing_written):
    with nothing_written():
        answer = api.get("/api/spools/%00")
    assert refused(answer, 400, "SOLICITUD_INVALIDA") and answer.json()["data"] == {"donde": "path"}


def test_api_history_path_with_nul_is_400(api, spools, nothing_written):
    with nothing_written():
        answer = api.get("/api/history/PRB%00X")
    assert refused(answer, 400, "SOLICITUD_INVALIDA")


def test_api_batch_with_nul_in_a_tag_is_400(api, spools, nothing_written):
    body = {"tag_spools": ["PRB-1", "PRB\x00X"], "worker_id": 93, "operacion": "ARM"}
    with nothing_written():
        answer = api.post("/api/occupation/batch-tomar", raw=json.dumps(body))
    assert refused(answer, 400, "SOLICITUD_INVALIDA")


def test_api_query_string_with_nul_is_400(api, spools, nothing_written):
    with nothing_written():
        answer = api.client.get("/api/spools/iniciar?operacion=ARM&q=%00", headers=api.headers)
    assert refused(answer, 400, "SOLICITUD_INVALIDA") and answer.json()["data"] == {"donde": "query"}


# --- the pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/historial/%00/", "/historial/?q=%00", "/spools/%00/etiqueta", "/spools/etiquetas/?tag=%00"],
)
def test_staff_page_with_nul_is_the_spanish_400(manager, spools, nothing_written, url):
    with nothing_written():
        answer = manager.get(url)
    assert spanish_400(answer)


@pytest.mark.parametrize("url", ["/kiosko/spool/%00/", "/kiosko/arm/?q=%00", "/kiosko/arm/fila/%00/"])
def test_kiosk_page_with_nul_is_the_spanish_400(tablet, nothing_written, url):
    with nothing_written():
        answer = tablet.get(url)
    assert spanish_400(answer)


def test_kiosk_form_with_nul_is_the_spanish_400(tablet, nothing_written):
    with nothing_written():
        answer = tablet.post("/kiosko/arm/ejecutar/", {"accion": "TOMAR", "tags": ["PRB\x00X"]})
    assert spanish_400(answer)


def test_kiosk_form_over_the_limit_is_the_spanish_400(tablet, nothing_written):
    with nothing_written():
        answer = tablet.post("/kiosko/arm/ejecutar/", {"accion": "TOMAR", "tags": ["x" * TOO_BIG]})
    assert spanish_400(answer)


@pytest.mark.parametrize("desde", ["99999999999999999999", "²", "-5", "1e3"])
def test_kiosk_list_offset_out_of_bounds_is_the_first_page(tablet, desde):
    answer = tablet.get(f"/kiosko/arm/?desde={desde}")
    assert answer.status_code == 200 and "PRB-1" in answer.content.decode()


def test_a_session_cookie_with_nul_is_ignored(client, spools):
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    answer = client.get("/kiosko/")
    assert answer.status_code == 302 and answer["Location"].startswith("/login/")
