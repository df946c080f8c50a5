"""Demo only: two weeks of shop work replayed through the real services, ending this morning, so
that a fresh demo looks like a live shop today (the board, the kiosk lists, alerts) and its
history, manager and «Mi registro» pages have something to show.

Each simulated action runs the same service a tablet or a supervisor would call (TOMAR, PAUSAR,
COMPLETAR, metrología, repair, unblock, a call to a supervisor), in time order across spools,
with Django's clock set to the action's moment (`django.utils.timezone.now` is patched for the
duration of the call, which is what the services, the audit trail, the alerts and the KPI facts
read). Nothing here is imported by the application; `manage.py seed_demo` calls it once, on a
database with no recorded actions, and only with DEBUG.

What the replay leaves, whatever the day and hour it runs (docs/decisions.md, "Demo data"):

- the sample sheet's own leftovers are settled in the first days of the history: its forgotten
  occupations are completed by their holders, its BLOQUEADO spools unblocked by the supervisor,
  repaired and approved;
- about 30 spools live a random life (ARM and SOLD with pauses, inspections, repairs) over the
  two weeks, cut only between whole sessions, so none of them is left held;
- a cast of scripted spools makes "now": five held since this morning by different people (two
  ARM, two SOLD, one REPARACION with an open call to a supervisor), three paused today or on
  the last working day, one BLOQUEADO this morning by its third consecutive rejection (its alert
  left open), and one deliberately stale occupation (taken more than ZEUES_STALE_HOURS ago and
  forgotten) so the board's «antiguas» group has something.

About half of all spools have joints (3 to 20, realistic DN and types, `_joints_for`). They are
created before the replay, with the work the spool's state implies (ARM completado: every joint
fitted by its Armador; SOLD pausado: some welded; …), timed before the replay's first day; the
replay then records the rest through the services, as a tablet does: a pause ticks some of the
open joints, a COMPLETAR all of them, so the history, Gerencia and «Mi registro» show joint work
and PD, and a spool held this morning has open joints.

"This morning" is from 07:30 plant time or two hours ago, whichever is earlier, but never before
midnight and never more than three quarters of ZEUES_STALE_HOURS ago; every action is before now.
"""

from __future__ import annotations

import datetime
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any
from unittest import mock

from django.conf import settings
from django.db import transaction
from django.utils import timezone

import occupation.services as occupation
import reparacion.services as reparacion
from metrologia.services import spool_inspect
from occupation.engine import Actor
from spools.joints import joints_of, offered, store_progress
from spools.kpi_facts import union_days_add_joints
from spools.models import (
    Defecto,
    EstadoCalidad,
    EstadoOperacion,
    Operacion,
    Resultado,
    Spool,
    TipoUnion,
    Union,
    Worker,
    WorkerRole,
)
from zeues.lib.errors import ZeuesError

log = logging.getLogger(__name__)

SPOOLS = 40
SHIFT_START, SHIFT_END = 7.5, 18.0  # plant hours
ARM, SOLD = Operacion.ARM, Operacion.SOLD

Action = Callable[..., Any]
# A block is a run of one spool's actions that must happen whole (a TOMAR and its release, an
# inspection): a random life is cut before the first block that would end after "now".
Block = list[tuple[datetime.datetime, Action]]

# How often each defect turns up, and what an inspector might write about it.
DEFECTS: dict[str, tuple[int, tuple[str, ...]]] = {
    "POROSIDAD": (4, ("Poros en la pasada de terminación, junta 2.", "Porosidad agrupada en la raíz.")),
    "SOCAVACION": (3, ("Socavación en el pie del cordón, junta 3.", "Socavación de 1 mm junto a la brida.")),
    "DESALINEACION": (3, ("Brida desalineada 3 mm respecto al eje.", "Ramal fuera de escuadra.")),
    "DIMENSION": (3, ("Largo total +6 mm fuera de tolerancia.", "Cota del ramal no coincide con el plano.")),
    "FALTA_FUSION": (2, ("Falta de fusión en la pared lateral, junta 1.",)),
    "FALTA_PENETRACION": (2, ("Penetración incompleta en la junta de 2 pulgadas.",)),
    "SALPICADURA": (2, ("Salpicadura sobre la cara de la brida.", "Limpiar salpicadura antes de pintar.")),
    "FISURA": (1, ("Fisura transversal en el cordón; revisar precalentamiento.",)),
    "OTRO": (1, ("Marcado del spool ilegible.", "Falta la placa de identificación.")),
}


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


