"""The supervisor's acts in Django admin (zeues/front/admin.py): a reason asked first, permission-gated."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone

from spools.models import Event, Spool

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:spools_spool_changelist")


@pytest.fixture
def supervisor(client, django_user_model, supervisores_group):
    user = django_user_model.objects.create_user(username="jefe", password="x-123456789", is_staff=True)
    user.groups.add(supervisores_group)
    client.force_login(user)
    return user


@pytest.fixture
def blocked(make_spool):
    return make_spool(
        tag_spool="MK-BLOCK-1", arm="completado", sold="completado", calidad="bloqueado", ciclo=3
    )


def _action(client, action, spools, **extra):
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [s.pk for s in spools], **extra}
    return client.post(CHANGELIST, data, follow=True)


def test_unblock_asks_for_a_reason_then_applies_and_audits(client, supervisor, blocked, nothing_written):
    with nothing_written():
        page = _action(client, "desbloquear", [blocked])
    assert page.status_code == 200 and "Motivo" in page.text and "MK-BLOCK-1" in page.text
    assert Spool.objects.get(pk=blocked.pk).calidad == "bloqueado"
    page = _action(
        client, "desbloquear", [blocked], confirmar="1", motivo="Reinspección acordada con calidad"
    )
    assert "desbloquear spools: 1 spool(s)" in page.text.lower()
    fresh = Spool.objects.get(pk=blocked.pk)
    assert fresh.calidad == "rechazado" and fresh.ciclo == 0
    event = Event.objects.get(spool=blocked)
    assert (event.evento_tipo, event.actor, event.details["motivo"]) == (
        "SUPERVISOR_OVERRIDE",
        supervisor,
        "Reinspección acordada con calidad",
    )


def test_unblock_without_reason_changes_nothing(client, supervisor, blocked, nothing_written):
    with nothing_written():
        page = _action(client, "desbloquear", [blocked], confirmar="1", motivo="  ")
    assert page.status_code == 200 and "obligatorio" in page.text.lower()
    assert Spool.objects.get(pk=blocked.pk).calidad == "bloqueado"
    assert not Event.objects.exists()


def test_unblock_reports_spools_that_are_not_blocked(client, supervisor, blocked, make_spool):
    other = make_spool(tag_spool="MK-FREE-2")
    page = _action(client, "desbloquear", [blocked, other], confirmar="1", motivo="Revisión semanal")
    assert "MK-FREE-2: El spool MK-FREE-2 no está BLOQUEADO." in page.text
    assert Spool.objects.get(pk=blocked.pk).calidad == "rechazado"


def test_force_release_through_admin(client, supervisor, make_worker, make_spool):
    w = make_worker(id=93, roles=["Armador"])
    s = make_spool(arm="en_progreso", ocupado_por=w, fecha_ocupacion=timezone.now(), operacion_actual="ARM")
    _action(client, "liberar_ocupacion", [s], confirmar="1", motivo="Se fue a casa sin pausar")
    fresh = Spool.objects.get(pk=s.pk)
    assert fresh.arm == "pausado" and fresh.ocupado_por_id is None
    event = Event.objects.get(spool=s)
    assert (event.evento_tipo, event.worker_id, event.actor) == ("LIBERACION_FORZADA", 93, supervisor)


def test_staff_without_the_permission_cannot_unblock_or_release(
    client, django_user_model, blocked, nothing_written
):
    user = django_user_model.objects.create_user(username="staff", password="x-123456789", is_staff=True)
    from django.contrib.auth.models import Permission

    user.user_permissions.add(
        Permission.objects.get(codename="view_spool"), Permission.objects.get(codename="change_spool")
    )
    client.force_login(user)
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert "desbloquear" not in page.text and "liberar_ocupacion" not in page.text
    with nothing_written():
        _action(client, "desbloquear", [blocked], confirmar="1", motivo="Sin permiso alguno")
    assert Spool.objects.get(pk=blocked.pk).calidad == "bloqueado"
    assert not Event.objects.exists()


def test_stale_occupations_are_flagged_and_filterable(client, supervisor, make_worker, make_spool, settings):
    w = make_worker(id=93)
    old = make_spool(
        tag_spool="MK-OLD",
        arm="en_progreso",
        ocupado_por=w,
        operacion_actual="ARM",
        fecha_ocupacion=timezone.now() - datetime.timedelta(hours=settings.ZEUES_STALE_HOURS + 1),
    )
    make_spool(
        tag_spool="MK-NEW",
        arm="en_progreso",
        ocupado_por=w,
        operacion_actual="ARM",
        fecha_ocupacion=timezone.now(),
    )
    page = client.get(CHANGELIST, {"antigua": "si"})
    assert "MK-OLD" in page.text and "MK-NEW" not in page.text
    assert f"⚠ ocupado hace {settings.ZEUES_STALE_HOURS + 1} h" in page.text
    assert list(Spool.objects.stale()) == [old]


def test_spool_admin_search_and_quality_filter(client, supervisor, blocked, make_spool):
    make_spool(tag_spool="MK-OTHER", nv="NV0999")
    assert "MK-OTHER" in client.get(CHANGELIST, {"q": "NV0999"}).text
    page = client.get(CHANGELIST, {"bloqueado": "si"})
    assert "MK-BLOCK-1" in page.text and "MK-OTHER" not in page.text


def test_events_are_read_only_in_admin(client, supervisor, blocked, nothing_written):
    _action(client, "desbloquear", [blocked], confirmar="1", motivo="Reinspección acordada")
    event = Event.objects.get()
    page = client.get(reverse("admin:spools_event_change", args=[event.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.text
    with nothing_written():
        delete = client.post(reverse("admin:spools_event_delete", args=[event.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


def test_full_loop_through_api_and_admin_unblock(
    client, supervisor, api, make_worker, make_spool, nothing_written
):
    """reject → repair (take, pause, resume, complete) ×3 → BLOQUEADO → 403 everywhere →
    supervisor unblocks in admin with a reason → repair → APROBADO → counter back to 0."""
    inspector = make_worker(id=97, roles=["Metrologia"])
    repairer = make_worker(id=93, roles=[])
    spool = make_spool(tag_spool="MK-LOOP-1", arm="completado", sold="completado")
    inspect = {"tag_spool": spool.tag_spool, "worker_id": inspector.id}
    body = {"tag_spool": spool.tag_spool, "worker_id": repairer.id}
    actions = 0
    for ciclo in (1, 2, 3):
        r = api.post(
            reverse("metrologia:completar"), {**inspect, "resultado": "RECHAZADO", "defecto": "FISURA"}
        )
        actions += 1
        assert r.json()["ciclo"] == ciclo
        if ciclo == 3:
            break
        for step in ("tomar", "pausar", "tomar", "completar"):
            assert api.post(reverse(f"reparacion:{step}"), body).status_code == 200
            actions += 1
    assert r.json()["estado_detalle"] == "BLOQUEADO - Contactar supervisor"
    for name, payload in [
        ("reparacion:tomar", body),
        ("reparacion:cancelar", body),
        ("metrologia:completar", {**inspect, "resultado": "APROBADO"}),
        ("occupation:tomar", {**body, "operacion": "ARM"}),
    ]:
        with nothing_written():
            assert api.post(reverse(name), payload).json()["error"] == "SPOOL_BLOQUEADO"
    _action(client, "desbloquear", [spool], confirmar="1", motivo="Revisado con el cliente")
    actions += 1
    assert Spool.objects.get(pk=spool.pk).ciclo == 0
    for step in ("tomar", "completar"):
        assert api.post(reverse(f"reparacion:{step}"), body).status_code == 200
        actions += 1
    r = api.post(reverse("metrologia:completar"), {**inspect, "resultado": "APROBADO"})
    actions += 1
    assert r.json()["estado_detalle"] == "METROLOGIA APROBADO ✓" and r.json()["ciclo"] == 0
    # Every action wrote exactly one event, plus SPOOL_BLOQUEADO beside the blocking rejection.
    events = list(Event.objects.filter(spool=spool).values_list("evento_tipo", flat=True))
    assert len(events) == actions + 1
    assert events.count("SPOOL_BLOQUEADO") == 1 and events.count("SUPERVISOR_OVERRIDE") == 1
    assert events.count("COMPLETAR_METROLOGIA") == 4


# --- the audit list (EventAdmin): verdict, defect and reason as columns ----------------------

EVENTS = reverse("admin:spools_event_changelist")


def _event(tag, tipo, *, operacion="", accion="", details=None, minutes_ago=0, **fields):
    when = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return Event.objects.create(
        timestamp=when,
        evento_tipo=tipo,
        tag_spool=tag,
        operacion=operacion,
        accion=accion,
        fecha_operacion=timezone.localdate(when),
        details=details or {},
        **fields,
    )


def _cells(page: str, tag: str) -> dict[str, str]:
    """The cells of the list's row for `tag`, by column (`field-<name>` classes)."""
    start = page.index(f'<td class="field-tag">{tag}</td>')
    row = page[page.rindex("<tr", 0, start) : page.index("</tr>", start)]
    return dict(re.findall(r'<t[hd] class="field-([a-z_]+)[^"]*"[^>]*>(.*?)</t[hd]>', row, re.S))


