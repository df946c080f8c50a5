"""The kiosk as the floor uses it, in Chromium at 601×962 and 1280×800: scanning without a tap,
taps counted per task, the list's order, 64 px targets, errors that stay, Back after confirming,
the PIN lock across two tablets and two server processes, and words instead of codes."""

from __future__ import annotations

import datetime
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import resolve, reverse
from django.utils import timezone

from spools.models import Event, EventType, Spool
from tests.browser.conftest import DESKTOP, TABLET
from tests.browser.test_kiosk import _axe, identify, login
from tests.e2e.conftest import start_server, static_root  # noqa: F401  (fixtures: a second server process)

pytestmark = pytest.mark.django_db(transaction=True)
SIZES = [("tablet", TABLET), ("desktop", DESKTOP)]
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
RAW_CODES = (
    "EN_REPARACION",
    "PENDIENTE_METROLOGIA",
    "REPARACION_PAUSADA",
    "(Ciclo",
    "REPARACION ",
    "METROLOGIA ",
)


@pytest.fixture(autouse=True)
def _no_pin_locks():
    """PIN locks live in the shared cache, which outlives each test's database."""
    cache.delete_pattern("lockout:*") if hasattr(cache, "delete_pattern") else cache.clear()
    yield
    cache.delete_pattern("lockout:*") if hasattr(cache, "delete_pattern") else cache.clear()


class Taps:
    """Clicks as a worker's taps: every `tap` is counted; PIN digits go through `pin` uncounted."""

    def __init__(self, page) -> None:
        self.page, self.count, self.pin_ok = page, 0, 0

    def __call__(self, selector: str) -> None:
        self.page.click(selector)
        self.count += 1

    def pin(self, digits: str) -> None:
        for d in digits:
            self.page.click(f"[data-digit='{d}']")
        self.page.click("button[type=submit]:has-text('OK')")
        self.pin_ok += 1


def url_name(page) -> str:
    return resolve(urlsplit(page.url).path).view_name


def scan(page, code: str) -> None:
    """A keyboard-wedge scanner: the code and Enter, with nothing focused (no tap)."""
    page.wait_for_load_state()
    page.evaluate("document.activeElement && document.activeElement.blur()")
    with page.expect_navigation():
        page.keyboard.type(code + "\n")


