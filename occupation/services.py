"""TOMAR / PAUSAR / COMPLETAR of ARM and SOLD (docs/domain.md, "ARM and SOLD").

The transaction, lock and conditional-write discipline is the engine's one step
(occupation/engine.py, `apply`); this module holds the rules: which checks, which transition,
which audit event. Its rows of the action table are at the end.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format

from occupation import actions
from occupation.engine import (
    Actor,
    Change,
    JointEvent,
    JointWrite,
    Transition,
    apply,
    change,
    ensure_not_blocked,
    occupied_error,
)
from occupation.exceptions import (
    DependenciasNoSatisfechas,
    NoAutorizado,
    OperacionNoPermitida,
    SpoolNoOcupado,
    UnionesPendientes,
    UnionNoDisponible,
    UnionNoEncontrada,
    UnionYaRegistrada,
)
from occupation.permissions import ensure_worker_can
from spools.exceptions import SpoolInactivo, TrabajadorInactivo
from spools.joints import joints_of
from spools.models import (
    STARTED,
    TAKEABLE,
    UNION_EVENT,
    Accion,
    EstadoOperacion,
    EventType,
    Operacion,
    Spool,
    Union,
    Worker,
)
from zeues.lib.errors import DatosInvalidos

ARM_SOLD = (Operacion.ARM, Operacion.SOLD)
# The transitions of each operation, as the model's methods.
TAKE: dict[str, Transition] = {Operacion.ARM: Spool.tomar_arm, Operacion.SOLD: Spool.tomar_sold}
PAUSE: dict[str, Transition] = {
    Operacion.ARM: Spool.pausar_arm,
    Operacion.SOLD: Spool.pausar_sold,
    Operacion.REPARACION: Spool.pausar_reparacion,
}
COMPLETE: dict[str, Transition] = {Operacion.ARM: Spool.completar_arm, Operacion.SOLD: Spool.completar_sold}
# Letting a spool with joints go when nothing of the operation was ever done: back to pendiente.
RELEASE: dict[str, Transition] = {Operacion.ARM: Spool.liberar_arm, Operacion.SOLD: Spool.liberar_sold}
COMPLETED_EVENT: dict[str, str] = {
    Operacion.ARM: EventType.COMPLETAR_ARM,
    Operacion.SOLD: EventType.COMPLETAR_SOLD,
}


# --- checks ------------------------------------------------------------------------------


def check_take(spool: Spool, worker: Worker, operacion: str) -> None:
    """Every rule of TOMAR that depends on the spool's state."""
    ensure_not_blocked(spool)
    if not spool.activo:
        raise SpoolInactivo(data={"tag_spool": spool.tag_spool})
    if spool.ocupado_por_id is not None:
        raise occupied_error(spool, worker)
    if spool.fecha_materiales is None:
        raise DependenciasNoSatisfechas(
            f"El spool {spool.tag_spool} no tiene Fecha_Materiales: faltan materiales para {operacion}.",
            data={"tag_spool": spool.tag_spool, "falta": "Fecha_Materiales"},
        )
    estado = spool.estado(operacion)
    if estado not in TAKEABLE:
        raise OperacionNoPermitida(
            f"{operacion} del spool {spool.tag_spool} está {EstadoOperacion(estado).label}: no se puede tomar.",
            data={"tag_spool": spool.tag_spool, "operacion": operacion, "estado": estado},
        )
    if operacion == Operacion.SOLD and spool.arm not in STARTED:
        raise DependenciasNoSatisfechas(
            f"No se puede soldar {spool.tag_spool}: el ARM aún no ha comenzado.",
            data={"tag_spool": spool.tag_spool, "falta": "ARM iniciado"},
        )
    if operacion == Operacion.SOLD and spool.uniones_total and not spool.uniones_sold_listas:
        raise DependenciasNoSatisfechas(
            f"No se puede soldar {spool.tag_spool}: no tiene uniones armadas por soldar "
            f"(ARM {spool.uniones_arm}/{spool.uniones_total}, SOLD {spool.uniones_sold}/{spool.uniones_sold_total}).",
            data={"tag_spool": spool.tag_spool, "falta": "unión armada sin soldar"},
        )


