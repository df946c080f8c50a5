"""The kiosk in a real browser (Chromium via Playwright): clicks only, as a worker would."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from spools.models import Event, Spool
from tests.browser.conftest import DESKTOP, TABLET

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
OPS = {"ARM": "ARM", "SOLD": "SOLD", "METROLOGIA": "METROLOGÍA", "REPARACION": "REPARACIÓN"}


def login(page, live_server) -> None:
    page.goto(f"{live_server.url}{reverse('kiosk:start')}")
    page.fill("#id_username", "tablet-1")
    page.fill("#id_password", "clave-tablet-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{reverse('kiosk:start')}")


def identify(page, op: str, worker_id: int) -> None:
    page.click(f"a.k-btn-op:has-text('{OPS[op]}')")
    page.click(f"button[name=worker_id][value='{worker_id}']")
    page.wait_for_selector("[data-testid=worker]")


def act(page, tag: str, action: str) -> str:
    """Tap the spool's action (and confirm, unless it runs on one tap); return the result's text."""
    if action in ("APROBADO", "RECHAZADO"):
        # A verdict is chosen, then confirmed; a rejection names its defect first.
        page.click(f"li[data-tag='{tag}'] .k-act-inspeccionar")
        page.click(f"[data-testid=elegir-{action.lower()}]")
        if action == "RECHAZADO":
            page.click("label.k-defect:has-text('Porosidad')")
        page.click("[data-testid=confirmar-veredicto]")
    elif action in ("TOMAR", "PAUSAR"):
        page.click(f"li[data-tag='{tag}'] .k-act-{action.lower()}")
    else:
        page.click(f"li[data-tag='{tag}'] .k-act-{action.lower()}")
        page.click("form[data-once] button[type=submit]")
    page.wait_for_selector("[data-testid=result-title]")
    text = page.inner_text("main")
    page.click("[data-testid=back]")
    page.wait_for_selector("a.k-btn-op")
    return text


def test_spool_goes_arm_sold_rejected_repaired_approved_by_clicks_only(
    live_server, page, tablet_account, crew, make_spool, defectos
):
    make_spool(tag_spool="MK-1335-CW-25238-011")
    page.set_viewport_size(TABLET)
    login(page, live_server)
    steps = [
        ("ARM", 90, "TOMAR", "listo"),
        ("ARM", 90, "COMPLETAR", "listo"),
        ("SOLD", 91, "TOMAR", "listo"),
        ("SOLD", 91, "COMPLETAR", "listo"),
        ("METROLOGIA", 97, "RECHAZADO", "Rechazado · espera reparación · intento 1 de 3"),
        ("REPARACION", 100, "TOMAR", "En reparación · intento 1 de 3"),
        ("REPARACION", 100, "COMPLETAR", "Reparado · espera metrología"),
        ("METROLOGIA", 97, "APROBADO", "Aprobado en metrología ✓"),
    ]
    for op, worker_id, action, expected in steps:
        identify(page, op, worker_id)
        assert expected in act(page, "MK-1335-CW-25238-011", action), (op, action)
    spool = Spool.objects.get(tag_spool="MK-1335-CW-25238-011")
    assert (spool.arm, spool.sold, spool.calidad, spool.ciclo) == ("completado", "completado", "aprobado", 0)
    assert Event.objects.filter(spool=spool).count() == len(steps)


def test_two_tablets_race_for_one_spool_one_wins_the_other_is_told_who(
    live_server, browser, tablet_account, make_worker, make_spool
):
    make_worker(id=90, nombre="Valentina", apellido="Soto", roles=["Armador"])
    make_worker(id=92, nombre="Pedro", apellido="Valenzuela", roles=["Armador"])
    make_spool(tag_spool="RACE-1")
    pages = []
    for worker_id in (90, 92):
        page = browser.new_context(viewport=TABLET, locale="es-CL").new_page()
        login(page, live_server)
        identify(page, "ARM", worker_id)
        page.wait_for_selector("li[data-tag='RACE-1'] form[data-once]")
        pages.append(page)
    # Both tap TOMAR at once: submit both forms before waiting for either answer.
    for page in pages:
        page.evaluate(
            "(() => { const f = document.querySelector(\"li[data-tag='RACE-1'] form[data-once]\");"
            " f.requestSubmit(f.querySelector('.k-act-tomar')); })()"
        )
    texts = []
    for page in pages:
        page.wait_for_selector("[data-testid=result-title]")
        texts.append(page.inner_text("main"))
    winners = [t for t in texts if "TOMAR: listo" in t]
    losers = [t for t in texts if "no se pudo" in t]
    assert len(winners) == 1 and len(losers) == 1, texts
    holder = Spool.objects.select_related("ocupado_por").get(tag_spool="RACE-1").ocupado_por
    assert f"ocupado por {holder.token}" in losers[0]
    assert Event.objects.filter(tag_spool="RACE-1").count() == 1


def test_result_screen_returns_to_start_by_itself_unless_asked_to_stay(
    live_server, page, tablet_account, crew, make_spool, settings
):
    settings.ZEUES_KIOSK_RESULT_SECONDS = 2
    make_spool(tag_spool="AUTO-1")
    make_spool(tag_spool="AUTO-2")
    login(page, live_server)
    identify(page, "ARM", 90)
    page.click("li[data-tag='AUTO-1'] .k-act-tomar")
    page.wait_for_selector("[data-testid=result-title]")
    page.wait_for_url(f"{live_server.url}{reverse('kiosk:start')}", timeout=6000)
    identify(page, "ARM", 90)
    page.click("li[data-tag='AUTO-2'] .k-act-tomar")
    page.click("[data-stop-countdown]")
    page.wait_for_timeout(3000)
    assert resolve(urlsplit(page.url).path).view_name == "kiosk:result"


def test_idle_tablet_returns_to_start_and_forgets_the_worker(
    live_server, page, tablet_account, crew, settings
):
    settings.ZEUES_KIOSK_IDLE_SECONDS = 2
    login(page, live_server)
    identify(page, "ARM", 90)
    page.wait_for_url(f"{live_server.url}{reverse('kiosk:start')}", timeout=6000)
    assert page.locator("[data-testid=worker]").count() == 0
    page.goto(f"{live_server.url}{reverse('kiosk:list', kwargs={'op': 'ARM'})}")
    assert page.url.endswith(reverse("kiosk:identify", kwargs={"op": "ARM"}))


def test_double_tap_and_network_retry_act_once(live_server, page, tablet_account, crew, make_spool):
    make_spool(tag_spool="TAP-1")
    make_spool(tag_spool="TAP-2")
    login(page, live_server)
    identify(page, "ARM", 90)
    page.dblclick("li[data-tag='TAP-1'] .k-act-tomar")
    page.wait_for_selector("[data-testid=result-title]")
    assert Event.objects.filter(tag_spool="TAP-1").count() == 1
    page.goto(f"{live_server.url}{reverse('kiosk:confirm', kwargs={'op': 'ARM'})}?accion=TOMAR&tag=TAP-2")
    # A flaky network: the same form data sent twice at once.
    statuses = page.evaluate(
        """async () => {
            const form = document.querySelector('form[data-once]');
            const send = () => fetch(form.action, {method: 'POST', body: new FormData(form), redirect: 'manual'});
            const answers = await Promise.all([send(), send()]);
            return answers.map(a => a.type);
        }"""
    )
    assert statuses == ["opaqueredirect", "opaqueredirect"]
    assert Event.objects.filter(tag_spool="TAP-2").count() == 1


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))"
    )
    return [v for v in json.loads(result)["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("size_name, size", [("tablet", TABLET), ("desktop", DESKTOP)])
def test_every_kiosk_page_passes_axe_and_fits_the_screen(
    live_server, page, tablet_account, crew, make_spool, screenshot, size_name, size
):
    crew["armador"].set_pin("2468")
    crew["armador"].save()
    make_spool(tag_spool="AX-FREE")
    make_spool(tag_spool="AX-NOMAT", fecha_materiales=None)
    make_spool(
        tag_spool="AX-MINE",
        arm="en_progreso",
        ocupado_por=crew["soldador"],
        fecha_ocupacion=timezone.now(),
        operacion_actual="ARM",
    )
    page.set_viewport_size(size)
    page.goto(f"{live_server.url}{reverse('kiosk:start')}")
    checks: dict[str, list] = {}

    def check(name: str) -> None:
        checks[name] = _axe(page)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            f"{name} scrolls sideways"
        )
        small = page.evaluate(
            "[...document.querySelectorAll('main .k-btn, header .k-btn, .k-check, .k-bar .k-btn')].filter(b => b.offsetParent && "
            "(b.getBoundingClientRect().height < 64 || b.getBoundingClientRect().width < 64)).map(b => b.textContent.trim())"
        )
        assert small == [], f"{name}: touch targets too small: {small}"
        screenshot(page, f"kiosk-{size_name}-{name}")

    check("login")
    login(page, live_server)
    check("start")
    page.click("a.k-btn-op:has-text('ARM')")
    check("identify")
    page.click("button[name=worker_id][value='90']")
    check("pin")
    page.fill("#id_pin", "2468")
    page.click("button[type=submit]:has-text('OK')")
    page.wait_for_selector("[data-testid=worker]")
    check("list")
    page.click("li[data-tag='AX-FREE'] .k-act-tomar")  # one tap: no confirmation for TOMAR
    page.wait_for_selector("[data-testid=result-title]")
    check("result")
    page.goto(f"{live_server.url}{reverse('kiosk:my-spools')}")
    check("my-spools")
    page.click("li[data-tag='AX-FREE'] .k-act-completar")
    page.wait_for_selector("form[data-once]")
    check("confirm")
    page.goto(f"{live_server.url}{reverse('kiosk:spool', kwargs={'tag': 'AX-FREE'})}")
    check("spool")
    page.goto(f"{live_server.url}{reverse('kiosk:spool', kwargs={'tag': 'NOPE'})}")
    check("not-found")
    assert {name: v for name, v in checks.items() if v} == {}
