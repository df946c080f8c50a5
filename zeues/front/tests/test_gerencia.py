"""The manager's KPI page (zeues/front/gerencia.py): SVG charts, CSV and XLSX downloads, access.

The figures come from the hand-computed shop of zeues/reports/tests/kpi_shop.py.
"""

from __future__ import annotations

import asyncio
import csv
import datetime
import io
import re

import openpyxl
import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import Group
from django.db import connections
from django.test import AsyncRequestFactory
from django.urls import reverse
from django.utils import timezone

from spools.models import EventType
from zeues.front import gerencia as kpi_views
from zeues.reports.tests import kpi_shop
from zeues.reports.tests.kpi_shop import at, ev

pytestmark = pytest.mark.django_db

shop = kpi_shop.shop  # the hand-computed KPI fixture, used here as a fixture of this module


PERIOD = {"desde": "2026-03-02", "hasta": "2026-03-04"}
KPIS = reverse("kpis")


def test_page_renders_svg_charts_and_tables(shop, manager):
    response = manager.get(KPIS, PERIOD)
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
    response = manager.get(KPIS)
    rows = response.context["k"].completados
    assert len(rows) == 7 and rows[-1]["fecha"] == timezone.localdate()


def test_inverted_period_falls_back_to_default_and_says_why(manager):
    response = manager.get(KPIS, {"desde": "2026-03-05", "hasta": "2026-03-01"})
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
    assert _csv(manager.get(KPIS, {**PERIOD, "formato": "csv", "tabla": "completados"})) == [
        ["fecha", "ARM", "SOLD", "METROLOGIA"],
        ["2026-03-02", "2", "2", "0"],
        ["2026-03-03", "0", "0", "2"],
        ["2026-03-04", "0", "0", "0"],
    ]
    horas = _csv(manager.get(KPIS, {**PERIOD, "formato": "csv", "tabla": "horas"}))
    assert horas[0] == ["worker_id", "trabajador", "operacion", "sesiones", "horas"]
    assert ["2", "BS(2) Beto Soto", "SOLD", "2", "6.0"] in horas
    fpy = _csv(manager.get(KPIS, {**PERIOD, "formato": "csv", "tabla": "fpy_armador"}))
    assert fpy[1] == ["1", "AA(1) Ana Araya", "1", "0", "0.0", "1", "1", "100.0"]
    antiguas = _csv(manager.get(KPIS, {**PERIOD, "formato": "csv", "tabla": "antiguas"}))
    assert [r[0] for r in antiguas] == ["tag_spool", "S3"]
    for tabla in ("tiempos", "wip", "fpy_soldador", "intentos"):
        assert len(_csv(manager.get(KPIS, {**PERIOD, "formato": "csv", "tabla": tabla}))) > 1
    assert manager.get(KPIS, {"formato": "csv", "tabla": "nope"}).status_code == 404


def test_xlsx_export_of_one_table_has_typed_cells(shop, manager):
    response = manager.get(KPIS, {**PERIOD, "formato": "xlsx", "tabla": "completados"})
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
        _xlsx(manager.get(KPIS, {**PERIOD, "formato": "xlsx", "tabla": "horas"})),
        "Horas por trabajador",
    )
    assert [2, "BS(2) Beto Soto", "SOLD", 2, 6.0] in horas
    assert manager.get(KPIS, {"formato": "xlsx", "tabla": "nope"}).status_code == 404


def test_xlsx_export_of_every_table_is_one_sheet_each_matching_the_csv(shop, manager):
    response = manager.get(KPIS, {**PERIOD, "formato": "xlsx", "tabla": "todas"})
    assert 'filename="zeues-kpis-20260302-20260304.xlsx"' in response["Content-Disposition"]
    book = _xlsx(response)
    assert len(book.sheetnames) == 8
    for tabla, name in kpi_views.SHEET_NAMES.items():
        from_csv = _csv(manager.get(KPIS, {**PERIOD, "formato": "csv", "tabla": tabla}))
        in_book = _sheet(book, name)
        assert len(in_book) == len(from_csv) and in_book[0] == from_csv[0], tabla
    fpy = _sheet(book, "Calidad por armador")
    assert fpy[1] == [1, "AA(1) Ana Araya", 1, 0, 0.0, 1, 1, 100.0]


def test_page_links_every_table_in_both_formats_with_the_filters(shop, manager):
    html = manager.get(KPIS, {**PERIOD, "nv": "NV1"}).content.decode()
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
    assert client.get(KPIS).status_code == 200


def test_other_accounts_are_refused(client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="otro", password="x-123456789"))
    assert client.get(KPIS).status_code == 403
    assert client.get(KPIS, {"formato": "csv", "tabla": "horas"}).status_code == 403
    assert client.get(KPIS, {"formato": "xlsx", "tabla": "todas"}).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(KPIS)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_wrong_method_is_refused(manager):
    assert manager.post(KPIS).status_code == 405


def test_top_bar_shows_gerencia_only_to_managers(manager, client, django_user_model):
    assert f'href="{KPIS}"' in manager.get(reverse("history-search")).content.decode()
    client.force_login(django_user_model.objects.create_user(username="nadie", password="x-123456789"))
    assert f'href="{KPIS}"' not in client.get(reverse("board")).content.decode()


def test_under_asgi_the_kpi_csv_streams_asynchronously(shop, django_user_model):
    request = AsyncRequestFactory().get(KPIS, {**PERIOD, "formato": "csv", "tabla": "horas"})
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
    html = manager.get(KPIS, PERIOD).content.decode()
    chart = html[
        html.index('data-testid="chart-horas"') : html.index(
            "</svg>", html.index('data-testid="chart-horas"')
        )
    ]
    assert chart.count("<rect") == 25 and "Beto Soto · SOLD" in chart  # 6 h: among the longest
    assert "W0 X · ARM" not in chart and "W29 X · ARM" in chart  # 1 minute is left to the table
    assert "9 filas más están en la tabla" in html and "W0 X" in html