def check_holder(spool: Spool, worker: Worker, operacion: str | None, allowed: tuple[str, ...]) -> str:
    """Rules shared by every occupant-only release; returns the operation held."""
    ensure_not_blocked(spool)
    if not worker.activo:
        raise TrabajadorInactivo(
            f"{worker.token} está inactivo y no puede registrar operaciones.", data={"worker_id": worker.pk}
        )
    if spool.ocupado_por_id is None:
        raise SpoolNoOcupado(
            f"El spool {spool.tag_spool} no está ocupado: no hay trabajo en curso.",
            data={"tag_spool": spool.tag_spool},
        )
    if spool.ocupado_por_id != worker.pk:
        holder = spool.ocupado_por.token if spool.ocupado_por else str(spool.ocupado_por_id)
        raise NoAutorizado(
            f"El spool {spool.tag_spool} lo tiene {holder}; solo esa persona puede pausarlo o completarlo.",
            data={
                "tag_spool": spool.tag_spool,
                "ocupado_por": holder,
                "ocupado_por_id": spool.ocupado_por_id,
            },
        )
    current = spool.operacion_actual
    if (operacion and operacion != current) or current not in allowed:
        raise OperacionNoPermitida(
            f"El spool {spool.tag_spool} está tomado para {current}, no para {operacion or '/'.join(allowed)}.",
            data={"tag_spool": spool.tag_spool, "operacion_actual": current},
        )
    return current


# --- actions -----------------------------------------------------------------------------


def spool_take(*, spool: Spool, worker: Worker, operacion: str, actor: Actor = None) -> Spool:
    """TOMAR: the worker occupies the spool for ARM or SOLD."""
    if operacion not in ARM_SOLD:
        raise OperacionNoPermitida(f"TOMAR aquí es solo para ARM o SOLD, no {operacion}.")
    ensure_not_blocked(spool)
    ensure_worker_can(worker, operacion)

    def plan(s: Spool, now: datetime.datetime) -> Change:
        check_take(s, worker, operacion)
        return change(operacion, TAKE[operacion], EventType.TOMAR_SPOOL, Accion.TOMAR, worker=worker, now=now)

    return apply(
        spool, plan=plan, worker=worker, actor=actor, guard={"ocupado_por__isnull": True}, exclusive=True
    )


def spool_pause(
    *,
    spool: Spool,
    worker: Worker,
    operacion: str | None = None,
    uniones: list[int] | None = None,
    actor: Actor = None,
) -> Spool:
    """PAUSAR: the occupant releases the spool; progress is kept (and `uniones` recorded)."""
    return spool_finish(
        spool=spool,
        worker=worker,
        operacion=operacion,
        uniones=uniones or [],
        accion=Accion.PAUSAR,
        actor=actor,
    ).spool


def spool_complete(
    *,
    spool: Spool,
    worker: Worker,
    operacion: str | None = None,
    fecha: datetime.date | None = None,
    uniones: list[int] | None = None,
    actor: Actor = None,
) -> Spool:
    """COMPLETAR: the occupant finishes ARM or SOLD; the spool is released.

    On a spool with joints, `uniones` are the joints finished now and none may be left open;
    without `uniones` every open joint is recorded (what a v3 client or a batch means).
    """
    return spool_finish(
        spool=spool,
        worker=worker,
        operacion=operacion,
        uniones=uniones,
        accion=Accion.COMPLETAR,
        fecha=fecha,
        actor=actor,
    ).spool


@dataclass(frozen=True)
class Finish:
    """What a finish did: PAUSAR, COMPLETAR or LIBERAR, the joints recorded and their PD."""

    spool: Spool
    accion: str
    uniones: list[int]
    pulgadas: Decimal


