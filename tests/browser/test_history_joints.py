"""The history of a spool tracked joint by joint (/historial/<tag>/), in Chromium.

Twenty joints: Ana fits 1–8 and pauses, Beto fits 9–20 and completes ARM, Carla welds 1–6 and
pauses; a supervisor voids joint 7 with a reason; 19 and 20 are field welds; the NDT department
recorded joint 1. On a 601 px tablet the page must not scroll sideways (the joints' table may,
inside its own box), must show every joint with who did it, and pass axe-core; at 1280 px the
table fits its box.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from occupation import joints as joint_changes
from occupation.services import spool_finish, spool_take
from spools.models import Spool, Union
from tests.browser.conftest import DESKTOP, TABLET
from tests.browser.test_kiosk import _axe

pytestmark = pytest.mark.django_db(transaction=True)
TAG = "MK-1400-UN-20J-001"
DN = [
    "2",
    "2",
    "3",
    "4",
    "1 1/2",
    "2,5",
    "6",
    "8",
    "2",
    "2",
    "3",
    "3",
    "4",
    "1",
    "0.75",
    "2",
    "2",
    "6",
    "3",
    "3",
]


@pytest.fixture
def twenty(make_worker, make_spool, make_joints, django_user_model):
    ana = make_worker(id=110, nombre="Ana María", apellido="Araya Fuenzalida", roles=["Armador"])
    beto = make_worker(id=90, nombre="Beto", apellido="Soto", roles=["Armador"])
    carla = make_worker(id=120, nombre="Carla", apellido="Díaz", roles=["Soldador"])
    kinds = ["BW", "BR", "SO", "FILL", "LET", "MIT"]
    joints = [(n, DN[n - 1], "FW" if n > 18 else kinds[n % 6]) for n in range(1, 21)]
    spool = make_joints(make_spool(tag_spool=TAG, nv="NV1400", ot="002"), joints)

    def fresh() -> Spool:
        return Spool.objects.with_people().get(pk=spool.pk)

    for worker, op, uniones in (
        (ana, "ARM", list(range(1, 9))),
        (beto, "ARM", list(range(9, 21))),
        (carla, "SOLD", list(range(1, 7))),
    ):
        spool_take(spool=fresh(), worker=worker, operacion=op)
        spool_finish(spool=fresh(), worker=worker, uniones=uniones)
    boss = django_user_model.objects.create_user(username="jefa", password="clave-jefa-123")
    boss.groups.add(Group.objects.get_or_create(name="Gerencia")[0])
    joint_changes.union_void(
        union=Union.objects.get(spool=spool, n_union=7),
        motivo="Ramal eliminado en la revisión C del isométrico",
        actor=boss,
    )
    Union.objects.filter(spool=spool, n_union=1).update(
        ndt_metodo="RT",
        ndt_informe="IN-2031",
        ndt_fecha=datetime.date(2026, 11, 12),
        ndt_resultado="APROBADO",
    )
    return fresh()


def test_history_of_twenty_joints_fits_the_tablet_and_passes_axe(live_server, page, twenty):
    page.set_viewport_size(TABLET)
    page.goto(f"{live_server.url}{reverse('login')}")
    page.fill("input[name=username]", "jefa")
    page.fill("input[name=password]", "clave-jefa-123")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}{reverse('history', kwargs={'tag': TAG})}")
    table = page.locator("[data-testid=joints]")
    assert table.locator("tbody tr").count() == 20
    assert "ARM 19/19 · SOLD 6/17" in page.inner_text("[data-testid=progreso]")
    assert "Ana María Araya Fuenzalida" in table.locator("tr[data-union='8']").inner_text()
    assert "Beto Soto" in table.locator("tr[data-union='9']").inner_text()
    assert "Carla Díaz" in table.locator("tr[data-union='6']").inner_text()
    assert "Ramal eliminado" in table.locator("tr[data-union='7']").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "page scrolls sideways"
    # The joints' table scrolls inside its own box, which a keyboard can reach (tabindex=0).
    box = page.locator(".joints-box")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth") and box.get_attribute("tabindex") == "0"
    assert not _axe(page)
    page.set_viewport_size(DESKTOP)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert box.evaluate("b => b.scrollWidth <= b.clientWidth"), "the joints' table does not fit 1280 px"
