"""The downloads (zeues/front/downloads.py): a spool's sessions and a period's event log, CSV and XLSX."""

from __future__ import annotations

import asyncio
import csv
import datetime
import io
import zipfile
import zoneinfo
from urllib.parse import urlencode

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import Group
from django.db import connections
from django.test import AsyncRequestFactory
from django.urls import reverse
from django.utils import timezone

from spools.models import Event, EventType, Spool, Worker
from spools.services import event_append
from zeues.front import downloads
from zeues.front.tests.test_history import hand_off
from zeues.reports import exports
from zeues.reports.history import spool_history

pytestmark = pytest.mark.django_db

TZ = zoneinfo.ZoneInfo("America/Santiago")
EVENTS_CSV = reverse("export-events", kwargs={"fmt": "csv"})
EVENTS_XLSX = reverse("export-events", kwargs={"fmt": "xlsx"})
T0 = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=TZ)
EVENT_HEADER = [
    "ID",
    "Timestamp",
    "Evento_Tipo",
    "TAG_SPOOL",
    "Worker_ID",
    "Worker_Nombre",
    "Operacion",
    "Accion",
    "Fecha_Operacion",
    "Metadata_JSON",
    "N_UNION",
]


def spool_export(tag: str, fmt: str) -> str:
    """The download of one spool's sessions, "csv" or "xlsx"."""
    return reverse("export-spool", kwargs={"tag": tag, "fmt": fmt})


def at(minutes: float) -> datetime.datetime:
    """T0 plus some minutes."""
    return T0 + datetime.timedelta(minutes=minutes)


def ev(spool: Spool, tipo: str, worker: Worker | None, op: str, when: datetime.datetime, **details):
    """Append an event at a chosen time."""
    return event_append(tipo=tipo, spool=spool, worker=worker, operacion=op, now=when, details=details)


def body(response) -> str:
    """A streamed CSV response's text, without the BOM."""
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8-sig")


def rows(response) -> list[list[str]]:
    """A streamed CSV response's rows."""
    return list(csv.reader(io.StringIO(body(response))))


@pytest.fixture
def worked(make_worker, make_spool):
    """Spool X-1 (NV0001): ARM taken by 1, paused, taken by 2, completed; SOLD taken by 2 on day 2."""
    a, b = make_worker(id=1), make_worker(id=2, nombre="Beto", apellido="Soto")
    spool = make_spool(tag_spool="X-1", nv="NV0001")
    ev(spool, EventType.TOMAR_SPOOL, a, "ARM", at(0))
    ev(spool, EventType.PAUSAR_SPOOL, a, "ARM", at(90), motivo="almuerzo")
    ev(spool, EventType.TOMAR_SPOOL, b, "ARM", at(120))
    ev(spool, EventType.COMPLETAR_ARM, b, "ARM", at(180))
    ev(spool, EventType.TOMAR_SPOOL, b, "SOLD", at(24 * 60))
    return spool


def test_spool_csv_equals_the_history_sessions(manager, worked):
    got = rows(manager.get(spool_export("X-1", "csv")))
    h = spool_history(worked)
    assert got[0][:5] == ["TAG_SPOOL", "Worker_ID", "Worker", "Worker_Nombre", "Operacion"]
    assert len(got) == 1 + len(h.sessions) == 4
    assert [(r[1], r[4], r[9]) for r in got[1:]] == [
        (str(s.worker_id), s.operacion, s.cierre or "EN_CURSO") for s in h.sessions
    ]
    assert got[1][5:9] == ["02-03-2026 08:00:00", "02-03-2026 09:30:00", "01:30:00", "5400"]
    assert got[2][3] == "Beto Soto"
    assert got[3][6] == "" and got[3][9] == "EN_CURSO"


def test_spool_xlsx_is_a_workbook_with_the_sessions(manager, worked):
    response = manager.get(spool_export("X-1", "xlsx"))
    assert response.streaming and response["Content-Type"].startswith("application/vnd.openxml")
    assert "attachment" in response["Content-Disposition"]
    book = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "X-1" in sheet or "X-1" in book.read("xl/sharedStrings.xml").decode()
    assert "COMPLETAR_ARM" in sheet  # constant_memory writes strings inline, not shared