def _back_into_shift(t: datetime.datetime) -> datetime.datetime:
    """The latest moment of working hours at or before `t`."""
    local = timezone.localtime(t)
    while True:
        hour = local.hour + local.minute / 60
        if local.weekday() == 6 or hour < SHIFT_START:
            local = _at(local.date() - datetime.timedelta(days=1), SHIFT_END - 0.5)
        elif hour >= SHIFT_END:
            local = _at(local.date(), SHIFT_END - 0.5)
        else:
            return local


def _at(day: datetime.date, hour: float) -> datetime.datetime:
    """`hour` (07.5 = 07:30) of `day`, plant time."""
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(hours=hour)
    )


@dataclass
class Clock:
    """The replay's calendar: "now", this morning's window and the working days before it."""

    now: datetime.datetime
    days: int = 14

    def __post_init__(self) -> None:
        self.today = timezone.localdate(self.now)
        stale = datetime.timedelta(hours=settings.ZEUES_STALE_HOURS or 12)
        opening = min(_at(self.today, SHIFT_START), self.now - datetime.timedelta(hours=2))
        self.morning = max(opening, self.now - stale * 0.75, _at(self.today, 0))
        start = self.today - datetime.timedelta(days=self.days)
        if start.weekday() == 6:
            start -= datetime.timedelta(days=1)
        self.start = _at(start, SHIFT_START)

    def this_morning(self, fraction: float) -> datetime.datetime:
        """A moment of this morning's window: 0 is its start, 1 is now."""
        return self.morning + (self.now - self.morning) * min(max(fraction, 0.0), 0.98)

    def working_day(self, back: int) -> datetime.date:
        """The `back`-th working day (Monday to Saturday) before today."""
        day, n = self.today, 0
        while n < back:
            day -= datetime.timedelta(days=1)
            n += day.weekday() != 6
        return day

    def days_ago(self, back: int, hour: float) -> datetime.datetime:
        """`hour` of the `back`-th working day before today."""
        return _at(self.working_day(back), hour)


@dataclass
class Cast:
    """Who does what: the shop's active workers by role, in a fixed order."""

    fitters: list[Worker]
    welders: list[Worker]
    inspectors: list[Worker]
    helpers: list[Worker]
    rng: random.Random
    defects: list[str] = field(default_factory=list)

    @staticmethod
    def of(rol: str) -> list[Worker]:
        ids = WorkerRole.objects.filter(rol=rol, activo=True, worker__activo=True).values_list(
            "worker_id", flat=True
        )
        return list(Worker.objects.filter(pk__in=ids).prefetch_related("roles").order_by("pk"))

    def pick(self, people: list[Worker], n: int) -> Worker:
        """The n-th of a role (wrapping round a small shop), so scripted holders differ."""
        return people[n % len(people)]

    @property
    def repairers(self) -> list[Worker]:
        return self.welders + [w for w in self.helpers if w not in self.welders]

    def rejection(self, codigo: str | None = None, nota: str | None = None) -> dict[str, str]:
        """A rejection's defect (weighted, or the one given) and, one time in two, a note."""
        if not self.defects:
            return {}  # an empty catalogue: reject without a defect, as the service still allows
        if codigo not in self.defects:
            codigo = self.rng.choices(self.defects, [DEFECTS.get(c, (1, ()))[0] for c in self.defects])[0]
        notes = DEFECTS.get(codigo, (1, ()))[1]
        if nota is None:
            nota = self.rng.choice(notes) if notes and (codigo == "OTRO" or self.rng.random() < 0.5) else ""
        return {"defecto": codigo, "nota": nota}


# --- the actions, as the tablets and the supervisor call them ----------------------------------