def held(make_spool, worker, tag: str, minutes: int = 72, **fields):
    return make_spool(
        tag_spool=tag,
        arm="en_progreso",
        ocupado_por=worker,
        operacion_actual="ARM",
        fecha_ocupacion=timezone.now() - datetime.timedelta(minutes=minutes),
        **fields,
    )


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def small_targets(page) -> list[str]:
    """Every visible button, link, tick box and toggle smaller than 64×64 px (bounding boxes)."""
    return page.evaluate(
        """[...document.querySelectorAll('a.k-btn, button, .k-check, summary, a.k-home')]
            .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
            .map(el => [el, el.getBoundingClientRect()])
            .filter(([el, r]) => r.width < 64 || r.height < 64)
            .map(([el, r]) => `${el.textContent.trim() || el.className} ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )


def shot(page, screenshot, name: str, *, docs: bool = False) -> None:
    path = screenshot(page, name)
    if docs:
        DOCS_IMG.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS_IMG / f"{name}.png"))
    assert path.exists()


# --- 4. scan first ----------------------------------------------------------------------------


@pytest.mark.parametrize("size_name, size", SIZES)
def test_scans_work_without_a_tap_on_every_screen(
    live_server, page, tablet_account, crew, make_spool, size_name, size
):
    make_spool(tag_spool="MK-1335-CW-25238-011")
    held(make_spool, crew["armador"], "MK-1335-CW-25238-012")
    page.set_viewport_size(size)
    login(page, live_server)
    # Start screen: a label (lower case, spaces around) opens the spool; its QR URL does too.
    scan(page, "  mk-1335-cw-25238-011 ")
    assert url_name(page) == "kiosk:spool" and "MK-1335-CW-25238-011" in page.inner_text("h1")
    page.goto(f"{live_server.url}{reverse('kiosk:start')}")
    scan(page, f"https://zeues.example{reverse('kiosk:spool', kwargs={'tag': 'MK-1335-CW-25238-011'})}")
    assert url_name(page) == "kiosk:spool"
    # A badge, with its prefix, on the start screen: that worker's spools.
    page.goto(f"{live_server.url}{reverse('kiosk:start')}")
    scan(page, "W-90")
    assert url_name(page) == "kiosk:my-spools" and "VS(90)" in page.inner_text("[data-testid=worker]")
    # On a list, after an htmx swap ("Ver más"), a label still opens the spool's actions.
    page.goto(f"{live_server.url}{reverse('kiosk:list', kwargs={'op': 'ARM'})}")
    page.evaluate("htmx.trigger(document.body, 'zeues:changed', {})")
    scan(page, "MK-1335-CW-25238-012")
    assert url_name(page) == "kiosk:spool"
    assert page.locator("[data-testid=spool-actions] .k-act-completar").count() == 1
    # Identify screen with its field blurred: a badge identifies for that operation.
    page.goto(f"{live_server.url}{reverse('kiosk:start')}")
    page.click("a.k-btn-op:has-text('SOLD')")
    page.wait_for_url(f"**{reverse('kiosk:identify', kwargs={'op': 'SOLD'})}")
    scan(page, "91")
    assert url_name(page) == "kiosk:list" and "JG(91)" in page.inner_text("[data-testid=worker]")
    # A scan while a button has the focus opens the code and does not press the button.
    page.goto(f"{live_server.url}{reverse('kiosk:start')}")
    page.focus("a.k-btn-op:has-text('ARM')")
    with page.expect_navigation():
        page.keyboard.type("MK-1335-CW-25238-011\n")
    assert url_name(page) == "kiosk:spool"


# --- 5. taps, counted --------------------------------------------------------------------------


@pytest.mark.parametrize("size_name, size", SIZES)
def test_tap_counts_first_take_and_repeat_actions(
    live_server, page, tablet_account, crew, make_spool, size_name, size
):
    for tag in ("TP-1", "TP-2", "TP-3"):
        make_spool(tag_spool=tag)
    page.set_viewport_size(size)
    login(page, live_server)
    counts: dict[str, int] = {}

    def done(name: str, taps: Taps) -> None:
        page.wait_for_selector("[data-testid=result-title]")
        assert "listo" in page.inner_text("[data-testid=result-title]"), name
        counts[name] = taps.count
        page.goto(f"{live_server.url}{reverse('kiosk:start')}")

    # First TOMAR, no scanner: ARM, name, TOMAR (it runs on one tap).
    taps = Taps(page)
    taps("a.k-btn-op:has-text('ARM')")
    taps("button[name=worker_id][value='90']")
    taps("li[data-tag='TP-1'] .k-act-tomar")
    done("first TOMAR", taps)
    # Repeat without a scanner: the holder's name on the start screen, COMPLETAR, Confirmar.
    taps = Taps(page)
    taps("[data-testid=holders] button[value='90']")
    taps("li[data-tag='TP-1'] .k-act-completar")
    taps("form[data-once] button[type=submit]")
    done("repeat COMPLETAR", taps)
    # Repeat after a badge scan: COMPLETAR, Confirmar (and PAUSAR: one tap).
    page.goto(f"{live_server.url}{reverse('kiosk:start')}")
    identify(page, "ARM", 90)
    page.click("li[data-tag='TP-2'] .k-act-tomar")
    page.wait_for_selector("[data-testid=result-title]")
    page.goto(f"{live_server.url}{reverse('kiosk:start')}")
    taps = Taps(page)
    scan(page, "W-90")
    taps("li[data-tag='TP-2'] .k-act-pausar")
    done("repeat PAUSAR after a badge", taps)
    identify(page, "ARM", 90)
    page.click("li[data-tag='TP-2'] .k-act-tomar")
    page.wait_for_selector("[data-testid=result-title]")
    page.goto(f"{live_server.url}{reverse('kiosk:start')}")
    taps = Taps(page)
    scan(page, "W-90")
    taps("li[data-tag='TP-2'] .k-act-completar")
    taps("form[data-once] button[type=submit]")
    done("repeat COMPLETAR after a badge", taps)
    # Repeat after a spool scan: the label, then the badge, then COMPLETAR, Confirmar.
    identify(page, "ARM", 90)
    page.click("li[data-tag='TP-3'] .k-act-tomar")
    page.wait_for_selector("[data-testid=result-title]")
    page.goto(f"{live_server.url}{reverse('kiosk:start')}")
    taps = Taps(page)
    scan(page, "TP-3")
    scan(page, "90")
    taps("[data-testid=spool-actions] .k-act-completar")
    taps("form[data-once] button[type=submit]")
    done("repeat COMPLETAR after a spool scan", taps)
    # First TOMAR with a PIN: ARM, name, (PIN), TOMAR.
    crew["soldador"].set_pin("2468")
    crew["soldador"].save()
    make_spool(tag_spool="TP-4", arm="completado")
    taps = Taps(page)
    taps("a.k-btn-op:has-text('SOLD')")
    taps("button[name=worker_id][value='91']")
    taps.pin("2468")
    taps("li[data-tag='TP-4'] .k-act-tomar")
    done("first TOMAR with a PIN", taps)
    assert taps.pin_ok == 1
    assert counts == {
        "first TOMAR": 3,
        "repeat COMPLETAR": 3,
        "repeat PAUSAR after a badge": 1,
        "repeat COMPLETAR after a badge": 2,
        "repeat COMPLETAR after a spool scan": 2,
        "first TOMAR with a PIN": 3,  # 4 with the PIN's OK
    }
    assert Event.objects.filter(evento_tipo=EventType.TOMAR_SPOOL).count() == 5


# --- 6. the list's order; 8. targets and the batch bar; 9. INSPECCIONAR ---------------------


def test_reparacion_at_601_shows_what_can_be_done_first_and_room_for_spools(
    live_server, page, tablet_account, crew, make_spool, screenshot
):
    for i in range(8):
        make_spool(
            tag_spool=f"R-{i:02d}-BLOQ", arm="completado", sold="completado", calidad="bloqueado", ciclo=3
        )
    for i in range(6):
        make_spool(
            tag_spool=f"R-{50 + i:02d}", arm="completado", sold="completado", calidad="rechazado", ciclo=1
        )
    page.set_viewport_size(TABLET)
    login(page, live_server)
    identify(page, "REPARACION", 100)
    first = page.locator("#k-rows > li.k-item").first
    assert first.get_attribute("data-tag") == "R-50"
    # The batch bar only once something is ticked; the header and search leave room for spools.
    assert not page.locator("[data-testid=batch-bar]").is_visible()
    visible = page.evaluate(
        "[...document.querySelectorAll('#k-rows > li.k-item')].filter(li => li.getBoundingClientRect().bottom <= innerHeight).length"
    )
    assert visible >= 4, visible
    assert page.locator("details[data-testid=off] > summary").inner_text().startswith("No disponibles (8)")
    placeholder_fits = page.evaluate(
        """(() => { const i = document.getElementById('id_q'); const c = document.createElement('canvas').getContext('2d');
            const s = getComputedStyle(i); c.font = `${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
            const room = i.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
            return c.measureText(i.placeholder).width <= room; })()"""
    )
    assert placeholder_fits
    shot(page, screenshot, "kiosk-lista-reparacion", docs=True)
    page.click("li[data-tag='R-50'] .k-check")
    bar = page.locator("[data-testid=batch-bar]")
    assert bar.is_visible() and "1 spool seleccionado" in bar.inner_text()
    for box in [b.bounding_box() for b in bar.locator(".k-btn").all()]:
        assert box["width"] >= 64 and box["height"] >= 64
    page.click("details[data-testid=off] > summary")
    page.wait_for_selector("#k-off-rows li[data-tag='R-00-BLOQ']")
    assert "BLOQUEADO: requiere supervisor" in page.inner_text("#k-off-rows")
    assert small_targets(page) == [] and no_sideways_scroll(page)
    assert _axe(page) == []
    page.evaluate("document.querySelector('details[data-testid=off]').scrollIntoView()")
    shot(page, screenshot, "kiosk-lista-seleccion", docs=True)


@pytest.mark.parametrize("size_name, size", SIZES)
def test_header_checkboxes_and_inspeccionar_are_real_targets(
    live_server, page, tablet_account, crew, make_spool, screenshot, size_name, size
):
    make_spool(tag_spool="Q-1", arm="completado", sold="completado")
    make_spool(tag_spool="Q-2", arm="completado", sold="completado")
    page.set_viewport_size(size)
    login(page, live_server)
    identify(page, "METROLOGIA", 97)
    page.click("li[data-tag='Q-1'] .k-check")
    for selector in ("li[data-tag='Q-1'] .k-act-inspeccionar", "[data-testid=batch-bar] .k-act-inspeccionar"):
        style = page.eval_on_selector(
            selector,
            "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color, el.getBoundingClientRect().height]",
        )
        assert style[0] == "rgb(90, 45, 130)" and style[1] == "rgb(255, 255, 255)" and style[2] >= 64, (
            selector
        )
    boxes = {
        name: page.locator(f"header a:has-text('{name}')").bounding_box()
        for name in ("Mis spools", "Mi registro", "Salir")
    }
    assert all(b["height"] >= 64 and b["width"] >= 64 for b in boxes.values()), boxes
    gap = boxes["Salir"]["x"] - (boxes["Mi registro"]["x"] + boxes["Mi registro"]["width"])
    assert gap >= 24, gap  # Salir stands apart
    check = page.locator("li[data-tag='Q-2'] .k-check").bounding_box()
    assert check["width"] >= 64 and check["height"] >= 64
    assert small_targets(page) == [] and no_sideways_scroll(page) and _axe(page) == []
    shot(page, screenshot, f"kiosk-{size_name}-metrologia", docs=size_name == "tablet")


# --- 7. the running timer --------------------------------------------------------------------


def test_held_spools_show_a_running_timer(
    live_server, page, tablet_account, crew, make_spool, settings, screenshot
):
    settings.ZEUES_KIOSK_IDLE_SECONDS = 3600
    held(make_spool, crew["armador"], "TI-1", minutes=72)
    make_spool(tag_spool="TI-2")
    page.clock.install()
    page.set_viewport_size(TABLET)
    login(page, live_server)
    identify(page, "ARM", 90)
    timer = page.locator("li[data-tag='TI-1'] [data-testid=timer]")
    assert timer.inner_text() == "llevas 1 h 12 min"
    page.clock.run_for(61_000)
    assert timer.inner_text() == "llevas 1 h 13 min"  # no reload
    page.goto(f"{live_server.url}{reverse('kiosk:my-spools')}")
    mine = page.locator("li[data-tag='TI-1'] [data-testid=timer]")
    assert mine.inner_text().startswith("llevas 1 h 1")
    shot(page, screenshot, "kiosk-mis-spools", docs=True)


# --- 10. errors stay, dates never wrap, a huge scan does not widen the page ----------------------


def test_errors_stay_until_dismissed_and_dates_never_wrap(
    live_server, page, tablet_account, crew, make_spool, settings, screenshot
):
    settings.ZEUES_KIOSK_RESULT_SECONDS = 1
    settings.ZEUES_KIOSK_IDLE_SECONDS = 3
    held(make_spool, crew["soldador"], "MK-1335-CW-25238-099", minutes=60 * 30)  # yesterday: a full date
    page.set_viewport_size(TABLET)
    login(page, live_server)
    identify(page, "ARM", 90)
    page.goto(
        f"{live_server.url}{reverse('kiosk:confirm', kwargs={'op': 'ARM'})}?accion=TOMAR&tag=MK-1335-CW-25238-099"
    )
    page.click("form[data-once] button[type=submit]")
    page.wait_for_selector("[data-testid=result-title]")
    assert "no se pudo" in page.inner_text("[data-testid=result-title]")
    # Each date stays on one line, at every width a tablet may have.
    for width in range(320, 620, 12):
        page.set_viewport_size({"width": width, "height": 962})
        lines = page.evaluate(
            """(() => { const out = []; const walk = document.createTreeWalker(document.querySelector('.k-results'), NodeFilter.SHOW_TEXT);
                const re = /\\d\\d\\u2011\\d\\d\\u2011\\d{4}\\u00a0\\d\\d:\\d\\d/g; let n;
                while ((n = walk.nextNode())) { let m; while ((m = re.exec(n.data))) {
                  const r = document.createRange(); r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
                  out.push(new Set([...r.getClientRects()].map(x => Math.round(x.top))).size); } }
                return out; })()"""
        )
        assert lines and all(n == 1 for n in lines), (width, lines)
    page.set_viewport_size(TABLET)
    shot(page, screenshot, "kiosk-resultado-error", docs=True)
    # No countdown on a refusal; the idle reset forgets the worker but the result stays.
    page.wait_for_timeout(4500)
    assert url_name(page) == "kiosk:result" and "no se pudo" in page.inner_text("main")
    assert page.locator("[data-testid=worker]").count() == 0
    # An unknown scan's message stays until "Entendido".
    page.goto(f"{live_server.url}{reverse('kiosk:start')}")
    scan(page, "NO-EXISTE-1")
    message = page.locator(".k-msg-error")
    page.wait_for_timeout(1500)
    assert message.is_visible() and "NO-EXISTE-1" in message.inner_text()
    page.click(".k-msg-error [data-dismiss]")
    assert page.locator(".k-msg-error").count() == 0


@pytest.mark.parametrize("size_name, size", SIZES)
def test_a_5000_character_scan_does_not_widen_the_page(
    live_server, page, tablet_account, crew, make_spool, size_name, size
):
    make_spool(tag_spool="W-1")
    page.set_viewport_size(size)
    login(page, live_server)
    junk = "MK" + "9" * 4998
    scan(page, junk)
    assert page.locator(".k-msg-error").is_visible() and no_sideways_scroll(page)
    identify(page, "ARM", 90)
    page.fill("#id_q", junk)
    with page.expect_navigation():
        page.press("#id_q", "Enter")
    assert no_sideways_scroll(page)
    scan(page, junk)
    assert url_name(page) == "kiosk:list" and page.locator(".k-msg-error").is_visible()
    assert no_sideways_scroll(page), page.evaluate("document.documentElement.scrollWidth")


# --- 11. Back after confirming ------------------------------------------------------------------


def test_back_after_confirming_shows_the_result_not_the_question(
    live_server, page, tablet_account, crew, make_spool, screenshot
):
    held(make_spool, crew["armador"], "BK-1")
    page.set_viewport_size(TABLET)
    login(page, live_server)
    identify(page, "ARM", 90)
    page.click("li[data-tag='BK-1'] .k-act-completar")
    page.wait_for_selector("form[data-once]")
    shot(page, screenshot, "kiosk-confirmar", docs=True)
    page.click("form[data-once] button[type=submit]")
    page.wait_for_selector("[data-testid=result-title]")
    result_url = page.url
    page.go_back()
    page.wait_for_selector("[data-testid=result-title]")
    assert page.url == result_url and page.locator("form[data-once]").count() == 0
    assert Event.objects.filter(tag_spool="BK-1").count() == 1


# --- 12. the PIN lock: two tablets, two server processes ---------------------------------------


def _pin_wrong(page, digits: str = "1111") -> str:
    page.fill("#id_pin", digits)
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('OK')")
    return page.inner_text("main")


def test_pin_locks_across_two_tablets_and_two_servers_and_a_supervisor_clears_it(
    live_server,
    browser,
    tablet_account,
    crew,
    make_spool,
    settings,
    start_server,  # noqa: F811
    screenshot,
    django_user_model,
):
    # The second server hashes as production does: the tablet's password and the PIN must too.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    tablet_account.set_password("clave-tablet-123")
    tablet_account.save()
    crew["armador"].set_pin("2468")
    crew["armador"].save()
    make_spool(tag_spool="PIN-1")
    other = start_server(workers=1)  # a second server process on the same database and Redis
    tablets = []
    for url in (live_server.url, other.url):
        # The servers enforce the CSP; axe-core is the test's own script, injected inline.
        context = browser.new_context(viewport=TABLET, locale="es-CL", bypass_csp=True)
        tablet = context.new_page()
        login(tablet, SimpleNamespace(url=url))
        tablet.click("a.k-btn-op:has-text('ARM')")
        tablet.click("button[name=worker_id][value='90']")
        tablets.append(tablet)
    a, b = tablets
    assert "Le quedan 4 intentos" in _pin_wrong(a)
    assert "Le quedan 3 intentos" in _pin_wrong(b)  # the other server counts on from 1
    assert "Le quedan 2 intentos" in _pin_wrong(a)
    assert "Le queda 1 intento" in _pin_wrong(b)
    shot(b, screenshot, "kiosk-pin-intentos", docs=True)
    assert "PIN bloqueado hasta las" in _pin_wrong(a)
    # The right PIN on the other tablet, on the other server: refused, the pad is gone.
    b.reload()
    assert b.locator("[data-testid=pin-locked]").is_visible() and b.locator("#id_pin").count() == 0
    shot(b, screenshot, "kiosk-pin-bloqueado", docs=True)
    assert _axe(b) == []
    # A new tablet session (cookies gone) on either server is locked too: the lock is the server's.
    fresh = browser.new_context(viewport=TABLET, locale="es-CL").new_page()
    login(fresh, live_server)
    fresh.click("a.k-btn-op:has-text('ARM')")
    fresh.click("button[name=worker_id][value='90']")
    assert fresh.locator("[data-testid=pin-locked]").is_visible()
    # "No soy yo" goes back to the start.
    fresh.click("[data-testid=not-me]")
    assert url_name(fresh) == "kiosk:start"
    assert Event.objects.filter(evento_tipo=EventType.PIN_BLOQUEADO, worker_id=90).count() == 1
    # A supervisor clears it in the Worker admin; both tablets accept the right PIN again.
    django_user_model.objects.create_superuser("jefa", "jefa@example.com", "clave-jefa-123")
    boss = browser.new_context(viewport=DESKTOP).new_page()
    boss.goto(f"{live_server.url}{reverse('admin:spools_worker_changelist')}")
    boss.fill("#id_username", "jefa")
    boss.fill("#id_password", "clave-jefa-123")
    with boss.expect_navigation():
        boss.click("input[type=submit], button[type=submit]")
    boss.check("input[name=_selected_action][value='90']")
    boss.select_option("select[name=action]", "desbloquear_pin")
    with boss.expect_navigation():
        boss.click("button[name=index], button:has-text('Ir'), button:has-text('Go')")
    assert "PIN desbloqueado: VS(90)" in boss.inner_text(".messagelist")
    unlock = Event.objects.get(evento_tipo=EventType.PIN_DESBLOQUEADO)
    assert unlock.actor.username == "jefa" and unlock.details["motivo"] == "supervisor"
    b.reload()
    b.fill("#id_pin", "2468")
    b.click("button[type=submit]:has-text('OK')")
    b.wait_for_selector("[data-testid=worker]")
    assert url_name(b) == "kiosk:list"
    assert Spool.objects.get(tag_spool="PIN-1").ocupado_por_id is None  # nothing else happened


# --- 14. words, not codes; axe on the new screens -----------------------------------------------


@pytest.mark.parametrize("size_name, size", SIZES)
def test_screens_say_it_in_words_and_pass_axe(
    live_server, page, tablet_account, crew, make_spool, screenshot, size_name, size
):
    make_spool(tag_spool="WD-1", arm="completado", sold="completado", calidad="rechazado", ciclo=1)
    make_spool(tag_spool="WD-2", arm="completado", sold="completado", calidad="rechazado", ciclo=0)
    held(make_spool, crew["armador"], "WD-3")
    make_spool(tag_spool="WD-4", arm="completado", sold="completado", calidad="bloqueado", ciclo=3)
    page.set_viewport_size(size)
    login(page, live_server)
    screens = {}
    screens["start"] = page.inner_text("body")
    assert _axe(page) == []
    shot(page, screenshot, f"kiosk-{size_name}-inicio", docs=size_name == "tablet")
    scan(page, "WD-3")
    screens["spool"] = page.inner_text("body")
    assert _axe(page) == [] and small_targets(page) == []
    shot(page, screenshot, f"kiosk-{size_name}-spool", docs=size_name == "tablet")
    page.click("[data-testid=holder]")
    page.wait_for_selector("[data-testid=spool-actions]")
    screens["spool-actions"] = page.inner_text("body")
    assert _axe(page) == [] and small_targets(page) == []
    shot(page, screenshot, f"kiosk-{size_name}-spool-acciones", docs=size_name == "tablet")
    page.goto(f"{live_server.url}{reverse('kiosk:start')}")
    identify(page, "REPARACION", 100)
    screens["reparacion"] = page.inner_text("body")
    assert _axe(page) == [] and small_targets(page) == [] and no_sideways_scroll(page)
    page.click("li[data-tag='WD-1'] .k-act-tomar")
    page.wait_for_selector("[data-testid=result-title]")
    screens["result"] = page.inner_text("body")
    assert _axe(page) == []
    shot(page, screenshot, f"kiosk-{size_name}-resultado", docs=size_name == "tablet")
    page.goto(f"{live_server.url}{reverse('kiosk:my-spools')}")
    screens["my-spools"] = page.inner_text("body")
    assert _axe(page) == [] and small_targets(page) == [] and no_sideways_scroll(page)
    page.goto(f"{live_server.url}{reverse('kiosk:start')}")
    page.click("a.k-btn-op:has-text('ARM')")
    screens["identify"] = page.inner_text("body")
    assert _axe(page) == [] and small_targets(page) == []
    # The states that are new: an error message, the opened group with a selection, a refusal,
    # a wrong PIN and a locked one.
    page.goto(f"{live_server.url}{reverse('kiosk:start')}")
    scan(page, "NOPE-X")
    assert page.locator(".k-msg-error").is_visible() and _axe(page) == [] and small_targets(page) == []
    identify(page, "REPARACION", 100)
    page.click("li[data-tag='WD-2'] .k-check")
    page.click("details[data-testid=off] > summary")
    page.wait_for_selector("#k-off-rows li[data-tag='WD-4']")
    screens["off"] = page.inner_text("body")
    assert _axe(page) == [] and small_targets(page) == [] and no_sideways_scroll(page)
    page.goto(
        f"{live_server.url}{reverse('kiosk:confirm', kwargs={'op': 'REPARACION'})}?accion=TOMAR&tag=WD-3"
    )
    page.click("form[data-once] button[type=submit]")
    page.wait_for_selector("[data-testid=result-title]")
    screens["refusal"] = page.inner_text("body")
    assert "no se pudo" in screens["refusal"] and _axe(page) == [] and small_targets(page) == []
    crew["inspector"].set_pin("2468")
    crew["inspector"].save()
    page.goto(f"{live_server.url}{reverse('kiosk:start')}")
    page.click("a.k-btn-op:has-text('METROLOGÍA')")
    page.click("button[name=worker_id][value='97']")
    for n in range(5):
        page.fill("#id_pin", "1111")
        with page.expect_navigation():
            page.click("button[type=submit]:has-text('OK')")
        if n == 0:
            assert page.locator("[data-testid=pin-error]").is_visible() and _axe(page) == []
            assert small_targets(page) == []
    assert (
        page.locator("[data-testid=pin-locked]").is_visible()
        and _axe(page) == []
        and small_targets(page) == []
    )
    for name, body in screens.items():
        for raw in RAW_CODES:
            assert raw not in body, (name, raw)
    assert "En reparación · intento 1 de 3" in screens["result"]
    assert "Rechazado · espera reparación" in screens["reparacion"]
    assert "REPARACIÓN" in screens["reparacion"]