def test_spool_export_unknown_tag_is_404(manager):
    assert manager.get(spool_export("NO-EXISTE", "csv")).status_code == 404


def test_event_log_csv_matches_the_metadata_columns(manager, worked):
    got = rows(manager.get(EVENTS_CSV, {"desde": "2026-03-02", "hasta": "2026-03-03"}))
    assert got[0] == EVENT_HEADER
    first = Event.objects.order_by("seq").first()
    assert got[1] == [
        str(first.id),
        "02-03-2026 08:00:00",
        "TOMAR_SPOOL",
        "X-1",
        "1",
        first.worker_token,
        "ARM",
        "",
        "02-03-2026",
        "{}",
        "",
    ]
    assert got[2][9] == '{"motivo": "almuerzo"}'
    assert len(got) == 1 + 5


def test_event_log_period_includes_both_days_in_shop_time(manager, worked):
    day1 = rows(manager.get(EVENTS_CSV, {"desde": "2026-03-02", "hasta": "2026-03-02"}))
    assert [r[2] for r in day1[1:]] == ["TOMAR_SPOOL", "PAUSAR_SPOOL", "TOMAR_SPOOL", "COMPLETAR_ARM"]
    day2 = rows(manager.get(EVENTS_CSV, {"desde": "2026-03-03", "hasta": "2026-03-03"}))
    assert [(r[2], r[6]) for r in day2[1:]] == [("TOMAR_SPOOL", "SOLD")]


def test_event_log_filters_by_nv_and_worker(manager, worked, make_spool, make_worker):
    other = make_spool(tag_spool="Y-9", nv="NV0002")
    ev(other, EventType.TOMAR_SPOOL, make_worker(id=3), "ARM", at(10))
    period = {"desde": "2026-03-01", "hasta": "2026-03-31"}
    by_nv = rows(manager.get(EVENTS_CSV, {**period, "nv": "NV0002"}))
    assert [r[3] for r in by_nv[1:]] == ["Y-9"]
    by_worker = rows(manager.get(EVENTS_CSV, {**period, "worker_id": 2}))
    assert {r[4] for r in by_worker[1:]} == {"2"} and len(by_worker) == 1 + 3


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"desde": "2026-03-05", "hasta": "2026-03-01"},
        {"desde": "02-03-2026", "hasta": "2026-03-03"},
        {"desde": "2025-01-01", "hasta": "2026-03-01"},
    ],
)
def test_event_log_rejects_bad_periods(manager, params):
    assert manager.get(EVENTS_CSV, params).status_code == 400


def test_event_log_xlsx_has_the_events(manager, worked):
    response = manager.get(EVENTS_XLSX, {"desde": "2026-03-02", "hasta": "2026-03-03"})
    assert response.streaming and "eventos-20260302-20260303.xlsx" in response["Content-Disposition"]
    sheet = (
        zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        .read("xl/worksheets/sheet1.xml")
        .decode()
    )
    assert "Evento_Tipo" in sheet and "COMPLETAR_ARM" in sheet and "02-03-2026 08:00:00" in sheet


def _many_events(spool: Spool, worker: Worker, n: int) -> None:
    Event.objects.bulk_create(
        Event(
            timestamp=at(i),
            evento_tipo=EventType.TOMAR_SPOOL if i % 2 == 0 else EventType.PAUSAR_SPOOL,
            spool=spool,
            tag_spool=spool.tag_spool,
            worker=worker,
            worker_token=worker.token,
            operacion="ARM",
            fecha_operacion=at(i).date(),
        )
        for i in range(n)
    )


def test_event_log_of_thousands_of_events_streams_in_pieces(manager, make_spool, make_worker):
    _many_events(make_spool(tag_spool="BIG-1"), make_worker(id=7), 4500)
    response = manager.get(EVENTS_CSV, {"desde": "2026-03-01", "hasta": "2026-03-10"})
    assert response.streaming and not hasattr(response, "content")
    pieces = list(response.streaming_content)
    assert len(pieces) >= 4500 // 500  # the header, then one piece per 500 rows: never one big list
    text = b"".join(pieces).decode("utf-8-sig")
    assert text.count("\r\n") == 1 + 4500


