"""seed_demo (zeues/front/management/commands/seed_demo.py) and its replay (zeues/front/demo.py).

The README's first command loads demo data once, safely, and leaves a shop that looks alive
today: a handful of spools held since this morning, a few paused, one BLOQUEADO with its alert
open, two weeks of history behind it, nothing in the future.
"""

from __future__ import annotations

import datetime
import io
import logging
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Max, Min, Q
from django.utils import timezone

from spools import kpi_facts
from spools.joints import progress, progress_of
from spools.models import (
    Alerta,
    EstadoCalidad,
    EstadoOperacion,
    Event,
    EventType,
    Operacion,
    Resultado,
    Spool,
    TipoUnion,
    Union,
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
    _assert_joints()


def _assert_joints() -> None:
    """About half of the spools have joints, their figures and states agree with them, the work
    the replay recorded lies inside its holders' sessions, and a spool held now has open joints."""
    spools = list(Spool.objects.all())
    jointed = [s for s in spools if s.uniones_total]
    assert 0.3 * len(spools) <= len(jointed) <= 0.8 * len(spools), len(jointed)
    for s in jointed:
        assert progress_of(s) == progress(s.pk), s.tag_spool
        assert (s.arm == EstadoOperacion.COMPLETADO) == (s.uniones_arm == s.uniones_total), s.tag_spool
        assert (s.sold == EstadoOperacion.COMPLETADO) == (s.uniones_sold == s.uniones_sold_total), s.tag_spool
        assert s.arm != EstadoOperacion.PENDIENTE or s.uniones_arm == 0, s.tag_spool
        assert s.sold != EstadoOperacion.PENDIENTE or s.uniones_sold == 0, s.tag_spool
    # Every joint the replay recorded: by the holder, from the moment they took the spool.
    takes = set(
        Event.objects.filter(evento_tipo=EventType.TOMAR_SPOOL).values_list(
            "spool_id", "worker_id", "timestamp"
        )
    )
    unions = {(u.spool_id, u.n_union): u for u in Union.objects.filter(spool__uniones_total__gt=0)}
    recorded = Event.objects.filter(
        evento_tipo__in=[EventType.UNION_ARM_REGISTRADA, EventType.UNION_SOLD_REGISTRADA]
    )
    assert recorded.filter(evento_tipo=EventType.UNION_ARM_REGISTRADA).count() >= 20
    assert recorded.filter(evento_tipo=EventType.UNION_SOLD_REGISTRADA).count() >= 20
    for event in recorded:
        union = unions[(event.spool_id, event.details["n_union"])]
        op = "arm" if event.evento_tipo == EventType.UNION_ARM_REGISTRADA else "sold"
        inicio, fin = getattr(union, f"{op}_inicio"), getattr(union, f"{op}_fin")
        assert getattr(union, f"{op}_worker_id") == event.worker_id
        assert inicio <= fin == event.timestamp
        # Taken through ZEUES, or held since the sample sheet's own occupation (closed by its holder).
        taken = [k[2] for k in takes if k[:2] == (union.spool_id, event.worker_id) and k[2] < fin]
        assert inicio in taken if taken else inicio < fin

    # Progress kept by a pause: some joints recorded, some still open.
    assert any(e.details.get("uniones") for e in Event.objects.filter(evento_tipo=EventType.PAUSAR_SPOOL))
    held = Spool.objects.filter(
        ocupado_por__isnull=False, operacion_actual__in=[Operacion.ARM, Operacion.SOLD], uniones_total__gt=0
    )
    assert held.exists()
    for s in held:
        assert (
            (s.uniones_arm < s.uniones_total)
            if s.operacion_actual == Operacion.ARM
            else s.uniones_sold_listas
        )


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


def test_the_demo_makes_joints_itself_when_the_sheet_has_none(tmp_path, defectos):
    """Without the sample's Uniones tab, the demo gives about half of the spools 3–20 joints of
    its own: realistic DN and types, and the work each spool's state implies, before the replay."""
    import random
    import shutil

    from zeues.front import demo
    from zeues.front.management.commands.seed_demo import SAMPLE_DIR

    for name in ("operaciones.csv", "trabajadores.csv", "roles.csv"):
        shutil.copy(SAMPLE_DIR / name, tmp_path / name)
    call_command("import_sheet", csv_dir=str(tmp_path), verbosity=0)
    assert not Union.objects.exists()
    cast = demo.Cast(
        demo.Cast.of("Armador"), demo.Cast.of("Soldador"), demo.Cast.of("Metrologia"), [], random.Random(1)
    )
    clock = demo.Clock(timezone.now())
    held = Spool.objects.filter(arm=EstadoOperacion.PENDIENTE, uniones_total=0).first()
    demo.add_joints(cast, clock, random.Random(8), always=[held.pk])
    spools = list(Spool.objects.all())
    jointed = [s for s in spools if s.uniones_total]
    assert 0.4 * len(spools) <= len(jointed) <= 0.6 * len(spools) and held in jointed
    assert min(s.uniones_total for s in jointed) >= 3 and max(s.uniones_total for s in jointed) <= 20
    sizes = {d.normalize() for d in Union.objects.values_list("dn", flat=True)}
    assert {Decimal("2.5"), Decimal("1.5"), Decimal("0.75"), Decimal("12")} <= sizes
    assert all(Decimal("0.75") <= d <= 12 for d in sizes)
    tipos = list(Union.objects.values_list("tipo", flat=True))
    assert (tipos.count(TipoUnion.BW) + tipos.count(TipoUnion.SO)) / len(tipos) > 0.6
    assert {TipoUnion.BR, TipoUnion.LET, TipoUnion.FW} <= set(tipos)
    for s in jointed:
        assert progress_of(s) == progress(s.pk)
        assert s.uniones_sold_total >= 2  # at most two field welds: SOLD has work in the shop
        assert (s.arm == EstadoOperacion.COMPLETADO) == (s.uniones_arm == s.uniones_total), s.tag_spool
        assert (s.sold == EstadoOperacion.COMPLETADO) == (s.uniones_sold == s.uniones_sold_total), s.tag_spool
        assert (s.arm == EstadoOperacion.PAUSADO) == (0 < s.uniones_arm < s.uniones_total), s.tag_spool
        assert (s.sold == EstadoOperacion.PAUSADO) == (0 < s.uniones_sold < s.uniones_sold_total), s.tag_spool
    # The work is the spool's Armador's and Soldador's (when the sheet names them), one session
    # each, ended before the replay's first day; welded only after fitted.
    for u in Union.objects.filter(arm_fin__isnull=False).select_related("spool"):
        assert u.arm_fin < clock.start and u.arm_inicio < u.arm_fin
        assert u.spool.armador_id in (None, u.arm_worker_id)
        if u.sold_fin:
            assert u.arm_fin < u.sold_inicio < u.sold_fin < clock.start
            assert u.spool.soldador_id in (None, u.sold_worker_id)
