"""Manager KPIs: every figure against a hand-computed fixture, filters, the page, CSV and access.

The fixture (period 2026-03-02 .. 2026-03-04, plant time):

- S1 (NV1/001), armador A, soldador B: ARM 08:00-09:00 + 10:00-11:00 (cycle 3 h), SOLD taken 13:00
  (wait 2 h) and completed 17:00 (cycle 4 h), approved next day 09:00 (wait 16 h, first pass).
- S2 (NV1/002), armador C, soldador B: ARM 08:00-09:00 (1 h), SOLD 10:00-12:00 (wait 1 h, cycle
  2 h), rejected 14:00 (wait 2 h), repaired by B next day 08:00-10:00, approved 12:00.
- S3 (NV2/001): ARM taken by A on day 3 and still held; occupied 20 h ago (stale).
- S5 (NV2/001): ARM done before the period (excluded everywhere).
"""

from __future__ import annotations

import asyncio
import csv
import datetime
import io
import re
import zoneinfo

import openpyxl
import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import Group
from django.db import connections
from django.test import AsyncRequestFactory
from django.utils import timezone

from spools.models import EventType, Spool, Worker
from spools.services import event_append
from zeues.front import gerencia as kpi_views
from zeues.reports import kpis

pytestmark = pytest.mark.django_db

TZ = zoneinfo.ZoneInfo("America/Santiago")
DAY = datetime.date(2026, 3, 2)
F = kpis.Filtros(DAY, DAY + datetime.timedelta(days=2))
H = 3600


def at(day: int, hour: int) -> datetime.datetime:
    """A plant-time instant `day` days after 2026-03-02 at `hour`:00."""
    return datetime.datetime.combine(DAY + datetime.timedelta(days=day), datetime.time(hour), tzinfo=TZ)


def ev(spool: Spool, tipo: str, worker: Worker, op: str, when: datetime.datetime, **details):
    """Append an event at a chosen time."""
    return event_append(tipo=tipo, spool=spool, worker=worker, operacion=op, now=when, details=details)


@pytest.fixture(params=[pytest.param("sql", marks=pytest.mark.real_services), "python"])
def percentiles(request, monkeypatch):
    """Run percentile figures both in the database (PostgreSQL's percentile_cont, so marked
    real_services and left out of the SQLite pass) and in the Python fallback."""
    monkeypatch.setattr(kpis, "use_sql_percentiles", lambda: request.param == "sql")
    return request.param


@pytest.fixture
def shop(make_worker, make_spool):
    """The fixture described in the module docstring; returns the workers by letter."""
    a, b = (
        make_worker(id=1, nombre="Ana", apellido="Araya"),
        make_worker(id=2, nombre="Beto", apellido="Soto"),
    )
    c, i = (
        make_worker(id=3, nombre="Carla", apellido="Diaz"),
        make_worker(id=9, nombre="Ines", apellido="Mora"),
    )
    done = {"arm": "completado", "sold": "completado", "calidad": "aprobado"}
    s1 = make_spool(tag_spool="S1", nv="NV1", ot="001", armador=a, soldador=b, **done)
    s2 = make_spool(tag_spool="S2", nv="NV1", ot="002", armador=c, soldador=b, **done)
    held_since = timezone.now() - datetime.timedelta(hours=20)
    s3 = make_spool(
        tag_spool="S3", nv="NV2", ot="001", arm="en_progreso", armador=a, ocupado_por=a,
        fecha_ocupacion=held_since, operacion_actual="ARM",
    )  # fmt: skip
    s5 = make_spool(tag_spool="S5", nv="NV2", ot="001", arm="completado", armador=c)
    T, P = EventType.TOMAR_SPOOL, EventType.PAUSAR_SPOOL
    ev(s1, T, a, "ARM", at(0, 8)), ev(s1, P, a, "ARM", at(0, 9))
    ev(s1, T, a, "ARM", at(0, 10)), ev(s1, EventType.COMPLETAR_ARM, a, "ARM", at(0, 11))
    ev(s1, T, b, "SOLD", at(0, 13)), ev(s1, EventType.COMPLETAR_SOLD, b, "SOLD", at(0, 17))
    ev(s1, EventType.COMPLETAR_METROLOGIA, i, "METROLOGIA", at(1, 9), resultado="APROBADO", ciclo=0)
    ev(s2, T, c, "ARM", at(0, 8)), ev(s2, EventType.COMPLETAR_ARM, c, "ARM", at(0, 9))
    ev(s2, T, b, "SOLD", at(0, 10)), ev(s2, EventType.COMPLETAR_SOLD, b, "SOLD", at(0, 12))
    ev(s2, EventType.COMPLETAR_METROLOGIA, i, "METROLOGIA", at(0, 14), resultado="RECHAZADO", ciclo=1)
    ev(s2, EventType.TOMAR_REPARACION, b, "REPARACION", at(1, 8))
    ev(s2, EventType.COMPLETAR_REPARACION, b, "REPARACION", at(1, 10))
    ev(s2, EventType.COMPLETAR_METROLOGIA, i, "METROLOGIA", at(1, 12), resultado="APROBADO", ciclo=0)
    ev(s3, T, a, "ARM", at(2, 8))
    ev(s5, T, c, "ARM", at(-3, 8)), ev(s5, EventType.COMPLETAR_ARM, c, "ARM", at(-3, 10))
    return {"A": a, "B": b, "C": c, "I": i}


