"""A spool's history (zeues/reports/history.py): sessions folded from its events, totals and notes."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from reparacion import services as reparacion
from spools.models import EventType, Spool, Worker
from spools.services import event_append
from zeues.reports.history import SIN_CIERRE, format_duration, spool_history

pytestmark = pytest.mark.django_db

TZ = zoneinfo.ZoneInfo("America/Santiago")
T0 = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=TZ)


def at(minutes: float) -> datetime.datetime:
    """T0 plus some minutes."""
    return T0 + datetime.timedelta(minutes=minutes)


def ev(spool: Spool, tipo: str, worker: Worker | None, op: str, when: datetime.datetime, **details):
    """Append an event at a chosen time."""
    return event_append(tipo=tipo, spool=spool, worker=worker, operacion=op, now=when, details=details)


def test_format_duration_includes_days():
    assert format_duration(0) == "00:00:00"
    assert format_duration(3 * 3600 + 15 * 60) == "03:15:00"
    assert format_duration(2 * 86400 + 3 * 3600 + 15 * 60) == "2 d 03:15:00"
    assert format_duration(None) == "—"


def test_handoff_a_takes_pauses_b_takes_completes(make_worker, make_spool):
    a, b, spool = make_worker(id=1), make_worker(id=2, nombre="Beto", apellido="Soto"), make_spool()
    ev(spool, EventType.TOMAR_SPOOL, a, "ARM", at(0))
    ev(spool, EventType.PAUSAR_SPOOL, a, "ARM", at(90))
    ev(spool, EventType.TOMAR_SPOOL, b, "ARM", at(120))
    ev(spool, EventType.COMPLETAR_ARM, b, "ARM", at(180))
    h = spool_history(spool, now=at(1000))
    assert [(s.worker_id, s.duration_seconds, s.cierre) for s in h.sessions] == [
        (1, 5400, "PAUSAR_SPOOL"),
        (2, 3600, "COMPLETAR_ARM"),
    ]
    assert h.sessions[1].worker_nombre == "Beto Soto" and h.sessions[1].worker_token == "BS(2)"
    arm = h.totals["ARM"]
    assert (arm.sessions, arm.active_seconds, arm.paused_seconds, arm.paused_now) == (2, 9000, 1800, False)
    assert not h.orphans


def test_pauses_accumulate_and_an_unresumed_pause_counts_until_now(make_worker, make_spool):
    a, spool = make_worker(), make_spool()
    ev(spool, EventType.TOMAR_SPOOL, a, "SOLD", at(0))
    ev(spool, EventType.PAUSAR_SPOOL, a, "SOLD", at(10))
    ev(spool, EventType.TOMAR_SPOOL, a, "SOLD", at(30))
    ev(spool, EventType.PAUSAR_SPOOL, a, "SOLD", at(40))
    h = spool_history(spool, now=at(100))
    sold = h.totals["SOLD"]
    assert (sold.active_seconds, sold.paused_seconds, sold.paused_now) == (1200, (20 + 60) * 60, True)


def test_repairs_take_pause_resume_complete_and_cancel(make_worker, make_spool):
    a, b, spool = make_worker(id=1), make_worker(id=2), make_spool()
    ev(spool, EventType.TOMAR_REPARACION, a, "REPARACION", at(0))
    ev(spool, EventType.PAUSAR_REPARACION, a, "REPARACION", at(30))
    ev(spool, EventType.TOMAR_REPARACION, b, "REPARACION", at(45))
    ev(spool, EventType.COMPLETAR_REPARACION, b, "REPARACION", at(60))
    # A second repair: taken, paused, then cancelled by someone while nobody held it.
    ev(spool, EventType.TOMAR_REPARACION, a, "REPARACION", at(100))
    ev(spool, EventType.PAUSAR_REPARACION, a, "REPARACION", at(110))
    ev(spool, EventType.CANCELAR_REPARACION, b, "REPARACION", at(130))
    h = spool_history(spool, now=at(500))
    assert [s.cierre for s in h.sessions] == [
        "PAUSAR_REPARACION",
        "COMPLETAR_REPARACION",
        "PAUSAR_REPARACION",
    ]
    rep = h.totals["REPARACION"]
    assert (rep.active_seconds, rep.paused_seconds, rep.paused_now) == (
        (30 + 15 + 10) * 60,
        (15 + 20) * 60,
        False,
    )
    assert not h.orphans  # cancelling a paused repair is normal, not an oddity


def test_cancel_while_held_closes_the_session(make_worker, make_spool):
    a, spool = make_worker(), make_spool()
    ev(spool, EventType.TOMAR_REPARACION, a, "REPARACION", at(0))
    ev(spool, EventType.CANCELAR_REPARACION, a, "REPARACION", at(5))
    (s,) = spool_history(spool, now=at(50)).sessions
    assert (s.cierre, s.duration_seconds) == ("CANCELAR_REPARACION", 300)


def test_force_release_closes_the_holders_session_and_is_a_supervisor_act(
    make_worker, make_spool, django_user_model
):
    a, spool = make_worker(id=7), make_spool()
    ev(spool, EventType.TOMAR_SPOOL, a, "ARM", at(0))
    ev(spool, EventType.LIBERACION_FORZADA, a, "ARM", at(600), motivo="Se fue a casa", supervisor="jefa")
    ev(spool, EventType.TOMAR_SPOOL, a, "ARM", at(660))
    h = spool_history(spool, now=at(720))
    assert [(s.cierre, s.duration_seconds, s.en_curso) for s in h.sessions] == [
        ("LIBERACION_FORZADA", 36000, False),
        ("", 3600, True),
    ]
    assert h.totals["ARM"].paused_seconds == 3600 and h.totals["ARM"].active_seconds == 39600
    (act,) = h.supervisor
    assert (act.motivo, act.supervisor, act.event.worker_token) == ("Se fue a casa", "jefa", "MR(7)")


def test_session_spanning_midnight(make_worker, make_spool):
    a, spool = make_worker(), make_spool()
    start = datetime.datetime(2026, 3, 2, 22, 30, tzinfo=TZ)
    ev(spool, EventType.TOMAR_SPOOL, a, "SOLD", start)
    ev(spool, EventType.COMPLETAR_SOLD, a, "SOLD", start + datetime.timedelta(hours=3, minutes=15))
    (s,) = spool_history(spool).sessions
    assert s.duration_seconds == 3 * 3600 + 15 * 60 and s.duration == "03:15:00"
    assert s.end is not None
    assert timezone.localtime(s.start).date() != timezone.localtime(s.end).date()


def test_session_spanning_several_days_keeps_the_days(make_worker, make_spool):
    a, spool = make_worker(), make_spool()
    ev(spool, EventType.TOMAR_SPOOL, a, "ARM", T0)
    ev(spool, EventType.COMPLETAR_ARM, a, "ARM", T0 + datetime.timedelta(days=2, hours=3, minutes=15))
    (s,) = spool_history(spool).sessions
    assert s.duration_seconds == 2 * 86400 + 3 * 3600 + 15 * 60 and s.duration == "2 d 03:15:00"


def test_open_session_is_en_curso_with_running_time(make_worker, make_spool):
    a, spool = make_worker(), make_spool()
    ev(spool, EventType.TOMAR_SPOOL, a, "ARM", at(0))
    (s,) = spool_history(spool, now=at(25)).sessions
    assert s.en_curso and s.end is None and s.duration_seconds == 1500


def test_odd_histories_are_listed_never_raised(make_worker, make_spool):
    a, spool = make_worker(), make_spool()
    ev(spool, EventType.COMPLETAR_ARM, a, "ARM", at(0))  # a close without an open
    ev(spool, EventType.TOMAR_SPOOL, a, "SOLD", at(10))
    ev(spool, EventType.TOMAR_SPOOL, a, "SOLD", at(20))  # the first one never closed
    ev(spool, EventType.PAUSAR_SPOOL, a, "SOLD", at(30))
    h = spool_history(spool, now=at(40))
    assert [n.event.evento_tipo for n in h.orphans] == ["COMPLETAR_ARM"]
    assert [(s.cierre, s.duration_seconds) for s in h.sessions] == [(SIN_CIERRE, None), ("PAUSAR_SPOOL", 600)]
    assert h.totals["SOLD"].active_seconds == 600


def test_metrologia_results_with_cycle_and_block(make_worker, make_spool):
    m, spool = make_worker(roles=["Metrologia"]), make_spool()
    ev(spool, EventType.COMPLETAR_METROLOGIA, m, "METROLOGIA", at(0), resultado="RECHAZADO", ciclo=1)
    ev(spool, EventType.COMPLETAR_METROLOGIA, m, "METROLOGIA", at(60), resultado="RECHAZADO", ciclo=3)
    ev(spool, EventType.SPOOL_BLOQUEADO, m, "METROLOGIA", at(60), resultado="RECHAZADO", ciclo=3)
    h = spool_history(spool)
    assert [(n.resultado, n.ciclo, n.bloqueo) for n in h.metrologia] == [
        ("RECHAZADO", 1, False),
        ("RECHAZADO", 3, True),
    ]
    assert not h.sessions and not h.orphans


def test_history_is_one_query(make_worker, make_spool, django_assert_num_queries):
    a, spool = make_worker(), make_spool()
    for i in range(20):
        ev(spool, EventType.TOMAR_SPOOL if i % 2 == 0 else EventType.PAUSAR_SPOOL, a, "ARM", at(i))
    with django_assert_num_queries(1):
        h = spool_history(spool)
        assert [s.worker_nombre for s in h.sessions] == ["Mauricio Rodriguez"] * 10


def test_real_actions_through_the_services_match_the_history(real_loop):
    spool = real_loop
    h = spool_history(spool)
    assert [(s.worker_id, s.operacion, s.cierre) for s in h.sessions] == [
        (11, "ARM", "PAUSAR_SPOOL"),
        (11, "ARM", "COMPLETAR_ARM"),
        (12, "SOLD", "LIBERACION_FORZADA"),
        (12, "SOLD", "COMPLETAR_SOLD"),
        (12, "REPARACION", "COMPLETAR_REPARACION"),
    ]
    assert all(s.duration_seconds is not None and s.end for s in h.sessions)
    assert [(n.resultado, n.ciclo) for n in h.metrologia] == [("RECHAZADO", 1), ("APROBADO", 0)]
    assert [(n.motivo, n.supervisor) for n in h.supervisor] == [("Turno terminado", "jefa")]
    assert len(h.events) == 12 and not h.orphans


def test_unblock_is_a_supervisor_act_with_reason(make_worker, make_spool, django_user_model):
    boss = django_user_model.objects.create_user(username="jefe2", password="x-123456789")
    spool = make_spool(arm="completado", sold="completado", calidad="bloqueado", ciclo=3)
    reparacion.spool_unblock(spool=spool, supervisor=boss, motivo="Revisado en terreno")
    (act,) = spool_history(spool).supervisor
    assert act.event.evento_tipo == "SUPERVISOR_OVERRIDE" and act.motivo == "Revisado en terreno"
    assert act.supervisor == "jefe2"


def test_supervisor_falls_back_to_the_acting_account(make_worker, make_spool, django_user_model):
    boss = django_user_model.objects.create_user(username="jefa3", password="x-123456789")
    a, spool = make_worker(), make_spool()
    ev(spool, EventType.TOMAR_SPOOL, a, "ARM", at(0))
    event_append(
        tipo=EventType.LIBERACION_FORZADA, spool=spool, worker=a, operacion="ARM", actor=boss, now=at(5)
    )
    (act,) = spool_history(spool).supervisor
    assert (act.supervisor, act.motivo) == ("jefa3", "")


def test_rejection_notes_carry_the_defect_name(make_worker, make_spool):
    m, spool = make_worker(roles=["Metrologia"]), make_spool()
    reason = {"defecto": "POR", "defecto_nombre": "Porosidad"}
    ev(
        spool,
        EventType.COMPLETAR_METROLOGIA,
        m,
        "METROLOGIA",
        at(0),
        resultado="RECHAZADO",
        ciclo=1,
        **reason,
    )
    ev(spool, EventType.COMPLETAR_METROLOGIA, m, "METROLOGIA", at(60), resultado="RECHAZADO", ciclo=2)
    assert [(n.resultado, n.defecto) for n in spool_history(spool).metrologia] == [
        ("RECHAZADO", "Porosidad"),
        ("RECHAZADO", ""),  # recorded before rejections named a defect
    ]


def test_alerts_are_kept_with_the_message_and_the_answer(make_worker, make_spool, django_user_model):
    boss = django_user_model.objects.create_user(username="jefa4", password="x-123456789")
    a, spool = make_worker(id=8), make_spool()
    ev(spool, EventType.ALERTA_SUPERVISOR, a, "", at(0), motivo="LLAMADA", mensaje="Falta el plano")
    answer = {"respuesta": "Voy con el plano"}
    event_append(
        tipo=EventType.ALERTA_ATENDIDA, spool=spool, worker=None, actor=boss, now=at(9), details=answer
    )
    h = spool_history(spool)
    assert [(n.event.evento_tipo, n.motivo, n.supervisor) for n in h.alerts] == [
        ("ALERTA_SUPERVISOR", "Falta el plano", ""),  # the call's motivo is a code, not shown
        ("ALERTA_ATENDIDA", "Voy con el plano", "jefa4"),  # the answering account
    ]
    assert not h.supervisor and not h.orphans and not h.sessions
