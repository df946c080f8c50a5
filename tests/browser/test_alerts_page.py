"""The supervisors' side of an alert in a real browser: /alertas/, the board's banner, the admin
home's banner — each readable at 601×962 and 1280×800 with no serious accessibility problem —
and answering an alert from the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from metrologia.services import spool_inspect
from reparacion.services import alert_call
from spools.models import Alerta, Event, Spool
from tests.browser.conftest import DESKTOP, TABLET
from tests.browser.test_kiosk import _axe

pytestmark = pytest.mark.django_db(transaction=True)


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def shop(make_worker, make_spool, defectos, supervisores_group, django_user_model, settings):
    """A spool blocked by its third rejection (its alert open) and a repair whose worker called."""
    settings.ZEUES_MAX_CICLOS = 1
    inspector = make_worker(id=97, nombre="Óscar", apellido="Pérez", roles=["Metrologia"])
    caller = make_worker(id=103, nombre="Patricio", apellido="García", roles=[])
    blocked = make_spool(tag_spool="AL-BLOQ", arm="completado", sold="completado")
    spool_inspect(spool=blocked, worker=inspector, resultado="RECHAZADO", defecto="FISURA", nota="junta 3")
    repair = make_spool(
        tag_spool="AL-LLAMA", arm="completado", sold="completado", calidad="rechazado", ciclo=1
    )
    alert_call(spool=repair, worker=caller, mensaje="¿Cortamos la junta y rehacemos?")
    boss = django_user_model.objects.create_user(username="jefa", password="clave-segura-123", is_staff=True)
    boss.groups.add(supervisores_group)
    return boss


def _login(page, live_server, next_url: str) -> None:
    page.goto(f"{live_server.url}{reverse('admin:login')}?next={next_url}")
    page.fill("input[name=username]", "jefa")
    page.fill("input[name=password]", "clave-segura-123")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_url}")


@pytest.mark.parametrize("size_name, size", [("tablet", TABLET), ("desktop", DESKTOP)])
def test_the_alerts_page_board_and_admin_home_show_open_alerts_and_pass_axe(
    live_server, page, shop, screenshot, size_name, size
):
    page.set_viewport_size(size)
    _login(page, live_server, reverse("alerts"))
    cards = page.locator("[data-testid=alerta]")
    assert cards.count() == 2
    assert "BLOQUEADO" in cards.nth(0).inner_text() and "Fisura" in cards.nth(0).inner_text()
    assert "PG(103) llama a supervisión" in cards.nth(1).inner_text()
    assert "¿Cortamos la junta y rehacemos?" in cards.nth(1).inner_text()
    assert "Alertas (2)" in page.inner_text("header, nav, .topbar")
    assert not _axe(page) and _no_sideways_scroll(page)
    screenshot(page, f"alertas-{size_name}")

    page.goto(f"{live_server.url}{reverse('board')}")
    banner = page.locator("[data-testid=board-alerts]")
    assert "2 alertas para supervisores" in banner.inner_text() and "AL-BLOQ" in banner.inner_text()
    assert not _axe(page) and _no_sideways_scroll(page)

    page.goto(f"{live_server.url}{reverse('admin:index')}")
    assert "2 alertas para supervisores sin atender" in page.inner_text("#content")
    assert not _axe(page)
    screenshot(page, f"admin-inicio-alertas-{size_name}")


def test_answering_an_alert_closes_it_audited_and_leaves_the_block(live_server, page, shop):
    page.set_viewport_size(TABLET)
    _login(page, live_server, reverse("alerts"))
    card = page.locator("[data-testid=alerta][data-tag='AL-BLOQ']")
    card.locator("input[name=respuesta]").fill("Voy en 5 minutos")
    card.locator("button[type=submit]").click()
    page.wait_for_selector("text=Alerta de AL-BLOQ atendida.")
    assert page.locator("[data-testid=alerta]").count() == 1  # the call is still open
    assert "Voy en 5 minutos" in page.inner_text("main")  # under «atendidas»
    alerta = Alerta.objects.get(spool__tag_spool="AL-BLOQ")
    assert alerta.atendida_por == shop and alerta.respuesta == "Voy en 5 minutos"
    event = Event.objects.get(spool__tag_spool="AL-BLOQ", evento_tipo="ALERTA_ATENDIDA")
    assert event.actor == shop and event.details["respuesta"] == "Voy en 5 minutos"
    assert Spool.objects.get(tag_spool="AL-BLOQ").calidad == "bloqueado"  # answered, not unblocked
    page.goto(f"{live_server.url}{reverse('board')}")
    banner = page.locator("[data-testid=board-alerts]")
    assert "1 alerta para supervisores" in banner.inner_text() and "AL-BLOQ" not in banner.inner_text()
