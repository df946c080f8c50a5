"""«Mi registro»: a worker's own sessions, completions, results and hours, today and this week."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from spools.models import EventType, Spool, Worker
from spools.services import event_append
from zeues.reports.tests.kpi_shop import joint
from zeues.reports.worker_record import worker_record

pytestmark = pytest.mark.django_db

TZ = zoneinfo.ZoneInfo("America/Santiago")
MY_RECORD = reverse("kiosk:my-record")


def identify(op: str) -> str:
    """The kiosk's identification page for an operation ("ARM", "TODAS"...)."""
    return reverse("kiosk:identify", kwargs={"op": op})


WEDNESDAY = datetime.datetime(2026, 3, 4, 15, 0, tzinfo=TZ)


def ev(spool: Spool, tipo: str, worker: Worker, op: str, when: datetime.datetime, **details):
    """Append an event at a chosen time."""
    return event_append(tipo=tipo, spool=spool, worker=worker, operacion=op, now=when, details=details)


def on(day: int, hour: float) -> datetime.datetime:
    """A time in March 2026, shop time."""
    return datetime.datetime(2026, 3, day, tzinfo=TZ) + datetime.timedelta(hours=hour)


@pytest.fixture
def week(make_worker, make_spool):
    """Worker 5's week: ARM on Monday, SOLD paused and resumed today; worker 6 works too."""
    me, other = make_worker(id=5, roles=["Ayudante"]), make_worker(id=6, roles=["Ayudante"])
    a, b = make_spool(tag_spool="A-1"), make_spool(tag_spool="B-2")
    ev(a, EventType.TOMAR_SPOOL, me, "ARM", on(1, 20))  # Sunday: last week
    ev(a, EventType.PAUSAR_SPOOL, me, "ARM", on(2, 7))
    ev(a, EventType.TOMAR_SPOOL, me, "ARM", on(2, 8))
    ev(a, EventType.COMPLETAR_ARM, me, "ARM", on(2, 10))
    ev(b, EventType.TOMAR_SPOOL, me, "SOLD", on(4, 9))
    ev(b, EventType.PAUSAR_SPOOL, me, "SOLD", on(4, 10.5))
    ev(b, EventType.TOMAR_SPOOL, other, "SOLD", on(4, 11))
    ev(b, EventType.PAUSAR_SPOOL, other, "SOLD", on(4, 12))
    ev(b, EventType.TOMAR_SPOOL, me, "SOLD", on(4, 14))
    return me, other


def test_week_and_today_sessions_hours_and_completions(week):
    me, _ = week
    today, this_week = worker_record(me, now=WEDNESDAY)
    assert [(r.tag, r.session.operacion) for r in this_week.sessions] == [
        ("A-1", "ARM"),
        ("B-2", "SOLD"),
        ("B-2", "SOLD"),
    ]
    assert this_week.active_seconds == {"ARM": 7200, "SOLD": 5400 + 3600}
    assert this_week.completed == {"ARM": 1}
    assert [(r.tag, r.session.en_curso) for r in today.sessions] == [("B-2", False), ("B-2", True)]
    assert today.active_seconds == {"SOLD": 9000} and not today.completed
    assert today.hours() == [("SOLD", "02:30:00")]


def test_another_workers_sessions_are_not_mine(week):
    _, other = week
    today, this_week = worker_record(other, now=WEDNESDAY)
    assert [r.session.worker_id for r in this_week.sessions] == [6]
    assert today.active_seconds == {"SOLD": 3600}


def test_metrologia_results_are_listed_and_counted(make_worker, make_spool):
    inspector, spool = make_worker(id=9, roles=["Metrologia"]), make_spool(tag_spool="M-1")
    ev(
        spool,
        EventType.COMPLETAR_METROLOGIA,
        inspector,
        "METROLOGIA",
        on(4, 9),
        resultado="RECHAZADO",
        ciclo=1,
    )
    ev(
        spool,
        EventType.COMPLETAR_METROLOGIA,
        inspector,
        "METROLOGIA",
        on(4, 13),
        resultado="APROBADO",
        ciclo=2,
    )
    today, _ = worker_record(inspector, now=WEDNESDAY)
    assert [(r.tag, r.resultado, r.ciclo) for r in today.results] == [
        ("M-1", "RECHAZADO", 1),
        ("M-1", "APROBADO", 2),
    ]
    assert today.completed == {"METROLOGIA": 2} and not today.sessions


@pytest.fixture
def tablet(client, django_user_model):
    """A client logged in as a kiosk tablet account."""
    user = django_user_model.objects.create_user(username="tablet-r", password="x-123456789")
    user.groups.add(Group.objects.get_or_create(name="Kioscos")[0])
    client.force_login(user)
    return client


def test_page_needs_an_identified_worker(tablet):
    response = tablet.get(MY_RECORD)
    assert response.status_code == 302 and response["Location"] == identify("TODAS")


def test_page_shows_my_own_work_today_not_others(tablet, make_worker, make_spool):
    me, other = make_worker(id=21, roles=["Armador"]), make_worker(id=22, roles=["Armador"])
    mine, theirs = make_spool(tag_spool="MINE-1"), make_spool(tag_spool="THEIRS-1")
    now = timezone.now()
    ev(mine, EventType.TOMAR_SPOOL, me, "ARM", now - datetime.timedelta(minutes=30))
    ev(mine, EventType.COMPLETAR_ARM, me, "ARM", now - datetime.timedelta(minutes=5))
    ev(theirs, EventType.TOMAR_SPOOL, other, "ARM", now - datetime.timedelta(minutes=20))
    ev(mine, EventType.TOMAR_SPOOL, me, "SOLD", now - datetime.timedelta(days=8))  # before this week
    tablet.post(identify("ARM"), {"worker_id": "21"})
    response = tablet.get(MY_RECORD)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-tag="MINE-1"' in page and "THEIRS-1" not in page
    assert "00:25:00" in page and 'data-op="ARM"' in page and "1 completado" in page
    assert 'data-tag="MINE-1"' in page.split('data-testid="week"')[1]
    assert "SOLD" not in page.split('data-testid="today"')[1]


