"""The live board's content and access (zeues/front/board.py).

Also /api/dashboard/occupied and the door of /api/sse/stream (zeues/front/api.py).
"""

from __future__ import annotations

import datetime
import re

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
    client.force_login(
        django_user_model.objects.create_user(username="jefe", password="x-123456789", is_staff=True)
    )
    return client


def _occupy(make_spool, worker, tag, hours_ago, op="ARM", **fields):
    fields.setdefault("arm", "en_progreso" if op == "ARM" else "completado")
    if op == "SOLD":
        fields.setdefault("sold", "en_progreso")
    if op == "REPARACION":
        fields.update(sold="completado", calidad="en_reparacion", ciclo=1)
    return make_spool(
        tag_spool=tag,
        ocupado_por=worker,
        fecha_ocupacion=timezone.now() - datetime.timedelta(hours=hours_ago),
        operacion_actual=op,
        **fields,
    )


def _rows(page):
    """The tags of the table rows, in the order of the page."""
    return re.findall(r'<tr data-tag="([^"]+)"', page)


def test_board_shows_who_holds_what_stale_and_blocked(boss, make_worker, make_spool, settings):
    w = make_worker(id=93, nombre="Mauricio", apellido="Rodriguez")
    _occupy(make_spool, w, "B-OLD", settings.ZEUES_STALE_HOURS + 2)
    _occupy(make_spool, w, "B-NEW", 0)
    make_spool(tag_spool="B-BLOCK", arm="completado", sold="completado", calidad="bloqueado", ciclo=3)
    page = boss.get(BOARD).content.decode()
    assert '<tr data-tag="B-OLD" class="stale">' in page and '<tr data-tag="B-NEW">' in page
    assert "MR(93) Mauricio Rodriguez" in page and "B-BLOCK" in page
    assert 'data-count="ocupados">2<' in page and 'data-count="bloqueados">1<' in page
    assert 'data-count="antiguos">1<' in page
    # The blocked spool in words, not its Estado_Detalle code.
    assert "Bloqueado · llame a un supervisor · 3 rechazos seguidos" in page
    assert "BLOQUEADO (" not in page and "Estado_Detalle" not in page
    assert f'sse-connect="{STREAM}"' in page
    for event_type in live.EVENT_TYPES:
        assert event_type in page  # the receivers listen to every type of the schema


def test_board_says_operations_in_words_not_codes(boss, make_worker, make_spool):
    w = make_worker(id=100, nombre="Luis", apellido="Muñoz", roles=["Ayudante"])
    _occupy(make_spool, w, "R-1", 1, op="REPARACION")
    page = boss.get(BOARD).content.decode()
    row = page[page.index('<tr data-tag="R-1"') :]
    row = row[: row.index("</tr>")]
    assert "<td>REPARACIÓN</td>" in row and "REPARACION<" not in row
    assert '<option value="REPARACION">REPARACIÓN</option>' in page  # the filter too


def test_current_work_comes_first_and_stale_ones_are_grouped_with_their_count(
    boss, make_worker, make_spool, settings
):
    w = make_worker(id=93)
    stale_hours = settings.ZEUES_STALE_HOURS
    for i, days in enumerate((10, 9, 11)):
        _occupy(make_spool, w, f"OLD-{i}", days * 24)
    _occupy(make_spool, w, "NOW-EARLY", 3)
    _occupy(make_spool, w, "NOW-LATEST", 0)
    _occupy(make_spool, w, "NOW-EDGE", stale_hours - 0.5)
    page = boss.get(BOARD).content.decode()
    # Current work first, the newest on top; then the stale group, the oldest first.
    assert _rows(page) == ["NOW-LATEST", "NOW-EARLY", "NOW-EDGE", "OLD-2", "OLD-0", "OLD-1"]
    current = page[page.index('data-group="current"') : page.index('id="stale-group"')]
    assert "OLD-" not in current and "Trabajo en curso: 3 spools" in current
    group = page[page.index('<details class="stale-group" id="stale-group"') :]
    assert group.index('data-count="antiguas-grupo">3<') < group.index("</summary>")
    assert f"ocupaciones antiguas (más de {stale_hours} h)" in group
    assert '<details class="stale-group" id="stale-group" data-testid="stale">' in page  # collapsed
    opened = boss.get(BOARD, {"antiguas": "1"}).content.decode()
    assert 'id="stale-group" data-testid="stale" open>' in opened  # a link can open it
    assert '<input type="hidden" name="antiguas" value="1">' in opened  # and filtering keeps it open


def test_no_stale_group_without_stale_occupations(boss, make_worker, make_spool):
    _occupy(make_spool, make_worker(id=93), "NOW-1", 1)
    page = boss.get(BOARD).content.decode()
    assert "stale-group" not in page and 'data-count="antiguos">0<' in page


