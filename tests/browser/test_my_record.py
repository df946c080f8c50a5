"""«Mi registro» in a real browser: a worker takes and completes a spool, then opens their record."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, TABLET
from tests.browser.test_kiosk import _axe, act, identify, login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("size_name, size", [("tablet", TABLET), ("desktop", DESKTOP)])
def test_worker_sees_today_in_mi_registro_and_it_passes_axe(
    live_server, page, tablet_account, make_worker, make_spool, screenshot, size_name, size
):
    make_worker(id=90, nombre="Valentina", apellido="Soto", roles=["Armador"])
    make_spool(tag_spool="MR-1")
    make_spool(tag_spool="MR-2")
    page.set_viewport_size(size)
    login(page, live_server)
    identify(page, "ARM", 90)
    act(page, "MR-1", "TOMAR")
    identify(page, "ARM", 90)
    act(page, "MR-1", "COMPLETAR")
    identify(page, "ARM", 90)
    act(page, "MR-2", "TOMAR")
    identify(page, "ARM", 90)
    page.click("header a:has-text('Mi registro')")
    page.wait_for_selector("[data-testid=today]")
    today = page.inner_text("[data-testid=today]")
    assert "MR-1" in today and "MR-2" in today and "1 completado" in today and "en curso" in today
    assert _axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"kiosk-{size_name}-mi-registro")