def take(worker: Worker, op: str) -> Action:
    return partial(occupation.spool_take, worker=worker, operacion=op)


def pause(worker: Worker) -> Action:
    return partial(_pause, worker=worker)


def _pause(*, spool: Spool, worker: Worker) -> Spool:
    """PAUSAR; on a spool with joints the holder ticks some of the open ones (never all: that completes)."""
    uniones: list[int] = []
    if spool.uniones_total:
        open_ = [u.n_union for u in offered(joints_of(spool), spool.operacion_actual)]
        if len(open_) > 1:
            uniones = sorted(_JOINT_RNG.sample(open_, _JOINT_RNG.randint(1, len(open_) - 1)))
    return occupation.spool_pause(spool=spool, worker=worker, uniones=uniones)


def complete(worker: Worker) -> Action:
    return partial(occupation.spool_complete, worker=worker)


def approve(inspector: Worker) -> Action:
    return partial(spool_inspect, worker=inspector, resultado=Resultado.APROBADO)


def reject(inspector: Worker, reason: dict[str, str]) -> Action:
    return partial(
        spool_inspect,
        worker=inspector,
        resultado=Resultado.RECHAZADO,
        defecto=reason.get("defecto"),
        nota=reason.get("nota", ""),
    )


def repair_take(worker: Worker) -> Action:
    return partial(reparacion.repair_take, worker=worker)


def repair_pause(worker: Worker) -> Action:
    return partial(reparacion.repair_pause, worker=worker)


def repair_complete(worker: Worker) -> Action:
    return partial(reparacion.repair_complete, worker=worker)


def call_supervisor(worker: Worker, mensaje: str) -> Action:
    return partial(reparacion.alert_call, worker=worker, mensaje=mensaje)


def unblock(supervisor: Actor, motivo: str) -> Action:
    return partial(reparacion.spool_unblock, supervisor=supervisor, motivo=motivo)


def _close_forgotten(*, spool: Spool, supervisor: Actor) -> Spool:
    """The sheet's occupant completes the work; if the rules refuse it, the supervisor releases it."""
    holder = spool.ocupado_por
    if holder is not None:
        try:
            return occupation.spool_complete(spool=spool, worker=holder)
        except ZeuesError:
            spool.refresh_from_db()
    return reparacion.spool_force_release(
        spool=spool, supervisor=supervisor, motivo="Ocupación de la planilla sin cerrar: se libera."
    )


# --- joints ---------------------------------------------------------------------------------------

# The pauses' choice of joints draws from its own generator, so that the joints leave the
# replay's own random choices (who, when, which defect) exactly as they were.
_JOINT_RNG = random.Random(0)  # noqa: S311 - repeatable demo data, reseeded by simulate_activity
JOINT_SHARE = 0.5
_LINE_DN = ["2", "3", "4", "6", "8", "10", "12"]
_LINE_WEIGHT = [3, 4, 5, 4, 3, 2, 1]
_SMALL_DN = ["0.75", "1", "1.5", "2", "2.5"]
_TIPOS = [
    TipoUnion.BW,
    TipoUnion.SO,
    TipoUnion.BR,
    TipoUnion.LET,
    TipoUnion.FW,
    TipoUnion.FILL,
    TipoUnion.MIT,
]
_TIPO_WEIGHT = [45, 27, 10, 7, 6, 3, 2]


def _joints_for(rng: random.Random) -> list[tuple[int, Decimal, str]]:
    """3 to 20 joints of one spool: a line size, butt welds on it, small-bore sockets and olets.

    At most two field welds, and at least two joints welded in the shop.
    """
    count = round(rng.triangular(3, 20, 7))
    line = rng.choices(_LINE_DN, _LINE_WEIGHT)[0]
    joints = []
    field_welds = 0
    for n in range(1, count + 1):
        tipo = rng.choices(_TIPOS, _TIPO_WEIGHT)[0]
        if tipo == TipoUnion.FW and field_welds >= min(2, count - 2):
            tipo = TipoUnion.BW
        field_welds += tipo == TipoUnion.FW
        if tipo in (TipoUnion.SO, TipoUnion.LET):
            dn = rng.choice(_SMALL_DN)
        elif tipo == TipoUnion.BR:
            dn = rng.choice([d for d in _LINE_DN + _SMALL_DN if Decimal(d) <= Decimal(line)])
        else:
            dn = line if rng.random() < 0.8 else rng.choice(_SMALL_DN)
        joints.append((n, Decimal(dn), str(tipo)))
    return joints


