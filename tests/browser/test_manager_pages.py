"""The manager pages in a real browser: KPIs with their charts and downloads, a spool's history.

Both must fit a 601 px tablet without sideways scrolling (wide tables scroll inside their box),
draw their SVG bars where the numbers say, download a real workbook, and pass axe-core.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from spools.models import EventType
from tests.browser.conftest import DESKTOP, TABLET
from tests.browser.test_kiosk import _axe
from zeues.reports.tests import kpi_shop
from zeues.reports.tests.kpi_shop import DAY, ev
from zeues.reports.tests.kpi_shop import at as kpi_at

pytestmark = pytest.mark.django_db(transaction=True)
shop = kpi_shop.shop  # the hand-computed KPI fixture, used here as a fixture of this module
joint_shop = kpi_shop.joint_shop  # the same, with spools made of joints (PD per worker)
PERIOD = f"desde={DAY}&hasta=2026-03-04"


@pytest.fixture
def manager_login(live_server, page, django_user_model):
    user = django_user_model.objects.create_user(username="gerente", password="clave-gerente-123")
    user.groups.add(Group.objects.get_or_create(name="Gerencia")[0])

    def login() -> None:
        page.goto(f"{live_server.url}{reverse('login')}")
        page.fill("input[name=username]", "gerente")
        page.fill("input[name=password]", "clave-gerente-123")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}{reverse('index')}")

    return login


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _serious(violations: list[dict]) -> list[str]:
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("size_name, size", [("tablet", TABLET), ("desktop", DESKTOP)])
def test_kpi_page_draws_its_charts_fits_and_downloads_a_workbook(
    live_server,
    page,
    shop,
    manager_login,
    screenshot,
    size_name,
    size,
    joint_shop,
):
    page.set_viewport_size(size)
    manager_login()
    page.goto(f"{live_server.url}{reverse('kpis')}?{PERIOD}")
    # The joint sections have data, so axe and the fit check below cover them too.
    assert page.locator("[data-testid=pd_arm] tbody tr").count() == 3  # fitters A, C and D
    bars = page.locator("[data-testid=chart-completados] rect")
    assert bars.count() == 9  # 3 days x ARM, SOLD, METROLOGIA
    first, second = bars.nth(0).bounding_box(), bars.nth(1).bounding_box()
    # Drawn where the numbers say: side by side and 2 spools tall (a localised "44,6" is dropped).
    assert first["width"] > 2 and first["height"] > 20 and second["x"] > first["x"] + first["width"] - 1
    assert _fits(page), "sideways scroll on the KPI page"
    assert page.locator("#calidad th", has_text="% a la primera").first.is_visible()
    assert not _serious(_axe(page))
    screenshot(page, f"gerencia-{size_name}")
    with page.expect_download() as download:
        page.click("[data-testid=download-all]")
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True)
    assert download.value.suggested_filename == "zeues-kpis-20260302-20260304.xlsx"
    rows = list(book["Horas por trabajador"].iter_rows(values_only=True))
    assert (2, "BS(2) Beto Soto", "SOLD", 2, 6.0) in rows


@pytest.mark.parametrize("size_name, size", [("tablet", TABLET), ("desktop", DESKTOP)])
def test_spool_history_fits_the_tablet_and_passes_axe(
    live_server,
    page,
    shop,
    manager_login,
    screenshot,
    size_name,
    size,
):
    from spools.models import Spool

    s2 = Spool.objects.get(tag_spool="S2")
    ev(
        s2,
        EventType.LIBERACION_FORZADA,
        shop["B"],
        "REPARACION",
        kpi_at(1, 9),
        motivo="Fin de turno",
        supervisor="jefa",
    )
    page.set_viewport_size(size)
    manager_login()
    page.goto(f"{live_server.url}{reverse('history-search')}")
    page.fill("input[name=q]", "S2")
    page.keyboard.press("Enter")
    page.click("a:has-text('S2')")
    page.wait_for_selector("[data-testid=sessions]")
    assert "BS(2) Beto Soto" in page.inner_text("[data-testid=sessions]")
    assert "RECHAZADO" in page.inner_text("[data-testid=metrologia]")
    assert "Fin de turno" in page.inner_text("[data-testid=supervisor]")
    assert _fits(page), "sideways scroll on the history page"
    # Every column is there on the tablet too (wide tables scroll in their box; none is hidden).
    for table, header in (("totals", "Tiempo en pausa"), ("sessions", "Fin"), ("metrologia", "Ciclo")):
        assert page.locator(f"[data-testid={table}] th", has_text=header).first.is_visible(), header
    assert not _serious(_axe(page))
    screenshot(page, f"historial-{size_name}")
