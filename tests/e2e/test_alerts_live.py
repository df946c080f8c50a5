"""A worker calls a supervisor from a tablet: the alert appears live for the supervisor (another
browser, another server process), on /alertas/ and on the board, and is answered there."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group
from django.urls import reverse

from spools.models import Alerta, Event
from tests.browser.conftest import DESKTOP, TABLET

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def servers(start_server, private_redis):
    env = {"REDIS_URL": private_redis.url, "ZEUES_REDIS_PREFIX": "zeues-alerts-e2e"}
    return start_server(workers=1, **env), start_server(workers=1, **env)


def _account(username: str, group: Group, **flags) -> None:
    user = get_user_model().objects.create_user(username=username, **flags)
    # The servers use the production hasher, not the tests' fast one.
    user.password = PBKDF2PasswordHasher().encode("clave-123456", PBKDF2PasswordHasher().salt())
    user.save()
    user.groups.add(group)


def _login(browser, server, username, viewport, next_url):
    page = browser.new_context(viewport=viewport, locale="es-CL").new_page()
    page.goto(f"{server.url}{reverse('login')}?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "clave-123456")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{server.url}{next_url}")  # a tablet account always lands on the kiosk's start
    return page


def test_a_call_from_a_tablet_reaches_the_supervisor_live_and_is_answered(
    servers, browser, supervisores_group, make_worker, make_spool
):
    one, two = servers
    _account("sup-live", supervisores_group, is_staff=True)
    _account("tablet-live", Group.objects.get_or_create(name="Kioscos")[0])
    make_worker(id=93, roles=[])
    make_spool(tag_spool="AL-1", arm="completado", sold="completado", calidad="bloqueado", ciclo=3)
    supervisor = _login(browser, two, "sup-live", DESKTOP, reverse("alerts"))
    supervisor.wait_for_function(
        "() => window.zeuesLive && window.zeuesLive.state === 'online'", timeout=10000
    )
    assert supervisor.locator("[data-testid=alerta]").count() == 0
    board = _login(browser, two, "sup-live", DESKTOP, reverse("board"))
    board.wait_for_function("() => window.zeuesLive && window.zeuesLive.state === 'online'", timeout=10000)

    tablet = _login(browser, one, "tablet-live", TABLET, reverse("kiosk:spool", kwargs={"tag": "AL-1"}))
    assert "BLOQUEADO tras 3 rechazos seguidos" in tablet.inner_text("[data-testid=bloqueado]")
    tablet.click("[data-testid=llamar]")
    tablet.wait_for_selector("[data-testid=avisado]")

    # No reload: the stream (served by the other process) brings it in.
    supervisor.wait_for_selector("[data-testid=alerta][data-tag='AL-1']", timeout=5000)
    board.wait_for_selector("[data-testid=board-alerts] [data-tag='AL-1']", timeout=5000)

    supervisor.fill("[data-testid=alerta][data-tag='AL-1'] input[name=respuesta]", "Voy en 5 minutos")
    supervisor.click("[data-testid=alerta][data-tag='AL-1'] button[type=submit]")
    supervisor.wait_for_selector("text=Alerta de AL-1 atendida.")
    assert supervisor.locator("[data-testid=alerta]").count() == 0
    board.wait_for_selector("[data-testid=board-alerts]", state="detached", timeout=5000)
    alerta = Alerta.objects.get(spool__tag_spool="AL-1")
    assert alerta.atendida_por.username == "sup-live" and alerta.respuesta == "Voy en 5 minutos"
    assert list(Event.objects.filter(spool__tag_spool="AL-1").values_list("evento_tipo", flat=True)) == [
        "ALERTA_SUPERVISOR",
        "ALERTA_ATENDIDA",
    ]