@pytest.fixture
def audit_trail(make_worker):
    inspector = make_worker(id=97, nombre="Óscar", apellido="Pérez", roles=["Metrologia"])
    _event(
        "AU-REJ",
        "COMPLETAR_METROLOGIA",
        operacion="METROLOGIA",
        accion="COMPLETAR",
        worker=inspector,
        worker_token=inspector.token,
        details={
            "resultado": "RECHAZADO",
            "defecto": "FISURA",
            "defecto_nombre": "Fisura",
            "nota": "Cordón abierto en la raíz",
            "foto": "",
        },
        minutes_ago=5,
    )
    _event("AU-OK", "COMPLETAR_METROLOGIA", operacion="METROLOGIA", accion="COMPLETAR",
           details={"resultado": "APROBADO"}, minutes_ago=4)  # fmt: skip
    _event("AU-SUP", "SUPERVISOR_OVERRIDE", operacion="REPARACION", accion="DESBLOQUEAR",
           details={"motivo": "Reinspección acordada con calidad", "ciclo_previo": 3, "supervisor": "jefe"},
           minutes_ago=3)  # fmt: skip
    _event("AU-CALL", "ALERTA_SUPERVISOR", accion="LLAMAR",
           details={"motivo": "LLAMADA", "mensaje": "Falta un plano"}, minutes_ago=2)  # fmt: skip
    _event("AU-ACK", "ALERTA_ATENDIDA", accion="ATENDER", details={"respuesta": "Voy", "supervisor": "jefe"},
           minutes_ago=1)  # fmt: skip
    _event("AU-TAKE", "TOMAR_SPOOL", operacion="ARM", accion="TOMAR", worker=inspector,
           worker_token=inspector.token)  # fmt: skip


