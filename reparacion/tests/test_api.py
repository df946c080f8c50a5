"""The reparación JSON API (reparacion/api.py): new and v3 paths, the repair list, supervisor endpoints."""

from __future__ import annotations

import pytest
from django.urls import reverse, reverse_lazy

from conftest import ApiClient
from spools.models import Event, Spool
from zeues.models import ApiToken

pytestmark = pytest.mark.django_db

TOMAR = reverse_lazy("reparacion:tomar")
PAUSAR = reverse_lazy("reparacion:pausar")
DESBLOQUEAR = reverse_lazy("supervisor-desbloquear")
LIBERAR = reverse_lazy("supervisor-liberar")


@pytest.fixture
def reparador(make_worker):
    return make_worker(id=93, nombre="Mauricio", apellido="Rodriguez", roles=[])


@pytest.fixture
def rejected(make_spool):
    return make_spool(tag_spool="MK-REP-1", arm="completado", sold="completado", calidad="rechazado", ciclo=2)


def _err(r, status, code):
    assert r.status_code == status, r.json()
    assert r.json()["error"] == code
    return r.json()


@pytest.mark.parametrize("name", ["reparacion:{}", "v3-{}-reparacion"])
def test_repair_cycle_through_both_paths(api, reparador, rejected, nothing_written, name):
    body = {"tag_spool": rejected.tag_spool, "worker_id": 93}
    r = api.post(reverse(name.format("tomar")), body)
    assert r.status_code == 200
    assert r.json() | {"message": ""} == {
        "success": True,
        "tag_spool": "MK-REP-1",
        "message": "",
        "estado_detalle": "EN_REPARACION (Ciclo 2/3) - Ocupado: MR(93)",
        "ciclo": 2,
    }
    assert (
        api.post(reverse(name.format("pausar")), body).json()["estado_detalle"]
        == "REPARACION_PAUSADA (Ciclo 2/3)"
    )
    assert api.post(reverse(name.format("tomar")), body).status_code == 200
    assert (
        api.post(reverse(name.format("completar")), body).json()["estado_detalle"]
        == "PENDIENTE_METROLOGIA (Ciclo 2/3)"
    )
    with nothing_written():
        _err(api.post(reverse(name.format("cancelar")), body), 400, "OPERACION_NO_PERMITIDA")


def test_repair_errors(api, anon_api, reparador, make_worker, rejected, make_spool, nothing_written):
    body = {"tag_spool": rejected.tag_spool, "worker_id": 93}
    _err(api.get(TOMAR), 405, "METODO_NO_PERMITIDO")
    _err(anon_api.post(TOMAR, body), 401, "NO_AUTENTICADO")
    make_worker(id=60, roles=["Armador"], activo=False)
    not_rejected = make_spool()
    with nothing_written():
        _err(api.post(TOMAR, {**body, "worker_id": 60}), 403, "TRABAJADOR_INACTIVO")
        _err(api.post(TOMAR, {**body, "worker_id": 999}), 404, "WORKER_NO_ENCONTRADO")
        _err(api.post(TOMAR, {**body, "tag_spool": "NOPE"}), 404, "SPOOL_NO_ENCONTRADO")
        _err(api.post(TOMAR, {**body, "tag_spool": not_rejected.tag_spool}), 400, "OPERACION_NO_PERMITIDA")
        _err(api.post(PAUSAR, body), 400, "SPOOL_NO_OCUPADO")
    assert api.post(TOMAR, body).status_code == 200
    other = make_worker(id=61, roles=[])
    with nothing_written():
        _err(api.post(TOMAR, {**body, "worker_id": 61}), 409, "SPOOL_OCUPADO")
        for action in ("pausar", "completar", "cancelar"):
            _err(
                api.post(reverse(f"reparacion:{action}"), {**body, "worker_id": other.id}),
                403,
                "NO_AUTORIZADO",
            )
    _err(api.post(TOMAR, {"tag_spool": rejected.tag_spool}), 422, "DATOS_INVALIDOS")