def spool_finish(
    *,
    spool: Spool,
    worker: Worker,
    operacion: str | None = None,
    uniones: list[int] | None = None,
    accion: str | None = None,
    fecha: datetime.date | None = None,
    actor: Actor = None,
) -> Finish:
    """The holder records the joints they finished and lets the spool go (docs/joints.md).

    With `accion` None (FINALIZAR): ticking every open joint completes the operation, ticking
    some pauses it with the progress kept, ticking none just releases it (LIBERAR). PAUSAR
    records the joints given and pauses; COMPLETAR records them (all open ones when `uniones`
    is None) and refuses while any is left open. An operation with every joint done is
    completed whichever verb was used. A spool without joints keeps the whole-spool rules.
    """
    day = fecha or timezone.localdate()
    decided: dict[str, object] = {}

    def plan(s: Spool, now: datetime.datetime) -> Change:
        ensure_not_blocked(s)
        current = operacion or s.operacion_actual
        joints: list[Union] = []
        chosen: list[Union] = []
        if s.uniones_total or uniones:
            joints = joints_of(s)
            if current in ARM_SOLD:
                # Before the holder's check: a retry of a finish that went through is told the
                # joint is already recorded, and by whom.
                chosen = _choose(s, joints, str(current), uniones or [])
        current = check_holder(s, worker, operacion, ARM_SOLD)
        if not s.uniones_total:
            if uniones:
                raise _not_found(s, uniones)
            return _whole_spool(s, worker, current, accion or Accion.PAUSAR, day, decided)
        open_ = [u for u in joints if u.is_open(current)]
        if accion == Accion.COMPLETAR and uniones is None:
            chosen = _all_open(s, open_, current)
        picked = {u.pk for u in chosen}
        remaining = [u for u in open_ if u.pk not in picked]
        if accion == Accion.COMPLETAR and remaining:
            raise _pending(s, current, remaining)
        verb = (
            Accion.COMPLETAR if not remaining else (accion or (Accion.PAUSAR if chosen else Accion.LIBERAR))
        )
        if verb == Accion.COMPLETAR:
            ensure_worker_can(worker, current)
        pulgadas = sum((u.dn for u in chosen), Decimal("0"))
        decided.update(accion=verb, uniones=[u.n_union for u in chosen], pulgadas=pulgadas)
        details = {"uniones": [u.n_union for u in chosen], "pulgadas": float(pulgadas)}
        write = _recorder(chosen, current, worker) if chosen else _nothing
        if verb == Accion.COMPLETAR:
            return Change(
                current,
                [(COMPLETE[current], {"worker": worker, "fecha": day})],
                [(COMPLETED_EVENT[current], Accion.COMPLETAR)],
                {"fecha_operacion": day.isoformat(), **details},
                joints=write,
            )
        if verb == Accion.PAUSAR:
            return Change(
                current, [(PAUSE[current], {})], [(EventType.PAUSAR_SPOOL, Accion.PAUSAR)], details, write
            )
        # Nothing of this operation done yet: back to pendiente, as if never taken.
        started = s.uniones_arm if current == Operacion.ARM else s.uniones_sold
        release = PAUSE[current] if started else RELEASE[current]
        return Change(current, [(release, {})], [(EventType.LIBERAR_SPOOL, Accion.LIBERAR)], details, write)

    result = apply(spool, plan=plan, worker=worker, actor=actor, guard={"ocupado_por_id": worker.pk})
    return Finish(
        spool=result,
        accion=str(decided["accion"]),
        uniones=list(decided["uniones"]),  # type: ignore[call-overload]
        pulgadas=decided["pulgadas"],  # type: ignore[arg-type]
    )