def test_the_kiosk_header_links_to_mi_registro(tablet, make_worker):
    make_worker(id=23, roles=["Armador"])
    tablet.post(identify("TODAS"), {"worker_id": "23"})
    assert f'href="{MY_RECORD}"' in tablet.get(reverse("kiosk:my-spools")).content.decode()


@pytest.fixture
def joints_week(make_worker, make_spool):
    """Worker 5's joints: fitted Sunday (last week), Monday and today, welded today; worker 6
    welds one today; one of 5's joints is voided and one is recorded after WEDNESDAY's 15:00."""
    me, other = make_worker(id=5, roles=["Armador", "Soldador"]), make_worker(id=6, roles=["Soldador"])
    a, b = make_spool(tag_spool="JA-1"), make_spool(tag_spool="JB-2")
    joint(a, 1, "4", "BW", arm=(me, on(1, 18)))  # Sunday: last week
    joint(a, 2, "2.5", "BW", arm=(me, on(2, 10)), sold=(me, on(4, 9)))
    joint(a, 3, "1.5", "SO", arm=(me, on(2, 10)), sold=(other, on(4, 11)))
    joint(b, 1, "3", "BW", arm=(me, on(4, 12)))
    joint(b, 2, "2", "FW", arm=(me, on(4, 12)))
    joint(b, 3, "6", "BR", arm=(me, on(4, 12)), anulada=True, anulada_motivo="Cambio de plano")
    joint(b, 4, "8", "BW", arm=(me, on(4, 16)))  # after `now`
    return me, other


def test_my_joints_and_pd_today_and_this_week(joints_week):
    me, _ = joints_week
    today, this_week = worker_record(me, now=WEDNESDAY)
    assert [
        (j.tag, j.n_union, j.dn_txt, j.tipo, j.operacion, j.when.day, j.anulada) for j in this_week.joints
    ] == [
        ("JA-1", 2, "2,5", "BW", "ARM", 2, False),
        ("JA-1", 3, "1,5", "SO", "ARM", 2, False),
        ("JA-1", 2, "2,5", "BW", "SOLD", 4, False),
        ("JB-2", 1, "3", "BW", "ARM", 4, False),
        ("JB-2", 2, "2", "FW", "ARM", 4, False),
        ("JB-2", 3, "6", "BR", "ARM", 4, True),
    ]
    # Sunday's joint is last week's; the voided one is listed but counts for nothing.
    assert this_week.pd == {"ARM": 9, "SOLD": 2.5} and this_week.uniones == {"ARM": 4, "SOLD": 1}
    assert this_week.pd_totals() == [("ARM", 4, "9"), ("SOLD", 1, "2,5")]
    assert [(j.tag, j.n_union, j.operacion) for j in today.joints] == [
        ("JA-1", 2, "SOLD"),
        ("JB-2", 1, "ARM"),
        ("JB-2", 2, "ARM"),
        ("JB-2", 3, "ARM"),
    ]
    assert today.pd_totals() == [("ARM", 2, "5"), ("SOLD", 1, "2,5")]
    groups = [(g.tag, g.operacion, [j.n_union for j in g.joints], g.pd_txt) for g in today.joint_groups()]
    assert groups == [("JA-1", "SOLD", [2], "2,5"), ("JB-2", "ARM", [1, 2, 3], "5")]


def test_another_workers_joints_are_not_mine(joints_week):
    _, other = joints_week
    today, this_week = worker_record(other, now=WEDNESDAY)
    assert [(j.tag, j.n_union, j.operacion) for j in this_week.joints] == [("JA-1", 3, "SOLD")]
    assert today.pd_totals() == [("SOLD", 1, "1,5")] and this_week.pd == {"SOLD": 1.5}


def test_a_worker_without_joints_has_no_pd(week):
    me, _ = week
    today, this_week = worker_record(me, now=WEDNESDAY)
    assert this_week.joints == [] and this_week.pd_totals() == [] and today.joint_groups() == []


def test_page_lists_my_joints_and_pd(tablet, make_worker, make_spool):
    me, other = make_worker(id=24, roles=["Armador"]), make_worker(id=25, roles=["Armador"])
    spool, now = make_spool(tag_spool="JOINTS-1"), timezone.now()
    joint(spool, 1, "2.5", "BW", arm=(me, now - datetime.timedelta(minutes=10)))
    joint(spool, 2, "1.5", "SO", arm=(me, now - datetime.timedelta(minutes=10)))
    joint(spool, 3, "4", "BW", arm=(other, now - datetime.timedelta(minutes=5)))
    tablet.post(identify("ARM"), {"worker_id": "24"})
    page = tablet.get(MY_RECORD).content.decode()
    today = page.split('data-testid="today"')[1].split('data-testid="week"')[0]
    assert "PD ARM: <strong>4</strong> (2 uniones)" in today
    joints = today.split('data-testid="today-joints"')[1]
    assert 'data-union="1">#1 DN 2,5 BW</span>' in joints and 'data-union="2">#2 DN 1,5 SO</span>' in joints
    assert 'data-union="3"' not in page  # the other fitter's joint
    assert "PD ARM: <strong>4</strong>" in page.split('data-testid="week"')[1]