def test_audit_list_shows_result_defect_and_reason_as_columns(client, supervisor, audit_trail):
    page = client.get(EVENTS).content.decode()
    for column in ("resultado", "defecto", "motivo_nota"):
        assert f'class="sortable column-{column}' in page or f'class="column-{column}' in page
    assert ">Motivo / nota<" in page or ">motivo / nota<" in page.lower()
    rejection = _cells(page, "AU-REJ")
    assert rejection["resultado"] == "RECHAZADO"
    assert rejection["defecto"] == '<span title="código FISURA">Fisura</span>'
    assert rejection["motivo_nota"] == "Cordón abierto en la raíz"
    assert rejection["tipo"] == "Metrología" and rejection["operacion_palabras"] == "METROLOGÍA"
    assert rejection["worker_token"] == "ÓP(97)"
    assert _cells(page, "AU-OK")["resultado"] == "APROBADO" and _cells(page, "AU-OK")["defecto"] == ""
    act = _cells(page, "AU-SUP")
    assert act["motivo_nota"] == "Reinspección acordada con calidad"
    assert act["tipo"] == "Supervisor desbloqueó el spool" and act["operacion_palabras"] == "REPARACIÓN"
    assert act["resultado"] == act["defecto"] == ""  # empty when absent
    assert _cells(page, "AU-CALL")["motivo_nota"] == "Llamada desde el kiosko — Falta un plano"
    assert _cells(page, "AU-ACK")["motivo_nota"] == "Voy"
    take = _cells(page, "AU-TAKE")
    assert take["tipo"] == "Tomó" and take["resultado"] == take["defecto"] == take["motivo_nota"] == ""
    # Newest first; no raw event codes in the rows or the type filter.
    assert page.index("AU-TAKE") < page.index("AU-REJ")
    assert ">SUPERVISOR_OVERRIDE<" not in page and ">COMPLETAR_METROLOGIA<" not in page


