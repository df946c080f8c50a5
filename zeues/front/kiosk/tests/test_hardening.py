"""A shared tablet under misuse: failed identifications forget the previous worker; tampered
action forms are refused before anything runs (hardening issue, items 6 and 8)."""

from __future__ import annotations

import uuid

import pytest

from spools.models import Spool
from zeues.front.kiosk.tests.test_views import _identify, kiosk

pytestmark = pytest.mark.django_db


def test_a_failed_identification_forgets_the_previous_worker(tablet, armador, make_spool):
    make_spool(tag_spool="H-1")
    _identify(tablet, "ARM", 93)
    assert "MR(93)" in tablet.get(kiosk("list", "ARM")).content.decode()
    failed = _identify(tablet, "ARM", 99999999)
    assert (
        failed.status_code == 200
        and "No existe un trabajador con el número 99999999" in failed.content.decode()
    )
    again = tablet.get(kiosk("list", "ARM"))
    assert again.status_code == 302 and again["Location"] == kiosk("identify", "ARM")  # nobody is identified


def test_a_failed_badge_scan_forgets_the_previous_worker(tablet, armador, make_spool):
    make_spool(tag_spool="H-2")
    _identify(tablet, "ARM", 93)
    tablet.get(kiosk("scan"), {"codigo": "99999999"})
    assert tablet.get(kiosk("list", "ARM"))["Location"] == kiosk("identify", "ARM")


def test_a_scanned_spool_after_a_failed_attempt_shows_no_one(tablet, armador, make_spool):
    make_spool(tag_spool="H-3")
    _identify(tablet, "ARM", 93)
    _identify(tablet, "SOLD", 93)  # wrong role: refused
    page = tablet.get(kiosk("spool", tag="H-3")).content.decode()
    assert "MR(93)" not in page and 'data-testid="spool-actions"' not in page


@pytest.mark.parametrize("operacion", ["NOPE", "", "metrologia"])
def test_an_unknown_operation_in_an_action_form_is_refused(
    tablet, armador, make_spool, operacion, nothing_written
):
    make_spool(tag_spool="H-4")
    _identify(tablet, "TODAS", 93)
    data = {"accion": "TOMAR", "operacion": operacion, "tags": ["H-4"], "idem": uuid.uuid4().hex}
    with nothing_written():
        r = tablet.post(kiosk("execute", "TODAS"), data, follow=True)
    assert r.status_code == 200 and "Operación o acción desconocida" in r.content.decode()
    assert Spool.objects.get(tag_spool="H-4").ocupado_por is None


def test_an_action_the_operation_does_not_have_is_refused(tablet, armador, make_spool, nothing_written):
    make_spool(tag_spool="H-5")
    _identify(tablet, "ARM", 93)
    data = {"accion": "APROBADO", "operacion": "ARM", "tags": ["H-5"], "idem": uuid.uuid4().hex}
    with nothing_written():
        r = tablet.post(kiosk("execute", "ARM"), data, follow=True)
    assert "Operación o acción desconocida" in r.content.decode()


class _DownCache:
    """A cache whose server does not answer (Redis stopped)."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            import redis

            raise redis.ConnectionError("Connection refused")

        return fail


def test_with_the_lock_store_down_a_pin_is_not_checked_but_workers_without_one_go_on(
    tablet, armador, make_worker, make_spool, monkeypatch
):
    from zeues.lib import lockout

    make_spool(tag_spool="H-6")
    with_pin = make_worker(id=94, nombre="Ana", apellido="Pin", roles=["Armador"])
    with_pin.set_pin("2468")
    with_pin.save()
    monkeypatch.setattr(lockout, "cache", _DownCache())
    _identify(tablet, "ARM", 94)
    page = tablet.post(kiosk("pin", "ARM"), {"pin": "2468"})
    assert page.status_code == 200 and "No se puede comprobar el PIN ahora" in page.content.decode()
    assert tablet.get(kiosk("list", "ARM")).status_code == 302  # not identified, even with the right PIN
    _identify(tablet, "ARM", 93)  # no PIN: nothing to check
    assert "MR(93)" in tablet.get(kiosk("list", "ARM")).content.decode()


def test_the_admin_says_when_it_cannot_unlock_a_pin(admin_client, make_worker, monkeypatch):
    from django.urls import reverse

    from zeues.lib import lockout

    worker = make_worker(id=95, roles=["Armador"])
    monkeypatch.setattr(lockout, "cache", _DownCache())
    changelist = reverse("admin:spools_worker_changelist")
    assert "servicio no disponible" in admin_client.get(changelist).content.decode()
    r = admin_client.post(
        changelist, {"action": "desbloquear_pin", "_selected_action": [worker.pk]}, follow=True
    )
    assert "El servicio de bloqueos no responde" in r.content.decode()
