"""The read-only JSON API: workers, one spool, what can be started, who holds what."""

from __future__ import annotations

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_workers_lists_active_workers_with_active_roles(api, make_worker):
    w = make_worker(id=93, nombre="Mauricio", apellido="Rodriguez", roles=["Armador", "Ayudante"])
    w.roles.filter(rol="Ayudante").update(activo=False)
    make_worker(id=94, roles=["Soldador"], activo=False)
    body = api.get("/api/workers").json()
    assert body["total"] == 1
    assert body["workers"] == [
        {
            "id": 93,
            "nombre": "Mauricio",
            "apellido": "Rodriguez",
            "nombre_completo": "Mauricio Rodriguez",
            "token": "MR(93)",
            "roles": ["Armador"],
            "activo": True,
        }
    ]


def test_spool_detail_has_every_documented_field(api, make_worker, make_spool):
    w = make_worker(id=93, nombre="Mauricio", apellido="Rodriguez")
    s = make_spool(
        tag_spool="MK/1 A",
        arm="en_progreso",
        armador=w,
        ocupado_por=w,
        fecha_ocupacion=timezone.now(),
        operacion_actual="ARM",
    )
    r = api.get(f"/api/spools/{s.tag_spool}")
    body = r.json()
    assert r.status_code == 200
    for field in [
        "tag_spool",
        "nv",
        "ot",
        "arm",
        "sold",
        "armador",
        "soldador",
        "fecha_armado",
        "fecha_soldadura",
        "ocupado_por",
        "fecha_ocupacion",
        "operacion_actual",
        "estado_detalle",
        "version",
    ]:
        assert field in body
    assert body["tag_spool"] == "MK/1 A" and body["armador"] == "MR(93)" and body["operacion_actual"] == "ARM"


def test_spool_detail_unknown_is_404(api):
    r = api.get("/api/spools/NOPE")
    assert r.status_code == 404 and r.json()["error"] == "SPOOL_NO_ENCONTRADO"


def test_iniciar_arm_lists_only_takeable_spools(api, make_worker, make_spool):
    w = make_worker()
    ok = [make_spool(), make_spool(arm="pausado")]
    make_spool(fecha_materiales=None)
    make_spool(arm="completado")
    make_spool(arm="en_progreso", ocupado_por=w, fecha_ocupacion=timezone.now(), operacion_actual="ARM")
    make_spool(activo=False)
    body = api.get("/api/spools/iniciar", {"operacion": "ARM"}).json()
    assert {s["tag_spool"] for s in body["spools"]} == {s.tag_spool for s in ok}
    assert body["total"] == 2


def test_iniciar_sold_needs_arm_started(api, make_spool):
    make_spool(arm="pendiente")
    ok = [make_spool(arm="pausado"), make_spool(arm="completado", sold="pausado")]
    make_spool(arm="completado", sold="completado")
    body = api.get("/api/spools/iniciar", {"operacion": "SOLD"}).json()
    assert {s["tag_spool"] for s in body["spools"]} == {s.tag_spool for s in ok}


def test_iniciar_checks_the_workers_role_when_given(api, make_worker, make_spool):
    make_spool()
    make_worker(id=50, roles=["Soldador"])
    r = api.get("/api/spools/iniciar", {"operacion": "ARM", "worker_id": 50})
    assert r.status_code == 403 and r.json()["error"] == "ROL_NO_AUTORIZADO"


def test_iniciar_search_and_limit(api, make_spool):
    make_spool(tag_spool="MK-AAA-1", nv="NV0001")
    make_spool(tag_spool="MK-BBB-2", nv="NV0002")
    make_spool(tag_spool="MK-BBB-3", nv="NV0002")
    assert api.get("/api/spools/iniciar", {"operacion": "ARM", "q": "aaa"}).json()["total"] == 1
    body = api.get("/api/spools/iniciar", {"operacion": "ARM", "q": "NV0002", "limit": 1}).json()
    assert body["total"] == 2 and len(body["spools"]) == 1


def test_iniciar_without_operation_is_422(api):
    r = api.get("/api/spools/iniciar")
    assert r.status_code == 422 and "operacion" in r.json()["data"]["campos"]


def test_ocupados_lists_the_workers_spools(api, make_worker, make_spool):
    w = make_worker(id=93)
    mine = make_spool(
        arm="en_progreso", ocupado_por=w, fecha_ocupacion=timezone.now(), operacion_actual="ARM"
    )
    make_spool()
    body = api.get("/api/spools/ocupados", {"worker_id": 93}).json()
    assert body["total"] == 1 and body["spools"][0]["tag_spool"] == mine.tag_spool


def test_ocupados_unknown_worker_is_404(api):
    r = api.get("/api/spools/ocupados", {"worker_id": 404})
    assert r.status_code == 404 and r.json()["error"] == "WORKER_NO_ENCONTRADO"


@pytest.mark.parametrize(
    "path", ["/api/workers", "/api/spools/X", "/api/spools/iniciar?operacion=ARM", "/api/health"]
)
def test_read_endpoints_need_a_token(anon_api, path):
    r = anon_api.get(path)
    assert r.status_code == 401 and r.json()["error"] == "NO_AUTENTICADO"


def test_read_endpoints_refuse_post(api):
    r = api.post("/api/workers", {})
    assert r.status_code == 405


def test_unknown_api_path_is_json_404(api):
    r = api.get("/api/nothing/here")
    assert r.status_code == 404 and r.json()["error"] == "NO_ENCONTRADO"
