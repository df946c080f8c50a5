"""Joints (docs/joints.md): recording them while holding a spool, the rules, the API, v4, the
supervisor's changes. Every refusal also checks that nothing was written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse, reverse_lazy

from metrologia.services import spool_inspect
from occupation import joints as joint_changes
from occupation.exceptions import UnionNoDisponible, UnionYaRegistrada
from occupation.services import spool_finish, spool_take
from spools.models import Accion, EstadoOperacion, Event, EventType, Spool, Union

pytestmark = pytest.mark.django_db

TOMAR = reverse_lazy("occupation:tomar")
PAUSAR = reverse_lazy("occupation:pausar")
COMPLETAR = reverse_lazy("occupation:completar")
FINALIZAR = reverse_lazy("occupation:finalizar")
BATCH_COMPLETAR = reverse_lazy("occupation:batch-completar")
V4_INICIAR = reverse_lazy("v4-iniciar")
V4_FINALIZAR = reverse_lazy("v4-finalizar")

# Four joints of the sample sheet's first spool, plus a field weld: PD 8 + 6 + 4 + 2.5 + 3.
JOINTS = [(1, "8", "SO"), (2, "6", "BR"), (3, "4", "FILL"), (4, "2.5", "BW"), (5, "3", "FW")]


@pytest.fixture
def fitter(make_worker):
    return make_worker(id=110, nombre="Maria", apellido="Diaz", roles=["Armador"])


@pytest.fixture
def fitter2(make_worker):
    return make_worker(id=90, nombre="Victor", apellido="Soto", roles=["Armador"])


@pytest.fixture
def welder(make_worker):
    return make_worker(id=120, nombre="Pedro", apellido="Lagos", roles=["Soldador"])


@pytest.fixture
def inspector(make_worker):
    return make_worker(id=130, nombre="Ines", apellido="Mora", roles=["Metrologia"])


@pytest.fixture
def spool(make_spool, make_joints):
    return make_joints(make_spool(tag_spool="MK-1300-CW-25000-001"), JOINTS)


def _fresh(spool: Spool) -> Spool:
    return Spool.objects.with_people().get(pk=spool.pk)


def _joints(spool: Spool) -> dict[int, Union]:
    return {
        u.n_union: u for u in Union.objects.filter(spool=spool).select_related("arm_worker", "sold_worker")
    }


def _finalizar(api, spool, worker, uniones, **extra):
    return api.post(
        FINALIZAR, {"tag_spool": spool.tag_spool, "worker_id": worker.id, "uniones": uniones, **extra}
    )


def _error(response, status, code):
    body = response.json()
    assert response.status_code == status, body
    assert body["success"] is False and body["error"] == code, body
    return body


def _snapshot(spool):
    """Everything a refusal must leave untouched: the spool row, its joints, the trail."""
    s = _fresh(spool)
    joints = list(Union.objects.filter(spool=spool).order_by("n_union").values())
    return (
        (s.version, s.arm, s.sold, s.ocupado_por_id, s.uniones_arm, s.uniones_sold),
        joints,
        Event.objects.count(),
    )


# --- the finish: some, all, none --------------------------------------------------------------


def test_ticking_some_pauses_and_records_each_joint_with_its_worker_and_times(api, fitter, spool):
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    taken_at = _fresh(spool).fecha_ocupacion
    r = _finalizar(api, spool, fitter, [1, 4])
    body = r.json()
    assert r.status_code == 200, body
    assert body["accion"] == "PAUSAR" and body["uniones_registradas"] == [1, 4] and body["pulgadas"] == 10.5
    s = _fresh(spool)
    assert s.arm == EstadoOperacion.PAUSADO and s.ocupado_por_id is None
    assert (s.uniones_arm, s.uniones_total, s.pulgadas_arm) == (2, 5, Decimal("10.5"))
    joints = _joints(spool)
    for n in (1, 4):
        assert (
            joints[n].arm_worker == fitter
            and joints[n].arm_inicio == taken_at
            and joints[n].arm_fin is not None
        )
    assert all(joints[n].arm_fin is None for n in (2, 3, 5))
    tipos = list(
        Event.objects.filter(spool=spool).order_by("seq").values_list("evento_tipo", "details__n_union")
    )
    assert tipos == [
        ("TOMAR_SPOOL", None),
        ("UNION_ARM_REGISTRADA", 1),
        ("UNION_ARM_REGISTRADA", 4),
        ("PAUSAR_SPOOL", None),
    ]
    joint_event = Event.objects.get(spool=spool, evento_tipo="UNION_ARM_REGISTRADA", details__n_union=4)
    assert joint_event.details["dn"] == 2.5 and joint_event.worker == fitter
    assert Event.objects.get(evento_tipo="PAUSAR_SPOOL").details["uniones"] == [1, 4]


def test_ticking_every_open_joint_completes_the_operation(api, fitter, spool):
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    body = _finalizar(api, spool, fitter, [1, 2, 3, 4, 5]).json()
    assert body["accion"] == "COMPLETAR" and body["pulgadas"] == 23.5
    s = _fresh(spool)
    assert s.arm == EstadoOperacion.COMPLETADO and s.armador == fitter and s.fecha_armado is not None
    assert body["spool"]["progreso"] == {
        "arm_hechas": 5,
        "arm_total": 5,
        "sold_hechas": 0,
        "sold_total": 4,
        "pulgadas_arm": 23.5,
        "pulgadas_sold": 0.0,
    }
    assert Event.objects.filter(spool=spool, evento_tipo="COMPLETAR_ARM").count() == 1


def test_ticking_none_just_releases_and_records_no_joint(api, fitter, spool):
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    body = _finalizar(api, spool, fitter, []).json()
    assert body["accion"] == "LIBERAR" and body["uniones_registradas"] == [] and body["pulgadas"] == 0
    s = _fresh(spool)
    assert s.arm == EstadoOperacion.PENDIENTE and s.armador is None and s.ocupado_por_id is None
    assert not Event.objects.filter(evento_tipo__startswith="UNION_").exists()
    assert Event.objects.filter(spool=spool).order_by("-seq").first().evento_tipo == EventType.LIBERAR_SPOOL


def test_releasing_after_earlier_progress_keeps_it_paused(api, fitter, fitter2, spool):
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    _finalizar(api, spool, fitter, [1])
    spool_take(spool=spool, worker=fitter2, operacion="ARM")
    assert _finalizar(api, spool, fitter2, []).json()["accion"] == "LIBERAR"
    assert _fresh(spool).arm == EstadoOperacion.PAUSADO and _fresh(spool).uniones_arm == 1


def test_handoff_credits_each_fitter_with_their_own_joints(api, fitter, fitter2, make_spool, make_joints):
    spool = make_joints(make_spool(), [(1, "2", "BW"), (2, "2", "BW"), (3, "3", "BW"), (4, "3", "BW")])
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    assert _finalizar(api, spool, fitter, [1, 2]).json()["accion"] == "PAUSAR"
    spool_take(spool=spool, worker=fitter2, operacion="ARM")
    assert _finalizar(api, spool, fitter2, [3, 4]).json()["accion"] == "COMPLETAR"
    joints = _joints(spool)
    assert [joints[n].arm_worker_id for n in (1, 2, 3, 4)] == [110, 110, 90, 90]
    # The spool-level Armador keeps its meaning: who completed it.
    assert _fresh(spool).armador_id == 90
    detail = api.get(reverse("spools:detail", kwargs={"tag": spool.tag_spool})).json()
    assert [u["arm"]["worker"] for u in detail["uniones"]] == ["MD(110)", "MD(110)", "VS(90)", "VS(90)"]


# --- SOLD rules --------------------------------------------------------------------------------


def test_tomar_sold_needs_a_fitted_unwelded_joint_and_writes_nothing_otherwise(api, welder, spool):
    before = _snapshot(spool)
    r = api.post(TOMAR, {"tag_spool": spool.tag_spool, "worker_id": welder.id, "operacion": "SOLD"})
    _error(r, 400, "DEPENDENCIAS_NO_SATISFECHAS")
    assert _snapshot(spool) == before
    assert not Spool.objects.available_for("SOLD").filter(pk=spool.pk).exists()


def test_tomar_sold_refused_when_only_fw_joints_are_fitted(welder, fitter, make_spool, make_joints):
    spool = make_joints(make_spool(arm="pausado"), [(1, "2", "FW", {"arm": fitter}), (2, "2", "BW")])
    assert not Spool.objects.available_for("SOLD").filter(pk=spool.pk).exists()
    with pytest.raises(Exception, match="no tiene uniones armadas por soldar"):
        spool_take(spool=spool, worker=welder, operacion="SOLD")


def test_a_welder_may_weld_only_fitted_non_fw_joints(api, welder, fitter, make_spool, make_joints):
    spool = make_joints(
        make_spool(arm="pausado"),
        [(1, "2", "BW", {"arm": fitter}), (2, "2", "BW"), (3, "4", "FW", {"arm": fitter})],
    )
    assert Spool.objects.available_for("SOLD").filter(pk=spool.pk).exists()
    spool_take(spool=spool, worker=welder, operacion="SOLD")
    before = _snapshot(spool)
    body = _error(_finalizar(api, spool, welder, [1, 2]), 400, "UNION_NO_DISPONIBLE")
    assert "#2" in body["message"] and "no está armada" in body["message"]
    body = _error(_finalizar(api, spool, welder, [3]), 400, "UNION_NO_DISPONIBLE")
    assert "FW" in body["message"]
    assert _snapshot(spool) == before
    body = _finalizar(api, spool, welder, [1]).json()
    assert body["accion"] == "PAUSAR" and _joints(spool)[1].sold_worker == welder


def test_sold_completes_when_every_non_fw_joint_is_welded_and_fw_joints_stay_unwelded(
    api, fitter, welder, spool
):
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    _finalizar(api, spool, fitter, [1, 2, 3, 4, 5])
    spool_take(spool=_fresh(spool), worker=welder, operacion="SOLD")
    body = _finalizar(api, spool, welder, [1, 2, 3, 4]).json()
    assert body["accion"] == "COMPLETAR" and body["pulgadas"] == 20.5
    s = _fresh(spool)
    assert s.sold == EstadoOperacion.COMPLETADO and s.soldador == welder
    assert _joints(spool)[5].sold_fin is None
    assert Spool.objects.available_for("METROLOGIA").filter(pk=spool.pk).exists()


def test_a_spool_of_field_welds_only_is_welded_once_fitted(api, fitter, make_spool, make_joints):
    spool = make_joints(make_spool(), [(1, "6", "FW"), (2, "6", "FW")])
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    _finalizar(api, spool, fitter, [1, 2])
    s = _fresh(spool)
    assert (s.arm, s.sold) == (EstadoOperacion.COMPLETADO, EstadoOperacion.COMPLETADO)
    assert s.fecha_soldadura is not None and s.soldador is None


def test_metrologia_needs_every_joint_fitted_and_welded(inspector, fitter, welder, make_spool, make_joints):
    # States complete but a joint still open (e.g. a joint added by a supervisor meanwhile).
    spool = make_joints(
        make_spool(arm="completado", sold="completado"),
        [(1, "2", "BW", {"arm": fitter, "sold": welder}), (2, "2", "BW", {"arm": fitter})],
    )
    before = _snapshot(spool)
    with pytest.raises(Exception, match=r"faltan uniones \(ARM 2/2, SOLD 1/2\)"):
        spool_inspect(spool=spool, worker=inspector, resultado="APROBADO")
    assert _snapshot(spool) == before
    assert not Spool.objects.available_for("METROLOGIA").filter(pk=spool.pk).exists()


# --- refusals -----------------------------------------------------------------------------------


def test_a_retry_of_a_recorded_joint_is_told_by_whom(api, fitter, spool):
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    assert _finalizar(api, spool, fitter, [2]).status_code == 200
    before = _snapshot(spool)
    body = _error(_finalizar(api, spool, fitter, [2], operacion="ARM"), 409, "UNION_YA_REGISTRADA")
    assert "#2 armada por MD(110)" in body["message"]
    assert body["data"]["uniones"] == [{"n_union": 2, "worker": "MD(110)", "worker_id": 110}]
    assert _snapshot(spool) == before


def test_unknown_or_voided_joint_is_404_and_writes_nothing(api, fitter, spool, admin_user):
    joint_changes.union_void(union=_joints(spool)[3], motivo="", actor=admin_user)
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    before = _snapshot(spool)
    for numbers in ([1, 99], [3]):
        body = _error(_finalizar(api, spool, fitter, numbers), 404, "UNION_NO_ENCONTRADA")
        assert body["data"]["uniones"] == [n for n in numbers if n != 1]
    assert _snapshot(spool) == before


def test_duplicate_numbers_are_422(api, fitter, spool):
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    before = _snapshot(spool)
    for path in (FINALIZAR, PAUSAR, COMPLETAR):
        r = api.post(path, {"tag_spool": spool.tag_spool, "worker_id": fitter.id, "uniones": [1, 2, 1]})
        body = _error(r, 422, "DATOS_INVALIDOS")
        assert "uniones" in body["data"]["campos"]
    for bad in (["1"], [0], [True], "1,2", [1.5]):
        _error(_finalizar(api, spool, fitter, bad), 422, "DATOS_INVALIDOS")
    assert _snapshot(spool) == before


def test_completar_with_joints_left_open_is_refused_listing_them(api, fitter, spool):
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    before = _snapshot(spool)
    r = api.post(COMPLETAR, {"tag_spool": spool.tag_spool, "worker_id": fitter.id, "uniones": [1, 2]})
    body = _error(r, 400, "UNIONES_PENDIENTES")
    assert body["data"]["pendientes"] == [3, 4, 5] and "#3, #4, #5" in body["message"]
    assert _snapshot(spool) == before


def test_only_the_holder_records_joints(api, fitter, fitter2, spool):
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    before = _snapshot(spool)
    _error(_finalizar(api, spool, fitter2, [1]), 403, "NO_AUTORIZADO")
    assert _snapshot(spool) == before


def test_joints_on_a_spool_without_joints_are_404(api, fitter, make_spool):
    spool = make_spool()
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    _error(_finalizar(api, spool, fitter, [1]), 404, "UNION_NO_ENCONTRADA")
    assert _fresh(spool).ocupado_por_id == fitter.id


def test_two_finishes_of_the_same_joint_one_wins(fitter, spool):
    """In-process: the second finish re-plans on the locked row and is told the joint is done."""
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    stale = _fresh(spool)  # both tablets read the spool before either finished
    spool_finish(spool=_fresh(spool), worker=fitter, uniones=[3])
    with pytest.raises(UnionYaRegistrada):
        spool_finish(spool=stale, worker=fitter, operacion="ARM", uniones=[3])
    assert Event.objects.filter(evento_tipo="UNION_ARM_REGISTRADA").count() == 1


# --- v3 paths and batches ---------------------------------------------------------------------


def test_pausar_with_uniones_records_them(api, fitter, spool):
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    r = api.post(PAUSAR, {"tag_spool": spool.tag_spool, "worker_id": fitter.id, "uniones": [2]})
    assert r.status_code == 200 and r.json()["spool"]["progreso"]["arm_hechas"] == 1


def test_pausar_without_uniones_records_none(api, fitter, spool):
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    r = api.post(PAUSAR, {"tag_spool": spool.tag_spool, "worker_id": fitter.id})
    assert r.status_code == 200 and _fresh(spool).arm == EstadoOperacion.PAUSADO
    assert not Union.objects.filter(spool=spool, arm_fin__isnull=False).exists()


def test_completar_without_uniones_records_every_open_joint(api, fitter, spool):
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    r = api.post(COMPLETAR, {"tag_spool": spool.tag_spool, "worker_id": fitter.id})
    assert r.status_code == 200, r.json()
    assert Union.objects.filter(spool=spool, arm_worker=fitter).count() == 5


def test_batch_completar_records_every_open_joint_and_refuses_unweldable_ones(
    api, fitter, welder, spool, make_spool, make_joints
):
    other = make_joints(make_spool(arm="pausado"), [(1, "2", "BW", {"arm": fitter}), (2, "2", "BW")])
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    r = api.post(BATCH_COMPLETAR, {"tag_spools": [spool.tag_spool], "worker_id": fitter.id})
    assert r.json()["succeeded"] == 1, r.json()
    assert _fresh(spool).uniones_arm == 5
    spool_take(spool=other, worker=welder, operacion="SOLD")
    r = api.post(BATCH_COMPLETAR, {"tag_spools": [other.tag_spool], "worker_id": welder.id})
    result = r.json()["details"][0]
    assert result["success"] is False and result["error"] == "UNIONES_PENDIENTES"
    assert _fresh(other).ocupado_por_id == welder.id and _fresh(other).uniones_sold == 0


# --- the read API -------------------------------------------------------------------------------


def test_spool_detail_lists_joints_and_progress(api, fitter, spool):
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    _finalizar(api, spool, fitter, [4])
    Union.objects.filter(spool=spool, n_union=1).update(
        ndt_metodo="RT", ndt_informe="RT-0042", ndt_resultado="APROBADO"
    )
    body = api.get(reverse("spools:detail", kwargs={"tag": spool.tag_spool})).json()
    assert [u["n_union"] for u in body["uniones"]] == [1, 2, 3, 4, 5]
    four = body["uniones"][3]
    assert four["dn"] == 2.5 and four["tipo"] == "BW" and four["anulada"] is False and four["sold"] is None
    assert four["arm"]["worker"] == "MD(110)" and four["arm"]["worker_id"] == 110
    assert four["arm"]["inicio"] and four["arm"]["fin"]
    assert body["uniones"][0]["ndt"] == {
        "metodo": "RT",
        "informe": "RT-0042",
        "fecha": None,
        "resultado": "APROBADO",
    }
    assert body["uniones"][1]["ndt"] is None
    assert body["progreso"] == {
        "arm_hechas": 1,
        "arm_total": 5,
        "sold_hechas": 0,
        "sold_total": 4,
        "pulgadas_arm": 2.5,
        "pulgadas_sold": 0.0,
    }


def test_spool_without_joints_has_empty_joints_and_zero_progress(api, make_spool):
    body = api.get(reverse("spools:detail", kwargs={"tag": make_spool().tag_spool})).json()
    assert body["uniones"] == []
    assert body["progreso"] == {
        "arm_hechas": 0,
        "arm_total": 0,
        "sold_hechas": 0,
        "sold_total": 0,
        "pulgadas_arm": 0.0,
        "pulgadas_sold": 0.0,
    }


# --- v4 -----------------------------------------------------------------------------------------


def _v4(api, path, spool, worker, operacion="ARM", **extra):
    return api.post(
        path, {"tag_spool": spool.tag_spool, "worker_id": worker.id, "operacion": operacion, **extra}
    )


def test_v4_iniciar_and_finalizar_with_selected_unions(api, fitter, spool):
    r = _v4(api, V4_INICIAR, spool, fitter)
    assert (
        r.status_code == 200
        and r.json()["success"] is True
        and "MD(110) trabajando ARM" in r.json()["new_state"]
    )
    body = _v4(api, V4_FINALIZAR, spool, fitter, selected_unions=[1, 2]).json()
    assert body["action_taken"] == "PAUSAR" and body["unions_processed"] == 2 and body["pulgadas"] == 14.0
    assert body["metrologia_triggered"] is False and set(body) >= {"message", "new_state", "tag_spool"}


def test_v4_finalizar_without_unions_is_cancelado(api, fitter, spool):
    _v4(api, V4_INICIAR, spool, fitter)
    body = _v4(api, V4_FINALIZAR, spool, fitter, selected_unions=[]).json()
    assert body["action_taken"] == "CANCELADO" and body["unions_processed"] == 0
    assert _fresh(spool).arm == EstadoOperacion.PENDIENTE


def test_v4_completar_override_records_every_open_joint_and_triggers_metrologia(api, fitter, welder, spool):
    _v4(api, V4_INICIAR, spool, fitter)
    body = _v4(api, V4_FINALIZAR, spool, fitter, action_override="COMPLETAR").json()
    assert body["action_taken"] == "COMPLETAR" and body["unions_processed"] == 5
    assert body["metrologia_triggered"] is False
    _v4(api, V4_INICIAR, spool, welder, operacion="SOLD")
    body = _v4(api, V4_FINALIZAR, spool, welder, operacion="SOLD", action_override="COMPLETAR").json()
    assert body["action_taken"] == "COMPLETAR" and body["unions_processed"] == 4
    assert body["metrologia_triggered"] is True


def test_v4_errors_use_the_same_envelope(api, fitter, spool):
    _v4(api, V4_INICIAR, spool, fitter)
    _error(_v4(api, V4_FINALIZAR, spool, fitter, selected_unions=[42]), 404, "UNION_NO_ENCONTRADA")
    _error(
        _v4(api, V4_FINALIZAR, spool, fitter, selected_unions=[1], action_override="X"),
        422,
        "DATOS_INVALIDOS",
    )
    _error(
        _v4(api, V4_FINALIZAR, spool, fitter, selected_unions=[1], action_override="COMPLETAR"),
        400,
        "UNIONES_PENDIENTES",
    )


# --- a supervisor's changes ---------------------------------------------------------------------


def test_adding_a_joint_is_audited_and_reopens_a_fitted_spool(api, fitter, spool, admin_user):
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    _finalizar(api, spool, fitter, [1, 2, 3, 4, 5])
    union = joint_changes.union_add(
        spool=_fresh(spool), n_union=6, dn="1 1/2", tipo=" bw ", motivo="Rev. B del plano", actor=admin_user
    )
    assert (union.dn, union.tipo) == (Decimal("1.5"), "BW")
    s = _fresh(spool)
    assert s.arm == EstadoOperacion.PAUSADO and (s.uniones_arm, s.uniones_total) == (5, 6)
    event = Event.objects.get(evento_tipo=EventType.UNION_AGREGADA)
    assert (
        event.actor == admin_user
        and event.details["motivo"] == "Rev. B del plano"
        and event.details["n_union"] == 6
    )
    assert event.accion == Accion.AGREGAR


def test_a_joint_number_is_never_reused_even_after_voiding(spool, admin_user):
    joint_changes.union_void(union=_joints(spool)[2], actor=admin_user)
    before = _snapshot(spool)
    with pytest.raises(Exception, match="ya tiene la unión #2 \\(anulada"):
        joint_changes.union_add(spool=spool, n_union=2, dn="2", tipo="BW", motivo="x", actor=admin_user)
    assert _snapshot(spool) == before


def test_voiding_a_worked_joint_needs_a_reason(api, fitter, spool, admin_user):
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    _finalizar(api, spool, fitter, [1])
    before = _snapshot(spool)
    with pytest.raises(Exception, match="motivo"):
        joint_changes.union_void(union=_joints(spool)[1], motivo="  ", actor=admin_user)
    assert _snapshot(spool) == before
    union = joint_changes.union_void(union=_joints(spool)[1], motivo="Cortada en terreno", actor=admin_user)
    assert union.anulada and union.arm_worker == fitter  # the work stays on record
    assert _fresh(spool).uniones_total == 4 and _fresh(spool).uniones_arm == 0
    with pytest.raises(PermissionError):
        union.delete()


def test_voiding_the_last_open_joint_completes_arm(api, fitter, spool, admin_user):
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    _finalizar(api, spool, fitter, [1, 2, 3, 4])
    joint_changes.union_void(union=_joints(spool)[5], motivo="Eliminada en rev. C", actor=admin_user)
    s = _fresh(spool)
    assert s.arm == EstadoOperacion.COMPLETADO and s.fecha_armado is not None


def test_correcting_dn_and_type_is_audited_with_before_and_after(spool, admin_user):
    union = joint_changes.union_correct(
        union=_joints(spool)[4], dn="3", tipo="so", motivo="Error de plano", actor=admin_user
    )
    assert (union.dn, union.tipo) == (Decimal("3"), "SO")
    event = Event.objects.get(evento_tipo=EventType.UNION_CORREGIDA)
    assert event.details["antes"] == {"dn": 2.5, "tipo": "BW"} and event.details["despues"] == {
        "dn": 3.0,
        "tipo": "SO",
    }


def test_a_welded_joint_cannot_become_fw(spool, fitter, welder, admin_user, make_spool, make_joints):
    other = make_joints(make_spool(arm="completado"), [(1, "2", "BW", {"arm": fitter, "sold": welder})])
    with pytest.raises(Exception, match="no puede pasar a FW"):
        joint_changes.union_correct(union=_joints(other)[1], tipo="FW", motivo="x", actor=admin_user)
    assert _joints(other)[1].tipo == "BW"


def test_unknown_type_and_bad_dn_are_refused(spool, admin_user):
    for dn, tipo in (("2", "XX"), ("0", "BW"), ("abc", "BW"), ("1 1/3", "BW")):
        with pytest.raises(Exception, match="Datos inválidos"):
            joint_changes.union_add(spool=spool, n_union=9, dn=dn, tipo=tipo, motivo="x", actor=admin_user)
    assert not Union.objects.filter(n_union=9).exists()


def test_services_refuse_sold_on_fw_even_without_the_api(fitter, welder, make_spool, make_joints):
    spool = make_joints(
        make_spool(arm="pausado"), [(1, "2", "BW", {"arm": fitter}), (2, "2", "FW", {"arm": fitter})]
    )
    spool_take(spool=spool, worker=welder, operacion="SOLD")
    with pytest.raises(UnionNoDisponible):
        spool_finish(spool=_fresh(spool), worker=welder, uniones=[2])


def test_undoing_a_mistaken_fit_up_reopens_the_joint_and_keeps_the_record(api, fitter, spool, admin_user):
    spool_take(spool=spool, worker=fitter, operacion="ARM")
    _finalizar(api, spool, fitter, [1, 2, 3, 4, 5])
    assert _fresh(spool).arm == EstadoOperacion.COMPLETADO
    union = joint_changes.union_undo(
        union=_joints(spool)[5], operacion="ARM", motivo="Marcada por error", actor=admin_user
    )
    assert union.arm_fin is None and union.arm_worker is None and union.arm_fecha is None
    s = _fresh(spool)
    assert s.arm == EstadoOperacion.PAUSADO and s.uniones_arm == 4 and s.pulgadas_arm == Decimal("20.5")
    event = Event.objects.get(evento_tipo=EventType.UNION_CORREGIDA)
    assert (
        event.details["deshecho"]["worker_id"] == fitter.id and event.details["motivo"] == "Marcada por error"
    )
    # The joint can now be fitted again, by whoever really fits it.
    spool_take(spool=_fresh(spool), worker=fitter, operacion="ARM")
    assert _finalizar(api, spool, fitter, [5]).json()["accion"] == "COMPLETAR"


def test_a_welded_joints_fit_up_cannot_be_undone_before_its_welding(
    fitter, welder, make_spool, make_joints, admin_user
):
    spool = make_joints(
        make_spool(arm="completado", sold="completado"), [(1, "2", "BW", {"arm": fitter, "sold": welder})]
    )
    before = _snapshot(spool)
    with pytest.raises(Exception, match="deshaga primero la soldadura"):
        joint_changes.union_undo(union=_joints(spool)[1], operacion="ARM", motivo="x", actor=admin_user)
    assert _snapshot(spool) == before
    joint_changes.union_undo(
        union=_joints(spool)[1], operacion="SOLD", motivo="Soldada en otro spool", actor=admin_user
    )
    s = _fresh(spool)
    assert (s.sold, s.uniones_sold, s.uniones_sold_listas) == (EstadoOperacion.PAUSADO, 0, 1)


def test_every_joint_change_keeps_gerencias_day_facts_equal_to_the_joints(
    api, fitter, welder, spool, admin_user
):
    from spools.kpi_facts import union_days_check
    from spools.models import KpiUnionDia

    spool_take(spool=spool, worker=fitter, operacion="ARM")
    _finalizar(api, spool, fitter, [1, 2, 3, 4, 5])
    spool_take(spool=_fresh(spool), worker=welder, operacion="SOLD")
    _finalizar(api, spool, welder, [1, 2])
    assert union_days_check() == []
    row = KpiUnionDia.objects.get(operacion="ARM", worker=fitter)
    assert (row.uniones, row.pulgadas) == (5, Decimal("23.5"))
    joint_changes.union_correct(union=_joints(spool)[1], dn="10", motivo="Plano", actor=admin_user)
    joint_changes.union_undo(union=_joints(spool)[2], operacion="SOLD", motivo="Error", actor=admin_user)
    joint_changes.union_void(union=_joints(spool)[3], motivo="Rev. C", actor=admin_user)
    assert union_days_check() == []
    row.refresh_from_db()
    assert (row.uniones, row.pulgadas) == (4, Decimal("21.5"))  # 10 + 6 + 2.5 + 3; #3 voided
    sold = KpiUnionDia.objects.get(operacion="SOLD", worker=welder)
    assert (sold.uniones, sold.pulgadas) == (1, Decimal("10"))