def test_audit_list_cuts_long_reasons_keeping_them_in_the_tooltip(client, supervisor):
    long = ("Reinspección acordada con calidad después de revisar la soldadura completa " * 4).strip()
    _event("AU-LONG", "LIBERACION_FORZADA", operacion="ARM", accion="LIBERAR", details={"motivo": long})
    cell = _cells(client.get(EVENTS).content.decode(), "AU-LONG")["motivo_nota"]
    assert cell.startswith(f'<span title="{long}">') and cell.endswith("…</span>")
    assert len(cell) < len(long) * 2


def test_audit_list_runs_the_same_queries_for_6_rows_or_46(client, supervisor, audit_trail, make_worker):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(EVENTS).status_code == 200
    actor = supervisor
    for i in range(40):
        worker = make_worker(id=200 + i)
        _event(f"AU-N{i:02d}", "COMPLETAR_METROLOGIA", operacion="METROLOGIA", accion="COMPLETAR",
               worker=worker, worker_token=worker.token, actor=actor,
               details={"resultado": "RECHAZADO", "defecto": "FISURA", "defecto_nombre": "Fisura",
                        "nota": f"nota {i}"})  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        page = client.get(EVENTS).content.decode()
    assert "AU-N39" in page and _cells(page, "AU-N39")["actor"] == "jefe"
    # The worker filter lists workers once per page; rows add nothing.
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_audit_list_filters_have_names_and_work(client, supervisor, audit_trail):
    page = client.get(EVENTS).content.decode()
    assert 'href="?operacion="' not in page  # the empty link axe reported
    assert re.search(r'href="\?operacion=ninguna"[^>]*>\s*Sin operación', page)
    assert re.search(r'href="\?evento_tipo=SUPERVISOR_OVERRIDE"[^>]*>\s*Supervisor desbloqueó el spool', page)
    assert not re.search(
        r'<a (?![^>]*(?:title|aria-label)=)[^>]*href="[^"]*"[^>]*>\s*</a>', page
    )  # all named
    assert re.search(r'href="\?worker__isnull=True"[^>]*>\s*Sin trabajador', page)

    def tags(query):
        found = re.findall(r'<td class="field-tag">([^<]+)</td>', client.get(EVENTS, query).content.decode())
        return sorted(found)

    assert tags({"operacion": "ninguna"}) == ["AU-ACK", "AU-CALL"]
    assert tags({"operacion": "REPARACION"}) == ["AU-SUP"]
    assert tags({"resultado": "RECHAZADO"}) == ["AU-REJ"]
    assert tags({"evento_tipo": "COMPLETAR_METROLOGIA"}) == ["AU-OK", "AU-REJ"]
