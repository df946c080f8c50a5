"""The board (/tablero/, and ?tv=1 for the wall TV) and the admin audit list, in Chromium.

A shop like the demo's: 23 occupations forgotten ~10 days ago and today's work. The board must
show today's work first, fold the stale ones, fit a 601 px tablet and a 1280×800 TV without
sideways scrolling, turn the TV's pages by itself, and pass axe-core.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from spools.models import Event
from tests.browser.conftest import DESKTOP, TABLET
from tests.browser.test_kiosk import _axe

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = [("tablet", TABLET), ("desktop", DESKTOP)]
NAMES = [
    ("Valentina", "Soto Aravena"),
    ("Juan Carlos", "García Fuenzalida"),
    ("Mauricio", "Rodriguez"),
    ("María José", "Hernández Villalobos"),
    ("Luis", "Muñoz"),
    ("Óscar", "Pérez"),
]


@pytest.fixture
def shop(make_worker, make_spool, settings):
    """14 spools taken today (ARM, SOLD, repair), 23 stale ones from ~10 days ago, 9 blocked."""
    workers = [
        make_worker(id=90 + i, nombre=n, apellido=a, roles=["Armador"]) for i, (n, a) in enumerate(NAMES)
    ]
    now = timezone.now()
    ops = ["ARM", "SOLD", "ARM", "REPARACION", "SOLD", "ARM", "ARM"]
    for i in range(14):
        op = ops[i % len(ops)]
        extra = {"arm": "en_progreso"}
        if op == "SOLD":
            extra = {"arm": "completado", "sold": "en_progreso"}
        if op == "REPARACION":
            extra = {"arm": "completado", "sold": "completado", "calidad": "en_reparacion", "ciclo": 1}
        make_spool(
            tag_spool=f"MK-1335-CW-25238-{100 + i:03d}",
            ocupado_por=workers[i % len(workers)],
            fecha_ocupacion=now - datetime.timedelta(minutes=17 * i + 3),
            operacion_actual=op,
            **extra,
        )
    for i in range(23):
        make_spool(
            tag_spool=f"MK-1290-PW-11407-{i:03d}",
            arm="en_progreso",
            ocupado_por=workers[i % 3],
            fecha_ocupacion=now - datetime.timedelta(days=10, hours=i),
            operacion_actual="ARM",
        )
    for i in range(9):
        make_spool(
            tag_spool=f"MK-1335-CW-25300-{i:03d}",
            arm="completado",
            sold="completado",
            calidad="bloqueado",
            ciclo=3,
        )
    return workers


@pytest.fixture
def boss_login(live_server, page, django_user_model):
    django_user_model.objects.create_user(
        username="jefe", password="clave-jefe-123", is_superuser=True, is_staff=True
    )

    def login() -> None:
        page.goto(f"{live_server.url}{reverse('login')}")
        page.fill("input[name=username]", "jefe")
        page.fill("input[name=password]", "clave-jefe-123")
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/$"))

    return login


def _fits_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _visible_rows(page) -> list[str]:
    return page.evaluate(
        "[...document.querySelectorAll('#board tr[data-tag]')].filter(r => r.checkVisibility())"
        ".map(r => r.dataset.tag)"
    )


def _refresh_live(page) -> None:
    """What a stream event does: htmx re-fetches #board (the live server has no stream)."""
    with page.expect_response(
        lambda r: "/tablero/" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        page.evaluate("htmx.trigger(document.body, 'zeues:changed', {})")
    page.wait_for_timeout(100)  # the swap follows the response


@pytest.mark.parametrize("size_name, size", SIZES)
def test_board_puts_current_work_first_fits_and_passes_axe(
    live_server, page, shop, boss_login, screenshot, size_name, size
):
    page.set_viewport_size(size)
    boss_login()
    page.goto(f"{live_server.url}{reverse('board')}")
    rows = _visible_rows(page)
    assert rows[0] == "MK-1335-CW-25238-100" and len(rows) == 14  # today's newest first, stale folded
    assert page.inner_text("[data-testid=stale] summary").startswith("23 ocupaciones antiguas")
    assert _fits_sideways(page), "the board scrolls sideways"
    assert _axe(page) == []
    screenshot(page, f"board-{size_name}")
    page.click("[data-testid=stale] summary")
    assert len(_visible_rows(page)) == 14 + 23
    assert _fits_sideways(page) and _axe(page) == []
    screenshot(page, f"board-{size_name}-antiguas")


def test_stale_group_collapses_expands_and_stays_so_across_live_refreshes(
    live_server, page, shop, boss_login
):
    page.set_viewport_size(TABLET)
    boss_login()
    page.goto(f"{live_server.url}{reverse('board')}")
    stale_row = "#board tr[data-tag='MK-1290-PW-11407-000']"
    assert not page.is_visible(stale_row)
    page.click("[data-testid=stale] summary")
    assert page.is_visible(stale_row)
    _refresh_live(page)
    assert page.is_visible(stale_row), "a live refresh closed the stale group"
    page.click("[data-testid=stale] summary")
    assert not page.is_visible(stale_row)
    _refresh_live(page)
    assert not page.is_visible(stale_row), "a live refresh opened the stale group"
    page.goto(f"{live_server.url}{reverse('board')}?antiguas=1")  # a shared link opens it
    assert page.is_visible(stale_row)


def test_filters_are_a_link_and_survive_the_live_refresh(live_server, page, shop, boss_login):
    page.set_viewport_size(TABLET)
    boss_login()
    page.goto(f"{live_server.url}{reverse('board')}")
    page.select_option("#f-operacion", "SOLD")
    page.select_option("#f-trabajador", "91")
    page.click("[data-testid=filters] button[type=submit]")
    page.wait_for_url(re.compile(r".*operacion=SOLD&trabajador=91"))
    rows = _visible_rows(page)
    assert rows and all(page.inner_text(f"tr[data-tag='{t}'] td.who").startswith("JG(91)") for t in rows)
    _refresh_live(page)
    assert _visible_rows(page) == rows
    assert _fits_sideways(page) and _axe(page) == []


@pytest.mark.parametrize("size_name, size", SIZES)
def test_tv_mode_fits_and_turns_its_pages(live_server, page, shop, boss_login, screenshot, size_name, size):
    page.set_viewport_size(size)
    boss_login()
    page.goto(f"{live_server.url}{reverse('board')}?tv=1&segundos=2")
    assert page.inner_text("[data-pager-status]") == "página 1 de 2"
    first = _visible_rows(page)
    assert first[0] == "MK-1335-CW-25238-100" and len(first) == 12
    assert _fits_sideways(page), "the TV scrolls sideways"
    if size == DESKTOP:  # the whole page on a 1280×800 screen, nothing below the fold
        assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight"), page.evaluate(
            "document.documentElement.scrollHeight"
        )
    assert _axe(page) == []
    screenshot(page, f"board-tv-{size_name}")
    page.wait_for_function("document.querySelector('[data-pager-status]').textContent === 'página 2 de 2'")
    second = _visible_rows(page)
    assert second == [f"MK-1335-CW-25238-{100 + i:03d}" for i in range(12, 14)]
    _refresh_live(page)  # a live event does not send the TV back to page 1
    assert page.inner_text("[data-pager-status]") == "página 2 de 2" and _visible_rows(page) == second
    page.wait_for_function("document.querySelector('[data-pager-status]').textContent === 'página 1 de 2'")
    assert _visible_rows(page) == first