def _whole_spool(
    s: Spool, worker: Worker, current: str, accion: str, day: datetime.date, decided: dict[str, object]
) -> Change:
    """PAUSAR or COMPLETAR of a spool without joints: the rules of docs/domain.md, unchanged."""
    accion = Accion.COMPLETAR if accion == Accion.COMPLETAR else Accion.PAUSAR
    decided.update(accion=accion, uniones=[], pulgadas=Decimal("0"))
    if accion == Accion.PAUSAR:
        return change(current, PAUSE[current], EventType.PAUSAR_SPOOL, Accion.PAUSAR)
    ensure_worker_can(worker, current)
    if current == Operacion.SOLD and s.arm != EstadoOperacion.COMPLETADO:
        raise DependenciasNoSatisfechas(
            f"No se puede completar SOLD de {s.tag_spool}: el ARM no está completado.",
            data={"tag_spool": s.tag_spool, "falta": "ARM completado"},
        )
    return Change(
        current,
        [(COMPLETE[current], {"worker": worker, "fecha": day})],
        [(COMPLETED_EVENT[current], Accion.COMPLETAR)],
        {"fecha_operacion": day.isoformat()},
    )


# --- joints ----------------------------------------------------------------------------------


def _numbers(unions: list[Union]) -> str:
    return ", ".join(f"#{u.n_union}" for u in unions)


def _not_found(spool: Spool, numbers: list[int]) -> UnionNoEncontrada:
    listed = ", ".join(f"#{n}" for n in numbers)
    return UnionNoEncontrada(
        f"El spool {spool.tag_spool} no tiene la unión {listed} (o está anulada).",
        data={"tag_spool": spool.tag_spool, "uniones": numbers},
    )


def _choose(spool: Spool, joints: list[Union], operacion: str, numbers: list[int]) -> list[Union]:
    """The joints `numbers` name, each one the holder may record now for `operacion`."""
    if len(set(numbers)) != len(numbers):
        repeated = sorted({n for n in numbers if numbers.count(n) > 1})
        raise DatosInvalidos(
            f"Datos inválidos — uniones: números repetidos {', '.join(map(str, repeated))}.",
            data={"campos": {"uniones": [f"Repetidos: {', '.join(map(str, repeated))}."]}},
        )
    by_number = {u.n_union: u for u in joints if not u.anulada}
    missing = [n for n in numbers if n not in by_number]
    if missing:
        raise _not_found(spool, missing)
    chosen = [by_number[n] for n in numbers]
    done = [u for u in chosen if u.done(operacion)]
    if done:
        verb = "armada" if operacion == Operacion.ARM else "soldada"
        who = "; ".join(
            f"#{u.n_union} {verb} por {_who(u.worker_of(operacion))} el {_when(u, operacion)}" for u in done
        )
        raise UnionYaRegistrada(
            f"Ya registrada en {spool.tag_spool}: {who}.",
            data={
                "tag_spool": spool.tag_spool,
                "operacion": operacion,
                "uniones": [
                    {
                        "n_union": u.n_union,
                        "worker": _who(u.worker_of(operacion)),
                        "worker_id": _id(u, operacion),
                    }
                    for u in done
                ],
            },
        )
    if operacion == Operacion.SOLD:
        field_welds = [u for u in chosen if not u.soldable]
        if field_welds:
            raise UnionNoDisponible(
                f"La unión {_numbers(field_welds)} de {spool.tag_spool} es FW: se suelda en terreno, no en el taller.",
                data={
                    "tag_spool": spool.tag_spool,
                    "uniones": [u.n_union for u in field_welds],
                    "motivo": "FW",
                },
            )
        unfitted = [u for u in chosen if u.arm_fin is None]
        if unfitted:
            raise UnionNoDisponible(
                f"La unión {_numbers(unfitted)} de {spool.tag_spool} aún no está armada: no se puede soldar.",
                data={
                    "tag_spool": spool.tag_spool,
                    "uniones": [u.n_union for u in unfitted],
                    "motivo": "SIN_ARMAR",
                },
            )
    return chosen


