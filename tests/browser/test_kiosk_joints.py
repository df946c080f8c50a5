"""«Terminar» a spool with joints in Chromium at 601×962 and 1280×800: TOMAR, tick the joints,
the button says what the tap will do and the PD before it, the result says what was recorded;
64 px targets, axe, and a 20-joint spool without sideways scrolling."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from spools.models import EstadoOperacion, Spool, Union
from tests.browser.conftest import DESKTOP, TABLET
from tests.browser.test_kiosk import _axe, identify, login

pytestmark = pytest.mark.django_db(transaction=True)
SIZES = [("tablet", TABLET), ("desktop", DESKTOP)]
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
TAG = "MK-1300-CW-25000-001"
# PD 8 + 6 + 4 + 2,5 + 3.
JOINTS = [(1, "8", "SO"), (2, "6", "BR"), (3, "4", "FILL"), (4, "2.5", "BW"), (5, "3", "FW")]


def small_targets(page) -> list[str]:
    """Every visible button, link, tile and tick box under 64×64 px (bounding boxes)."""
    return page.evaluate(
        """[...document.querySelectorAll('a.k-btn, button, .k-joint, .k-joint-input, a.k-home')]
            .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
            .map(el => [el, el.getBoundingClientRect()])
            .filter(([el, r]) => r.width < 64 || r.height < 64)
            .map(([el, r]) => `${el.textContent.trim() || el.className} ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def button(page) -> str:
    return page.inner_text("[data-testid=finish-submit]").strip()


def open_finish(page) -> None:
    """From any kiosk screen with the worker identified: Mis spools → Terminar."""
    page.click("header a:has-text('Mis spools')")
    page.click(f"li[data-tag='{TAG}'] .k-act-terminar")
    page.wait_for_selector("[data-testid=finish]")


@pytest.mark.parametrize("size_name, size", SIZES)
def test_take_tick_two_pause_then_todas_completes(
    live_server, page, tablet_account, crew, make_spool, make_joints, screenshot, settings, size_name, size
):
    settings.ZEUES_KIOSK_RESULT_SECONDS = 120
    make_joints(make_spool(tag_spool=TAG), JOINTS)
    page.set_viewport_size(size)
    login(page, live_server)
    identify(page, "ARM", 90)
    assert page.inner_text(f"li[data-tag='{TAG}'] [data-testid=progreso]") == "ARM 0/5 · SOLD 0/4"
    page.click(f"li[data-tag='{TAG}'] .k-act-tomar")
    page.wait_for_selector("[data-testid=result-title]")
    page.click("header a:has-text('Mis spools')")
    row = page.locator(f"li[data-tag='{TAG}']")
    assert row.locator(".k-act-terminar").is_visible() and row.locator(".k-act-pausar").count() == 0
    open_finish(page)
    assert button(page) == "Liberar sin registrar"
    page.click("label.k-joint[data-n='1']")
    page.click("label.k-joint[data-n='4']")
    assert button(page) == "Pausar con 2 uniones"
    assert page.inner_text("[data-pd]") == "10,5" and page.inner_text("[data-ticked]") == "2"
    assert small_targets(page) == [] and no_sideways_scroll(page)
    assert _axe(page) == []
    page.screenshot(path=str(DOCS_IMG / f"kiosk-uniones-{size_name}.png"))
    screenshot(page, f"kiosk-uniones-{size_name}")
    page.click("[data-testid=finish-submit]")
    page.wait_for_selector("[data-testid=result-title]")
    assert "PAUSAR: listo" in page.inner_text("[data-testid=result-title]")
    assert page.inner_text("[data-testid=pd-result]") == "2 uniones registradas · 10,5 PD"
    assert "#1, #4" in page.inner_text(".k-results")
    assert _axe(page) == []
    if size_name == "tablet":
        page.screenshot(path=str(DOCS_IMG / "kiosk-uniones-resultado.png"))

    # Taken again: the two fitted joints are shown done; «Todas» ticks the other three.
    page.click("header a:has-text('Mis spools')")
    page.goto(f"{live_server.url}{reverse('kiosk:list', kwargs={'op': 'ARM'})}")
    assert page.inner_text(f"li[data-tag='{TAG}'] [data-testid=progreso]") == "ARM 2/5 · SOLD 0/4"
    page.click(f"li[data-tag='{TAG}'] .k-act-tomar")
    page.wait_for_selector("[data-testid=result-title]")
    open_finish(page)
    assert "armada por VS(90)" in page.inner_text(".k-joint[data-n='1']")
    page.click("[data-testid=todas]")
    assert button(page) == "Completar ARM" and page.inner_text("[data-pd]") == "13"
    page.click("label.k-joint[data-n='5']")
    assert button(page) == "Pausar con 2 uniones"
    page.click("label.k-joint[data-n='5']")
    assert button(page) == "Completar ARM"
    page.click("[data-testid=finish-submit]")
    page.wait_for_selector("[data-testid=result-title]")
    assert "COMPLETAR: listo" in page.inner_text("[data-testid=result-title]")
    spool = Spool.objects.get(tag_spool=TAG)
    assert spool.arm == EstadoOperacion.COMPLETADO and spool.uniones_arm == 5
    assert set(Union.objects.values_list("arm_worker_id", flat=True)) == {90}


def test_a_20_joint_sold_spool_fits_without_sideways_scroll(
    live_server, page, tablet_account, crew, make_spool, make_joints, screenshot
):
    fitter, welder = crew["armador"], crew["soldador"]
    sizes = ["0.75", "1", "1.5", "2", "2.5", "3", "4", "6", "8", "10", "12"]
    joints = []
    for n in range(1, 21):
        tipo = "FW" if n in (7, 15) else ("SO" if n % 3 == 0 else "BR" if n % 5 == 0 else "BW")
        work = {"arm": fitter} if n <= 16 else {}
        if n <= 5 and tipo != "FW":
            work["sold"] = welder
        joints.append((n, sizes[n % len(sizes)], tipo, work))
    make_joints(make_spool(tag_spool=TAG, arm="pausado", sold="pausado"), joints)
    login(page, live_server)
    page.set_viewport_size(TABLET)
    identify(page, "SOLD", 91)
    page.click(f"li[data-tag='{TAG}'] .k-act-tomar")
    page.wait_for_selector("[data-testid=result-title]")
    open_finish(page)
    assert page.locator("label.k-joint").count() == 9  # fitted 6–16, minus the FW #7 and #15
    page.click("label.k-joint[data-n='6']")
    page.click("label.k-joint[data-n='8']")
    page.click("label.k-joint[data-n='9']")
    assert button(page) == "Pausar con 3 uniones"
    page.click("[data-testid=todas]")
    assert button(page) == "Pausar con 9 uniones"  # #17–20 are not fitted yet: never «Completar»
    assert "sin armar" in page.inner_text(".k-joint[data-n='20']")
    assert page.inner_text(".k-joint[data-n='7'] .k-joint-note") == "FW: en terreno"
    assert "soldada por JG(91)" in page.inner_text(".k-joint[data-n='1']")
    for size_name, size in SIZES:
        page.set_viewport_size(size)
        assert no_sideways_scroll(page), (size_name, page.evaluate("document.scrollingElement.scrollWidth"))
        assert small_targets(page) == [], size_name
        assert _axe(page) == [], size_name
        page.screenshot(path=str(DOCS_IMG / f"kiosk-uniones-20-{size_name}.png"), full_page=True)
        screenshot(page, f"kiosk-uniones-20-{size_name}")