def _session(
    day: datetime.date, start: float, rng: random.Random
) -> tuple[datetime.datetime, Callable[[], datetime.datetime]]:
    """A work session on `day` from `start` (plant hours): its start, and the next joint's end."""
    began = _at(day, start + rng.uniform(0, 0.5))
    t = began

    def next_end() -> datetime.datetime:
        nonlocal t
        t += datetime.timedelta(minutes=rng.uniform(15, 55))
        return t

    return began, next_end


def _worked(spool: Spool, joints: list[Union], cast: Cast, before: datetime.date) -> None:
    """Give `joints` the work the spool's imported state implies, on days before `before`.

    ARM completado: all fitted by the spool's Armador; ARM pausado: some, by a fitter. SOLD
    completado: every shop weld welded by its Soldador; SOLD pausado: some. Each operation's
    joints share their session's start (when the holder took the spool), as the services do.
    """
    rng = cast.rng
    fitter = spool.armador or rng.choice(cast.fitters)
    welder = spool.soldador or rng.choice(cast.welders)
    latest = before - datetime.timedelta(days=2)
    arm_day = min(spool.fecha_armado or latest - datetime.timedelta(days=rng.randint(1, 20)), latest)
    sold_day = min(
        max(spool.fecha_soldadura or arm_day, arm_day) + datetime.timedelta(days=1),
        before - datetime.timedelta(days=1),
    )
    fitted = {
        EstadoOperacion.COMPLETADO: len(joints),
        EstadoOperacion.PAUSADO: rng.randint(1, len(joints) - 1),
    }.get(spool.arm, 0)
    began, end = _session(arm_day, 8.0, rng)
    for union in joints[:fitted]:
        union.arm_worker, union.arm_inicio, union.arm_fin = fitter, began, end()
        union.arm_fecha = timezone.localdate(union.arm_fin)
    shop = [u for u in joints[:fitted] if u.tipo != TipoUnion.FW]
    welded = {
        EstadoOperacion.COMPLETADO: len(shop),
        EstadoOperacion.PAUSADO: rng.randint(1, max(1, len(shop) - 1)) if len(shop) > 1 else 0,
    }.get(spool.sold, 0)
    began, end = _session(sold_day, 8.0, rng)
    for union in shop[:welded]:
        union.sold_worker, union.sold_inicio, union.sold_fin = welder, began, end()
        union.sold_fecha = timezone.localdate(union.sold_fin)


def add_joints(cast: Cast, clock: Clock, rng: random.Random, always: list[int]) -> int:
    """Joints for spools that have none, until about half of all spools have joints.

    The sample sheet may bring joints of its own (its Uniones tab); the spools of `always` (the
    scripted ones held this morning) get joints in any case, so that the kiosk shows a held
    spool with open joints. Returns how many spools got joints here.
    """
    spools = list(Spool.objects.order_by("pk"))
    with_joints = set(Union.objects.values_list("spool_id", flat=True).distinct())
    without = [s for s in spools if s.pk not in with_joints]
    share = (JOINT_SHARE * len(spools) - len(with_joints)) / len(without) if without else 0
    chosen = [s for s in without if s.pk in always or rng.random() < share]
    rows: list[Union] = []
    joint_cast = Cast(cast.fitters, cast.welders, cast.inspectors, cast.helpers, rng)
    for spool in chosen:
        joints = [Union(spool=spool, n_union=n, dn=dn, tipo=tipo) for n, dn, tipo in _joints_for(rng)]
        _worked(spool, joints, joint_cast, clock.start.date())
        rows += joints
    Union.objects.bulk_create(rows, batch_size=1000)
    store_progress([s.pk for s in chosen])
    union_days_add_joints(rows)
    return len(chosen)


