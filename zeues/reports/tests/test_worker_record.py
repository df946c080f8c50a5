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
