"""A spool's history on screen (zeues/front/history.py) and as JSON (/api/history, zeues/front/api.py)."""

from __future__ import annotations

import datetime
import re
import uuid
import xml.etree.ElementTree as ET
import zoneinfo

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from spools.models import EventType, Spool
from zeues.front.timeline import ticks, timeline
from zeues.reports.history import EventRow, fold
from zeues.reports.tests.test_history import T0, at, ev

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
        "uniones": None,
        "pulgadas": None,
    }
    # A whole-spool spool: no joints, zero progress (the shape of /api/spools/{tag}).
    assert body["uniones"] == []
    assert body["progreso"] == {
        "arm_hechas": 0,
        "arm_total": 0,
        "sold_hechas": 0,
        "sold_total": 0,
        "pulgadas_arm": 0.0,
        "pulgadas_sold": 0.0,
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
    assert "Olvidó pausar" in page and "jefa" in page and "Supervisor liberó la ocupación · ARM" in page
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
    assert "<td>01:00:00</td><td>Pausó</td>" in sessions
    metrologia = page[page.index('data-testid="metrologia"') : page.index('data-testid="supervisor"')]
    assert (
        "<td>02-03-2026 10:00</td>" in metrologia and "<td>RECHAZADO</td><td>—</td><td>1</td>" in metrologia
    )
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


# --- the timeline (zeues/front/timeline.py) ----------------------------------------------
# Drawn from a hand-built history (no database): the events below, folded by reports.history.

MR = (1, "MR(1)", "Mauricio Rodriguez")
BS = (2, "BS(2)", "Beto Soto")
QC = (3, "IM(3)", "Ines Mora")


def row(seq: int, tipo: str, op: str, minutes: float, who=MR, actor: str = "", **details) -> EventRow:
    """One audit event `minutes` after T0, as spool_events reads it."""
    wid, token, name = who if who else (None, "", "")
    return EventRow(seq, uuid.uuid4(), at(minutes), tipo, wid, token, name, op, "", details, actor)


def drawn(events: list[EventRow], now_minutes: float = 10_000, tag: str = "TL-1"):
    """The timeline of these events and its SVG parsed as XML (it must be well-formed)."""
    h = fold(Spool(tag_spool=tag), events, now=at(now_minutes))
    tl = timeline(h)
    assert tl is not None
    return tl, ET.fromstring(f"<svg>{tl.svg}</svg>")  # noqa: S314 - our own markup, checked well-formed


def bars(svg, lane: str) -> list[tuple[str, str, str]]:
    """(x, width, title) of the lane's bars, in drawing order."""
    return [
        (r.get("x"), r.get("width"), r.findtext("title"))
        for r in svg.iter("rect")
        if (r.get("class") or "").split()[:2] == ["bar", lane]
    ]


def marks(svg, kind: str) -> list[tuple[str, str]]:
    """(x, title) of the marks of one kind."""
    return [
        (g.find("use").get("x"), g.findtext("title")) for g in svg.iter("g") if g.get("class") == f"mk {kind}"
    ]


def labels(svg, cls: str) -> list[str]:
    return [t.text for t in svg.iter("text") if (t.get("class") or "").startswith(cls)]


E = EventType
# Minutes 0..400, so x = 2 % + t / 400 x 96 % (2 % left free at each end): t=60 -> 16.40 %.
SHOP = [
    row(1, E.TOMAR_SPOOL, "ARM", 0),
    row(2, E.PAUSAR_SPOOL, "ARM", 60),
    row(3, E.TOMAR_SPOOL, "ARM", 120, BS),
    row(4, E.COMPLETAR_ARM, "ARM", 180, BS),
    row(5, E.TOMAR_SPOOL, "SOLD", 200, BS),
    row(6, E.LIBERACION_FORZADA, "SOLD", 260, BS, motivo="Fin de turno", supervisor="jefa"),
    row(
        7,
        E.COMPLETAR_METROLOGIA,
        "METROLOGIA",
        300,
        QC,
        resultado="RECHAZADO",
        ciclo=1,
        defecto_nombre="Porosidad",
    ),
    row(8, E.TOMAR_REPARACION, "REPARACION", 320, BS),
    row(9, E.COMPLETAR_REPARACION, "REPARACION", 380, BS),
    row(10, E.COMPLETAR_METROLOGIA, "METROLOGIA", 400, QC, resultado="APROBADO", ciclo=0),
]


def test_timeline_bars_sit_where_the_sessions_were_and_pauses_are_gaps():
    tl, svg = drawn(SHOP)
    arm = bars(svg, "arm")
    assert [(x, w) for x, w, _ in arm] == [("2.00%", "14.40%"), ("30.80%", "14.40%")]
    # The pause (60 -> 120 min) is the empty space between the end of one bar and the next.
    assert float(arm[0][0][:-1]) + float(arm[0][1][:-1]) == pytest.approx(16.40)
    assert [(x, w) for x, w, _ in bars(svg, "sold")] == [("50.00%", "14.40%")]
    assert [(x, w) for x, w, _ in bars(svg, "rep")] == [("78.80%", "14.40%")]
    assert (
        arm[1][2]
        == "BS(2) Beto Soto · ARM · 02-03-2026 10:00 → 02-03-2026 11:00 · 01:00:00 · Completó el ARM"
    )
    # Bars are labelled with the worker when the label fits: on a 601 px tablet (80 px) the token,
    # from a 1,000 px window (135 px) the name too when it is short; CSS shows one or the other.
    assert [(t.text, t.get("class")) for t in svg.iter("text") if t.get("class", "").startswith("bl")] == [
        ("MR(1)", "bl"),  # "MR(1) Mauricio Rodriguez" fits neither
        ("BS(2)", "bl narrow"),
        ("BS(2) Beto Soto", "bl wide"),
    ] + [("BS(2)", "bl narrow"), ("BS(2) Beto Soto", "bl wide")] * 2
    assert (tl.bars, tl.marks, tl.group_bars, tl.group_marks, tl.note) == (4, 3, 0, 0, "")
    assert tl.lanes == ["ARM", "SOLD", "METROLOGIA", "REPARACION", "SUPERVISION"]
    assert [t.text for t in svg.iter("text") if t.get("class") == "ln"] == [
        "ARM",
        "SOLD",
        "METROLOGÍA",
        "REPARACIÓN",
        "SUPERVISIÓN",
    ]


def test_timeline_marks_rejections_in_red_with_their_defect_and_supervisor_acts():
    _, svg = drawn(SHOP)
    ((x, title),) = marks(svg, "ko")
    assert x == "74.00%" and "RECHAZADO — Porosidad" in title and "inspector IM(3) Ines Mora" in title
    assert labels(svg, "ml ko") == ["Porosidad"]  # written beside the red ✕, not only coloured
    ko_shape = svg.find(".//g[@id='tl-ko']/path")
    assert ko_shape.get("stroke") == "#a4001d" and ko_shape.get("d").count("M") == 2  # a cross
    assert [x for x, _ in marks(svg, "ok")] == ["98.00%"]
    ((x, title),) = marks(svg, "sup")
    assert x == "64.40%"
    assert title == (
        "Supervisor liberó la ocupación · SOLD · 02-03-2026 12:20 · supervisor jefa · trabajador BS(2)"
        " · motivo: Fin de turno"
    )


def test_timeline_alerts_are_marks_and_a_rejection_at_the_end_is_labelled_to_the_left():
    events = [
        row(1, E.ALERTA_SUPERVISOR, "", 0, MR, motivo="LLAMADA", mensaje="Falta plano"),
        row(2, E.ALERTA_ATENDIDA, "", 30, None, actor="jefa", respuesta="Voy"),
        row(
            3,
            E.COMPLETAR_METROLOGIA,
            "METROLOGIA",
            240,
            QC,
            resultado="RECHAZADO",
            ciclo=1,
            defecto_nombre="Socavación",
        ),
        row(4, E.SPOOL_BLOQUEADO, "METROLOGIA", 240, QC),
    ]
    _, svg = drawn(events)
    assert [t for _, t in marks(svg, "alerta")] == [
        "Llamó a supervisión · 02-03-2026 08:00 · MR(1) Mauricio Rodriguez · «Falta plano»"
    ]
    assert [t for _, t in marks(svg, "atendida")] == [
        "Supervisión atendió la alerta · 02-03-2026 08:30 · jefa · «Voy»"
    ]
    ((x, title),) = marks(svg, "ko")
    assert x == "98.00%" and title.endswith("bloqueó el spool")
    (label,) = [t for t in svg.iter("text") if t.get("class") == "ml ko"]
    assert (label.text, label.get("text-anchor"), label.get("dx")) == ("Socavación", "end", "-10")
    assert "LLAMADA" not in ET.tostring(svg, encoding="unicode")


def test_timeline_open_session_runs_to_now_and_unclosed_one_is_not_given_an_end():
    events = [
        row(1, E.TOMAR_SPOOL, "SOLD", 0),
        row(2, E.TOMAR_SPOOL, "SOLD", 100, BS),  # the first one never closed: its end is unknown
    ]
    tl, svg = drawn(events, now_minutes=200)
    (first, second) = [r for r in svg.iter("rect") if (r.get("class") or "").startswith("bar sold")]
    assert first.get("class") == "bar sold nocierre" and "sin cierre registrado" in first.findtext("title")
    assert first.get("width") == f"{3 / 560 * 100:.2f}%"  # a stub, no invented duration
    assert second.get("class") == "bar sold open"
    assert (second.get("x"), second.get("width")) == ("50.00%", "48.00%")  # 100 -> 200 min = now
    assert "en curso (ahora) · 01:40:00" in second.findtext("title")
    (now_line,) = [ln for ln in svg.iter("line") if ln.get("class") == "now"]
    assert now_line.get("x1") == "98.00%"
    assert tl.end == at(200)


def test_timeline_escapes_what_people_typed_and_writes_decimal_points():
    evil = (7, "X(7)", "<script>alert(1)</script>")
    events = [
        row(1, E.TOMAR_SPOOL, "ARM", 0, evil),
        row(2, E.PAUSAR_SPOOL, "ARM", 333.3, evil),
        row(
            3,
            E.COMPLETAR_METROLOGIA,
            "METROLOGIA",
            500,
            QC,
            resultado="RECHAZADO",
            defecto_nombre="<b>fuga</b>",
        ),
        row(4, E.SUPERVISOR_OVERRIDE, "REPARACION", 700, None, actor="jefa", motivo='"><script>y</script>'),
    ]
    with translation.override("es"), override_settings(USE_THOUSAND_SEPARATOR=True):
        tl, svg = drawn(events, tag="<i>TL</i>")
    raw = str(tl.svg)
    assert "<script>" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert "<b>" not in raw and "&lt;b&gt;fuga&lt;/b&gt;" in raw
    assert "&quot;&gt;&lt;script&gt;" in raw
    assert bars(svg, "arm")[0][2].startswith("X(7) <script>alert(1)</script> · ARM")  # text once parsed
    number = re.compile(r"^-?\d+(\.\d+)?%?$")
    for el in svg.iter():
        for name in ("x", "y", "width", "height", "x1", "x2", "y1", "y2", "dx", "dy", "r"):
            value = el.get(name)
            assert value is None or number.match(value), (el.tag, name, value)
    assert "," not in "".join(el.get("x") or "" for el in svg.iter())
    assert "<i>TL</i>" in tl.label  # the aria-label is escaped by the template


def test_timeline_groups_sessions_too_close_to_see_and_says_so():
    events = []
    for i in range(300):  # 300 one-minute sessions, 10 minutes apart: 1.8 px apart on a tablet
        events += [
            row(2 * i + 1, E.TOMAR_SPOOL, "ARM", 10 * i),
            row(2 * i + 2, E.PAUSAR_SPOOL, "ARM", 10 * i + 1),
        ]
    events += [
        row(900 + i, E.COMPLETAR_METROLOGIA, "METROLOGIA", 5 * i, QC, resultado="RECHAZADO")
        for i in range(40)
    ]
    tl, svg = drawn(events)
    grouped = [r for r in svg.iter("rect") if r.get("class") == "bar arm grp"]
    assert len(grouped) == tl.group_bars and 0 < tl.group_bars < 30 and tl.grouped_sessions == 300
    assert "sesiones agrupadas a esta escala" in grouped[0].findtext("title")
    assert 0 < tl.group_marks < 40 and tl.grouped_events == 40
    assert any(text.startswith("×") for text in labels(svg, "ml"))
    assert tl.note.startswith("A esta escala, 300 sesiones muy próximas se dibujan como")
    assert len(tl.svg) < 60_000


def tick_labels(svg) -> list[tuple[bool, str, str]]:
    """(major, line 1, line 2) of the axis labels."""
    return [
        ("minor" not in t.get("class"), t.text, t.findtext("tspan") or "")
        for t in svg.iter("text")
        if t.get("class", "").startswith("tick")
    ]


def test_ticks_of_half_an_hour_are_minutes_with_the_date_once():
    _, svg = drawn([row(1, E.TOMAR_SPOOL, "ARM", 0), row(2, E.COMPLETAR_ARM, "ARM", 30)])
    ticks = tick_labels(svg)
    assert [(major, a, b) for major, a, b in ticks if major] == [
        (True, "08:00", "02-03"),
        (True, "08:10", ""),
        (True, "08:20", ""),
        (True, "08:30", ""),
    ]
    assert [a for major, a, _ in ticks if not major] == ["08:05", "08:15", "08:25"]


def test_ticks_of_two_weeks_are_days_and_of_a_year_months():
    days = 14 * 24 * 60
    _, svg = drawn([row(1, E.TOMAR_SPOOL, "ARM", 0), row(2, E.COMPLETAR_ARM, "ARM", days)])
    ticks = tick_labels(svg)
    majors = [(a, b) for major, a, b in ticks if major]
    assert 14 <= len(ticks) <= 16 and 7 <= len(majors) <= 8  # every day; every other one on a tablet
    assert [a for a, _ in majors] == ["04-03", "06-03", "08-03", "10-03", "12-03", "14-03", "16-03"]
    assert majors[0][1] == "2026" and all(b == "" for _, b in majors[1:])
    year = 365 * 24 * 60
    _, svg = drawn([row(1, E.TOMAR_SPOOL, "ARM", 0), row(2, E.COMPLETAR_ARM, "ARM", year)], now_minutes=year)
    ticks = tick_labels(svg)
    assert [a for major, a, _ in ticks if major] == ["mar", "may", "jul", "sep", "nov", "ene", "mar"]
    assert [(a, b) for _, a, b in ticks if b] == [("mar", "2026"), ("ene", "2027")]


def test_page_says_every_code_in_words(boss, make_worker, make_spool, settings):
    """No raw code on the page (the JSON API and the exports keep them)."""
    settings.ZEUES_MAX_CICLOS = 2
    a, b = make_worker(id=61, roles=["Armador", "Soldador"]), make_worker(id=62, roles=["Metrologia"])
    spool = make_spool(
        tag_spool="H-WORDS",
        arm="completado",
        sold="completado",
        calidad="en_reparacion",
        ciclo=1,
        ocupado_por=a,
        operacion_actual="REPARACION",
        fecha_ocupacion=timezone.now(),
    )
    t = 0

    def add(tipo, worker, op, **details):
        nonlocal t
        t += 30
        ev(spool, tipo, worker, op, at(t), **details)

    add(E.IMPORT, None, "")
    add(E.COMPLETAR_SOLD, a, "SOLD")  # a close without an open: "Otros eventos"
    add(E.TOMAR_SPOOL, a, "ARM")
    add(E.PAUSAR_SPOOL, a, "ARM")
    add(E.TOMAR_SPOOL, a, "ARM")
    add(E.COMPLETAR_ARM, a, "ARM")
    add(E.TOMAR_SPOOL, a, "SOLD")
    add(E.LIBERACION_FORZADA, a, "SOLD", motivo="Fin de turno", supervisor="jefa")
    add(E.TOMAR_SPOOL, a, "SOLD")
    add(E.COMPLETAR_SOLD, a, "SOLD")
    add(E.COMPLETAR_METROLOGIA, b, "METROLOGIA", resultado="RECHAZADO", ciclo=1, defecto_nombre="Porosidad")
    add(E.TOMAR_REPARACION, a, "REPARACION")
    add(E.PAUSAR_REPARACION, a, "REPARACION")
    add(E.CANCELAR_REPARACION, a, "REPARACION")
    add(E.COMPLETAR_METROLOGIA, b, "METROLOGIA", resultado="RECHAZADO", ciclo=2, defecto_nombre="Socavación")
    add(E.SPOOL_BLOQUEADO, b, "METROLOGIA", resultado="RECHAZADO", ciclo=2)
    add(E.ALERTA_SUPERVISOR, a, "", motivo="LLAMADA", mensaje="Necesito ayuda")
    add(E.ALERTA_ATENDIDA, None, "", respuesta="Voy", supervisor="jefa")
    add(E.SUPERVISOR_OVERRIDE, None, "REPARACION", motivo="Revisado", supervisor="jefa")
    add(E.TOMAR_REPARACION, a, "REPARACION")
    add(E.COMPLETAR_REPARACION, a, "REPARACION")
    add(E.TOMAR_REPARACION, a, "REPARACION")  # still held: en curso
    page = boss.get(history("H-WORDS")).content.decode()
    for code in [*EventType.values, "TAG_SPOOL", "SIN_CIERRE", "EN_CURSO", "LLAMADA", "EN_REPARACION"]:
        assert code not in page, code
    for code in ("REPARACION", "METROLOGIA"):
        assert not re.search(rf"\b{code}\b", page), code
    assert "REPARACION " not in page
    assert 'data-testid="timeline"' in page and 'role="img"' in page
    for words in (
        "Completó el ARM",
        "Supervisor liberó la ocupación · SOLD",
        "Supervisor desbloqueó el spool · REPARACIÓN",
        "Llamó a supervisión",
        "Supervisión atendió la alerta",
        "Completó la SOLD · SOLD",  # the orphan close, in "Otros eventos"
        "<td>REPARACIÓN</td>",
        "Porosidad",
        "→ bloqueó el spool",
        "En reparación · intento 1 de 2 · MR(61)",  # the spool's state in words
    ):
        assert words in page, words


def test_api_and_exports_keep_the_raw_codes(api, boss, make_worker, make_spool):
    a, spool = make_worker(id=63), make_spool(tag_spool="H-RAW")
    ev(spool, E.TOMAR_REPARACION, a, "REPARACION", at(0))
    ev(spool, E.COMPLETAR_REPARACION, a, "REPARACION", at(30))
    body = api.get(api_history("H-RAW")).json()
    assert (
        body["sessions"][0]["operacion"] == "REPARACION"
        and body["sessions"][0]["cierre"] == "COMPLETAR_REPARACION"
    )
    csv = boss.get(reverse("export-spool", args=["H-RAW", "csv"]))
    text = b"".join(csv.streaming_content).decode() if csv.streaming else csv.content.decode()
    assert "REPARACION" in text and "COMPLETAR_REPARACION" in text


def test_page_without_events_draws_no_timeline(boss, make_spool):
    make_spool(tag_spool="H-EMPTY")
    page = boss.get(history("H-EMPTY")).content.decode()
    assert 'data-testid="timeline"' not in page and "Nadie ha trabajado aún" in page


def test_ticks_follow_the_shops_clock_across_a_change_of_daylight_saving_time():
    # Chile's clocks jump from 24:00 to 01:00 on 2026-09-06: no "00:00" tick, and the ticks a
    # tablet shows stay two hours of the clock apart (labels never crowd), in plant time.
    tz = zoneinfo.ZoneInfo("America/Santiago")
    lo = datetime.datetime(2026, 9, 5, 20, tzinfo=tz).timestamp()
    hi = datetime.datetime(2026, 9, 6, 8, tzinfo=tz).timestamp()
    drawn_ticks = ticks(lo, hi, tz)
    assert "00:00" not in [a for _, _, a, _ in drawn_ticks]
    majors = [(a, b) for _, major, a, b in drawn_ticks if major]
    assert majors == [
        ("20:00", "05-09"),
        ("22:00", ""),
        ("02:00", "06-09"),
        ("04:00", ""),
        ("06:00", ""),
        ("08:00", ""),
    ]
    stamps = [ts for ts, *_ in drawn_ticks]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


def test_search_says_the_state_in_words(boss, make_worker, make_spool, django_assert_max_num_queries):
    holder = make_worker(id=64)
    for i in range(3):
        make_spool(tag_spool=f"H-FIND-{i}", arm="en_progreso", ocupado_por=holder,
                   fecha_ocupacion=timezone.now(), operacion_actual="ARM")  # fmt: skip
    # The holders come with the spools, not one query each; the 6th counts the top bar's open alerts.
    with django_assert_max_num_queries(6):
        page = boss.get(SEARCH, {"q": "H-FIND"}).content.decode()
    assert "TAG_SPOOL" not in page and "(ARM en progreso" not in page  # not Estado_Detalle
    assert page.count("MR(64) trabajando en ARM · ARM en curso · SOLD pendiente") == 3


# --- a spool tracked joint by joint ----------------------------------------------------------

JOINTS = [(1, "2", "BW"), (2, "2", "BW"), (3, "3", "SO"), (4, "1 1/2", "FW")]


@pytest.fixture
def handed_off(make_worker, make_spool, make_joints, admin_user):
    """The spool of `hand_off` (also used by test_downloads.py)."""
    return hand_off(make_worker, make_spool, make_joints, admin_user)


def hand_off(make_worker, make_spool, make_joints, admin_user) -> Spool:
    """Ana fits 1–2 and pauses; Beto fits 3–4 and completes ARM; Carla welds 1; a supervisor voids 2."""
    from occupation import joints as joint_changes
    from occupation.services import spool_finish, spool_take
    from spools.models import Union

    ana = make_worker(id=110, nombre="Ana", apellido="Araya", roles=["Armador"])
    beto = make_worker(id=90, nombre="Beto", apellido="Soto", roles=["Armador"])
    carla = make_worker(id=120, nombre="Carla", apellido="Diaz", roles=["Soldador"])
    spool = make_joints(make_spool(tag_spool="MK-J/HIST-1", nv="NV-J"), JOINTS)

    def fresh() -> Spool:
        return Spool.objects.with_people().get(pk=spool.pk)

    for worker, op, uniones in ((ana, "ARM", [1, 2]), (beto, "ARM", [3, 4]), (carla, "SOLD", [1])):
        spool_take(spool=fresh(), worker=worker, operacion=op)
        spool_finish(spool=fresh(), worker=worker, uniones=uniones)
    joint_changes.union_void(
        union=Union.objects.get(spool=spool, n_union=2),
        motivo="Ramal <eliminado> en rev. C",
        actor=admin_user,
    )
    return fresh()


def _section(page: str, testid: str) -> str:
    start = page.index(f'data-testid="{testid}"')
    return page[start : page.index("</table>", start)]


def _joint_row(table: str, n: int) -> str:
    start = table.index(f'data-union="{n}"')
    return table[start : table.index("</tr>", start)]


def test_page_shows_each_joint_with_its_fitter_and_welder_and_each_session_its_joints(boss, handed_off):
    page = boss.get(history(handed_off.tag_spool)).content.decode()
    progreso = page[page.index('data-testid="progreso"') :]
    progreso = progreso[: progreso.index("</p>")]
    assert "ARM 3/3 · SOLD 1/2" in progreso  # joint 2 voided: it counts no more
    assert "PD ARM 6,5" in progreso and "PD SOLD 2<" in progreso
    joints = _section(page, "joints")
    assert "Uniones: 4 uniones · ARM 3/3 · SOLD 1/2" in joints
    one, three, four = (_joint_row(joints, n) for n in (1, 3, 4))
    assert "AA(110) Ana Araya" in one and "CD(120) Carla Diaz" in one and "BW (a tope)" in one
    assert "BS(90) Beto Soto" in three and "SO (socket)" in three and "pendiente" in three
    assert "BS(90) Beto Soto" in four and "FW: se suelda en terreno" in four and ">1,5<" in four
    assert "Ana" not in three and "Beto" not in one
    sessions = _section(page, "sessions")
    assert '<th scope="col">Uniones registradas</th>' in sessions
    assert sessions.count("AA(110) Ana Araya") == 1
    ana = sessions[sessions.index("AA(110) Ana Araya") :]
    assert ana[: ana.index("</tr>")].endswith('<td class="joints-cell">2 uniones (n.º 1, 2) · 4 PD</td>')
    beto = sessions[sessions.index("BS(90) Beto Soto") :]
    assert beto[: beto.index("</tr>")].endswith('<td class="joints-cell">2 uniones (n.º 3, 4) · 4,5 PD</td>')


def test_page_shows_a_voided_joint_as_voided_with_its_reason_and_the_act(boss, handed_off, admin_user):
    page = boss.get(history(handed_off.tag_spool)).content.decode()
    joints = _section(page, "joints")
    assert '<tr class="voided" data-union="2">' in joints and joints.count('class="voided"') == 1
    two = _joint_row(joints, 2)
    assert '<span class="flag">Anulada</span>: Ramal &lt;eliminado&gt; en rev. C' in two
    assert "AA(110) Ana Araya" in two  # the work recorded on it stays on record
    acts = _section(page, "supervisor")
    assert "Supervisor anuló una unión #2 (DN 2 · BW)" in acts
    assert f"<td>{admin_user.username}</td>" in acts and "Ramal &lt;eliminado&gt; en rev. C" in acts


def test_page_of_a_spool_with_joints_says_no_code(boss, handed_off):
    page = boss.get(history(handed_off.tag_spool)).content.decode()
    for code in [*EventType.values, "SIN_CIERRE", "EN_CURSO"]:
        assert code not in page, code
    for words_ in ("Armó la unión", "Liberó sin registrar uniones"):
        assert words_ not in page  # the joint events are in the joints table, not listed one by one


def test_page_of_a_whole_spool_spool_has_no_joint_section(boss, make_worker, make_spool):
    a, spool = make_worker(id=93), make_spool(tag_spool="H-WHOLE")
    ev(spool, EventType.TOMAR_SPOOL, a, "ARM", T0)
    ev(spool, EventType.COMPLETAR_ARM, a, "ARM", T0 + datetime.timedelta(hours=1))
    page = boss.get(history("H-WHOLE")).content.decode()
    assert 'data-testid="joints"' not in page and 'data-testid="progreso"' not in page
    assert "Uniones registradas" not in page and "tabla=uniones" not in page
    assert "Exportar sesiones:" in page
    assert "<td>01:00:00</td><td>Completó el ARM</td></tr>" in page  # six cells, as before


def test_api_history_lists_the_joints_with_their_workers_seconds_and_progress(api, handed_off):
    body = api.get(api_history(handed_off.tag_spool)).json()
    assert body["progreso"] == {
        "arm_hechas": 3,
        "arm_total": 3,
        "sold_hechas": 1,
        "sold_total": 2,
        "pulgadas_arm": 6.5,
        "pulgadas_sold": 2.0,
    }
    uniones = {u["n_union"]: u for u in body["uniones"]}
    assert list(uniones) == [1, 2, 3, 4]
    assert [uniones[n]["arm"]["worker"] for n in (1, 2, 3, 4)] == ["AA(110)", "AA(110)", "BS(90)", "BS(90)"]
    assert uniones[1]["sold"]["worker"] == "CD(120)" and uniones[1]["sold"]["worker_id"] == 120
    assert uniones[3]["sold"] is None and uniones[4]["tipo"] == "FW" and uniones[4]["dn"] == 1.5
    assert (uniones[2]["anulada"], uniones[2]["motivo_anulacion"]) == (True, "Ramal <eliminado> en rev. C")
    arm = uniones[3]["arm"]
    seconds = (
        datetime.datetime.fromisoformat(arm["fin"]) - datetime.datetime.fromisoformat(arm["inicio"])
    ).total_seconds()
    assert arm["segundos"] == int(seconds) and arm["inicio"].endswith("-03:00")
    assert set(uniones[1]) == {"n_union", "dn", "tipo", "anulada", "motivo_anulacion", "arm", "sold", "ndt"}
    assert uniones[1]["ndt"] is None
    assert [(s["worker_id"], s["uniones"], s["pulgadas"]) for s in body["sessions"]] == [
        (110, [1, 2], 4.0),
        (90, [3, 4], 4.5),
        (120, [1], 2.0),
    ]
    # The raw events keep every joint event (programs may want them); sessions are not made of them.
    assert [e["evento_tipo"] for e in body["events"]].count("UNION_ARM_REGISTRADA") == 4


def test_api_history_shows_the_ndt_the_sheet_recorded(api, handed_off):
    from spools.models import Union

    Union.objects.filter(spool=handed_off, n_union=1).update(
        ndt_metodo="RT",
        ndt_informe="IN-2031",
        ndt_fecha=datetime.date(2026, 11, 12),
        ndt_resultado="APROBADO",
    )
    body = api.get(api_history(handed_off.tag_spool)).json()
    assert body["uniones"][0]["ndt"] == {
        "metodo": "RT",
        "informe": "IN-2031",
        "fecha": "2026-11-12",
        "resultado": "APROBADO",
    }


def test_timeline_bars_name_their_joints_and_a_voided_joint_is_a_supervisor_mark(handed_off):
    from zeues.front.timeline import _session_title
    from zeues.reports.history import spool_history

    h = spool_history(handed_off)
    # The fixture's sessions last a second: drawn as one grouped bar, so each session's tooltip
    # is read from the function that writes it.
    assert _session_title(h.sessions[0]).endswith(" · Pausó · 2 uniones (n.º 1, 2) · 4 PD")
    drawn = timeline(h)
    assert "SUPERVISION" in drawn.lanes and "sup" in drawn.kinds
    assert "Supervisor anuló una unión #2 (DN 2 · BW) · " in drawn.svg
    assert "motivo: Ramal &lt;eliminado&gt; en rev. C</title>" in drawn.svg
