"""Where people see the mirror: /api/health, the admin page, and the embedded thread's rules."""

from __future__ import annotations

import sys

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from occupation.services import spool_take
from zeues.mirror import embedded
from zeues.mirror.sync import SheetSync

pytestmark = pytest.mark.django_db(transaction=True)


def test_health_shows_the_mirror_and_stays_200_while_it_is_behind(api, emulator, sheet):
    spool_take(spool=sheet["spools"][0], worker=sheet["workers"][0], operacion="ARM")
    emulator.set_down(True)
    SheetSync().run_once()
    response = api.get(reverse("health"))
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"
    mirror = body["sheets"]
    assert mirror["estado"] == "error" and "503" in mirror["ultimo_error"]
    assert mirror["pendientes_spools"] == 1 and mirror["pendientes_eventos"] == 1
    assert mirror["atraso_segundos"] >= 0 and mirror["ultimo_exito"] is None
    emulator.set_down(False)
    SheetSync().run_once()
    mirror = api.get(reverse("health")).json()["sheets"]
    assert mirror["estado"] == "ok" and mirror["pendientes_spools"] == 0 and mirror["ultimo_exito"]


def test_admin_shows_the_mirror_status_read_only(client, emulator, sheet):
    admin = get_user_model().objects.create_superuser("jefe", "jefe@example.com", "x")
    client.force_login(admin)
    spool_take(spool=sheet["spools"][0], worker=sheet["workers"][0], operacion="ARM")
    page = client.get(reverse("admin:zeues_sheetsyncstate_changelist"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "1 spools, 1 eventos" in text and "Al día" in text
    detail = client.get(reverse("admin:zeues_sheetsyncstate_change", args=[1]))
    assert detail.status_code == 200 and 'type="submit" value="Guardar"' not in detail.content.decode()
    pending = client.get(f"{reverse('admin:zeues_sheetspoolchange_changelist')}?problema=no")
    assert pending.status_code == 200 and sheet["spools"][0].tag_spool in pending.content.decode()


def test_the_embedded_thread_runs_only_in_a_single_process_server(settings, monkeypatch):
    settings.GOOGLE_SHEET_ID, settings.REDIS_URL, settings.ZEUES_SHEETS_EMBEDDED = "X", "", True
    assert not embedded.should_embed()  # pytest is running
    assert embedded.start_embedded() is None
    monkeypatch.delitem(sys.modules, "pytest")
    assert embedded.should_embed()  # what uvicorn/runserver would decide
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"  # several processes: run sync_sheets instead
    assert not embedded.should_embed()
    settings.REDIS_URL, settings.GOOGLE_SHEET_ID = "", ""
    assert not embedded.should_embed()