def test_completed_per_day(shop):
    rows = kpis.completed_per_day(F)
    assert [(r["fecha"].day, r["ARM"], r["SOLD"], r["METROLOGIA"]) for r in rows] == [
        (2, 2, 2, 0),  # the rejection of S2 completes nothing
        (3, 0, 0, 2),
        (4, 0, 0, 0),
    ]


def test_cycle_and_queue_times_median_and_p90(shop, percentiles):
    rows = {r["etapa"]: (r["n"], r["p50"], r["p90"]) for r in kpis.cycle_and_queue_times(F)}
    assert rows == {
        "ARM (ciclo)": (2, 2 * H, 2.8 * H),  # 3 h and 1 h
        "SOLD (ciclo)": (2, 3 * H, 3.8 * H),  # 4 h and 2 h
        "ARM → SOLD (espera)": (2, 1.5 * H, 1.9 * H),  # 2 h and 1 h
        "SOLD → METROLOGIA (espera)": (2, 9 * H, 14.6 * H),  # 16 h and 2 h
    }


def test_percentile_cont_interpolates_like_postgresql():
    assert kpis.percentile_cont([], 0.5) is None
    assert kpis.percentile_cont([5.0], 0.9) == 5.0
    assert kpis.percentile_cont([4.0, 1.0, 2.0, 3.0], 0.5) == 2.5
    assert kpis.percentile_cont([1.0, 2.0, 3.0, 4.0], 0.9) == pytest.approx(3.7)


def test_wip_counts_states_and_occupied_now(shop):
    w = kpis.wip(F)
    assert (w["total"], w["ocupados"], w["arm_completado"], w["arm_en_progreso"]) == (4, 1, 3, 1)
    assert (w["sold_completado"], w["sold_pendiente"], w["calidad_aprobado"], w["calidad_pendiente"]) == (
        2,
        2,
        2,
        2,
    )
    assert kpis.wip(kpis.Filtros(F.desde, F.hasta, nv="NV1"))["total"] == 2


def test_first_pass_yield_and_rejection_rate_per_fitter_and_welder(shop):
    fitters = {r["worker_id"]: r for r in kpis.first_pass_yield(F, "armador")}
    assert {
        w: (r["inspecciones"], r["rechazos"], r["primeras"], r["aprobadas_primera"])
        for w, r in fitters.items()
    } == {
        1: (1, 0, 1, 1),
        3: (2, 1, 1, 0),
    }
    assert (fitters[1]["fpy"], fitters[1]["tasa_rechazo"], fitters[3]["fpy"], fitters[3]["tasa_rechazo"]) == (
        100.0, 0.0, 0.0, 50.0,
    )  # fmt: skip
    welders = kpis.first_pass_yield(F, "soldador")
    assert [(r["worker_id"], r["fpy"], r["tasa_rechazo"], r["nombre"]) for r in welders] == [
        (2, 50.0, 33.3, "BS(2) Beto Soto")
    ]