# --- the random lives ----------------------------------------------------------------------------


def _random_life(start: datetime.datetime, cast: Cast) -> list[Block]:
    """One spool's life as blocks: ARM and SOLD with pauses, then inspections and repairs.

    It never reaches BLOQUEADO: after the limit's last allowed rejection the next result approves.
    """
    rng = cast.rng
    blocks: list[Block] = []
    t = _shift(start)

    def at(hours: tuple[float, float]) -> datetime.datetime:
        nonlocal t
        t = _shift(t + datetime.timedelta(hours=rng.uniform(*hours)))
        return t

    fitter, welder = rng.choice(cast.fitters), rng.choice(cast.welders)
    inspector, repairer = rng.choice(cast.inspectors), rng.choice(cast.repairers)
    for op, worker in ((ARM, fitter), (SOLD, welder)):
        for _ in range(rng.randint(0, 2)):
            blocks.append([(at((0.2, 3)), take(worker, op)), (at((0.5, 3)), pause(worker))])
        blocks.append([(at((0.2, 6)), take(worker, op)), (at((0.5, 4)), complete(worker))])
    limit = settings.ZEUES_MAX_CICLOS or 3
    for rejections in range(limit):
        if rejections == limit - 1 or rng.random() < 0.75:
            blocks.append([(at((1, 20)), approve(inspector))])
            break
        blocks.append([(at((1, 20)), reject(inspector, cast.rejection()))])
        blocks.append([(at((1, 8)), repair_take(repairer)), (at((0.5, 3)), repair_complete(repairer))])
    return blocks


def _until(blocks: list[Block], end: datetime.datetime) -> Block:
    """The whole blocks that end before `end`, up to the first that does not."""
    kept: Block = []
    for block in blocks:
        if block[-1][0] >= end:
            break
        kept.extend(block)
    return kept


# --- the sheet's leftovers and the scripted present ---------------------------------------------


def _sheet_leftovers(clock: Clock, cast: Cast, supervisor: Actor) -> dict[int, Block]:
    """The sample sheet's forgotten occupations closed, its BLOQUEADO spools unblocked and repaired."""
    rng, plans = cast.rng, dict[int, Block]()
    for spool in Spool.objects.filter(ocupado_por__isnull=False).order_by("pk"):
        assert spool.fecha_ocupacion is not None  # noqa: S101 - the model's constraint says so
        since = max(spool.fecha_ocupacion, clock.start)
        when = min(_shift(since + datetime.timedelta(hours=rng.uniform(0.5, 30))), clock.morning)
        if when > spool.fecha_ocupacion:
            plans[spool.pk] = [(when, partial(_close_forgotten, supervisor=supervisor))]
    for spool in Spool.objects.filter(calidad=EstadoCalidad.BLOQUEADO).order_by("pk"):
        t = _shift(clock.start + datetime.timedelta(hours=rng.uniform(1, 10)))
        repairer, inspector = rng.choice(cast.repairers), rng.choice(cast.inspectors)
        steps = [(t, unblock(supervisor, "Revisado con calidad: se autoriza una nueva reparación."))]
        for hours, action in (
            ((2, 20), repair_take(repairer)),
            ((1, 5), repair_complete(repairer)),
            ((1, 12), approve(inspector)),
        ):
            t = _shift(t + datetime.timedelta(hours=rng.uniform(*hours)))
            steps.append((t, action))
        plans[spool.pk] = _until([[step] for step in steps], clock.morning)
    return plans


