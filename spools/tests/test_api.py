"""The read-only JSON API (spools/api.py): workers and one spool; tokens, methods and unknown paths."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

WORKERS = reverse("spools:workers")


def detail(tag: str) -> str:
    """One spool's JSON."""
    return reverse("spools:detail", kwargs={"tag": tag})


def test_workers_lists_active_workers_with_active_roles(api, make_worker):
    w = make_worker(id=93, nombre="Mauricio", apellido="Rodriguez", roles=["Armador", "Ayudante"])
    w.roles.filter(rol="Ayudante").update(activo=False)
    make_worker(id=94, roles=["Soldador"], activo=False)
    body = api.get(WORKERS).json()
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
    r = api.get(detail(s.tag_spool))
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
    r = api.get(detail("NOPE"))
    assert r.status_code == 404 and r.json()["error"] == "SPOOL_NO_ENCONTRADO"


@pytest.mark.parametrize(
    "path",
    [
        WORKERS,
        detail("X"),
        reverse("spools-iniciar") + "?" + urlencode({"operacion": "ARM"}),
        reverse("health"),
    ],
)
def test_read_endpoints_need_a_token(anon_api, path):
    r = anon_api.get(path)
    assert r.status_code == 401 and r.json()["error"] == "NO_AUTENTICADO"


def test_read_endpoints_refuse_post(api):
    r = api.post(WORKERS, {})
    assert r.status_code == 405


def test_unknown_api_path_is_json_404(api):
    # A literal on purpose: the point is a path that no route names (the catch-all answers it).
    r = api.get("/api/nothing/here")
    assert r.status_code == 404 and r.json()["error"] == "NO_ENCONTRADO"
