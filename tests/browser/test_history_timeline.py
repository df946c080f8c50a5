"""A spool's timeline (/historial/<tag>/) in Chromium, on a 601 px tablet and a 1280 px desktop.

Two weeks of one spool's life: ARM with pauses by two fitters, SOLD force-released and finished,
three rejections with their defects (the third blocks), a call to a supervisor and its answer,
the unblock (which starts the series again), and a repair still in progress. The timeline must be visible with its bars where the
times say, fit the screen, keep its labels apart, say no code, and pass axe-core.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from spools.models import EventType
from tests.browser.conftest import ARTIFACTS, DESKTOP, TABLET
from tests.browser.test_kiosk import _axe
from zeues.reports.tests.kpi_shop import ev

pytestmark = pytest.mark.django_db(transaction=True)
E = EventType
TAG = "MK-1400-TL-001"


@pytest.fixture
def two_weeks(make_worker, make_spool):
    """The spool described in the module docstring; returns the first ARM session's times."""
    ana, carla = (
        make_worker(id=1, nombre="Ana", apellido="Araya"),
        make_worker(id=3, nombre="Carla", apellido="Diaz"),
    )
    beto, ines = (
        make_worker(id=2, nombre="Beto", apellido="Soto"),
        make_worker(id=9, nombre="Ines", apellido="Mora"),
    )
    now = timezone.localtime()
    held_since = now - datetime.timedelta(hours=3)
    spool = make_spool(
        tag_spool=TAG, arm="completado", sold="completado", calidad="en_reparacion", ciclo=0,
        ocupado_por=beto, fecha_ocupacion=held_since, operacion_actual="REPARACION",
    )  # fmt: skip
    day0 = (now - datetime.timedelta(days=13)).replace(hour=0, minute=0, second=0, microsecond=0)

    def t(day: int, hour: float) -> datetime.datetime:
        return day0 + datetime.timedelta(days=day, hours=hour)

    story = [
        (E.TOMAR_SPOOL, ana, "ARM", t(0, 8), {}),
        (E.PAUSAR_SPOOL, ana, "ARM", t(0, 12), {}),
        (E.TOMAR_SPOOL, ana, "ARM", t(0, 14), {}),
        (E.PAUSAR_SPOOL, ana, "ARM", t(0, 17), {}),
        (E.TOMAR_SPOOL, carla, "ARM", t(1, 8), {}),
        (E.COMPLETAR_ARM, carla, "ARM", t(1, 16), {}),
        (E.TOMAR_SPOOL, beto, "SOLD", t(2, 8), {}),
        (E.LIBERACION_FORZADA, beto, "SOLD", t(2, 19), {"motivo": "Fin de turno", "supervisor": "jefa"}),
        (E.TOMAR_SPOOL, beto, "SOLD", t(3, 8), {}),
        (E.COMPLETAR_SOLD, beto, "SOLD", t(3, 17), {}),
        (E.COMPLETAR_METROLOGIA, ines, "METROLOGIA", t(4, 10),
         {"resultado": "RECHAZADO", "ciclo": 1, "defecto_nombre": "Porosidad"}),
        (E.TOMAR_REPARACION, beto, "REPARACION", t(5, 8), {}),
        (E.COMPLETAR_REPARACION, beto, "REPARACION", t(5, 12), {}),
        (E.COMPLETAR_METROLOGIA, ines, "METROLOGIA", t(6, 10),
         {"resultado": "RECHAZADO", "ciclo": 2, "defecto_nombre": "Socavación en la raíz"}),
        (E.TOMAR_REPARACION, beto, "REPARACION", t(7, 8), {}),
        (E.COMPLETAR_REPARACION, beto, "REPARACION", t(7, 15), {}),
        (E.COMPLETAR_METROLOGIA, ines, "METROLOGIA", t(8, 10),
         {"resultado": "RECHAZADO", "ciclo": 3, "defecto_nombre": "Falta de fusión"}),
        (E.SPOOL_BLOQUEADO, ines, "METROLOGIA", t(8, 10), {"resultado": "RECHAZADO", "ciclo": 3}),
        (E.ALERTA_SUPERVISOR, beto, "", t(8, 11), {"motivo": "LLAMADA", "mensaje": "¿Qué hago con este?"}),
        (E.ALERTA_ATENDIDA, None, "", t(9, 9), {"respuesta": "Lo reviso", "supervisor": "jefa"}),
        (E.SUPERVISOR_OVERRIDE, None, "REPARACION", t(10, 9), {"motivo": "Revisado en terreno", "supervisor": "jefa"}),
        (E.TOMAR_REPARACION, beto, "REPARACION", held_since, {}),
    ]  # fmt: skip
    for tipo, worker, op, when, details in story:
        ev(spool, tipo, worker, op, when, **details)
    return {"first": (t(0, 8), t(0, 12)), "now": now}