def test_tv_pages_can_be_paused_and_fade_only_without_reduced_motion(
    browser, live_server, shop, django_user_model
):
    # The wall TV's account: an office account (deny by default refuses a plain one).
    django_user_model.objects.create_user(username="jefe", password="clave-jefe-123", is_staff=True)
    animations = {}
    for motion in ("no-preference", "reduce"):
        context = browser.new_context(viewport=DESKTOP, locale="es-CL", reduced_motion=motion)
        page = context.new_page()
        page.goto(f"{live_server.url}{reverse('login')}")
        page.fill("input[name=username]", "jefe")
        page.fill("input[name=password]", "clave-jefe-123")
        page.click("button[type=submit]")
        page.goto(f"{live_server.url}{reverse('board')}?tv=1&segundos=2&antiguas=1")
        assert page.inner_text("[data-pager-status]") == "página 1 de 4"  # 2 of today's work, 2 stale
        page.wait_for_function("window.zeuesBoard.turns >= 1")
        animations[motion] = page.evaluate(
            "getComputedStyle(document.querySelector('[data-tv-page]:not([hidden])')).animationName"
        )
        page.click("[data-pager-toggle]")
        assert page.get_attribute("[data-pager-toggle]", "aria-pressed") == "true"
        shown = page.inner_text("[data-pager-status]")
        page.wait_for_timeout(4500)
        assert page.inner_text("[data-pager-status]") == shown, "a paused TV kept turning"
        context.close()
    assert animations == {"no-preference": "tv-turn", "reduce": "none"}