def test_yield_per_attempt(shop):
    rows = kpis.yield_per_attempt(F)
    assert [
        (r["intento"], r["inspecciones"], r["aprobados"], r["rechazados"], r["tasa_rechazo"]) for r in rows
    ] == [
        (1, 2, 1, 1, 50.0),
        (2, 1, 1, 0, 0.0),
    ]
    # The second inspection of S2 is still its attempt 2 when the period starts after the first.
    later = kpis.Filtros(DAY + datetime.timedelta(days=1), F.hasta)
    assert [(r["intento"], r["inspecciones"]) for r in kpis.yield_per_attempt(later)] == [(1, 1), (2, 1)]


def test_hours_by_worker_and_operation_sum_closed_sessions(shop):
    rows = [(r["worker_id"], r["operacion"], r["sesiones"], r["horas"]) for r in kpis.hours_by_worker(F)]
    assert rows == [
        (1, "ARM", 2, 2.0),  # S3's open session is not counted
        (2, "REPARACION", 1, 2.0),
        (2, "SOLD", 2, 6.0),
        (3, "ARM", 1, 1.0),  # S5's session started before the period
    ]


def test_an_event_between_take_and_close_does_not_split_the_session(shop, make_spool):
    s6, b = make_spool(tag_spool="S6"), shop["B"]
    ev(s6, EventType.TOMAR_REPARACION, b, "REPARACION", at(2, 8))
    ev(s6, EventType.SUPERVISOR_OVERRIDE, None, "REPARACION", at(2, 9), motivo="Revisado")
    ev(s6, EventType.COMPLETAR_REPARACION, b, "REPARACION", at(2, 11))
    rows = {(r["worker_id"], r["operacion"]): r["horas"] for r in kpis.hours_by_worker(F)}
    assert rows[(2, "REPARACION")] == 5.0


def test_stale_occupations(shop):
    assert [s.tag_spool for s in kpis.stale_occupations(F)] == ["S3"]
    assert kpis.stale_occupations(kpis.Filtros(F.desde, F.hasta, nv="NV1")) == []


def test_filters_by_nv_ot_and_worker(shop, percentiles):
    by_ot = kpis.Filtros(F.desde, F.hasta, ot="002")
    assert [r["ARM"] for r in kpis.completed_per_day(by_ot)] == [1, 0, 0]
    assert kpis.cycle_and_queue_times(by_ot)[0]["p50"] == 1 * H
    assert [r["worker_id"] for r in kpis.first_pass_yield(by_ot, "armador")] == [3]
    by_worker = kpis.Filtros(F.desde, F.hasta, worker_id=3)
    assert [r["ARM"] for r in kpis.completed_per_day(by_worker)] == [1, 0, 0]
    assert [(r["worker_id"], r["horas"]) for r in kpis.hours_by_worker(by_worker)] == [(3, 1.0)]
    assert [r["worker_id"] for r in kpis.first_pass_yield(by_worker, "armador")] == [3]
    assert [r["ARM"] for r in kpis.completed_per_day(kpis.Filtros(F.desde, F.hasta, nv="NV2"))] == [0, 0, 0]


@pytest.fixture
def manager(client, django_user_model):
    user = django_user_model.objects.create_user(username="gerente", password="x-123456789")
    user.groups.add(Group.objects.get_or_create(name="Gerencia")[0])
    client.force_login(user)
    return client


PERIOD = {"desde": "2026-03-02", "hasta": "2026-03-04"}


