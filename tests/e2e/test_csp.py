"""Every kind of page under the production Content-Security-Policy, in Chromium: the header is
there and the browser reports no violation (no inline script or style, no eval, the live stream
connects).

The server is the production-like one (DEBUG=false, collected static files, the CSP enforced);
it speaks plain HTTP, so it runs with ZEUES_SSL_REDIRECT=false ZEUES_SECURE_COOKIES=false
(tests/e2e/conftest.py `server_env`), and nothing else is relaxed.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group
from django.urls import reverse

from spools.models import Spool
from tests.browser.conftest import DESKTOP, TABLET

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "clave-123456"
# Reports every violation to the test, from every frame and every page the context opens.
LISTEN = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.reportCsp(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.documentURI}`
    + ` (${e.sourceFile}:${e.lineNumber}) ${e.sample}`);
});
"""


def _account(username: str, *groups: Group, **flags: Any) -> None:
    user = get_user_model().objects.create_user(username=username, **flags)
    # The server uses the production hasher, not the tests' fast one.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user.save()
    user.groups.add(*groups)


class Watched:
    """A browser context whose CSP violations, console errors and page headers are collected."""

    def __init__(self, browser: Any, server: Any, viewport: dict[str, int]) -> None:
        self.server = server
        self.context = browser.new_context(viewport=viewport, locale="es-CL")
        self.violations: list[str] = []
        self.console: list[str] = []
        self.headers: dict[str, str | None] = {}
        self.context.expose_function("reportCsp", lambda text: self.violations.append(text))
        self.context.add_init_script(LISTEN)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("response", self._response)

    def _console(self, message: Any) -> None:
        # A failed load is reported with its address by _response (the browser's own guess of
        # /favicon.ico on the label sheet, which links none, is no fault of ours).
        if message.text.startswith("Failed to load resource"):
            return
        if message.type == "error" or "Content Security Policy" in message.text:
            self.console.append(f"{message.type}: {message.text} @ {self.page.url}")

    def _response(self, response: Any) -> None:
        if response.request.resource_type == "document":
            self.headers[response.url] = response.headers.get("content-security-policy")
        elif response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.console.append(f"{response.status} {response.url} @ {self.page.url}")

    def open(self, path: str) -> Any:
        """Go to `path`, wait until it and its scripts settled, and return the page."""
        answer = self.page.goto(f"{self.server.url}{path}")
        assert answer is not None and answer.status == 200, (path, answer and answer.status)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def login(self, username: str, next_url: str) -> None:
        self.page.goto(f"{self.server.url}{reverse('login')}?next={next_url}")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def wait_live(self) -> None:
        """The server-sent events stream connected (connect-src)."""
        self.page.wait_for_function(
            "() => window.zeuesLive && window.zeuesLive.state === 'online'", timeout=10000
        )

    def assert_clean(self) -> None:
        assert self.violations == [], self.violations
        assert self.console == [], self.console
        missing = [url for url, csp in self.headers.items() if not csp or "script-src 'self'" not in csp]
        assert not missing, f"pages without the Content-Security-Policy header: {missing}"
        assert self.headers, "no page was opened"


@pytest.fixture
def production(server, supervisores_group, real_loop, make_worker, make_spool):
    """Accounts and data on the shared production-like server: a spool with a whole history."""
    _account("jefa-csp", supervisores_group, is_staff=True, is_superuser=True)
    _account("tablet-csp", Group.objects.get_or_create(name="Kioscos")[0])
    make_worker(id=90, nombre="Valentina", apellido="Soto", roles=["Armador"])
    make_spool(tag_spool="CSP-1")
    return server


def test_every_kind_of_page_runs_under_the_csp_with_no_violation(production, browser):
    policy_pages = Watched(browser, production, DESKTOP)
    anonymous = policy_pages.open(reverse("login"))
    assert anonymous.locator("#id_username").is_visible()

    tablet = Watched(browser, production, TABLET)
    tablet.login("tablet-csp", reverse("kiosk:start"))
    page = tablet.page
    page.click("a.k-btn-op:has-text('ARM')")
    page.click("button[name=worker_id][value='90']")
    page.wait_for_selector("[data-testid=worker]")
    tablet.wait_live()
    page.click("li[data-tag='CSP-1'] .k-act-tomar")
    page.wait_for_selector("[data-testid=result-title]")
    page.click("[data-testid=back]")
    page.wait_for_selector("a.k-btn-op")
    tablet.open(reverse("kiosk:my-spools"))
    tablet.open(reverse("kiosk:my-record"))
    tablet.open(reverse("kiosk:spool", kwargs={"tag": "H-REAL"}))
    assert Spool.objects.get(tag_spool="CSP-1").ocupado_por_id == 90

    boss = Watched(browser, production, DESKTOP)
    boss.login("jefa-csp", reverse("index"))
    for name in ("index", "board", "alerts"):
        boss.open(reverse(name))
    boss.wait_live()
    boss.open(reverse("history-search") + "?q=H-REAL")
    history = boss.open(reverse("history", kwargs={"tag": "H-REAL"}))
    history.click("svg.tl rect.bar >> nth=0")  # the timeline's script (static/history.js)
    assert "·" in history.inner_text("[data-testid=timeline-detail]")
    boss.open(reverse("kpis"))
    boss.open(reverse("labels") + "?tag=H-REAL&tag=CSP-1")
    h_real = Spool.objects.get(tag_spool="H-REAL")
    for path in (
        reverse("admin:index"),
        reverse("admin:spools_spool_changelist"),
        reverse("admin:spools_spool_change", args=[h_real.pk]),
        reverse("admin:spools_event_changelist"),
        reverse("admin:spools_worker_add"),
        reverse("admin:zeues_tabletaccount_changelist"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_add"),
    ):
        boss.open(path)
    # An action's intermediate page (the supervisor's reason form).
    boss.open(reverse("admin:spools_spool_changelist"))
    boss.page.check(f"input[name=_selected_action][value='{h_real.pk}']")
    boss.page.select_option("select[name=action]", "liberar_ocupacion")
    boss.page.click("button[name=index]")
    boss.page.wait_for_load_state("networkidle")

    for watched in (policy_pages, tablet, boss):
        watched.assert_clean()
        watched.context.close()
