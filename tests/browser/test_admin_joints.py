"""A supervisor adds a joint and voids a worked one in Django admin, in a real browser; the audit
list shows both with who and why."""

import importlib
import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from spools.models import EstadoOperacion, Event, EventType, Spool, Union
from tests.browser.conftest import DESKTOP
from tests.browser.test_kiosk import AXE, _axe

UNION_PERMISSIONS = importlib.import_module(
    "spools.migrations.0015_supervisores_union_permissions"
).PERMISSIONS


def _axe_in(page, selector: str) -> list[dict]:
    """Serious and critical axe findings inside `selector`. The spool's page as a whole has one of
    Django's own: the date widget's "Hoy" link is labelled "Today (…)" (label-content-name-mismatch)."""
    page.add_script_tag(path=str(AXE))
    script = "async (s) => JSON.stringify(await axe.run(s, {resultTypes: ['violations']}))"
    found = json.loads(page.evaluate(script, selector))["violations"]
    return [v for v in found if v["impact"] in ("serious", "critical")]


def _fits(page) -> bool:
    """Neither the page nor the joints' table scrolls sideways (the table's wrapper would clip it)."""
    return page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth && [...document.querySelectorAll("
        "'#uniones-group .wrapper')].every(w => w.scrollWidth <= w.clientWidth)"
    )


@pytest.mark.django_db(transaction=True)
def test_supervisor_adds_a_joint_and_voids_a_worked_one_with_a_reason(
    live_server, page, django_user_model, supervisores_group, crew, make_spool, make_joints, screenshot
):
    for app_label, codename in UNION_PERMISSIONS:
        supervisores_group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    boss = django_user_model.objects.create_user(
        username="supervisora", password="clave-segura-123", is_staff=True
    )
    boss.groups.add(supervisores_group)
    fitter = crew["armador"]
    spool = make_spool(tag_spool="MK-1335-CW-25238-020", arm="pausado")
    make_joints(spool, [(1, "2", "BW", {"arm": fitter}), (2, "3", "SO", {"arm": fitter}), (3, "2,5", "FW")])
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}{reverse('admin:index')}")
    page.fill("input[name=username]", "supervisora")
    page.fill("input[name=password]", "clave-segura-123")
    page.click("input[type=submit]")
    spool_page = f"{live_server.url}{reverse('admin:spools_spool_change', args=[spool.pk])}"
    page.goto(spool_page)
    assert "ARM 2/3 · SOLD 0/2" in page.inner_text("#uniones-heading")
    assert not _axe_in(page, "#uniones-group") and _fits(page)

    page.click("text=Agregar unión")
    assert page.input_value("input[name=n_union]") == "4"
    page.fill("input[name=dn]", "1 1/2")
    page.fill("input[name=tipo]", "bw")
    page.fill("textarea[name=motivo]", "Rev. B del plano")
    assert not _axe(page)
    page.click("input[type=submit]")
    page.wait_for_selector(".messagelist")
    assert "Unión #4 agregada a MK-1335-CW-25238-020: DN 1,5, BW." in page.inner_text(".messagelist")
    assert "1,5" in page.inner_text("tr[data-n-union='4']")

    page.get_by_role("link", name="Anular la unión #1").click()
    page.click("input[type=submit]")  # no reason: refused, nothing written
    page.wait_for_selector(".errorlist")
    assert "Este campo es obligatorio." in page.inner_text(".errorlist")
    assert not Union.objects.get(spool=spool, n_union=1).anulada
    page.fill("textarea[name=motivo]", "Cortada en terreno: se rehace")
    page.click("input[type=submit]")
    page.wait_for_selector(".messagelist")
    row = page.inner_text("tr[data-n-union='1']")
    assert "Anulada: Cortada en terreno: se rehace" in row and fitter.token in row
    assert "ARM 1/3 · SOLD 0/2" in page.inner_text("#uniones-heading") and _fits(page)
    screenshot(page, "admin-uniones")

    voided = Union.objects.get(spool=spool, n_union=1)
    assert voided.anulada and voided.arm_worker == fitter  # the work stays on record
    fresh = Spool.objects.get(pk=spool.pk)
    assert fresh.arm == EstadoOperacion.PAUSADO and (fresh.uniones_total, fresh.uniones_arm) == (3, 1)
    added = Event.objects.get(evento_tipo=EventType.UNION_AGREGADA)
    void = Event.objects.get(evento_tipo=EventType.UNION_ANULADA)
    assert (added.actor, added.details["motivo"]) == (boss, "Rev. B del plano")
    assert (void.actor, void.details["motivo"]) == (boss, "Cortada en terreno: se rehace")

    page.goto(f"{live_server.url}{reverse('admin:spools_event_changelist')}?q=MK-1335-CW-25238-020")
    trail = page.inner_text("#result_list")
    assert "Supervisor anuló una unión #1" in trail and "Cortada en terreno: se rehace" in trail
    assert "Supervisor agregó una unión #4" in trail and "Rev. B del plano — DN 1,5, BW" in trail
    assert trail.count("supervisora") == 2
    screenshot(page, "admin-uniones-auditoria")