@pytest.mark.parametrize("size_name, size", SIZES)
def test_admin_audit_list_shows_every_column_on_one_line_and_passes_axe(
    live_server, page, boss_login, make_worker, screenshot, size_name, size
):
    inspector = make_worker(id=97, nombre="Óscar", apellido="Pérez", roles=["Metrologia"])
    now = timezone.now()
    rows = [
        ("TOMAR_SPOOL", "ARM", "TOMAR", {}),
        (
            "COMPLETAR_METROLOGIA",
            "METROLOGIA",
            "COMPLETAR",
            {
                "resultado": "RECHAZADO",
                "defecto": "POROSIDAD",
                "defecto_nombre": "Porosidad",
                "nota": "Poros en el cordón de raíz, lado norte",
            },
        ),
        ("COMPLETAR_METROLOGIA", "METROLOGIA", "COMPLETAR", {"resultado": "APROBADO"}),
        ("SUPERVISOR_OVERRIDE", "REPARACION", "DESBLOQUEAR", {"motivo": "Reinspección acordada con calidad"}),
        ("LIBERACION_FORZADA", "SOLD", "LIBERAR", {"motivo": "Terminó el turno sin pausar"}),
        ("ALERTA_SUPERVISOR", "", "LLAMAR", {"motivo": "LLAMADA", "mensaje": "Falta un plano"}),
    ]
    for i, (tipo, op, accion, details) in enumerate(rows):
        Event.objects.create(
            timestamp=now - datetime.timedelta(minutes=i),
            evento_tipo=tipo,
            tag_spool=f"MK-1335-CW-25238-{i:03d}",
            worker=inspector,
            worker_token=inspector.token,
            operacion=op,
            accion=accion,
            fecha_operacion=timezone.localdate(),
            details=details,
        )
    page.set_viewport_size(size)
    boss_login()
    page.goto(f"{live_server.url}{reverse('admin:spools_event_changelist')}")
    assert "Poros en el cordón" in page.inner_text("#result_list")
    assert _axe(page) == []
    screenshot(page, f"admin-eventos-{size_name}")
    if size == DESKTOP:
        # Every column visible next to the filters: the results box does not scroll.
        box = page.evaluate(
            "(() => { const r = document.querySelector('.results'); return [r.scrollWidth, r.clientWidth]; })()"
        )
        assert box[0] <= box[1], box
        lines = page.evaluate(
            "[...document.querySelectorAll('#result_list td.field-tag, #result_list td.field-cuando')]"
            ".map(td => { const r = document.createRange(); r.selectNodeContents(td); return r.getClientRects().length; })"
        )
        assert set(lines) == {1}, lines  # tags and dates on one line
