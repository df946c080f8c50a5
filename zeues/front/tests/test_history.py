"""A spool's history on screen (zeues/front/history.py) and as JSON (/api/history, zeues/front/api.py)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from spools.models import EventType
from zeues.reports.tests.test_history import T0, ev

pytestmark = pytest.mark.django_db

SEARCH = reverse("history-search")


def history(tag: str) -> str:
    """A spool's history page."""
    return reverse("history", kwargs={"tag": tag})


def api_history(tag: str) -> str:
    """A spool's history as JSON."""
    return reverse("api-history", kwargs={"tag": tag})


@pytest.fixture
def boss(client, django_user_model):
    user = django_user_model.objects.create_user(username="jefe", password="x-123456789")
    user.groups.add(Group.objects.get_or_create(name="Gerencia")[0])
    client.force_login(user)
    return client


# --- API ---------------------------------------------------------------------------------


def test_api_history_shape(api, make_worker, make_spool):
    a, spool = make_worker(id=5), make_spool(tag_spool="H/API-1")
    ev(spool, EventType.TOMAR_SPOOL, a, "ARM", T0)
    ev(spool, EventType.PAUSAR_SPOOL, a, "ARM", T0 + datetime.timedelta(days=1, hours=2))
    ev(spool, EventType.TOMAR_SPOOL, a, "ARM", timezone.now() - datetime.timedelta(minutes=5))
    body = api.get(api_history("H/API-1")).json()
    assert body["tag_spool"] == "H/API-1"
    first, second = body["sessions"]
    assert first == {
        "worker_nombre": "MR(5)",
        "worker_id": 5,
        "operacion": "ARM",
        "start_time": "2026-03-02T08:00:00-03:00",
        "end_time": "2026-03-03T10:00:00-03:00",
        "duration": "1 d 02:00:00",
        "duration_seconds": 93600,
        "en_curso": False,
        "cierre": "PAUSAR_SPOOL",
    }
    assert second["en_curso"] and second["end_time"] is None and second["duration_seconds"] >= 300
    assert [e["evento_tipo"] for e in body["events"]] == ["TOMAR_SPOOL", "PAUSAR_SPOOL", "TOMAR_SPOOL"]
    assert set(body["events"][0]) == {
        "id",
        "timestamp",
        "evento_tipo",
        "worker_nombre",
        "operacion",
        "accion",
        "details",
    }
    assert body["events"][0]["timestamp"] == "2026-03-02T08:00:00-03:00"


def test_api_history_unknown_tag_and_auth(api, anon_api):
    response = api.get(api_history("NO-EXISTE"))
    assert response.status_code == 404 and response.json()["error"] == "SPOOL_NO_ENCONTRADO"
    assert anon_api.get(api_history("NO-EXISTE")).status_code == 401
    assert api.post(api_history("NO-EXISTE")).status_code == 405


# --- pages -------------------------------------------------------------------------------


def test_page_renders_sessions_totals_and_acts(boss, make_worker, make_spool):
    a, spool = make_worker(id=93), make_spool(tag_spool="H-PAGE/1")
    ev(spool, EventType.TOMAR_SPOOL, a, "ARM", T0)
    ev(
        spool,
        EventType.LIBERACION_FORZADA,
        a,
        "ARM",
        T0 + datetime.timedelta(days=2, hours=3, minutes=15),
        motivo="Olvidó pausar",
        supervisor="jefa",
    )
    ev(spool, EventType.TOMAR_SPOOL, a, "ARM", timezone.now())
    page = boss.get(history("H-PAGE/1")).content.decode()
    assert "MR(93) Mauricio Rodriguez" in page and "2 d 03:15:00" in page
    assert "en curso" in page and "data-since=" in page
    assert "Olvidó pausar" in page and "jefa" in page and "LIBERACION_FORZADA" in page
    totals = page[page.index('data-testid="totals"') : page.index('data-testid="sessions"')]
    assert "<td>ARM</td><td>2</td>" in totals and "</table>" in totals  # the summary comes first


def test_page_rows_show_plant_times_and_escape_what_people_typed(boss, make_worker, make_spool):
    a, b = make_worker(id=94, nombre="<b>Ana</b>"), make_worker(id=95, roles=["Metrologia"])
    spool = make_spool(tag_spool="H-ESC")
    ev(spool, EventType.TOMAR_SPOOL, a, "SOLD", T0)  # 08:00 plant time = 11:00 UTC
    ev(spool, EventType.PAUSAR_SPOOL, a, "SOLD", T0 + datetime.timedelta(hours=1))
    ev(
        spool,
        EventType.COMPLETAR_METROLOGIA,
        b,
        "METROLOGIA",
        T0 + datetime.timedelta(hours=2),
        resultado="RECHAZADO",
        ciclo=1,
    )
    ev(
        spool,
        EventType.SUPERVISOR_OVERRIDE,
        None,
        "SOLD",
        T0 + datetime.timedelta(hours=3),
        motivo="<script>x</script>",
    )
    page = boss.get(history("H-ESC")).content.decode()
    sessions = page[page.index('data-testid="sessions"') : page.index('data-testid="metrologia"')]
    assert "&lt;b&gt;Ana&lt;/b&gt;" in sessions and "<b>Ana" not in sessions
    assert '<time datetime="2026-03-02T08:00:00-03:00">02-03-2026 08:00:00</time>' in sessions
    assert "<td>01:00:00</td><td>PAUSAR_SPOOL</td>" in sessions
    metrologia = page[page.index('data-testid="metrologia"') : page.index('data-testid="supervisor"')]
    assert "<td>02-03-2026 10:00</td>" in metrologia and "<td>RECHAZADO</td><td>1</td>" in metrologia
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x" not in page


def test_page_unknown_tag_is_404(boss):
    assert boss.get(history("NO-EXISTE")).status_code == 404


def test_search_by_tag_nv_or_ot_links_to_the_timeline(boss, make_spool):
    make_spool(tag_spool="MK-1-A", nv="NV0700", ot="077")
    make_spool(tag_spool="MK-2-B", nv="NV0800", ot="088")
    for q in ("1-a", "NV0700", "077"):
        page = boss.get(SEARCH, {"q": q}).content.decode()
        assert f'href="{history("MK-1-A")}"' in page and "MK-2-B" not in page
    assert "Ningún spool coincide" in boss.get(SEARCH, {"q": "zzz"}).content.decode()


def test_pages_need_login_and_are_closed_to_kiosk_accounts(client, django_user_model, make_spool):
    make_spool(tag_spool="H-LOCK")
    assert client.get(SEARCH)["Location"].startswith(reverse("login"))
    assert client.get(history("H-LOCK"))["Location"].startswith(reverse("login"))
    tablet = django_user_model.objects.create_user(username="tablet", password="x-123456789")
    tablet.groups.add(Group.objects.get_or_create(name="Kioscos")[0])
    client.force_login(tablet)
    assert client.get(history("H-LOCK"))["Location"] == reverse("kiosk:start")
