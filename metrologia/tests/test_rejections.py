"""A RECHAZADO names its defect: the service, the spool's brief for the repairer, the audit trail,
the live event, the JSON API and the defect catalogue."""

from __future__ import annotations

import pytest
from django.urls import reverse, reverse_lazy

from metrologia.services import spool_inspect
from spools.models import Alerta, Defecto, Event, Spool
from zeues.lib import live
from zeues.lib.errors import DatosInvalidos

pytestmark = pytest.mark.django_db

URL = reverse_lazy("metrologia:completar")
BATCH = reverse_lazy("metrologia:batch-completar")


@pytest.fixture
def inspector(make_worker):
    return make_worker(id=97, nombre="Óscar", apellido="Pérez", roles=["Metrologia"])


@pytest.fixture
def welded(make_spool):
    return make_spool(arm="completado", sold="completado")


def test_a_rejection_records_its_defect_note_and_photo_on_the_spool_and_in_the_event(inspector, welded):
    spool = spool_inspect(
        spool=welded,
        worker=inspector,
        resultado="RECHAZADO",
        defecto="POROSIDAD",
        nota="  cordón 3  ",
        foto="r/1.jpg",
    )
    fresh = Spool.objects.with_people().get(pk=spool.pk)
    assert (fresh.calidad, fresh.ciclo) == ("rechazado", 1)
    assert fresh.rechazo_defecto.nombre == "Porosidad" and fresh.rechazo_nota == "cordón 3"
    assert (
        fresh.rechazo_foto == "r/1.jpg"
        and fresh.rechazo_inspector_id == 97
        and fresh.rechazo_fecha is not None
    )
    event = Event.objects.get(spool=spool)
    assert {k: event.details[k] for k in ("resultado", "defecto", "defecto_nombre", "nota", "foto")} == {
        "resultado": "RECHAZADO",
        "defecto": "POROSIDAD",
        "defecto_nombre": "Porosidad",
        "nota": "cordón 3",
        "foto": "r/1.jpg",
    }


def test_an_unknown_or_inactive_defect_is_refused_naming_the_field(inspector, welded, nothing_written):
    Defecto.objects.filter(codigo="FISURA").update(activo=False)
    for codigo in ("NOPE", "FISURA", "  "):
        with nothing_written(), pytest.raises(DatosInvalidos) as refused:
            spool_inspect(spool=welded, worker=inspector, resultado="RECHAZADO", defecto=codigo)
        assert list(refused.value.data["campos"]) == ["defecto"]


def test_approval_keeps_the_last_rejection_for_the_record(inspector, welded, make_worker):
    spool = spool_inspect(spool=welded, worker=inspector, resultado="RECHAZADO", defecto="FISURA")
    Spool.objects.filter(pk=spool.pk).update(calidad="pendiente_metrologia")
    spool = spool_inspect(spool=Spool.objects.get(pk=spool.pk), worker=inspector, resultado="APROBADO")
    fresh = Spool.objects.with_people().get(pk=spool.pk)
    assert fresh.calidad == "aprobado" and fresh.rechazo_defecto.codigo == "FISURA"


def test_the_blocking_rejection_opens_an_alert_for_the_supervisors(inspector, make_spool, settings):
    spool = make_spool(arm="completado", sold="completado", calidad="pendiente_metrologia", ciclo=2)
    spool = spool_inspect(spool=spool, worker=inspector, resultado="RECHAZADO", defecto="SOCAVACION")
    alerta = Alerta.objects.abiertas().get(spool=spool)
    assert alerta.motivo == Alerta.BLOQUEO and alerta.llamada_por is None
    assert alerta.seq == Event.objects.get(spool=spool, evento_tipo="SPOOL_BLOQUEADO").seq


