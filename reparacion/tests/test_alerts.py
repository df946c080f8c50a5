"""Calling a supervisor: alerts opened by a block or a worker's call, answered, audited, notified."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse_lazy

from metrologia.services import spool_inspect
from reparacion import services
from reparacion.exceptions import AlertaYaAbierta, SinAlerta
from spools.models import Alerta, Event, Spool
from zeues.lib import notify

pytestmark = pytest.mark.django_db

LLAMAR = reverse_lazy("alertas-llamar")
ATENDER = reverse_lazy("supervisor-atender")
ALERTAS = reverse_lazy("alertas")


@pytest.fixture
def blocked(make_spool, make_worker):
    spool = make_spool(arm="completado", sold="completado", calidad="pendiente_metrologia", ciclo=2)
    inspector = make_worker(id=97, roles=["Metrologia"])
    return spool_inspect(spool=spool, worker=inspector, resultado="RECHAZADO", defecto="FISURA")


@pytest.fixture
def boss(django_user_model):
    user = django_user_model.objects.create_user(username="jefa", password="x-123456789")
    user.user_permissions.add(Permission.objects.get(codename="atender_alerta"))
    return django_user_model.objects.get(pk=user.pk)


def test_a_call_opens_one_alert_and_a_second_call_is_refused(make_worker, make_spool, nothing_written):
    worker = make_worker(id=93)
    spool = make_spool()
    services.alert_call(spool=spool, worker=worker, mensaje="  falta el plano  ")
    alerta = Alerta.objects.abiertas().get(spool=spool)
    assert (alerta.motivo, alerta.mensaje, alerta.llamada_por_id) == (Alerta.LLAMADA, "falta el plano", 93)
    event = Event.objects.get(spool=spool)
    assert (event.evento_tipo, event.accion, event.details["mensaje"]) == (
        "ALERTA_SUPERVISOR",
        "LLAMAR",
        "falta el plano",
    )
    assert Spool.objects.get(pk=spool.pk).version == 0  # a call changes no state
    with nothing_written(), pytest.raises(AlertaYaAbierta) as refused:
        services.alert_call(spool=spool, worker=worker)
    assert refused.value.status == 409 and "Ya se avisó" in refused.value.message


def test_a_supervisor_answers_and_the_alert_closes_with_who_and_what(
    make_worker, make_spool, boss, nothing_written
):
    spool = make_spool()
    services.alert_call(spool=spool, worker=make_worker(id=93))
    services.alert_acknowledge(spool=spool, supervisor=boss, respuesta="Voy en 5 min")
    alerta = Alerta.objects.get(spool=spool)
    assert alerta.atendida_por == boss and alerta.respuesta == "Voy en 5 min" and alerta.atendida_en
    assert Event.objects.filter(spool=spool).last().evento_tipo == "ALERTA_ATENDIDA"
    with nothing_written(), pytest.raises(SinAlerta):
        services.alert_acknowledge(spool=spool, supervisor=boss)


def test_the_unblock_answers_the_block_alert(blocked, boss):
    assert Alerta.objects.abiertas().filter(spool=blocked).count() == 1
    services.spool_unblock(spool=blocked, supervisor=boss, motivo="Revisado con calidad")
    alerta = Alerta.objects.get(spool=blocked)
    assert alerta.atendida_en is not None and alerta.respuesta == "Revisado con calidad"
    assert alerta.atendida_por == boss


def test_a_call_on_a_blocked_spool_is_the_same_alert(blocked, make_worker, nothing_written):
    with nothing_written(), pytest.raises(AlertaYaAbierta):
        services.alert_call(spool=blocked, worker=make_worker(id=93))


def test_api_call_answer_and_list(api, make_worker, make_spool, boss, client):
    make_worker(id=93)
    spool = make_spool()
    r = api.post(LLAMAR, {"tag_spool": spool.tag_spool, "worker_id": 93, "mensaje": "revisar"})
    assert r.status_code == 200, r.json()
    [item] = api.get(ALERTAS).json()["alertas"]
    assert (item["tag_spool"], item["motivo"], item["mensaje"], item["llamada_por"]) == (
        spool.tag_spool,
        "LLAMADA",
        "revisar",
        "MR(93)",
    )
    again = api.post(LLAMAR, {"tag_spool": spool.tag_spool, "worker_id": 93})
    assert again.status_code == 409 and again.json()["error"] == "ALERTA_YA_ABIERTA"
    refused = api.post(ATENDER, {"tag_spool": spool.tag_spool})
    assert refused.status_code == 403 and refused.json()["error"] == "PERMISO_DENEGADO"
    assert Alerta.objects.abiertas().count() == 1


def test_api_answer_needs_the_permission(make_spool, make_worker, boss):
    from conftest import ApiClient
    from zeues.models import ApiToken

    spool = make_spool()
    services.alert_call(spool=spool, worker=make_worker(id=93))
    _, raw = ApiToken.issue(user=boss)
    r = ApiClient(raw).post(ATENDER, {"tag_spool": spool.tag_spool, "respuesta": "ok"})
    assert r.status_code == 200, r.json()
    assert Alerta.objects.abiertas().count() == 0


# --- outbound notice --------------------------------------------------------------------------


def test_a_new_alert_is_mailed_after_commit_when_configured(
    make_worker, make_spool, settings, django_capture_on_commit_callbacks
):
    settings.ZEUES_ALERT_EMAILS = ["jefe@taller.example"]
    spool = make_spool(tag_spool="MK-ALERTA-1")
    threads = []
    original = notify.alert

    def keep(*args, **kwargs):
        threads.append(original(*args, **kwargs))

    notify.alert = keep  # type: ignore[assignment]
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.alert_call(spool=spool, worker=make_worker(id=93), mensaje="urgente")
    finally:
        notify.alert = original  # type: ignore[assignment]
    threads[0].join(5)
    [message] = mail.outbox
    assert message.to == ["jefe@taller.example"] and "MK-ALERTA-1" in message.subject
    assert "MR(93)" in message.body and "urgente" in message.body


def test_a_webhook_receives_the_alert(settings):
    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.ZEUES_ALERT_EMAILS = []
        settings.ZEUES_ALERT_WEBHOOK = f"http://127.0.0.1:{server.server_port}/hook"
        notify.alert("ZEUES: spool BLOQUEADO — MK-9", "texto", tag_spool="MK-9").join(5)
    finally:
        server.shutdown()
    assert received == [{"asunto": "ZEUES: spool BLOQUEADO — MK-9", "texto": "texto", "tag_spool": "MK-9"}]


def test_nothing_is_sent_when_nothing_is_configured(settings):
    settings.ZEUES_ALERT_EMAILS, settings.ZEUES_ALERT_WEBHOOK = [], ""
    assert notify.alert("a", "b") is None