@pytest.mark.parametrize("action", ["tomar", "pausar", "completar", "cancelar"])
def test_blocked_spool_refuses_every_repair_action(api, reparador, make_spool, nothing_written, action):
    s = make_spool(arm="completado", sold="completado", calidad="bloqueado", ciclo=3)
    with nothing_written():
        body = _err(
            api.post(reverse(f"reparacion:{action}"), {"tag_spool": s.tag_spool, "worker_id": 93}),
            403,
            "SPOOL_BLOQUEADO",
        )
    assert "supervisor" in body["message"]


def test_repair_list(api, make_worker, make_spool):
    w = make_worker(id=93)
    make_spool(tag_spool="A", arm="completado", sold="completado", calidad="rechazado", ciclo=1)
    make_spool(tag_spool="B", arm="completado", sold="completado", calidad="bloqueado", ciclo=3)
    make_spool(
        tag_spool="C",
        arm="completado",
        sold="completado",
        calidad="en_reparacion",
        ciclo=2,
        ocupado_por=w,
        fecha_ocupacion="2026-11-30T10:00:00-03:00",
        operacion_actual="REPARACION",
    )
    make_spool(tag_spool="D", arm="completado", sold="completado", calidad="aprobado")
    body = api.get(reverse("reparacion-lista")).json()
    assert body["total"] == 3 and body["bloqueados"] == 1
    assert body["spools"][1] == {
        "tag_spool": "B",
        "estado_detalle": "BLOQUEADO - Contactar supervisor",
        "ciclo": 3,
        "bloqueado": True,
        "ocupado_por": None,
    }
    assert body["spools"][2]["ocupado_por"] == "MR(93)"


@pytest.fixture
def supervisor_api(django_user_model, supervisores_group):
    user = django_user_model.objects.create_user(username="jefe", password="x-123456789")
    user.groups.add(supervisores_group)
    _, raw = ApiToken.issue(user=user)
    return ApiClient(raw), user


def test_supervisor_unblocks_through_the_api(supervisor_api, make_spool):
    client, user = supervisor_api
    s = make_spool(arm="completado", sold="completado", calidad="bloqueado", ciclo=3)
    r = client.post(DESBLOQUEAR, {"tag_spool": s.tag_spool, "motivo": "Revisado con calidad"})
    assert (
        r.status_code == 200
        and r.json()["spool"]["calidad"] == "rechazado"
        and r.json()["spool"]["ciclo"] == 0
    )
    event = Event.objects.get(spool=s)
    assert (event.evento_tipo, event.actor, event.details["motivo"]) == (
        "SUPERVISOR_OVERRIDE",
        user,
        "Revisado con calidad",
    )


def test_supervisor_force_releases_through_the_api(supervisor_api, api, make_worker, make_spool):
    client, _ = supervisor_api
    make_worker(id=93, roles=["Armador"])
    s = make_spool()
    api.post(reverse("occupation:tomar"), {"tag_spool": s.tag_spool, "worker_id": 93, "operacion": "ARM"})
    r = client.post(LIBERAR, {"tag_spool": s.tag_spool, "motivo": "Terminó el turno"})
    assert (
        r.status_code == 200
        and r.json()["spool"]["arm"] == "pausado"
        and r.json()["spool"]["ocupado_por"] is None
    )
    assert Event.objects.filter(spool=s, evento_tipo="LIBERACION_FORZADA").count() == 1


def test_supervisor_endpoints_need_the_permission_and_a_reason(
    api, supervisor_api, make_spool, nothing_written
):
    s = make_spool(arm="completado", sold="completado", calidad="bloqueado", ciclo=3)
    for path in (DESBLOQUEAR, LIBERAR):
        _err(
            api.post(path, {"tag_spool": s.tag_spool, "motivo": "Revisado con calidad"}),
            403,
            "PERMISO_DENEGADO",
        )
    client, _ = supervisor_api
    body = _err(
        client.post(DESBLOQUEAR, {"tag_spool": s.tag_spool, "motivo": " "}),
        422,
        "DATOS_INVALIDOS",
    )
    assert "motivo" in body["data"]["campos"]
    with nothing_written():
        _err(
            client.post(LIBERAR, {"tag_spool": s.tag_spool, "motivo": "nadie lo tiene"}),
            400,
            "SPOOL_NO_OCUPADO",
        )
    assert Spool.objects.get(pk=s.pk).calidad == "bloqueado"
    assert not Event.objects.filter(spool=s).exists()