def test_the_live_event_carries_the_defect_and_the_note(
    inspector, welded, django_capture_on_commit_callbacks
):
    sent = []
    original = live.send
    live.send = lambda event_type, data: sent.append((event_type, data))  # type: ignore[assignment]
    try:
        with django_capture_on_commit_callbacks(execute=True):
            spool_inspect(
                spool=welded, worker=inspector, resultado="RECHAZADO", defecto="FISURA", nota="raíz"
            )
    finally:
        live.send = original  # type: ignore[assignment]
    [(event_type, data)] = sent
    assert event_type == "COMPLETAR_METROLOGIA" and (data["defecto"], data["nota"]) == ("Fisura", "raíz")
    assert tuple(data) == live.FIELDS


# --- the JSON API ------------------------------------------------------------------------------


def _post(api, url, **body):
    return api.post(url, {"worker_id": 97, **body})


def test_api_rejection_needs_a_catalogue_defect(api, inspector, welded, nothing_written):
    for body in ({}, {"defecto": ""}, {"defecto": "NOPE"}):
        with nothing_written():
            r = _post(api, URL, tag_spool=welded.tag_spool, resultado="RECHAZADO", **body)
        assert r.status_code == 422 and r.json()["error"] == "DATOS_INVALIDOS", r.json()
        assert list(r.json()["data"]["campos"]) == ["defecto"] and "defecto" in r.json()["message"]


def test_api_approval_takes_no_defect(api, inspector, welded, nothing_written):
    with nothing_written():
        r = _post(api, URL, tag_spool=welded.tag_spool, resultado="APROBADO", defecto="FISURA")
    assert r.status_code == 422 and list(r.json()["data"]["campos"]) == ["defecto"]


def test_api_answer_spool_and_history_carry_the_last_rejection(api, inspector, welded):
    r = _post(
        api, URL, tag_spool=welded.tag_spool, resultado="RECHAZADO", defecto="FISURA", nota="soldadura 2"
    )
    assert r.status_code == 200, r.json()
    rejection = r.json()["ultimo_rechazo"]
    assert {k: rejection[k] for k in ("defecto", "defecto_nombre", "nota", "foto_url", "inspector")} == {
        "defecto": "FISURA",
        "defecto_nombre": "Fisura",
        "nota": "soldadura 2",
        "foto_url": None,
        "inspector": "ÓP(97)",
    }
    assert rejection["fecha"][-6] in "+-"
    detail = api.get(reverse("spools:detail", kwargs={"tag": welded.tag_spool})).json()
    history = api.get(reverse("api-history", kwargs={"tag": welded.tag_spool})).json()
    assert detail["ultimo_rechazo"] == rejection == history["ultimo_rechazo"]
    never = api.get(reverse("spools:detail", kwargs={"tag": "X"}))
    assert never.status_code == 404


def test_a_spool_never_rejected_has_no_last_rejection(api, make_spool):
    spool = make_spool()
    assert api.get(reverse("spools:detail", kwargs={"tag": spool.tag_spool})).json()["ultimo_rechazo"] is None


def test_api_batch_rejection_names_the_defect_for_every_tag(api, inspector, make_spool):
    tags = [make_spool(arm="completado", sold="completado").tag_spool for _ in range(2)]
    r = _post(api, BATCH, tag_spools=tags, resultado="RECHAZADO", defecto="DESALINEACION", nota="lote")
    assert r.json()["succeeded"] == 2
    assert {d["ultimo_rechazo"]["defecto"] for d in r.json()["details"]} == {"DESALINEACION"}
    assert Spool.objects.filter(tag_spool__in=tags, rechazo_defecto__codigo="DESALINEACION").count() == 2
    missing = _post(api, BATCH, tag_spools=tags, resultado="RECHAZADO")
    assert missing.status_code == 422 and list(missing.json()["data"]["campos"]) == ["defecto"]


def test_api_lists_the_defect_catalogue(api, anon_api):
    Defecto.objects.filter(codigo="OTRO").update(activo=False)
    body = api.get(reverse("spools:defectos")).json()
    assert body["total"] == 9
    assert body["defectos"][0] == {"codigo": "DESALINEACION", "nombre": "Desalineación", "activo": True}
    assert {"codigo": "OTRO", "nombre": "Otro (ver nota)", "activo": False} in body["defectos"]
    assert anon_api.get(reverse("spools:defectos")).status_code == 401
