"""Demo only: two weeks of shop work replayed through the real services, so that a fresh demo's
history, manager and «Mi registro» pages have something to show.

Each simulated action runs the same service a tablet would call (TOMAR, PAUSAR, COMPLETAR,
metrología, repair), in time order across spools, with Django's clock set to the action's
moment (`django.utils.timezone.now` is patched for the duration of the call, which is what the
services, the audit trail and the KPI facts read). Nothing here is imported by the application;
`manage.py seed_demo` calls it once, on a database with no recorded actions, and only with DEBUG.
Actions that would fall after "now" are not run, so some spools are left held or paused.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from unittest import mock

from django.utils import timezone

import occupation.services as occupation
import reparacion.services as reparacion
from metrologia.services import spool_inspect
from spools.models import EstadoCalidad, EstadoOperacion, Resultado, Spool, Worker, WorkerRole
from zeues.lib.errors import ZeuesError

SPOOLS = 40
SHIFT_START, SHIFT_END = 7.5, 18.0  # plant hours


@dataclass(order=True)
class _Step:
    when: datetime.datetime
    order: int
    spool_pk: int
    action: Callable[..., Any]


def _shift(t: datetime.datetime) -> datetime.datetime:
    """`t` moved into the next working hours (07:30–18:00 plant time, Monday to Saturday)."""
    local = timezone.localtime(t)
    hour = local.hour + local.minute / 60
    if hour >= SHIFT_END or local.weekday() == 6:
        local = (local + datetime.timedelta(days=1)).replace(hour=7, minute=30)
    elif hour < SHIFT_START:
        local = local.replace(hour=7, minute=30)
    if local.weekday() == 6:
        local += datetime.timedelta(days=1)
    return local


def _workers(rol: str) -> list[Worker]:
    ids = WorkerRole.objects.filter(rol=rol, activo=True, worker__activo=True).values_list(
        "worker_id", flat=True
    )
    return list(Worker.objects.filter(pk__in=ids).prefetch_related("roles").order_by("pk"))


def _plan(
    spool: Spool, start: datetime.datetime, rng: random.Random, people: dict[str, list[Worker]]
) -> list:
    """One spool's life as (moment, action) pairs: ARM and SOLD with pauses, then inspections."""
    steps: list[tuple[datetime.datetime, Callable[..., Any]]] = []
    t = _shift(start)

    def add(hours: tuple[float, float], action: Callable[..., Any]) -> None:
        nonlocal t
        t = _shift(t + datetime.timedelta(hours=rng.uniform(*hours)))
        steps.append((t, action))

    fitter, welder = rng.choice(people["Armador"]), rng.choice(people["Soldador"])
    inspector = rng.choice(people["Metrologia"])
    for op, worker in (("ARM", fitter), ("SOLD", welder)):
        for _ in range(rng.randint(0, 2)):
            add((0.2, 3), partial(occupation.spool_take, worker=worker, operacion=op))
            add((0.5, 3), partial(occupation.spool_pause, worker=worker))
        add((0.2, 6), partial(occupation.spool_take, worker=worker, operacion=op))
        add((0.5, 4), partial(occupation.spool_complete, worker=worker))
    for _ in range(3):
        approved = rng.random() < 0.75
        resultado = Resultado.APROBADO if approved else Resultado.RECHAZADO
        add((1, 20), partial(spool_inspect, worker=inspector, resultado=resultado))
        if approved:
            break
        add((1, 8), partial(reparacion.repair_take, worker=welder))
        add((0.5, 3), partial(reparacion.repair_complete, worker=welder))
    return steps


def simulate_activity(*, days: int = 14, spools: int = SPOOLS, seed: int = 7) -> int:
    """Replay `days` of work on up to `spools` untouched spools; returns how many actions ran."""
    rng = random.Random(seed)  # noqa: S311 - repeatable demo data, not a secret
    people = {rol: _workers(rol) for rol in ("Armador", "Soldador", "Metrologia")}
    if not all(people.values()):
        return 0
    fresh = Spool.objects.filter(
        activo=True,
        fecha_materiales__isnull=False,
        ocupado_por__isnull=True,
        arm=EstadoOperacion.PENDIENTE,
        sold=EstadoOperacion.PENDIENTE,
        calidad=EstadoCalidad.PENDIENTE,
    ).order_by("pk")[:spools]
    now = timezone.now()
    steps: list[_Step] = []
    for spool in fresh:
        start = (
            now - datetime.timedelta(days=days) + datetime.timedelta(hours=rng.uniform(0, 24 * (days - 1)))
        )
        for when, action in _plan(spool, start, rng, people):
            steps.append(_Step(when, len(steps), spool.pk, action))
    done, failed = 0, set()
    for step in sorted(steps):
        if step.when >= now:
            break
        if step.spool_pk in failed:
            continue
        with mock.patch("django.utils.timezone.now", return_value=step.when):
            try:
                step.action(spool=Spool.objects.get(pk=step.spool_pk))
                done += 1
            except ZeuesError:
                failed.add(step.spool_pk)  # a refusal ends that spool's story here, as at the shop
    return done
