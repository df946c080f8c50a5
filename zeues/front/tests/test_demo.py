"""seed_demo (zeues/front/management/commands/seed_demo.py) and its replay (zeues/front/demo.py).

The README's first command loads demo data once, safely, and leaves a shop that looks alive
today: a handful of spools held since this morning, a few paused, one BLOQUEADO with its alert
open, two weeks of history behind it, nothing in the future.
"""

from __future__ import annotations

import datetime
import io
import logging

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Max, Min, Q
from django.utils import timezone

from spools import kpi_facts
from spools.models import (
    Alerta,
    EstadoCalidad,
    EstadoOperacion,
    Event,
    EventType,
    Operacion,
    Resultado,
    Spool,
)
from zeues.models import ApiToken

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("defectos")]


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_imports_the_sample_and_prints_a_working_token(settings):
    settings.DEBUG = True
    output = _seed()
    assert Spool.objects.count() == 398
    assert get_user_model().objects.get(username="admin").is_superuser
    raw = next(line.split(": ")[-1] for line in output.splitlines() if "Token de API" in line)
    assert ApiToken.objects.authenticate(raw.strip()) is not None


def test_seed_demo_is_idempotent(settings):
    settings.DEBUG = True
    _seed()
    output = _seed()
    assert Spool.objects.count() == 398
    assert ApiToken.objects.count() == 1
    assert "ya creado antes" in output


def test_seed_demo_refuses_without_debug(settings, nothing_written):
    settings.DEBUG = False
    with nothing_written(), pytest.raises(CommandError):
        _seed()
    assert not get_user_model().objects.filter(username="admin").exists()


def test_seed_demo_replays_two_weeks_of_work_through_the_services(settings):
    from django.utils import timezone

    from spools import kpi_facts
    from spools.models import Event, EventType, KpiSession

    settings.DEBUG = True
    output = _seed()
    actions = Event.objects.exclude(evento_tipo=EventType.IMPORT)
    assert actions.count() > 200 and "acciones de las últimas dos semanas" in output
    oldest = actions.order_by("timestamp").first().timestamp
    assert timezone.now() - oldest > timezone.timedelta(days=7)  # spread over the past, not "now"
    assert {EventType.COMPLETAR_ARM, EventType.COMPLETAR_SOLD, EventType.COMPLETAR_METROLOGIA} <= set(
        actions.values_list("evento_tipo", flat=True)
    )
    assert KpiSession.objects.exists() and kpi_facts.check() == []  # the KPI pages have data
    _seed()
    assert Event.objects.exclude(evento_tipo=EventType.IMPORT).count() == actions.count()  # once only


# --- a live shop today ---------------------------------------------------------------------------