def test_page_renders_svg_charts_and_tables(shop, manager):
    response = manager.get("/gerencia/", PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    for chart in ("chart-completados", "chart-tiempos", "chart-horas"):
        assert f'data-testid="{chart}"' in html
    assert html.count('class="bar arm"') == 3 and "<title>02-03 ARM: 2</title>" in html
    assert "Beto Soto · SOLD" in html and "6,0 h" in html  # the figure as Spanish readers write it
    assert '<script src="http' not in html
    # SVG coordinates always with a decimal point (the template engine would localise "44,6").
    coordinates = re.findall(r'\s(?:x|y|width|height|x1|y1|x2|y2)="([^"]*)"', html)
    assert coordinates and all(re.fullmatch(r"-?\d+(\.\d+)?", c) for c in coordinates)
    assert any("." in c for c in coordinates)  # the fixture's three days give fractional positions


def test_page_defaults_to_the_last_seven_days(manager):
    response = manager.get("/gerencia/")
    rows = response.context["k"].completados
    assert len(rows) == 7 and rows[-1]["fecha"] == timezone.localdate()


def test_inverted_period_falls_back_to_default_and_says_why(manager):
    response = manager.get("/gerencia/", {"desde": "2026-03-05", "hasta": "2026-03-01"})
    assert response.status_code == 200 and "anterior" in response.content.decode()


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeff")  # so Excel reads the accents as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx(response) -> openpyxl.Workbook:
    assert response.streaming and response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)


def _sheet(book: openpyxl.Workbook, name: str) -> list[list[object]]:
    return [list(row) for row in book[name].iter_rows(values_only=True)]


def test_csv_export_of_each_table(shop, manager):
    assert _csv(manager.get("/gerencia/", {**PERIOD, "formato": "csv", "tabla": "completados"})) == [
        ["fecha", "ARM", "SOLD", "METROLOGIA"],
        ["2026-03-02", "2", "2", "0"],
        ["2026-03-03", "0", "0", "2"],
        ["2026-03-04", "0", "0", "0"],
    ]
    horas = _csv(manager.get("/gerencia/", {**PERIOD, "formato": "csv", "tabla": "horas"}))
    assert horas[0] == ["worker_id", "trabajador", "operacion", "sesiones", "horas"]
    assert ["2", "BS(2) Beto Soto", "SOLD", "2", "6.0"] in horas
    fpy = _csv(manager.get("/gerencia/", {**PERIOD, "formato": "csv", "tabla": "fpy_armador"}))
    assert fpy[1] == ["1", "AA(1) Ana Araya", "1", "0", "0.0", "1", "1", "100.0"]
    antiguas = _csv(manager.get("/gerencia/", {**PERIOD, "formato": "csv", "tabla": "antiguas"}))
    assert [r[0] for r in antiguas] == ["tag_spool", "S3"]
    for tabla in ("tiempos", "wip", "fpy_soldador", "intentos"):
        assert len(_csv(manager.get("/gerencia/", {**PERIOD, "formato": "csv", "tabla": tabla}))) > 1
    assert manager.get("/gerencia/", {"formato": "csv", "tabla": "nope"}).status_code == 404


def test_xlsx_export_of_one_table_has_typed_cells(shop, manager):
    response = manager.get("/gerencia/", {**PERIOD, "formato": "xlsx", "tabla": "completados"})
    assert 'filename="zeues-completados-20260302-20260304.xlsx"' in response["Content-Disposition"]
    book = _xlsx(response)
    assert book.sheetnames == ["Completados por día"]
    assert _sheet(book, "Completados por día") == [
        ["fecha", "ARM", "SOLD", "METROLOGIA"],
        [datetime.datetime(2026, 3, 2), 2, 2, 0],  # a real date cell, numbers as numbers
        [datetime.datetime(2026, 3, 3), 0, 0, 2],
        [datetime.datetime(2026, 3, 4), 0, 0, 0],
    ]
    horas = _sheet(
        _xlsx(manager.get("/gerencia/", {**PERIOD, "formato": "xlsx", "tabla": "horas"})),
        "Horas por trabajador",
    )
    assert [2, "BS(2) Beto Soto", "SOLD", 2, 6.0] in horas
    assert manager.get("/gerencia/", {"formato": "xlsx", "tabla": "nope"}).status_code == 404


