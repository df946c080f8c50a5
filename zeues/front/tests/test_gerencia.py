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

shop, joint_shop = kpi_shop.shop, kpi_shop.joint_shop  # the hand-computed KPI fixtures, used here


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
    assert len(book.sheetnames) == len(kpi_views.TABLES) == 13
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


# --- Joints: PD per worker, joints per day, share (figures: kpi_shop.py's joint_shop) ---


def _section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</table>", start)]


def test_page_shows_pd_per_fitter_and_welder_joints_per_day_and_share(joint_shop, manager):
    response = manager.get(KPIS, PERIOD)
    arm, sold = response.context["pd"]
    assert [
        (r["worker_id"], r["uniones"], r["pd_txt"], r["dias"], r["pd_dia_txt"]) for r in arm["filas"]
    ] == [
        (3, 2, "6", 1, "6"),
        (1, 2, "4", 1, "4"),
        (4, 2, "3,75", 2, "1,88"),
    ]
    assert [(r["worker_id"], r["pd_txt"], r["pd_dia_txt"]) for r in sold["filas"]] == [
        (5, "7", "3,5"),
        (2, "6", "3"),
    ]
    assert (arm["uniones"], arm["pd_txt"], sold["uniones"], sold["pd_txt"]) == (6, "13,75", 5, "13")
    assert [r["por_dia_txt"] for r in arm["filas"]] == [["", "6", ""], ["4", "", ""], ["3", "", "0,75"]]
    assert [(r["arm_uniones"], r["arm_pd_txt"], r["sold_uniones"], r["sold_pd_txt"]) for r in response.context["uniones_dia"]] == [
        (3, "7", 2, "4,5"), (2, "6", 2, "5,5"), (1, "0,75", 1, "3"),
    ]  # fmt: skip
    assert [(r["con_uniones"], r["pct_con"]) for r in response.context["k"].uniones.reparto] == [
        (1, 33.3),
        (2, 50.0),
    ]
    html = response.content.decode()
    table = _section(html, "pd_arm")
    assert table.index("CD(3) Carla Diaz") < table.index("AA(1) Ana Araya") < table.index("DR(4) Dario Rojas")
    assert '<td class="num">3,75</td><td class="num">2</td><td class="num">1,88</td>' in table
    pivot = _section(html, "pd_dia-SOLD")
    assert 'EV(5) Elena Vega</th><td class="num"></td><td class="num">4</td><td class="num">3</td>' in pivot
    assert "<title>02-03 PD ARM: 7</title>" in html and "<title>04-03 PD SOLD: 3</title>" in html
    assert "<title>CD(3) Carla Diaz: 6</title>" in html  # the fitters' chart
    assert "<title>SOLD con uniones: 2 (50,0 %)</title>" in html
    assert (
        '<td>ARM</td><td class="num">3</td><td class="num">1 <span class="pct">(33,3 %)</span></td>' in html
    )
    # The ARM share bar: 1 of 3 then 2 of 3 of the 560 px, each share written on its part.
    assert '<rect x="70.0" y="4.0" width="186.7" height="22" class="bar joints">' in html
    assert '<text x="443.3" y="19.0" class="bar-label" text-anchor="middle">66,7 %</text>' in html


