"""The landing page in a real browser: login, who holds what, no horizontal scroll."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.browser.conftest import DESKTOP, TABLET


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size_name, size", [("tablet", TABLET), ("desktop", DESKTOP)])
def test_supervisor_logs_in_and_sees_who_holds_which_spool(
    live_server, page, django_user_model, make_worker, make_spool, screenshot, size_name, size
):
    # A superuser sees every top-bar link: the widest header must still fit a 601 px tablet.
    django_user_model.objects.create_superuser(username="jefe", password="clave-segura-123", email="")
    worker = make_worker(id=93, nombre="Mauricio", apellido="Rodriguez")
    make_spool(
        tag_spool="MK-1335-CW-25238-011",
        arm="en_progreso",
        ocupado_por=worker,
        fecha_ocupacion=timezone.now(),
        operacion_actual="ARM",
    )
    page.set_viewport_size(size)
    page.goto(f"{live_server.url}{reverse('index')}")
    page.fill("input[name=username]", "jefe")
    page.fill("input[name=password]", "clave-segura-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{reverse('index')}")
    row = page.locator("table.list tbody tr")
    assert row.count() == 1
    assert "MK-1335-CW-25238-011" in row.inner_text() and "MR(93)" in row.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"landing-{size_name}")