@pytest.mark.django_db(transaction=True)
def test_under_asgi_the_csv_streams_asynchronously(django_user_model, make_spool, make_worker):
    _many_events(make_spool(tag_spool="ASGI-1"), make_worker(id=8), 1200)
    request = AsyncRequestFactory().get(EVENTS_CSV, {"desde": "2026-03-01", "hasta": "2026-03-10"})
    request.user = django_user_model.objects.create_superuser(username="root", password="x-123456789")
    response = downloads.event_log_export(request, fmt="csv")
    assert response.is_async

    async def consume() -> list[bytes]:
        pieces = [piece async for piece in response]
        # The rows were read in asgiref's sync thread; close its connection as request_finished would.
        await sync_to_async(connections.close_all, thread_sensitive=True)()
        return pieces

    text = b"".join(asyncio.run(consume())).decode("utf-8-sig")
    assert text.count("\r\n") == 1 + 1200 and "ASGI-1" in text


@pytest.mark.parametrize("group", [None, "Kioscos"])
def test_exports_are_closed_to_other_accounts(client, django_user_model, worked, group):
    urls = [
        spool_export("X-1", "csv"),
        EVENTS_XLSX + "?" + urlencode({"desde": "2026-03-02", "hasta": "2026-03-02"}),
    ]
    for url in urls:
        assert client.get(url)["Location"].startswith(reverse("login"))
    user = django_user_model.objects.create_user(username="staff", password="x-123456789", is_staff=True)
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    client.force_login(user)
    for url in urls:
        response = client.get(url)
        assert response.status_code == (302 if group else 403)


def test_history_pages_link_to_the_exports(manager, worked):
    page = manager.get(reverse("history", kwargs={"tag": "X-1"})).content.decode()
    csv_link, xlsx_link = spool_export("X-1", "csv"), spool_export("X-1", "xlsx")
    assert f'href="{csv_link}"' in page and f'href="{xlsx_link}"' in page
    search = manager.get(reverse("history-search")).content.decode()
    assert f'action="{EVENTS_CSV}"' in search and f'formaction="{EVENTS_XLSX}"' in search


# --- a spool tracked joint by joint -----------------------------------------------------------


@pytest.fixture
def handed_off(make_worker, make_spool, make_joints, admin_user):
    """Ana fits 1–2, Beto 3–4, Carla welds 1, a supervisor voids 2 (test_history.hand_off)."""
    return hand_off(make_worker, make_spool, make_joints, admin_user)


def _book(response):
    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)


def test_spool_joints_csv_credits_each_fitter_and_welder(manager, handed_off):
    response = manager.get(spool_export(handed_off.tag_spool, "csv"), {"tabla": "uniones"})
    assert "historial-MK-J_HIST-1-uniones-" in response["Content-Disposition"]
    header, *joints = rows(response)
    assert header == list(exports.JOINT_COLUMNS)
    got = [dict(zip(header, r, strict=True)) for r in joints]
    assert [(r["N_UNION"], r["DN_UNION"], r["TIPO_UNION"], r["ARM_WORKER"]) for r in got] == [
        ("1", "2.0", "BW", "AA(110)"),
        ("2", "2.0", "BW", "AA(110)"),
        ("3", "3.0", "SO", "BS(90)"),
        ("4", "1.5", "FW", "BS(90)"),
    ]
    one = got[0]
    assert (one["ARM_Worker_ID"], one["ARM_Worker_Nombre"]) == ("110", "Ana Araya")
    assert (one["SOL_WORKER"], one["SOL_Worker_Nombre"]) == ("CD(120)", "Carla Diaz")
    assert got[2]["SOL_WORKER"] == "" and got[2]["SOL_FECHA_FIN"] == ""
    # The duration is the joint's end minus its start; both in the sheet's format and shop time.
    from spools.models import Union

    union = Union.objects.get(spool=handed_off, n_union=3)
    three = got[2]
    assert int(three["ARM_Duracion_Segundos"]) == int((union.arm_fin - union.arm_inicio).total_seconds())
    assert three["ARM_FECHA_FIN"] == timezone.localtime(union.arm_fin).strftime("%d-%m-%Y %H:%M:%S")
    assert (got[1]["Anulada"], got[1]["Motivo_Anulacion"]) == ("SI", "Ramal <eliminado> en rev. C")
    assert got[0]["Anulada"] == "" and got[0]["NDT_UNION"] == ""


