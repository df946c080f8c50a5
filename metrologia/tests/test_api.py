"""The metrología JSON API (metrologia/api.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from spools.models import Event

pytestmark = pytest.mark.django_db

URL = reverse_lazy("metrologia:completar")
BATCH = reverse_lazy("metrologia:batch-completar")


@pytest.fixture
def inspector(make_worker):
    return make_worker(id=97, nombre="Óscar", apellido="Pérez", roles=["Metrologia"])


def _err(r, status, code):
    assert r.status_code == status, r.json()
    assert r.json()["success"] is False and r.json()["error"] == code
    return r.json()


def test_aprobado_answer(api, inspector, make_spool):
    s = make_spool(arm="completado", sold="completado")
    r = api.post(URL, {"tag_spool": s.tag_spool, "worker_id": 97, "resultado": "APROBADO"})
    body = r.json()
    assert r.status_code == 200
    assert body["success"] is True and body["resultado"] == "APROBADO" and body["ciclo"] == 0
    assert body["estado_detalle"] == "METROLOGIA APROBADO ✓"
    assert (
        api.get(reverse("spools:detail", kwargs={"tag": s.tag_spool})).json()["fecha_qc_metrologia"]
        == timezone.localdate().isoformat()
    )


def test_rechazado_answer_has_cycle(api, inspector, make_spool):
    s = make_spool(arm="completado", sold="completado")
    body = api.post(
        URL, {"tag_spool": s.tag_spool, "worker_id": 97, "resultado": "RECHAZADO", "defecto": "POROSIDAD"}
    ).json()
    assert body["ciclo"] == 1 and body["estado_detalle"] == "RECHAZADO (Ciclo 1/3) - Pendiente reparación"
    assert (
        api.get(reverse("spools:detail", kwargs={"tag": s.tag_spool})).json()["fecha_qc_metrologia"] is None
    )


def test_wrong_method_anonymous_role_and_state(
    api, anon_api, inspector, make_worker, make_spool, nothing_written
):
    s = make_spool(arm="completado", sold="completado")
    body = {"tag_spool": s.tag_spool, "worker_id": 97, "resultado": "APROBADO"}
    _err(api.get(URL), 405, "METODO_NO_PERMITIDO")
    _err(anon_api.post(URL, body), 401, "NO_AUTENTICADO")
    make_worker(id=50, roles=["Armador"])
    with nothing_written():
        _err(api.post(URL, {**body, "worker_id": 50}), 403, "ROL_NO_AUTORIZADO")
    not_welded = make_spool()
    with nothing_written():
        _err(api.post(URL, {**body, "tag_spool": not_welded.tag_spool}), 400, "DEPENDENCIAS_NO_SATISFECHAS")
    assert api.post(URL, body).status_code == 200
    with nothing_written():
        _err(api.post(URL, body), 400, "OPERACION_NO_PERMITIDA")
    assert Event.objects.count() == 1


def test_blocked_spool_is_403_spool_bloqueado(api, inspector, make_spool, nothing_written):
    s = make_spool(arm="completado", sold="completado", calidad="bloqueado", ciclo=3)
    with nothing_written():
        body = _err(
            api.post(URL, {"tag_spool": s.tag_spool, "worker_id": 97, "resultado": "APROBADO"}),
            403,
            "SPOOL_BLOQUEADO",
        )
    assert "supervisor" in body["message"]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"tag_spool": "X", "worker_id": 97, "resultado": "OK"}, "resultado"),
        ({"tag_spool": "X", "worker_id": 97}, "resultado"),
    ],
)
def test_bad_result_is_422(api, inspector, payload, field):
    assert field in _err(api.post(URL, payload), 422, "DATOS_INVALIDOS")["data"]["campos"]


def test_batch_results_per_tag(api, inspector, make_spool):
    ok = [make_spool(arm="completado", sold="completado") for _ in range(3)]
    not_ready = make_spool()
    tags = [s.tag_spool for s in ok] + [not_ready.tag_spool, "NOPE"]
    body = api.post(
        BATCH, {"tag_spools": tags, "worker_id": 97, "resultado": "RECHAZADO", "defecto": "POROSIDAD"}
    ).json()
    assert (body["total"], body["succeeded"], body["failed"]) == (5, 3, 2)
    assert [d["error"] for d in body["details"]] == [
        None,
        None,
        None,
        "DEPENDENCIAS_NO_SATISFECHAS",
        "SPOOL_NO_ENCONTRADO",
    ]
    assert body["details"][0]["ciclo"] == 1
