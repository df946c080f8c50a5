"""A supervisor unblocks a BLOQUEADO spool in Django admin, in a real browser."""

import pytest
from django.urls import reverse
from django.utils import timezone

from spools.models import Event, Spool
from tests.browser.conftest import DESKTOP


@pytest.mark.django_db(transaction=True)
def test_supervisor_unblocks_a_spool_with_a_reason_in_admin(
    live_server, page, django_user_model, supervisores_group, make_worker, make_spool, screenshot
):
    boss = django_user_model.objects.create_user(
        username="supervisor", password="clave-segura-123", is_staff=True
    )
    boss.groups.add(supervisores_group)
    w = make_worker(id=93, nombre="Mauricio", apellido="Rodriguez", roles=["Armador"])
    blocked = make_spool(
        tag_spool="MK-1335-CW-25238-011", arm="completado", sold="completado", calidad="bloqueado", ciclo=3
    )
    make_spool(
        tag_spool="MK-1335-CW-25238-012", arm="completado", sold="completado", calidad="rechazado", ciclo=2
    )
    make_spool(
        tag_spool="MK-1335-CW-25238-013",
        arm="en_progreso",
        ocupado_por=w,
        fecha_ocupacion=timezone.now() - timezone.timedelta(hours=14),
        operacion_actual="ARM",
    )
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}{reverse('admin:index')}")
    page.fill("input[name=username]", "supervisor")
    page.fill("input[name=password]", "clave-segura-123")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}{reverse('admin:spools_spool_changelist')}")
    screenshot(page, "admin-spools-list")
    page.goto(f"{live_server.url}{reverse('admin:spools_spool_changelist')}?bloqueado=si")
    page.check(f"input[name=_selected_action][value='{blocked.pk}']")
    page.select_option("select[name=action]", "desbloquear")
    page.click("button[name=index]")
    page.wait_for_selector("textarea[name=motivo]")
    page.fill("textarea[name=motivo]", "Reinspección acordada con calidad")
    screenshot(page, "admin-desbloquear-motivo")
    page.click("input[name=confirmar]")
    page.wait_for_selector(".messagelist")
    assert "1 spool(s)" in page.inner_text(".messagelist")
    screenshot(page, "admin-desbloquear-hecho")
    fresh = Spool.objects.get(pk=blocked.pk)
    assert fresh.calidad == "rechazado" and fresh.ciclo == 0
    event = Event.objects.get(spool=blocked, evento_tipo="SUPERVISOR_OVERRIDE")
    assert event.actor == boss and event.details["motivo"] == "Reinspección acordada con calidad"
    page.goto(f"{live_server.url}{reverse('admin:spools_event_changelist')}")
    screenshot(page, "admin-eventos")
