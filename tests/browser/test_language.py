"""Spanish for everyone (issue 13), in Chromium set to English (en-US): kiosk, pages, admin and
the error pages answer in Spanish with `<html lang="es">`, and pass axe-core."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.browser.conftest import DESKTOP, TABLET
from tests.browser.test_kiosk import _axe
from zeues.front.tests.test_language import english_in

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = [("tablet", TABLET), ("desktop", DESKTOP)]


@pytest.fixture
def people(django_user_model, make_worker, make_spool):
    tablet = django_user_model.objects.create_user(username="tablet-en", password="clave-tablet-123")
    tablet.groups.add(Group.objects.get_or_create(name="Kioscos")[0])
    django_user_model.objects.create_superuser(username="jefa-en", password="clave-jefa-123")
    django_user_model.objects.create_user(username="clerk-en", password="clave-clerk-123", is_staff=True)
    make_worker(id=90, nombre="Valentina", apellido="Soto", roles=["Armador"])
    make_spool(tag_spool="EN-1")


@pytest.fixture
def english_browser(browser, live_server, settings):
    """A fresh Chromium context whose language is American English, as on the tablet of issue 13."""
    settings.ROOT_URLCONF = "zeues.front.tests.test_language"  # the project's URLs + failing views
    settings.DEBUG = False
    contexts = []

    def open_page(size):
        context = browser.new_context(viewport=size, locale="en-US", timezone_id="America/Santiago")
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/healthz")
        assert page.evaluate("navigator.language") == "en-US"
        return page

    yield open_page
    for context in contexts:
        context.close()


def login(page, live_server, username: str, password: str, path: str = "/login/") -> None:
    page.goto(f"{live_server.url}{path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("[type=submit]")
    page.wait_for_load_state()


def check(page, name: str, screenshot, size_name: str, *spanish: str, fits: bool = True) -> None:
    """Spanish, lang="es", no English, axe-clean; error pages also fit the screen's width."""
    assert page.evaluate("document.documentElement.lang") == "es", name
    text = page.evaluate("document.body.innerText")
    for words in spanish:
        assert words in text, (name, words)
    assert english_in(text) == [], name
    assert _axe(page) == [], name
    if fits:
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            f"{name} scrolls sideways"
        )
    screenshot(page, f"language-{size_name}-{name}")


def visit(page, live_server, path: str, status: int | None = None):
    response = page.goto(f"{live_server.url}{path}")
    if status is not None:
        assert response.status == status, (path, response.status)
    return response


@pytest.mark.parametrize("size_name, size", SIZES)
def test_kiosk_in_spanish_for_an_english_tablet(
    live_server, english_browser, people, screenshot, size_name, size
):
    page = english_browser(size)
    login(page, live_server, "tablet-en", "clave-tablet-123", f"/login/?next={reverse('kiosk:start')}")
    page.wait_for_selector("a.k-btn-op")
    check(page, "kiosk-start", screenshot, size_name, "¿Qué va a hacer?")
    visit(page, live_server, "/kiosko/no-existe/", 404)
    check(page, "kiosk-404", screenshot, size_name, "Página no encontrada", "Volver al inicio del kiosko")
    visit(page, live_server, "/kiosko/_prohibido/", 403)
    check(page, "kiosk-403", screenshot, size_name, "Acceso denegado")
    visit(page, live_server, "/kiosko/_falla/", 500)
    check(page, "kiosk-500", screenshot, size_name, "Error del servidor")
    page.click("[data-testid=back]")
    page.wait_for_selector("a.k-btn-op")
    # A form left open until its CSRF cookie is gone: the kiosk's "page expired", nothing done.
    page.click("a.k-btn-op:has-text('ARM')")
    page.wait_for_selector("button[name=worker_id]")
    page.context.clear_cookies(name="csrftoken")
    page.click("button[name=worker_id][value='90']")
    page.wait_for_selector("[data-testid=back]")
    check(page, "kiosk-csrf", screenshot, size_name, "La página caducó; vuelva a intentarlo.")


@pytest.mark.parametrize("size_name, size", SIZES)
def test_pages_and_admin_in_spanish_for_an_english_browser(
    live_server, english_browser, people, screenshot, size_name, size
):
    page = english_browser(size)
    login(page, live_server, "jefa-en", "clave-jefa-123")
    visit(page, live_server, reverse("index"), 200)
    check(page, "index", screenshot, size_name, "Estado del taller")
    for name, url, spanish in (
        ("admin-spools", "admin:spools_spool_changelist", "Ejecutar"),
        ("admin-events", "admin:spools_event_changelist", "Filtrar por fecha y hora"),
        ("admin-workers", "admin:spools_worker_changelist", "Ejecutar"),
    ):
        visit(page, live_server, reverse(url), 200)
        # Admin's tables may scroll inside on a tablet; only the error pages must fit.
        check(page, name, screenshot, size_name, spanish, fits=False)
    visit(page, live_server, "/no-existe/", 404)
    check(page, "app-404", screenshot, size_name, "Página no encontrada", "Volver al inicio")
    visit(page, live_server, "/admin/no-existe/", 404)
    check(page, "admin-404", screenshot, size_name, "Página no encontrada", "Volver a la administración")
    visit(page, live_server, "/_falla/", 500)
    check(page, "app-500", screenshot, size_name, "Error del servidor")
    visit(page, live_server, "/admin/_falla/", 500)
    check(page, "admin-500", screenshot, size_name, "Error del servidor")


@pytest.mark.parametrize("size_name, size", SIZES)
def test_refusals_and_expired_forms_in_spanish(
    live_server, english_browser, people, screenshot, size_name, size
):
    page = english_browser(size)
    login(page, live_server, "clerk-en", "clave-clerk-123")
    visit(page, live_server, reverse("kpis"), 403)
    check(page, "app-403", screenshot, size_name, "Acceso denegado", "Estas páginas son para Gerencia")
    visit(page, live_server, reverse("admin:spools_spool_changelist"), 403)
    check(page, "admin-403", screenshot, size_name, "Acceso denegado")
    for name, path in (("app-csrf", reverse("login")), ("admin-csrf", reverse("admin:login"))):
        page.context.clear_cookies()
        visit(page, live_server, path, 200)
        page.context.clear_cookies(name="csrftoken")
        page.fill("input[name=username]", "clerk-en")
        page.fill("input[name=password]", "clave-clerk-123")
        page.click("[type=submit]")
        page.wait_for_selector("[data-testid=back]")
        check(page, name, screenshot, size_name, "La página caducó; vuelva a intentarlo.")