def _present(spools: list[Spool], clock: Clock, cast: Cast) -> dict[int, Block]:
    """The scripted spools that make the board, the kiosk lists and the alerts look like today."""
    rng = cast.rng
    f, w, h, q = cast.fitters, cast.welders, cast.helpers, cast.inspectors

    def ago(back: int, hour: float) -> datetime.datetime:
        return clock.days_ago(back, hour + rng.uniform(0, 0.3))

    def today(fraction: float) -> datetime.datetime:
        return clock.this_morning(fraction + rng.uniform(0, 0.04))

    def built(fitter: Worker, welder: Worker, back: int) -> Block:
        """ARM and SOLD completed `back` and `back - 1` working days ago."""
        return [
            (ago(back, 8.0), take(fitter, ARM)),
            (ago(back, 12.0), complete(fitter)),
            (ago(back - 1, 8.0), take(welder, SOLD)),
            (ago(back - 1, 13.0), complete(welder)),
        ]

    fitter_vs, fitter_cg, fitter_md = cast.pick(f, 0), cast.pick(f, 1), cast.pick(f, 2)
    blocked_by = cast.pick(q, 0)
    stale_for = datetime.timedelta(hours=(settings.ZEUES_STALE_HOURS or 12) + 4 + rng.uniform(0, 1))
    limit = settings.ZEUES_MAX_CICLOS or 3
    # The blocked spool: the same joint rejected again and again, repaired in between.
    series = [
        ("POROSIDAD", "Poros agrupados en la junta 2."),
        ("POROSIDAD", "Persisten poros en la junta 2."),
    ]
    series += [("FALTA_FUSION", "Falta de fusión en la misma junta tras dos reparaciones.")] * (limit - 2)
    blocked: Block = built(fitter_md, cast.pick(w, 4), 2 + 2 * limit)
    for n, (codigo, nota) in enumerate(series[:limit]):
        when = ago(2 * (limit - n), 10.0) if n < limit - 1 else today(0.15)
        blocked.append((when, reject(blocked_by, cast.rejection(codigo, nota))))
        if n < limit - 1:
            repairer = cast.pick(w, 5)
            blocked += [
                (ago(2 * (limit - n) - 1, 9.0), repair_take(repairer)),
                (ago(2 * (limit - n) - 1, 12.0), repair_complete(repairer)),
            ]
    repairer = cast.pick(w, 3)
    stories: list[Block] = [
        # Held since this morning: ARM from scratch, ARM resumed, SOLD, SOLD resumed, a repair.
        [(today(0.02), take(fitter_vs, ARM))],
        [
            (ago(1, 9.0), take(fitter_md, ARM)),
            (ago(1, 15.0), pause(fitter_md)),
            (today(0.1), take(fitter_md, ARM)),
        ],
        [
            (ago(2, 8.0), take(fitter_cg, ARM)),
            (ago(2, 14.0), complete(fitter_cg)),
            (today(0.2), take(cast.pick(w, 0), SOLD)),
        ],
        [
            *built(fitter_vs, cast.pick(w, 1), 3)[:2],
            (ago(1, 8.0), take(cast.pick(w, 1), SOLD)),
            (ago(1, 16.5), pause(cast.pick(w, 1))),
            (today(0.3), take(cast.pick(w, 1), SOLD)),
        ],
        [
            *built(fitter_cg, cast.pick(w, 2), 4),
            (
                ago(1, 14.0),
                reject(cast.pick(q, 1), cast.rejection("FISURA", "Fisura longitudinal de 20 mm, junta 3.")),
            ),
            (today(0.25), repair_take(repairer)),
            (
                today(0.55),
                call_supervisor(repairer, "La fisura sigue al esmerilar: ¿cortamos la junta y rehacemos?"),
            ),
        ],
        # Paused: ARM this morning, SOLD and a repair on the last working day.
        [(today(0.05), take(fitter_cg, ARM)), (today(0.45), pause(fitter_cg))],
        [
            *built(fitter_md, cast.pick(w, 6), 3)[:2],
            (ago(1, 8.5), take(cast.pick(w, 6), SOLD)),
            (ago(1, 16.0), pause(cast.pick(w, 6))),
        ],
        [
            *built(fitter_vs, cast.pick(w, 0), 4),
            (ago(2, 15.0), reject(cast.pick(q, 2), cast.rejection())),
            (ago(1, 10.0), repair_take(cast.pick(h, 0))),
            (ago(1, 12.5), repair_pause(cast.pick(h, 0))),
        ],
        blocked,
        # Forgotten: taken more than ZEUES_STALE_HOURS ago and never released (the «antiguas» group).
        [(_back_into_shift(clock.now - stale_for), take(cast.pick(h, 1), ARM))],
    ]
    return {spool.pk: story for spool, story in zip(spools, stories, strict=False)}