def _assert_live_shop(now: datetime.datetime, codes: set[str]) -> None:
    """What the demo must look like at `now`, whatever the day and hour."""
    actions = Event.objects.exclude(evento_tipo=EventType.IMPORT)
    assert not actions.filter(timestamp__gt=now).exists()  # nothing in the future
    span = actions.aggregate(first=Min("timestamp"), last=Max("timestamp"))
    assert span["last"] - span["first"] >= datetime.timedelta(days=13)  # two weeks of history
    assert now - span["last"] < datetime.timedelta(hours=12)  # ... up to this morning

    # Held since this morning by several people across ARM, SOLD and REPARACION, none stale but
    # the one forgotten on purpose (the board's «antiguas» group).
    midnight = timezone.make_aware(datetime.datetime.combine(timezone.localdate(now), datetime.time()))
    cutoff = now - datetime.timedelta(hours=django_settings.ZEUES_STALE_HOURS)
    held = list(Spool.objects.filter(ocupado_por__isnull=False))
    stale = [s for s in held if s.fecha_ocupacion < cutoff]
    today = [s for s in held if s not in stale]
    assert len(stale) == 1
    assert 4 <= len(today) <= 6 and all(midnight <= s.fecha_ocupacion <= now for s in today)
    assert len({s.ocupado_por_id for s in today}) >= 3
    assert {s.operacion_actual for s in today} == {Operacion.ARM, Operacion.SOLD, Operacion.REPARACION}

    # A few paused today or on the last working day (the sheet's own paused spools have no event).
    paused = Spool.objects.filter(ocupado_por__isnull=True).filter(
        Q(arm=EstadoOperacion.PAUSADO)
        | Q(sold=EstadoOperacion.PAUSADO)
        | Q(calidad=EstadoCalidad.REPARACION_PAUSADA)
    )
    recent = actions.filter(
        evento_tipo__in=[EventType.PAUSAR_SPOOL, EventType.PAUSAR_REPARACION],
        timestamp__gte=now - datetime.timedelta(days=3),
        spool__in=paused,
    )
    assert 2 <= recent.values("spool").distinct().count() <= 8

    # Exactly one BLOQUEADO, by its consecutive rejections this morning, its alert open; one call too.
    blocked = Spool.objects.get(calidad=EstadoCalidad.BLOQUEADO)
    assert blocked.ciclo == django_settings.ZEUES_MAX_CICLOS
    alert = Alerta.objects.abiertas().get(spool=blocked)
    assert alert.motivo == Alerta.BLOQUEO and alert.creada_en >= midnight
    assert Alerta.objects.abiertas().filter(motivo=Alerta.LLAMADA).count() == 1
    assert Alerta.objects.abiertas().count() == 2

    # Every rejection names a defect of the catalogue; some carry a note.
    rejections = [
        e.details
        for e in actions.filter(evento_tipo=EventType.COMPLETAR_METROLOGIA)
        if e.details.get("resultado") == Resultado.RECHAZADO
    ]
    assert len(rejections) >= django_settings.ZEUES_MAX_CICLOS + 2
    assert all(d.get("defecto") in codes for d in rejections)
    assert any(d.get("nota") for d in rejections)
    assert kpi_facts.check() == []


def test_seed_demo_leaves_a_live_shop_this_morning(settings, defectos, caplog):
    settings.DEBUG = True
    with caplog.at_level(logging.WARNING, logger="zeues.front.demo"):
        output = _seed()
    assert not caplog.records  # no scripted action was refused
    _assert_live_shop(timezone.now(), set(defectos))
    assert "6 spools ocupados ahora, 2 alertas abiertas" in output
    # The supervisor who unblocked the sample sheet's BLOQUEADO spools is the demo's admin.
    overrides = Event.objects.filter(evento_tipo=EventType.SUPERVISOR_OVERRIDE)
    assert overrides.count() == 5 and set(overrides.values_list("actor__username", flat=True)) == {"admin"}


def _before_today(weekday: int, hour: int, minute: int) -> datetime.datetime:
    """The latest `weekday` (0 = Monday) strictly before today, at hour:minute plant time."""
    day = timezone.localdate() - datetime.timedelta(days=1)
    while day.weekday() != weekday:
        day -= datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.mark.parametrize(
    ("weekday", "hour", "minute"),
    [(6, 11, 0), (1, 6, 10), (2, 0, 20), (3, 22, 40)],
    ids=["sunday-late-morning", "before-the-shift", "just-after-midnight", "late-evening"],
)
def test_the_replay_ends_now_whatever_the_day_and_hour(weekday, hour, minute, defectos, caplog):
    from zeues.front.demo import simulate_activity
    from zeues.front.management.commands.seed_demo import SAMPLE_DIR

    call_command("import_sheet", csv_dir=str(SAMPLE_DIR), verbosity=0)
    now = _before_today(weekday, hour, minute)
    with caplog.at_level(logging.WARNING, logger="zeues.front.demo"):
        simulate_activity(now=now)
    assert not caplog.records
    _assert_live_shop(now, set(defectos))


@pytest.mark.django_db(transaction=True)  # the notice is sent after commit: commit for real
def test_the_replay_sends_no_alert_notices(settings, defectos, monkeypatch):
    from zeues.front.demo import simulate_activity
    from zeues.front.management.commands.seed_demo import SAMPLE_DIR
    from zeues.lib import notify

    settings.ZEUES_ALERT_WEBHOOK = "http://alerts.example.invalid/"
    sent: list[str] = []
    monkeypatch.setattr(notify, "alert", lambda subject, body, **data: sent.append(subject))
    call_command("import_sheet", csv_dir=str(SAMPLE_DIR), verbosity=0)
    simulate_activity()
    assert Alerta.objects.abiertas().count() == 2 and sent == []  # the demo's alerts stay in the app