def test_filters_by_operation_and_worker_are_links_the_live_refresh_keeps(
    boss, make_worker, make_spool, settings
):
    mr = make_worker(id=93, nombre="Mauricio", apellido="Rodriguez", roles=["Armador", "Soldador"])
    vs = make_worker(id=90, nombre="Valentina", apellido="Soto", roles=["Armador"])
    make_worker(id=80, nombre="Inactivo", apellido="Ya", activo=False)
    _occupy(make_spool, mr, "MR-ARM", 1)
    _occupy(make_spool, mr, "MR-SOLD", 2, op="SOLD")
    _occupy(make_spool, mr, "MR-SOLD-OLD", settings.ZEUES_STALE_HOURS + 5, op="SOLD")
    _occupy(make_spool, vs, "VS-ARM", 1)

    page = boss.get(BOARD, {"operacion": "SOLD"}).content.decode()
    assert _rows(page) == ["MR-SOLD", "MR-SOLD-OLD"]
    assert 'data-count="antiguas-grupo">1<' in page  # the group counts what the filter shows
    assert 'data-count="ocupados">4<' in page  # the counts stay the shop's
    assert '<option value="SOLD" selected>SOLD</option>' in page
    assert f'hx-get="{BOARD}?operacion=SOLD"' in page

    page = boss.get(BOARD, {"trabajador": "90"}).content.decode()
    assert _rows(page) == ["VS-ARM"]
    assert '<option value="90" selected>VS(90) Valentina Soto</option>' in page
    assert 'value="80"' not in page  # inactive workers are not offered

    both = {"operacion": "ARM", "trabajador": "93"}
    page = boss.get(BOARD, both).content.decode()
    assert _rows(page) == ["MR-ARM"] and "filtro: ARM · MR(93)" in page
    assert f'hx-get="{BOARD}?operacion=ARM&amp;trabajador=93"' in page
    assert f'href="{BOARD}?tv=1&amp;operacion=ARM&amp;trabajador=93"' in page  # the TV link keeps them
    assert f'class="clear" href="{BOARD}"' in page
    fragment = boss.get(BOARD, both, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith(
        f'<section id="board" hx-get="{BOARD}?operacion=ARM&amp;trabajador=93"'
    )
    assert _rows(fragment) == ["MR-ARM"]

    page = boss.get(BOARD, {"operacion": "NOPE", "trabajador": "x"}).content.decode()
    assert len(_rows(page)) == 4 and f'hx-get="{BOARD}"' in page  # unknown values are ignored
    page = boss.get(BOARD, {"operacion": "METROLOGIA"}).content.decode()
    assert _rows(page) == [] and "Nadie trabaja con este filtro ahora." in page


def test_tv_mode_pages_the_rows(boss, make_worker, make_spool, settings):
    w = make_worker(id=93)
    for i in range(25):
        _occupy(make_spool, w, f"CUR-{i:02d}", i * 0.1)
    for i in range(4):
        _occupy(make_spool, w, f"OLD-{i}", settings.ZEUES_STALE_HOURS + 24 + i)
    tv = boss.get(BOARD, {"tv": "1"}).content.decode()
    assert 'class="board tv"' in tv and 'class="topbar"' not in tv and "<form" not in tv
    assert tv.count("data-tv-page=") == 3 and 'data-seconds="12"' in tv
    assert '<div class="tv-page" data-tv-page="1" data-group="current">' in tv
    assert '<div class="tv-page" data-tv-page="2" data-group="current" hidden>' in tv
    assert '<div class="tv-page" data-tv-page="3" data-group="current" hidden>' in tv
    assert 'data-template="página {n} de {total}">página 1 de 3</span>' in tv
    assert "Trabajo en curso · 1–12 de 25" in tv and "Trabajo en curso · 25–25 de 25" in tv
    page1 = tv[tv.index('data-tv-page="1"') : tv.index('data-tv-page="2"')]
    assert _rows(page1) == [f"CUR-{i:02d}" for i in range(12)]
    assert "OLD-" not in tv  # the stale group is a count on the TV ...
    assert 'data-count="antiguas-grupo">4<' in tv
    assert f'hx-get="{BOARD}?tv=1"' in tv

    tv = boss.get(BOARD, {"tv": "1", "antiguas": "1", "filas": "8", "segundos": "5"}).content.decode()
    # ... or, asked for, pages of its own after the current work.
    assert tv.count("data-tv-page=") == 5 and 'data-seconds="5"' in tv
    assert '<div class="tv-page" data-tv-page="5" data-group="stale" hidden>' in tv
    assert _rows(tv[tv.index('data-tv-page="5"') :]) == [f"OLD-{i}" for i in (3, 2, 1, 0)]
    assert f'hx-get="{BOARD}?tv=1&amp;antiguas=1&amp;filas=8&amp;segundos=5"' in tv

    tv = boss.get(BOARD, {"tv": "1", "filas": "0", "segundos": "99999"}).content.decode()
    assert tv.count("data-tv-page=") == 9 and 'data-seconds="300"' in tv  # bounded: 3 rows, 300 s
    tv = boss.get(BOARD, {"tv": "1", "operacion": "SOLD"}).content.decode()
    assert tv.count("data-tv-page=") == 1 and 'data-testid="pager"' not in tv  # one page: nothing turns
    assert "Filtro: SOLD" in tv and "Nadie trabaja con este filtro ahora." in tv


def test_tv_names_only_a_few_blocked_spools(boss, make_spool):
    for i in range(11):
        make_spool(tag_spool=f"BL-{i:02d}", arm="completado", sold="completado", calidad="bloqueado", ciclo=3)
    tv = boss.get(BOARD, {"tv": "1"}).content.decode()
    line = tv[tv.index('class="blocked-line"') :]
    line = line[: line.index("</p>")]
    assert "BL-07" in line and "BL-08" not in line and "y 3 más" in line


def test_board_fragment_for_htmx_and_tv_mode(boss):
    fragment = boss.get(BOARD, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="board"') and "<html" not in fragment
    tv = boss.get(BOARD, {"tv": "1"}, headers={"HX-Request": "true"}).content.decode()
    assert tv.lstrip().startswith(f'<section id="board" hx-get="{BOARD}?tv=1"') and "data-tv-page" in tv


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
    make_spool(
        tag_spool="J-OLD",
        arm="en_progreso",
        ocupado_por=w,
        fecha_ocupacion=timezone.now() - datetime.timedelta(days=10),
        operacion_actual="ARM",
    )
    make_spool(tag_spool="J-2")
    body = api.get(reverse("dashboard-occupied")).json()
    # The published API is unchanged by the board's order: every occupied spool, oldest first.
    assert [item["tag_spool"] for item in body] == ["J-OLD", "J-1"]
    body = body[1:]
    assert set(body[0]) == {"tag_spool", "worker_nombre", "operacion", "estado_detalle", "fecha_ocupacion"}
    assert body[0]["worker_nombre"] == "MR(93)" and body[0]["operacion"] == "ARM"


def test_stream_refuses_anonymous_and_bad_tokens(client):
    assert client.get(STREAM).status_code == 401
    assert client.get(STREAM, headers={"Authorization": "Bearer nope"}).status_code == 401


# --- spools tracked joint by joint ------------------------------------------------------------


def _row(page: str, tag: str) -> str:
    start = page.index(f'<tr data-tag="{tag}"')
    return page[start : page.index("</tr>", start)]


def test_board_rows_show_joint_progress_and_whole_spools_none(boss, make_worker, make_spool, make_joints):
    from occupation.services import spool_take

    w = make_worker(id=91, nombre="Juan", apellido="García", roles=["Armador", "Soldador"])
    joints = [(1, "2", "BW", {"arm": w}), (2, "2", "BW", {"arm": w}), (3, "3", "SO"), (4, "1", "FW")]
    spool_take(spool=make_joints(make_spool(tag_spool="J-ARM"), joints), worker=w, operacion="ARM")
    _occupy(make_spool, w, "J-WHOLE", 0)
    repair = _occupy(make_spool, w, "J-REP", 0, op="REPARACION")
    make_joints(repair, [(1, "2", "BW", {"arm": w, "sold": w})])
    page = boss.get(BOARD).content.decode()
    assert '<span class="progreso" data-progreso>ARM 2/4 · SOLD 0/3</span>' in _row(page, "J-ARM")
    assert "data-progreso" not in _row(page, "J-WHOLE")
    assert "data-progreso" not in _row(page, "J-REP")  # every joint is done: nothing to follow


def test_board_refresh_brings_the_new_progress_the_stream_event_carries(
    boss, make_worker, make_spool, make_joints, django_capture_on_commit_callbacks
):
    from occupation.services import spool_finish, spool_take
    from spools.models import Spool

    a = make_worker(id=110, nombre="Ana", apellido="Araya", roles=["Armador"])
    b = make_worker(id=90, nombre="Beto", apellido="Soto", roles=["Armador"])
    spool = make_joints(make_spool(tag_spool="J-LIVE"), [(n, "2", "BW") for n in (1, 2, 3, 4)])
    sent: list[tuple[str, dict]] = []
    original = live.send
    live.send = lambda event_type, data: sent.append((event_type, data))  # type: ignore[assignment]
    try:
        with django_capture_on_commit_callbacks(execute=True):
            spool_take(spool=spool, worker=a, operacion="ARM")
        fragment = boss.get(BOARD, headers={"HX-Request": "true"}).content.decode()
        assert "ARM 0/4 · SOLD 0/4" in _row(fragment, "J-LIVE")
        with django_capture_on_commit_callbacks(execute=True):
            spool_finish(spool=Spool.objects.get(pk=spool.pk), worker=a, uniones=[1, 2])
        assert 'data-tag="J-LIVE"' not in boss.get(BOARD, headers={"HX-Request": "true"}).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            spool_take(spool=Spool.objects.get(pk=spool.pk), worker=b, operacion="ARM")
        fragment = boss.get(BOARD, headers={"HX-Request": "true"}).content.decode()
    finally:
        live.send = original  # type: ignore[assignment]
    assert [(t, d["progreso"]) for t, d in sent] == [
        ("TOMAR", "ARM 0/4 · SOLD 0/4"),
        ("PAUSAR", "ARM 2/4 · SOLD 0/4"),
        ("TOMAR", "ARM 2/4 · SOLD 0/4"),
    ]
    row = _row(fragment, "J-LIVE")
    assert "BS(90) Beto Soto" in row and f">{sent[-1][1]['progreso']}</span>" in row