def test_xlsx_export_of_every_table_is_one_sheet_each_matching_the_csv(shop, manager):
    response = manager.get("/gerencia/", {**PERIOD, "formato": "xlsx", "tabla": "todas"})
    assert 'filename="zeues-kpis-20260302-20260304.xlsx"' in response["Content-Disposition"]
    book = _xlsx(response)
    assert len(book.sheetnames) == 8
    for tabla, name in kpi_views.SHEET_NAMES.items():
        from_csv = _csv(manager.get("/gerencia/", {**PERIOD, "formato": "csv", "tabla": tabla}))
        in_book = _sheet(book, name)
        assert len(in_book) == len(from_csv) and in_book[0] == from_csv[0], tabla
    fpy = _sheet(book, "Calidad por armador")
    assert fpy[1] == [1, "AA(1) Ana Araya", 1, 0, 0.0, 1, 1, 100.0]


def test_page_links_every_table_in_both_formats_with_the_filters(shop, manager):
    html = manager.get("/gerencia/", {**PERIOD, "nv": "NV1"}).content.decode()
    query = "desde=2026-03-02&amp;hasta=2026-03-04&amp;nv=NV1"
    for tabla in kpi_views.TABLES:
        assert f'href="?{query}&amp;formato=csv&amp;tabla={tabla}"' in html
        assert f'href="?{query}&amp;formato=xlsx&amp;tabla={tabla}"' in html
    assert f'href="?{query}&amp;formato=xlsx&amp;tabla=todas"' in html


@pytest.mark.parametrize("group", ["Gerencia", "Supervisores"])
def test_management_groups_see_the_page(client, django_user_model, group):
    user = django_user_model.objects.create_user(username="u", password="x-123456789")
    user.groups.add(Group.objects.get_or_create(name=group)[0])
    client.force_login(user)
    assert client.get("/gerencia/").status_code == 200


def test_other_accounts_are_refused(client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="otro", password="x-123456789"))
    assert client.get("/gerencia/").status_code == 403
    assert client.get("/gerencia/", {"formato": "csv", "tabla": "horas"}).status_code == 403
    assert client.get("/gerencia/", {"formato": "xlsx", "tabla": "todas"}).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get("/gerencia/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_wrong_method_is_refused(manager):
    assert manager.post("/gerencia/").status_code == 405


def test_top_bar_shows_gerencia_only_to_managers(manager, client, django_user_model):
    assert 'href="/gerencia/"' in manager.get("/historial/").content.decode()
    client.force_login(django_user_model.objects.create_user(username="nadie", password="x-123456789"))
    assert 'href="/gerencia/"' not in client.get("/tablero/").content.decode()


def test_under_asgi_the_kpi_csv_streams_asynchronously(shop, django_user_model):
    request = AsyncRequestFactory().get("/gerencia/", {**PERIOD, "formato": "csv", "tabla": "horas"})
    request.user = django_user_model.objects.create_superuser(username="root", password="x-123456789")
    response = kpi_views.overview(request)
    assert response.is_async  # Django would otherwise gather a sync iterator in memory first

    async def consume() -> list[bytes]:
        pieces = [piece async for piece in response]
        await sync_to_async(connections.close_all, thread_sensitive=True)()
        return pieces

    text = b"".join(asyncio.run(consume())).decode("utf-8-sig")
    assert "BS(2) Beto Soto,SOLD,2,6.0" in text


def test_hours_chart_keeps_the_25_rows_with_most_hours(shop, manager, make_worker, make_spool):
    spool = make_spool(tag_spool="S-MANY")
    for n in range(30):
        w = make_worker(id=200 + n, nombre=f"W{n}", apellido="X")
        ev(spool, EventType.TOMAR_SPOOL, w, "ARM", at(2, 6))
        ev(spool, EventType.PAUSAR_SPOOL, w, "ARM", at(2, 6) + datetime.timedelta(minutes=n + 1))
    html = manager.get("/gerencia/", PERIOD).content.decode()
    chart = html[
        html.index('data-testid="chart-horas"') : html.index(
            "</svg>", html.index('data-testid="chart-horas"')
        )
    ]
    assert chart.count("<rect") == 25 and "Beto Soto · SOLD" in chart  # 6 h: among the longest
    assert "W0 X · ARM" not in chart and "W29 X · ARM" in chart  # 1 minute is left to the table
    assert "9 filas más están en la tabla" in html and "W0 X" in html