def test_spool_sessions_csv_is_unchanged_by_joints(manager, handed_off):
    header, *sessions = rows(manager.get(spool_export(handed_off.tag_spool, "csv")))
    assert header == list(exports.SESSION_COLUMNS)
    assert [(r[2], r[9]) for r in sessions] == [
        ("AA(110)", "PAUSAR_SPOOL"),
        ("BS(90)", "COMPLETAR_ARM"),
        ("CD(120)", "PAUSAR_SPOOL"),  # joint 3 was still to weld
    ]


def test_spool_xlsx_has_a_sheet_of_joints_beside_the_sessions(manager, handed_off):
    book = _book(manager.get(spool_export(handed_off.tag_spool, "xlsx")))
    assert book.sheetnames == ["Sesiones", "Uniones"]
    header, *joints = list(book["Uniones"].iter_rows(values_only=True))
    assert header == exports.JOINT_COLUMNS
    by_column = [dict(zip(header, r, strict=True)) for r in joints]
    assert [(r["N_UNION"], r["DN_UNION"], r["ARM_WORKER"], r["SOL_WORKER"]) for r in by_column] == [
        (1, 2, "AA(110)", "CD(120)"),
        (2, 2, "AA(110)", None),
        (3, 3, "BS(90)", None),
        (4, 1.5, "BS(90)", None),
    ]
    assert isinstance(by_column[0]["ARM_Duracion_Segundos"], int)  # numbers stay numbers
    assert len(list(book["Sesiones"].iter_rows(values_only=True))) == 1 + 3
    only = _book(manager.get(spool_export(handed_off.tag_spool, "xlsx"), {"tabla": "uniones"}))
    assert only.sheetnames == ["Uniones"]


def test_whole_spool_xlsx_has_only_its_sessions_and_unknown_table_is_404(manager, worked):
    assert _book(manager.get(spool_export("X-1", "xlsx"))).sheetnames == ["Sesiones"]
    header, *none = rows(manager.get(spool_export("X-1", "csv"), {"tabla": "uniones"}))
    assert header == list(exports.JOINT_COLUMNS) and none == []
    assert manager.get(spool_export("X-1", "csv"), {"tabla": "otra"}).status_code == 404


def test_joint_export_neutralises_formulas_people_typed(manager, make_worker, make_spool, make_joints):
    evil = make_worker(id=66, nombre="=HYPERLINK(1)", apellido="", roles=["Armador"])
    spool = make_joints(make_spool(tag_spool="MK-J-EVIL"), [(1, "2", "BW", {"arm": evil})])
    from spools.models import Union

    Union.objects.filter(spool=spool).update(anulada=True, anulada_motivo="+cmd|' /C calc'!A0")
    header, row = rows(manager.get(spool_export("MK-J-EVIL", "csv"), {"tabla": "uniones"}))
    got = dict(zip(header, row, strict=True))
    assert got["ARM_Worker_Nombre"] == "'=HYPERLINK(1)" and got["Motivo_Anulacion"] == "'+cmd|' /C calc'!A0"
    assert got["ARM_WORKER"] == "'=(66)"  # the token starts with the name's first letter


def test_event_log_names_the_joint_of_each_joint_event(manager, handed_off):
    today = timezone.localdate().isoformat()
    header, *events = rows(manager.get(EVENTS_CSV, {"desde": today, "hasta": today}))
    assert header[-1] == "N_UNION"
    joint_events = [(r[2], r[-1]) for r in events if r[2].startswith("UNION_")]
    assert joint_events == [
        ("UNION_ARM_REGISTRADA", "1"),
        ("UNION_ARM_REGISTRADA", "2"),
        ("UNION_ARM_REGISTRADA", "3"),
        ("UNION_ARM_REGISTRADA", "4"),
        ("UNION_SOLD_REGISTRADA", "1"),
        ("UNION_ANULADA", "2"),
    ]
    # The spool-level events keep an empty N_UNION (their joints are in Metadata_JSON).
    assert all(r[-1] == "" for r in events if not r[2].startswith("UNION_"))
