"""seed_demo (zeues/front/management/commands/seed_demo.py) and its replay (zeues/front/demo.py).

The README's first command loads demo data once, safely.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from spools.models import Spool
from zeues.models import ApiToken

pytestmark = pytest.mark.django_db


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