def test_csv_of_the_joint_tables(joint_shop, manager):
    def get(tabla: str) -> list[list[str]]:
        return _csv(manager.get(KPIS, {**PERIOD, "formato": "csv", "tabla": tabla}))

    assert get("pd_arm") == [
        ["worker_id", "trabajador", "uniones", "pd", "dias", "pd_por_dia"],
        ["3", "CD(3) Carla Diaz", "2", "6.0", "1", "6.0"],
        ["1", "AA(1) Ana Araya", "2", "4.0", "1", "4.0"],
        ["4", "DR(4) Dario Rojas", "2", "3.75", "2", "1.88"],
    ]
    assert get("pd_sold")[1:] == [
        ["5", "EV(5) Elena Vega", "2", "7.0", "2", "3.5"],
        ["2", "BS(2) Beto Soto", "3", "6.0", "2", "3.0"],
    ]
    assert get("pd_dia") == [
        ["fecha", "operacion", "worker_id", "trabajador", "uniones", "pd"],
        ["2026-03-02", "ARM", "1", "AA(1) Ana Araya", "2", "4.0"],
        ["2026-03-02", "ARM", "4", "DR(4) Dario Rojas", "1", "3.0"],
        ["2026-03-03", "ARM", "3", "CD(3) Carla Diaz", "2", "6.0"],
        ["2026-03-04", "ARM", "4", "DR(4) Dario Rojas", "1", "0.75"],
        ["2026-03-02", "SOLD", "2", "BS(2) Beto Soto", "2", "4.5"],
        ["2026-03-03", "SOLD", "2", "BS(2) Beto Soto", "1", "1.5"],
        ["2026-03-03", "SOLD", "5", "EV(5) Elena Vega", "1", "4.0"],
        ["2026-03-04", "SOLD", "5", "EV(5) Elena Vega", "1", "3.0"],
    ]
    assert get("uniones_dia") == [
        ["fecha", "uniones_arm", "pd_arm", "uniones_sold", "pd_sold"],
        ["2026-03-02", "3", "7.0", "2", "4.5"],
        ["2026-03-03", "2", "6.0", "2", "5.5"],
        ["2026-03-04", "1", "0.75", "1", "3.0"],
    ]
    assert get("reparto") == [
        ["operacion", "completados", "con_uniones", "sin_uniones", "con_uniones_pct", "sin_uniones_pct"],
        ["ARM", "3", "1", "2", "33.3", "66.7"],
        ["SOLD", "4", "2", "2", "50.0", "50.0"],
    ]


def test_xlsx_of_the_joint_tables_has_numbers(joint_shop, manager):
    book = _xlsx(manager.get(KPIS, {**PERIOD, "formato": "xlsx", "tabla": "todas"}))
    assert _sheet(book, "PD ARM por armador")[1:] == [
        [3, "CD(3) Carla Diaz", 2, 6, 1, 6],
        [1, "AA(1) Ana Araya", 2, 4, 1, 4],
        [4, "DR(4) Dario Rojas", 2, 3.75, 2, 1.88],
    ]
    assert _sheet(book, "PD SOLD por soldador")[1:] == [
        [5, "EV(5) Elena Vega", 2, 7, 2, 3.5],
        [2, "BS(2) Beto Soto", 3, 6, 2, 3],
    ]
    assert _sheet(book, "Uniones por día")[1] == [datetime.datetime(2026, 3, 2), 3, 7, 2, 4.5]
    assert _sheet(book, "PD por día y trabajador")[4] == [
        datetime.datetime(2026, 3, 4),
        "ARM",
        4,
        "DR(4) Dario Rojas",
        1,
        0.75,
    ]
    assert _sheet(book, "Uniones y spools enteros")[2] == ["SOLD", 4, 2, 2, 50, 50]
    one = _xlsx(manager.get(KPIS, {**PERIOD, "formato": "xlsx", "tabla": "pd_sold"}))
    assert one.sheetnames == ["PD SOLD por soldador"]


def test_a_period_without_joints_says_so(shop, manager):
    response = manager.get(KPIS, PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sin uniones armadas en el período." in html and "Sin uniones soldadas en el período." in html
    assert 'data-testid="uniones_dia-empty"' in html and 'data-testid="chart-uniones-dia"' not in html
    assert 'data-testid="pd_dia-empty"' in html and 'data-testid="pd_arm"' not in html
    assert '<td>ARM</td><td class="num">2</td><td class="num">0 <span class="pct">(0,0 %)</span></td>' in html
    assert _csv(manager.get(KPIS, {**PERIOD, "formato": "csv", "tabla": "pd_arm"})) == [
        ["worker_id", "trabajador", "uniones", "pd", "dias", "pd_por_dia"]
    ]


def test_a_period_over_a_month_points_to_the_download_for_the_daily_detail(joint_shop, manager):
    html = manager.get(KPIS, {"desde": "2026-01-15", "hasta": "2026-03-04"}).content.decode()
    assert 'data-testid="pd_dia-long"' in html and 'data-testid="pd_dia-ARM"' not in html
    assert 'data-testid="pd_arm"' in html
