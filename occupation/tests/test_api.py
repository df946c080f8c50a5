"""The occupation JSON API (occupation/api.py): envelope, status codes and every error code.

Also what can be started and who holds what (GET /api/spools/iniciar and /api/spools/ocupados).
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from spools.models import Event, Spool
from zeues.lib import locks

pytestmark = pytest.mark.django_db

TOMAR = reverse_lazy("occupation:tomar")
PAUSAR = reverse_lazy("occupation:pausar")
COMPLETAR = reverse_lazy("occupation:completar")
BATCH_TOMAR = reverse_lazy("occupation:batch-tomar")
BATCH_PAUSAR = reverse_lazy("occupation:batch-pausar")
BATCH_COMPLETAR = reverse_lazy("occupation:batch-completar")
INICIAR = reverse_lazy("spools-iniciar")
OCUPADOS = reverse_lazy("spools-ocupados")


@pytest.fixture
def armador(make_worker):
    return make_worker(id=93, nombre="Mauricio", apellido="Rodriguez", roles=["Armador"])


@pytest.fixture
def spool(make_spool):
    return make_spool(tag_spool="MK-1335-CW-25238-011")


def _take(api, spool, worker, operacion="ARM"):
    return api.post(TOMAR, {"tag_spool": spool.tag_spool, "worker_id": worker.id, "operacion": operacion})


def _assert_error(response, status, code):
    body = response.json()
    assert response.status_code == status, body
    assert body["success"] is False and body["error"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["data"], dict)
    return body


# --- success --------------------------------------------------------------------------------


def test_tomar_returns_v3_shape(api, armador, spool):
    r = api.post(
        TOMAR, {"tag_spool": spool.tag_spool, "worker_id": 93, "operacion": "ARM", "worker_nombre": "X"}
    )
    body = r.json()
    assert r.status_code == 200
    assert body["success"] is True and body["tag_spool"] == spool.tag_spool
    assert "MR(93)" in body["message"]
    s = body["spool"]
    assert s["ocupado_por"] == "MR(93)" and s["operacion_actual"] == "ARM" and s["arm"] == "en_progreso"
    assert s["estado_detalle"] == "MR(93) trabajando ARM (ARM en progreso, SOLD pendiente)"
    assert s["version"] == 1


def test_event_records_the_api_account_as_actor(api, api_user, armador, spool):
    _take(api, spool, armador)
    assert Event.objects.get(spool=spool).actor == api_user


def test_tomar_accepts_tag_with_surrounding_spaces(api, armador, spool):
    r = api.post(TOMAR, {"tag_spool": f"  {spool.tag_spool} ", "worker_id": 93, "operacion": "ARM"})
    assert r.status_code == 200


def test_pausar_defaults_to_current_operation(api, armador, spool):
    _take(api, spool, armador)
    r = api.post(PAUSAR, {"tag_spool": spool.tag_spool, "worker_id": 93})
    assert r.status_code == 200
    assert r.json()["spool"]["arm"] == "pausado"
    assert r.json()["spool"]["estado_detalle"] == "Disponible - ARM pausado, SOLD pendiente"


@pytest.mark.parametrize("fmt", ["%Y-%m-%d", "%d-%m-%Y"])
def test_completar_accepts_both_date_formats(api, armador, spool, fmt):
    _take(api, spool, armador)
    day = timezone.localdate() - datetime.timedelta(days=1)
    r = api.post(
        COMPLETAR, {"tag_spool": spool.tag_spool, "worker_id": 93, "fecha_operacion": day.strftime(fmt)}
    )
    assert r.status_code == 200
    assert r.json()["spool"]["fecha_armado"] == day.isoformat()


def test_completar_defaults_to_today(api, armador, spool):
    _take(api, spool, armador)
    r = api.post(COMPLETAR, {"tag_spool": spool.tag_spool, "worker_id": 93, "operacion": "ARM"})
    assert r.json()["spool"]["fecha_armado"] == timezone.localdate().isoformat()


# --- wrong method / anonymous / bad token ---------------------------------------------------


@pytest.mark.parametrize(
    "name", ["occupation:tomar", "occupation:pausar", "occupation:completar", "occupation:batch-tomar"]
)
def test_wrong_method_is_405(api, name):
    _assert_error(api.get(reverse(name)), 405, "METODO_NO_PERMITIDO")


@pytest.mark.parametrize(
    "name", ["occupation:tomar", "occupation:pausar", "occupation:completar", "occupation:batch-pausar"]
)
def test_anonymous_is_401_and_changes_nothing(anon_api, armador, spool, name):
    r = anon_api.post(reverse(name), {"tag_spool": spool.tag_spool, "worker_id": 93, "operacion": "ARM"})
    _assert_error(r, 401, "NO_AUTENTICADO")
    assert Event.objects.count() == 0


def test_bad_token_is_401(db, armador, spool):
    from conftest import ApiClient

    _assert_error(_take(ApiClient("not-a-token"), spool, armador), 401, "NO_AUTENTICADO")


def test_revoked_token_is_401(api, api_user, armador, spool):
    api_user.api_tokens.update(activo=False)
    _assert_error(_take(api, spool, armador), 401, "NO_AUTENTICADO")


def test_session_login_alone_does_not_open_the_api(client, django_user_model, armador, spool):
    user = django_user_model.objects.create_user(username="u", password="p-123456789")
    client.force_login(user)
    r = client.post(
        TOMAR,
        {"tag_spool": spool.tag_spool, "worker_id": 93, "operacion": "ARM"},
        content_type="application/json",
    )
    assert r.status_code == 401


# --- rule errors ----------------------------------------------------------------------------


def test_wrong_role_is_403(api, make_worker, spool, nothing_written):
    make_worker(id=50, roles=["Soldador"])
    with nothing_written():
        body = _assert_error(
            api.post(TOMAR, {"tag_spool": spool.tag_spool, "worker_id": 50, "operacion": "ARM"}),
            403,
            "ROL_NO_AUTORIZADO",
        )
    assert body["data"]["roles"] == ["Soldador"]


def test_inactive_worker_is_403(api, make_worker, spool, nothing_written):
    make_worker(id=51, roles=["Armador"], activo=False)
    with nothing_written():
        _assert_error(
            api.post(TOMAR, {"tag_spool": spool.tag_spool, "worker_id": 51, "operacion": "ARM"}),
            403,
            "TRABAJADOR_INACTIVO",
        )


def test_unknown_worker_is_404_never_a_placeholder(api, spool, nothing_written):
    with nothing_written():
        body = _assert_error(
            api.post(TOMAR, {"tag_spool": spool.tag_spool, "worker_id": 4242, "operacion": "ARM"}),
            404,
            "WORKER_NO_ENCONTRADO",
        )
    assert body["data"]["worker_id"] == 4242


def test_unknown_spool_is_404(api, armador, nothing_written):
    with nothing_written():
        _assert_error(
            api.post(TOMAR, {"tag_spool": "NOPE", "worker_id": 93, "operacion": "ARM"}),
            404,
            "SPOOL_NO_ENCONTRADO",
        )


def test_missing_materials_is_400_dependencias(api, armador, make_spool, nothing_written):
    s = make_spool(fecha_materiales=None)
    with nothing_written():
        body = _assert_error(_take(api, s, armador), 400, "DEPENDENCIAS_NO_SATISFECHAS")
    assert body["data"]["falta"] == "Fecha_Materiales"


def test_sold_before_arm_is_400_dependencias(api, make_worker, spool, nothing_written):
    w = make_worker(roles=["Soldador"])
    with nothing_written():
        _assert_error(_take(api, spool, w, "SOLD"), 400, "DEPENDENCIAS_NO_SATISFECHAS")


def test_complete_sold_before_arm_completed_is_400_dependencias(
    api, make_worker, make_spool, nothing_written
):
    w = make_worker(roles=["Soldador"])
    s = make_spool(arm="pausado")
    assert _take(api, s, w, "SOLD").status_code == 200
    with nothing_written():
        _assert_error(
            api.post(COMPLETAR, {"tag_spool": s.tag_spool, "worker_id": w.id}),
            400,
            "DEPENDENCIAS_NO_SATISFECHAS",
        )


def test_transition_not_allowed_is_400(api, armador, make_spool, nothing_written):
    s = make_spool(arm="completado")
    with nothing_written():
        _assert_error(_take(api, s, armador), 400, "OPERACION_NO_PERMITIDA")


def test_pause_of_free_spool_is_400_no_ocupado(api, armador, spool, nothing_written):
    with nothing_written():
        _assert_error(
            api.post(PAUSAR, {"tag_spool": spool.tag_spool, "worker_id": 93}), 400, "SPOOL_NO_OCUPADO"
        )


def test_other_workers_pause_and_complete_are_403(api, armador, make_worker, spool, nothing_written):
    other = make_worker(id=60, roles=["Armador"])
    _take(api, spool, armador)
    for path in (PAUSAR, COMPLETAR):
        with nothing_written():
            body = _assert_error(
                api.post(path, {"tag_spool": spool.tag_spool, "worker_id": other.id}), 403, "NO_AUTORIZADO"
            )
        assert body["data"]["ocupado_por"] == "MR(93)"
    assert Spool.objects.get(pk=spool.pk).ocupado_por_id == 93


def test_take_of_occupied_spool_is_409_with_holder_and_since(
    api, armador, make_worker, spool, nothing_written
):
    other = make_worker(id=61, roles=["Armador"])
    _take(api, spool, armador)
    with nothing_written():
        body = _assert_error(_take(api, spool, other), 409, "SPOOL_OCUPADO")
    assert body["data"]["ocupado_por"] == "MR(93)" and body["data"]["ocupado_por_id"] == 93
    assert body["data"]["fecha_ocupacion"]
    assert "MR(93)" in body["message"] and "desde" in body["message"]


# --- malformed input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"worker_id": 93, "operacion": "ARM"}, "tag_spool"),
        ({"tag_spool": "X", "operacion": "ARM"}, "worker_id"),
        ({"tag_spool": "X", "worker_id": "abc", "operacion": "ARM"}, "worker_id"),
        ({"tag_spool": "X", "worker_id": True, "operacion": "ARM"}, "worker_id"),
        ({"tag_spool": "X", "worker_id": 93, "operacion": "PINTURA"}, "operacion"),
        ({"tag_spool": ["X"], "worker_id": 93, "operacion": "ARM"}, "tag_spool"),
        ({"tag_spool": "X", "worker_id": 93}, "operacion"),
    ],
)
def test_malformed_body_is_422_naming_the_field(api, armador, payload, field):
    body = _assert_error(api.post(TOMAR, payload), 422, "DATOS_INVALIDOS")
    assert field in body["data"]["campos"]
    assert field in body["message"]


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"', "\xff\xfe"])
def test_non_object_json_is_422(api, raw):
    _assert_error(api.post(TOMAR, raw=raw), 422, "DATOS_INVALIDOS")


def test_bad_fecha_operacion_is_422(api, armador, spool):
    _take(api, spool, armador)
    for bad in ["31-02-2026", "2026/01/01", "ayer", 20260101]:
        body = _assert_error(
            api.post(COMPLETAR, {"tag_spool": spool.tag_spool, "worker_id": 93, "fecha_operacion": bad}),
            422,
            "DATOS_INVALIDOS",
        )
        assert "fecha_operacion" in body["data"]["campos"]


def test_future_fecha_operacion_is_422(api, armador, spool):
    _take(api, spool, armador)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    _assert_error(
        api.post(COMPLETAR, {"tag_spool": spool.tag_spool, "worker_id": 93, "fecha_operacion": tomorrow}),
        422,
        "DATOS_INVALIDOS",
    )


# --- dependencies down ----------------------------------------------------------------------


def test_lock_store_down_is_503_and_writes_nothing(api, armador, spool, monkeypatch, nothing_written):
    dead = locks.RedisLockBackend("redis://127.0.0.1:1/0")
    monkeypatch.setattr(locks, "get_backend", lambda: dead)
    with nothing_written():
        body = _assert_error(_take(api, spool, armador), 503, "SERVICIO_NO_DISPONIBLE")
    assert "no se registró" in body["message"]
    assert Spool.objects.get(pk=spool.pk).ocupado_por_id is None
    assert Event.objects.count() == 0


# --- batch ----------------------------------------------------------------------------------


def test_batch_tomar_lists_every_tag(api, armador, make_worker, make_spool):
    other = make_worker(id=70, roles=["Armador"])
    spools = [make_spool() for _ in range(10)]
    for s in spools[:3]:
        assert _take(api, s, other).status_code == 200
    tags = [s.tag_spool for s in spools]
    r = api.post(BATCH_TOMAR, {"tag_spools": tags, "worker_id": 93, "operacion": "ARM"})
    body = r.json()
    assert r.status_code == 200
    assert (body["total"], body["succeeded"], body["failed"]) == (10, 7, 3)
    assert [d["tag_spool"] for d in body["details"]] == tags
    assert [d["error"] for d in body["details"][:3]] == ["SPOOL_OCUPADO"] * 3
    assert all(d["success"] and d["error"] is None for d in body["details"][3:])


def test_batch_pausar_and_completar(api, armador, make_spool):
    tags = [make_spool().tag_spool for _ in range(3)]
    api.post(BATCH_TOMAR, {"tag_spools": tags, "worker_id": 93, "operacion": "ARM"})
    r = api.post(BATCH_PAUSAR, {"tag_spools": tags[:1], "worker_id": 93})
    assert r.json()["succeeded"] == 1
    r = api.post(BATCH_COMPLETAR, {"tag_spools": tags, "worker_id": 93})
    body = r.json()
    assert body["succeeded"] == 2 and body["details"][0]["error"] == "SPOOL_NO_OCUPADO"
    assert Spool.objects.filter(tag_spool__in=tags[1:], arm="completado").count() == 2


@pytest.mark.parametrize(
    "tags, reason",
    [
        ([], "al menos"),
        (["A", "A"], "repetidos"),
        ([f"T{i}" for i in range(51)], "Máximo 50"),
        ("A", "lista"),
        (["A", 3], "lista"),
        (["A", " "], "vacío"),
    ],
)
def test_batch_refuses_bad_tag_lists(api, armador, tags, reason):
    body = _assert_error(
        api.post(BATCH_TOMAR, {"tag_spools": tags, "worker_id": 93, "operacion": "ARM"}),
        422,
        "DATOS_INVALIDOS",
    )
    assert reason in body["message"]


def test_batch_with_unknown_worker_is_404(api, make_spool, nothing_written):
    tag = make_spool().tag_spool
    with nothing_written():
        _assert_error(
            api.post(BATCH_TOMAR, {"tag_spools": [tag], "worker_id": 999, "operacion": "ARM"}),
            404,
            "WORKER_NO_ENCONTRADO",
        )


# --- what can be started, who holds what ----------------------------------------------------


def test_iniciar_arm_lists_only_takeable_spools(api, make_worker, make_spool):
    w = make_worker()
    ok = [make_spool(), make_spool(arm="pausado")]
    make_spool(fecha_materiales=None)
    make_spool(arm="completado")
    make_spool(arm="en_progreso", ocupado_por=w, fecha_ocupacion=timezone.now(), operacion_actual="ARM")
    make_spool(activo=False)
    body = api.get(INICIAR, {"operacion": "ARM"}).json()
    assert {s["tag_spool"] for s in body["spools"]} == {s.tag_spool for s in ok}
    assert body["total"] == 2


def test_iniciar_sold_needs_arm_started(api, make_spool):
    make_spool(arm="pendiente")
    ok = [make_spool(arm="pausado"), make_spool(arm="completado", sold="pausado")]
    make_spool(arm="completado", sold="completado")
    body = api.get(INICIAR, {"operacion": "SOLD"}).json()
    assert {s["tag_spool"] for s in body["spools"]} == {s.tag_spool for s in ok}


def test_iniciar_checks_the_workers_role_when_given(api, make_worker, make_spool, nothing_written):
    make_spool()
    make_worker(id=50, roles=["Soldador"])
    with nothing_written():
        r = api.get(INICIAR, {"operacion": "ARM", "worker_id": 50})
        assert r.status_code == 403 and r.json()["error"] == "ROL_NO_AUTORIZADO"


def test_iniciar_search_and_limit(api, make_spool):
    make_spool(tag_spool="MK-AAA-1", nv="NV0001")
    make_spool(tag_spool="MK-BBB-2", nv="NV0002")
    make_spool(tag_spool="MK-BBB-3", nv="NV0002")
    assert api.get(INICIAR, {"operacion": "ARM", "q": "aaa"}).json()["total"] == 1
    body = api.get(INICIAR, {"operacion": "ARM", "q": "NV0002", "limit": 1}).json()
    assert body["total"] == 2 and len(body["spools"]) == 1


def test_iniciar_without_operation_is_422(api):
    r = api.get(INICIAR)
    assert r.status_code == 422 and "operacion" in r.json()["data"]["campos"]


def test_ocupados_lists_the_workers_spools(api, make_worker, make_spool):
    w = make_worker(id=93)
    mine = make_spool(
        arm="en_progreso", ocupado_por=w, fecha_ocupacion=timezone.now(), operacion_actual="ARM"
    )
    make_spool()
    body = api.get(OCUPADOS, {"worker_id": 93}).json()
    assert body["total"] == 1 and body["spools"][0]["tag_spool"] == mine.tag_spool


def test_ocupados_unknown_worker_is_404(api):
    r = api.get(OCUPADOS, {"worker_id": 404})
    assert r.status_code == 404 and r.json()["error"] == "WORKER_NO_ENCONTRADO"


def test_iniciar_metrologia_lists_spools_ready_for_inspection(api, make_spool):
    ready = [
        make_spool(arm="completado", sold="completado"),
        make_spool(arm="completado", sold="completado", calidad="pendiente_metrologia", ciclo=1),
    ]
    make_spool(arm="completado", sold="pausado")
    make_spool(arm="completado", sold="completado", calidad="aprobado")
    make_spool(arm="completado", sold="completado", calidad="rechazado", ciclo=1)
    make_spool(arm="completado", sold="completado", calidad="bloqueado", ciclo=3)
    body = api.get(INICIAR, {"operacion": "METROLOGIA"}).json()
    assert {s["tag_spool"] for s in body["spools"]} == {s.tag_spool for s in ready}


# --- a blocked spool ------------------------------------------------------------------------


def _err(r, status, code):
    """Only the status and the error code."""
    assert r.status_code == status, r.json()
    assert r.json()["error"] == code
    return r.json()


@pytest.mark.parametrize(
    "name, extra",
    [
        ("occupation:tomar", {"operacion": "ARM"}),
        ("occupation:pausar", {}),
        ("occupation:completar", {}),
    ],
)
def test_blocked_spool_refuses_occupation_actions(api, make_worker, make_spool, nothing_written, name, extra):
    make_worker(id=70, roles=["Armador"])
    s = make_spool(arm="completado", sold="completado", calidad="bloqueado", ciclo=3)
    with nothing_written():
        _err(
            api.post(reverse(name), {"tag_spool": s.tag_spool, "worker_id": 70, **extra}),
            403,
            "SPOOL_BLOQUEADO",
        )
