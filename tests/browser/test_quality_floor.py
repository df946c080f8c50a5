"""The inspector's verdict and a blocked spool in Chromium, at tablet and desktop size.

A verdict is never one tap: choose, (for a rejection) name the defect, confirm. A rejection's
defect, note and photo reach the repairer; the blocking rejection is an alert, and a blocked
spool offers the supervisor call instead of operations.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from spools.models import Alerta, Spool
from tests.browser.conftest import DESKTOP, TABLET
from tests.browser.test_kiosk import _axe, identify, login

pytestmark = pytest.mark.django_db(transaction=True)
SIZES = [("tablet", TABLET), ("desktop", DESKTOP)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _too_small(page, selector: str) -> list[str]:
    boxes = page.eval_on_selector_all(
        selector,
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [e.textContent.trim(), r.width, r.height]; })",
    )
    return [text for text, w, h in boxes if w < 64 or h < 64]


@pytest.mark.parametrize(("size_name", "size"), SIZES)
def test_a_rejection_is_chosen_explained_and_confirmed(
    live_server, page, tablet_account, crew, make_spool, defectos, tmp_path, screenshot, size_name, size
):
    make_spool(tag_spool="QF-1", arm="completado", sold="completado")
    page.set_viewport_size(size)
    login(page, live_server)
    identify(page, "METROLOGIA", 97)
    taps = 0
    page.click("li[data-tag='QF-1'] .k-act-inspeccionar")
    taps += 1
    assert not _axe(page) and _no_sideways_scroll(page)
    page.click("[data-testid=elegir-rechazado]")
    taps += 1
    assert Spool.objects.get(tag_spool="QF-1").calidad == "pendiente"  # two taps, nothing recorded yet
    assert not _too_small(page, "label.k-defect") and not _axe(page) and _no_sideways_scroll(page)
    page.click("[data-testid=confirmar-veredicto]")  # no defect chosen: the browser asks for one
    assert page.locator("[data-testid=confirmar-veredicto]").is_visible()
    assert Spool.objects.get(tag_spool="QF-1").calidad == "pendiente"
    page.click("label.k-defect:has-text('Falta de fusión')")
    taps += 1
    page.fill("textarea[name=nota]", "unión 4, raíz")
    photo = tmp_path / "camara.png"
    Image.new("RGB", (3000, 2000), (90, 90, 90)).save(photo)
    page.set_input_files("input[name=foto]", str(photo))
    screenshot(page, f"kiosk-rechazo-{size_name}")
    page.click("[data-testid=confirmar-veredicto]")
    taps += 1
    page.wait_for_selector("[data-testid=result-title]")
    assert taps == 4  # INSPECCIONAR, RECHAZADO, the defect, Confirmar (the note and photo aside)
    spool = Spool.objects.with_people().get(tag_spool="QF-1")
    assert (spool.calidad, spool.rechazo_defecto.codigo, spool.rechazo_nota) == (
        "rechazado",
        "FALTA_FUSION",
        "unión 4, raíz",
    )
    assert spool.rechazo_foto.endswith(".jpg")


@pytest.mark.parametrize(("size_name", "size"), SIZES)
def test_an_approval_asks_once_more_before_it_is_final(
    live_server, page, tablet_account, crew, make_spool, size_name, size
):
    make_spool(tag_spool="QF-2", arm="completado", sold="completado")
    page.set_viewport_size(size)
    login(page, live_server)
    identify(page, "METROLOGIA", 97)
    page.click("li[data-tag='QF-2'] .k-act-inspeccionar")
    page.click("[data-testid=elegir-aprobado]")
    assert "¿APROBADO definitivo" in page.inner_text("main") and not _axe(page)
    assert Spool.objects.get(tag_spool="QF-2").calidad == "pendiente"
    page.click("[data-testid=confirmar-veredicto]")
    page.wait_for_selector("[data-testid=result-title]")
    assert Spool.objects.get(tag_spool="QF-2").calidad == "aprobado"


@pytest.mark.parametrize(("size_name", "size"), SIZES)
def test_the_blocking_rejection_is_an_alert_and_the_blocked_spool_calls_a_supervisor(
    live_server, page, tablet_account, crew, make_spool, defectos, screenshot, size_name, size
):
    make_spool(tag_spool="QF-B", arm="completado", sold="completado", calidad="pendiente_metrologia", ciclo=2)
    page.set_viewport_size(size)
    login(page, live_server)
    identify(page, "METROLOGIA", 97)
    page.click("li[data-tag='QF-B'] .k-act-inspeccionar")
    page.click("[data-testid=elegir-rechazado]")
    page.click("label.k-defect:has-text('Porosidad')")
    page.click("[data-testid=confirmar-veredicto]")
    alert = page.wait_for_selector("[data-testid=bloqueo-alerta]")
    assert alert.get_attribute("role") == "alert" and "QF-B quedó BLOQUEADO" in alert.inner_text()
    assert page.locator("[data-countdown]").count() == 0 and not _axe(page)
    screenshot(page, f"kiosk-bloqueo-resultado-{size_name}")
    # The block already called the supervisors: the spool's page says so, and offers no operation.
    page.goto(f"{live_server.url}{reverse('kiosk:spool', kwargs={'tag': 'QF-B'})}")
    block = page.inner_text("[data-testid=bloqueado]")
    assert "BLOQUEADO tras 3 rechazos seguidos" in block and "Porosidad" in block
    assert page.locator("[data-testid=avisado]").is_visible() and page.locator(".k-btn-op").count() == 0
    assert not _axe(page) and _no_sideways_scroll(page)
    screenshot(page, f"kiosk-bloqueado-{size_name}")
    Alerta.objects.update(atendida_en=Alerta.objects.get().creada_en)  # answered: the call comes back
    page.reload()
    page.click("[data-testid=llamar]")
    page.wait_for_selector("[data-testid=avisado]")
    assert Alerta.objects.abiertas().get(spool__tag_spool="QF-B").motivo == Alerta.LLAMADA


def test_the_repairer_reads_the_reason_on_the_row_before_taking(
    live_server, page, tablet_account, crew, make_spool, defectos, settings, tmp_path
):
    from metrologia.services import spool_inspect
    from zeues.lib import photos

    out = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 0, 0)).save(out, "PNG")
    from django.core.files.uploadedfile import SimpleUploadedFile

    name = photos.store(SimpleUploadedFile("f.png", out.getvalue()), folder="rechazos")
    spool = make_spool(tag_spool="QF-R", arm="completado", sold="completado")
    spool_inspect(
        spool=spool,
        worker=crew["inspector"],
        resultado="RECHAZADO",
        defecto="SOCAVACION",
        nota="lado norte",
        foto=name,
    )
    page.set_viewport_size(TABLET)
    login(page, live_server)
    identify(page, "REPARACION", 100)
    brief = page.inner_text("li[data-tag='QF-R'] [data-testid=rechazo]")
    assert "Socavación" in brief and "«lado norte»" in brief
    # The thumbnail really loads (it is lazy: wait for it rather than read it mid-load).
    page.wait_for_function(
        "() => { const i = document.querySelector(\"li[data-tag='QF-R'] [data-testid=rechazo] img\");"
        " return i && i.complete && i.naturalWidth > 0; }",
        timeout=10_000,
    )
    assert not _too_small(page, "li[data-tag='QF-R'] .k-rejection-photo") and not _axe(page)
