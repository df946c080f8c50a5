"""/alertas/: supervisors see open alerts live and answer them; others may look, not answer."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from metrologia.services import spool_inspect
from reparacion import services
from spools.models import Alerta, Event

pytestmark = pytest.mark.django_db


def _url():
    return reverse("alerts")


@pytest.fixture
def supervisor(client, django_user_model, supervisores_group):
    user = django_user_model.objects.create_user("sup", password="x-123456789")
    user.groups.add(supervisores_group)
    client.force_login(user)
    return user


@pytest.fixture
def called(make_spool, make_worker):
    spool = make_spool(tag_spool="MK-LLAMA-1")
    services.alert_call(spool=spool, worker=make_worker(id=93), mensaje="no cuadra el plano")
    return spool


def test_open_alerts_are_listed_with_who_called_and_why(client, supervisor, called, make_spool, make_worker):
    blocked = make_spool(
        tag_spool="MK-BLOQ-1", arm="completado", sold="completado", calidad="pendiente_metrologia", ciclo=2
    )
    spool_inspect(
        spool=blocked,
        worker=make_worker(id=97, roles=["Metrologia"]),
        resultado="RECHAZADO",
        defecto="FISURA",
        nota="raíz abierta",
    )
    page = client.get(_url()).content.decode()
    assert "2 alertas abiertas" in page
    assert "MR(93) llama a supervisión" in page and "«no cuadra el plano»" in page
    assert "BLOQUEADO tras rechazos seguidos" in page and "Fisura — «raíz abierta»" in page
    assert page.index("MK-LLAMA-1") < page.index("MK-BLOQ-1")  # the longest wait first
    fragment = client.get(_url(), headers={"HX-Request": "true"}).content.decode()
    assert fragment.strip().startswith('<section id="alerts"') and "MK-LLAMA-1" in fragment


def test_a_supervisor_answers_from_the_page_and_it_is_audited(client, supervisor, called):
    r = client.post(_url(), {"tag_spool": called.tag_spool, "respuesta": "Voy"}, follow=True)
    assert "Alerta de MK-LLAMA-1 atendida." in r.content.decode()
    alerta = Alerta.objects.get(spool=called)
    assert alerta.atendida_por == supervisor and alerta.respuesta == "Voy"
    event = Event.objects.filter(spool=called).last()
    assert (event.evento_tipo, event.actor, event.details["respuesta"]) == (
        "ALERTA_ATENDIDA",
        supervisor,
        "Voy",
    )
    assert (
        "0 alertas abiertas" in r.content.decode()
        and "Atendidas en las últimas 24 horas" in r.content.decode()
    )


def test_a_manager_sees_the_alerts_but_cannot_answer(client, django_user_model, called, nothing_written):
    user = django_user_model.objects.create_user("gerente", password="x-123456789")
    user.groups.add(Group.objects.get(name="Gerencia"))
    client.force_login(user)
    page = client.get(_url()).content.decode()
    assert "MK-LLAMA-1" in page and 'name="respuesta"' not in page
    with nothing_written():
        r = client.post(_url(), {"tag_spool": called.tag_spool}, follow=True)
    assert "no puede atender alertas" in r.content.decode()


def test_other_accounts_may_not_see_the_alerts(client, django_user_model):
    assert client.get(_url()).status_code == 302
    client.force_login(django_user_model.objects.create_user("plain", password="x-123456789"))
    assert client.get(_url()).status_code == 403


def test_answering_a_spool_without_an_alert_says_so(client, supervisor, make_spool, nothing_written):
    spool = make_spool()
    with nothing_written():
        r = client.post(_url(), {"tag_spool": spool.tag_spool}, follow=True)
    assert "no tiene una alerta abierta" in r.content.decode()
