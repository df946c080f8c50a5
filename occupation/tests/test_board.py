"""The live board's content and access, /api/dashboard/occupied, and the event schema on commit."""

from __future__ import annotations

import datetime
import json

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from occupation import services
from zeues.lib import live

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="jefe", password="x-123456789"))
    return client


def test_board_shows_who_holds_what_stale_and_blocked(boss, make_worker, make_spool, settings):
    w = make_worker(id=93, nombre="Mauricio", apellido="Rodriguez")
    old = timezone.now() - datetime.timedelta(hours=settings.ZEUES_STALE_HOURS + 2)
    make_spool(
        tag_spool="B-OLD", arm="en_progreso", ocupado_por=w, fecha_ocupacion=old, operacion_actual="ARM"
    )
    make_spool(
        tag_spool="B-NEW",
        arm="en_progreso",
        ocupado_por=w,
        fecha_ocupacion=timezone.now(),
        operacion_actual="ARM",
    )
    make_spool(tag_spool="B-BLOCK", arm="completado", sold="completado", calidad="bloqueado", ciclo=3)
    page = boss.get("/tablero/").content.decode()
    assert 'data-tag="B-OLD" class="stale"' in page and 'data-tag="B-NEW" class=""' in page
    assert "MR(93) Mauricio Rodriguez" in page and "B-BLOCK" in page
    assert 'data-count="ocupados">2<' in page and 'data-count="bloqueados">1<' in page
    assert 'sse-connect="/api/sse/stream"' in page
    for event_type in live.EVENT_TYPES:
        assert event_type in page  # the receivers listen to every type of the schema


def test_board_fragment_for_htmx_and_tv_mode(boss):
    fragment = boss.get("/tablero/", headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="board"') and "<html" not in fragment
    tv = boss.get("/tablero/", {"tv": "1"}).content.decode()
    assert 'class="board tv"' in tv and 'class="topbar"' not in tv


def test_board_needs_login_and_is_closed_to_kiosk_accounts(client, django_user_model):
    assert client.get("/tablero/")["Location"].startswith("/login/")
    tablet = django_user_model.objects.create_user(username="tablet", password="x-123456789")
    tablet.groups.add(Group.objects.get_or_create(name="Kioscos")[0])
    client.force_login(tablet)
    assert client.get("/tablero/")["Location"] == "/kiosko/"


def test_dashboard_occupied_json(api, make_worker, make_spool):
    w = make_worker(id=93, nombre="Mauricio", apellido="Rodriguez")
    make_spool(
        tag_spool="J-1",
        arm="en_progreso",
        ocupado_por=w,
        fecha_ocupacion=timezone.now(),
        operacion_actual="ARM",
    )
    make_spool(tag_spool="J-2")
    body = api.get("/api/dashboard/occupied").json()
    assert len(body) == 1
    assert set(body[0]) == {"tag_spool", "worker_nombre", "operacion", "estado_detalle", "fecha_ocupacion"}
    assert body[0]["worker_nombre"] == "MR(93)" and body[0]["operacion"] == "ARM"


def test_stream_refuses_anonymous_and_bad_tokens(client):
    assert client.get("/api/sse/stream").status_code == 401
    assert client.get("/api/sse/stream", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_every_audit_type_maps_onto_a_stream_type():
    from spools.models import LIVE_TYPE, EventType

    assert set(LIVE_TYPE) == set(EventType)
    assert set(LIVE_TYPE.values()) <= set(live.EVENT_TYPES)


def test_actions_publish_the_schema_only_after_commit(
    make_worker, make_spool, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(live, "send", lambda event_type, data: sent.append((event_type, data)))
    w = make_worker(id=93, roles=["Armador"])
    spool = make_spool()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.spool_take(spool=spool, worker=w, operacion="ARM")
    assert sent == [] and len(callbacks) == 1
    callbacks[0]()
    ((event_type, data),) = sent
    assert event_type == "TOMAR" and tuple(data) == live.FIELDS
    assert data["worker_nombre"] == w.token and data["ocupado_por"] == w.token
    assert datetime.datetime.fromisoformat(data["timestamp"]).utcoffset() is not None
    json.dumps(data)


def test_unknown_stream_type_is_refused():
    with pytest.raises(ValueError):
        live.send("NOPE", {})


def test_streams_queue_enough_events_before_falling_back_to_storage():
    """django-eventstream's default of 10 collapsed delivery under load (bench/realtime.py)."""
    from django_eventstream import views

    assert views.MAX_PENDING == live.PENDING_PER_STREAM >= 1000