def _all_open(spool: Spool, open_: list[Union], operacion: str) -> list[Union]:
    """COMPLETAR without a list: every open joint, which must all be recordable now."""
    if operacion == Operacion.SOLD:
        unfitted = [u for u in open_ if u.arm_fin is None]
        if unfitted:
            raise _pending(spool, operacion, unfitted, why="sin armar")
    return open_


def _pending(spool: Spool, operacion: str, remaining: list[Union], why: str = "") -> UnionesPendientes:
    verb = "armar" if operacion == Operacion.ARM else "soldar"
    extra = f" ({why})" if why else ""
    return UnionesPendientes(
        f"No se puede completar {operacion} de {spool.tag_spool}: quedan uniones por {verb}{extra}: "
        f"{_numbers(remaining)}.",
        data={
            "tag_spool": spool.tag_spool,
            "operacion": operacion,
            "pendientes": [u.n_union for u in remaining],
        },
    )


def _who(worker: Worker | None) -> str:
    return worker.token if worker else "?"


def _id(union: Union, operacion: str) -> int | None:
    return union.arm_worker_id if operacion == Operacion.ARM else union.sold_worker_id


def _when(union: Union, operacion: str) -> str:
    fin = union.arm_fin if operacion == Operacion.ARM else union.sold_fin
    return date_format(timezone.localtime(fin), "d-m-Y H:i") if fin else "?"


def _nothing(spool: Spool, now: datetime.datetime) -> list[JointEvent]:
    return []


def _recorder(chosen: list[Union], operacion: str, worker: Worker) -> JointWrite:
    """Write the chosen joints as done by the holder: start = their TOMAR, end = now."""

    def write(spool: Spool, now: datetime.datetime) -> list[JointEvent]:
        inicio = spool.fecha_ocupacion or now
        prefix = "arm" if operacion == Operacion.ARM else "sold"
        done = {f"{prefix}_fin__isnull": True, "anulada": False}
        values = {
            f"{prefix}_worker": worker,
            f"{prefix}_inicio": inicio,
            f"{prefix}_fin": now,
            f"{prefix}_fecha": timezone.localdate(now),
        }
        ids = [u.pk for u in chosen]
        count = Union.objects.filter(pk__in=ids, **done).update(
            version=F("version") + 1, updated_at=now, **values
        )
        if count != len(ids):  # cannot happen under the spool's row lock; refuse rather than half-write
            raise UnionYaRegistrada(
                f"Las uniones de {spool.tag_spool} cambiaron mientras se registraban; reintente.",
                data={"tag_spool": spool.tag_spool},
            )
        events = []
        for u in chosen:
            u.version += 1
            for name, value in values.items():
                setattr(u, name, value)
            events.append(
                JointEvent(
                    UNION_EVENT[operacion],
                    Accion.COMPLETAR,
                    u,
                    {"dn": float(u.dn), "tipo": u.tipo, "inicio": inicio.isoformat(), "fin": now.isoformat()},
                    {(timezone.localdate(now), operacion, worker.pk): (1, u.dn)},
                )
            )
        return events

    return write


# --- the action table's rows for ARM and SOLD ----------------------------------------------

actions.register(
    ARM_SOLD,
    Accion.TOMAR,
    lambda r: spool_take(spool=r.spool, worker=r.worker, operacion=str(r.operacion), actor=r.actor),
)
actions.register(
    (*ARM_SOLD, None),
    Accion.PAUSAR,
    lambda r: spool_pause(
        spool=r.spool, worker=r.worker, operacion=r.operacion, uniones=r.uniones, actor=r.actor
    ),
)
actions.register(
    (*ARM_SOLD, None),
    Accion.COMPLETAR,
    lambda r: spool_complete(
        spool=r.spool, worker=r.worker, operacion=r.operacion, fecha=r.fecha, uniones=r.uniones, actor=r.actor
    ),
)