# --- the replay ------------------------------------------------------------------------------------


@dataclass(order=True)
class _Step:
    when: datetime.datetime
    order: int
    spool_pk: int = field(compare=False)
    action: Action = field(compare=False)


def simulate_activity(
    *,
    days: int = 14,
    spools: int = SPOOLS,
    seed: int = 7,
    now: datetime.datetime | None = None,
    supervisor: Actor = None,
) -> int:
    """Replay `days` of work up to `now` (default: the real now); returns how many actions ran.

    `spools` untouched spools take part (the first ten scripted, the rest random); the sheet's
    held and BLOQUEADO spools are settled too. `supervisor` is the user recorded for the unblocks.
    """
    rng = random.Random(seed)  # noqa: S311 - repeatable demo data, not a secret
    cast = Cast(
        fitters=Cast.of("Armador"),
        welders=Cast.of("Soldador"),
        inspectors=Cast.of("Metrologia"),
        helpers=Cast.of("Ayudante"),
        rng=rng,
        defects=[c for c in Defecto.objects.filter(activo=True).values_list("codigo", flat=True)],
    )
    if not (cast.fitters and cast.welders and cast.inspectors):
        return 0
    cast.helpers = cast.helpers or cast.welders
    clock = Clock(now or timezone.now(), days)
    fresh = list(
        Spool.objects.filter(
            activo=True,
            fecha_materiales__isnull=False,
            ocupado_por__isnull=True,
            arm=EstadoOperacion.PENDIENTE,
            sold=EstadoOperacion.PENDIENTE,
            calidad=EstadoCalidad.PENDIENTE,
        ).order_by("pk")[:spools]
    )
    rng.shuffle(fresh)
    plans = _sheet_leftovers(clock, cast, supervisor)
    scripted = _present(fresh, clock, cast)
    plans.update(scripted)
    latest = clock.now - datetime.timedelta(days=1.5)
    for n, spool in enumerate(s for s in fresh if s.pk not in scripted):
        span = max((latest - clock.start).total_seconds(), 0)
        start = clock.start + datetime.timedelta(seconds=0 if n == 0 else rng.uniform(0, span))
        plans[spool.pk] = _until(_random_life(start, cast), clock.now)
    steps = sorted(
        _Step(when, n * 1000 + i, pk, action)
        for n, (pk, plan) in enumerate(plans.items())
        for i, (when, action) in enumerate(plan)
        if when < clock.now
    )
    done, failed = 0, set()
    # One transaction (each action's own is a savepoint in it): a replay that breaks off leaves
    # nothing behind, and SQLite syncs its file once instead of once per action. The demo's
    # alerts are not sent to ZEUES_ALERT_EMAILS / ZEUES_ALERT_WEBHOOK: the notice goes out after
    # commit, so the patch is the outer context and still holds when the transaction commits.
    with mock.patch("zeues.lib.notify.alert", return_value=None), transaction.atomic():
        # The joints draw from their own generator: the replay's choices stay what they were.
        joint_rng = random.Random(seed + 1)  # noqa: S311 - repeatable demo data, not a secret
        _JOINT_RNG.seed(seed + 2)
        # Held this morning from scratch, ARM resumed, SOLD resumed (`_present`'s first stories).
        add_joints(cast, clock, joint_rng, always=[fresh[i].pk for i in (0, 1, 3) if i < len(fresh)])
        for step in steps:
            if step.spool_pk in failed:
                continue
            with mock.patch("django.utils.timezone.now", return_value=step.when):
                try:
                    step.action(spool=Spool.objects.select_related("ocupado_por").get(pk=step.spool_pk))
                    done += 1
                except ZeuesError as exc:
                    # A refusal ends that spool's story here, as at the shop; the demo should have none.
                    name = getattr(getattr(step.action, "func", step.action), "__name__", "?")
                    log.warning("demo: %s on spool %s refused at %s: %s", name, step.spool_pk, step.when, exc)
                    failed.add(step.spool_pk)
    return done