@pytest.fixture
def manager(live_server, page, django_user_model):
    user = django_user_model.objects.create_user(username="gerente", password="clave-gerente-123")
    user.groups.add(Group.objects.get_or_create(name="Gerencia")[0])
    page.goto(f"{live_server.url}{reverse('login')}")
    page.fill("input[name=username]", "gerente")
    page.fill("input[name=password]", "clave-gerente-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{reverse('index')}")
    return page


# Visible text boxes of the drawing, and pairs of them that overlap by more than a pixel.
OVERLAPS = """() => {
  const boxes = [...document.querySelectorAll('svg.tl text')]
    .filter(t => getComputedStyle(t).display !== 'none')
    .map(t => ({text: t.textContent, cls: t.getAttribute('class'), r: t.getBoundingClientRect()}));
  const out = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i].r, b = boxes[j].r;
    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (w > 1 && h > 1) out.push([boxes[i].text, boxes[j].text]);
  }
  return {count: boxes.length, overlaps: out};
}"""
# Every worker label inside its own bar; every text inside the drawing.
CONTAINED = """() => {
  const svg = document.querySelector('svg.tl').getBoundingClientRect();
  const bars = [...document.querySelectorAll('svg.tl rect.bar')].map(r => r.getBoundingClientRect());
  const inside = (a, b) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5 && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;
  const texts = [...document.querySelectorAll('svg.tl text')].filter(t => getComputedStyle(t).display !== 'none');
  return {
    loose: [...document.querySelectorAll('svg.tl text.bl')].filter(t => !bars.some(b => inside(t.getBoundingClientRect(), b))).map(t => t.textContent),
    outside: texts.filter(t => !inside(t.getBoundingClientRect(), svg)).map(t => t.textContent),
  };
}"""


@pytest.mark.parametrize("size_name, size", [("tablet", TABLET), ("desktop", DESKTOP)])
def test_timeline_is_drawn_fits_keeps_labels_apart_and_passes_axe(
    live_server, manager, two_weeks, screenshot, size_name, size
):
    page = manager
    page.set_viewport_size(size)
    page.goto(f"{live_server.url}{reverse('history', kwargs={'tag': TAG})}")
    svg = page.locator("svg[data-testid=timeline]")
    assert svg.is_visible()
    assert svg.get_attribute("role") == "img" and TAG in svg.get_attribute("aria-label")
    box = svg.bounding_box()
    assert box["width"] > size["width"] * 0.85  # the drawing uses the page's width
    bars = page.locator("svg.tl rect.bar")
    assert bars.count() == 8  # 3 ARM + 2 SOLD + 3 REPARACIÓN sessions, none grouped at this scale
    # Ana's first ARM session, 08:00-12:00 on day 0: drawn where its times say on this screen.
    first = page.locator("svg.tl rect.bar.arm").first.bounding_box()
    start, end = two_weeks["first"]
    t0 = start.timestamp()
    t1 = two_weeks["now"].timestamp()
    # The axis spans t0..now with 2 % of empty width at each end (zeues/front/timeline.py).
    per_s = box["width"] * 0.96 / (t1 - t0)
    assert first["x"] - box["x"] == pytest.approx(box["width"] * 0.02, abs=2)
    assert first["width"] == pytest.approx(max((end - start).total_seconds() * per_s, 3), abs=1.5)
    assert page.locator("svg.tl rect.bar.rep.open").count() == 1  # the repair in progress
    assert page.locator("svg.tl g.mk.ko").count() == 3 and page.locator("svg.tl g.mk.ok").count() == 0
    assert page.locator("svg.tl g.mk.sup").count() == 2  # the force release and the unblock
    assert (
        page.locator("svg.tl g.mk.alerta").count() == 1 and page.locator("svg.tl g.mk.atendida").count() == 1
    )
    assert "Porosidad" in page.locator("svg.tl text.ml.ko").all_text_contents()  # in red, beside its ✕
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "sideways scroll"
    texts = page.evaluate(OVERLAPS)
    assert texts["count"] > 10 and texts["overlaps"] == [], texts["overlaps"]
    assert page.evaluate(CONTAINED) == {"loose": [], "outside": []}
    body = page.inner_text("main")
    for code in ("COMPLETAR_", "SUPERVISOR_OVERRIDE", "LIBERACION_FORZADA", "TAG_SPOOL", "REPARACION "):
        assert code not in body, code
    assert "Supervisor desbloqueó el spool · REPARACIÓN" in page.inner_text("[data-testid=supervisor]")
    assert "Socavación en la raíz" in page.inner_text("[data-testid=metrologia]")
    # Tablets have no hover: a tap writes the bar's tooltip under the chart.
    page.locator("svg.tl rect.bar.arm").first.click()
    detail = page.inner_text("[data-testid=timeline-detail]")
    assert detail.startswith("AA(1) Ana Araya · ARM · ") and "04:00:00 · Pausó" in detail
    assert _axe(page) == []  # no serious or critical violation
    screenshot(page, f"history-timeline-{size_name}")  # the whole page
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"history-timeline-{size_name}-screen.png"))  # what one sees
