"""The live board's content and access (zeues/front/board.py).

Also /api/dashboard/occupied and the door of /api/sse/stream (zeues/front/api.py).
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from zeues.lib import live

pytestmark = pytest.mark.django_db

BOARD = reverse("board")
STREAM = reverse("sse-stream")


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
    page = boss.get(BOARD).content.decode()
    assert 'data-tag="B-OLD" class="stale"' in page and 'data-tag="B-NEW" class=""' in page
    assert "MR(93) Mauricio Rodriguez" in page and "B-BLOCK" in page
    assert 'data-count="ocupados">2<' in page and 'data-count="bloqueados">1<' in page
    assert f'sse-connect="{STREAM}"' in page
    for event_type in live.EVENT_TYPES:
        assert event_type in page  # the receivers listen to every type of the schema


def test_board_fragment_for_htmx_and_tv_mode(boss):
    fragment = boss.get(BOARD, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="board"') and "<html" not in fragment
    tv = boss.get(BOARD, {"tv": "1"}).content.decode()
    assert 'class="board tv"' in tv and 'class="topbar"' not in tv


def test_board_needs_login_and_is_closed_to_kiosk_accounts(client, django_user_model):
    assert client.get(BOARD)["Location"].startswith(reverse("login"))
    tablet = django_user_model.objects.create_user(username="tablet", password="x-123456789")
    tablet.groups.add(Group.objects.get_or_create(name="Kioscos")[0])
    client.force_login(tablet)
    assert client.get(BOARD)["Location"] == reverse("kiosk:start")


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
    body = api.get(reverse("dashboard-occupied")).json()
    assert len(body) == 1
    assert set(body[0]) == {"tag_spool", "worker_nombre", "operacion", "estado_detalle", "fecha_ocupacion"}
    assert body[0]["worker_nombre"] == "MR(93)" and body[0]["operacion"] == "ARM"


def test_stream_refuses_anonymous_and_bad_tokens(client):
    assert client.get(STREAM).status_code == 401
    assert client.get(STREAM, headers={"Authorization": "Bearer nope"}).status_code == 401
