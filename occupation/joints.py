"""A supervisor's changes to a spool's joints: add, correct DN or type, void, undo a mistaken record.

Each change goes through the engine's step like every other action (the spool's row locked, the
joint written, the spool's joint figures recomputed, the operations settled, one audit event with
who and why, the sheet's outbox), so a change made while a welder finishes cannot interleave with
it. A joint's number is physical: it is never reused, even after the joint was voided; a joint with
recorded work is never deleted, only voided with a reason (docs/joints.md).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from occupation.engine import Actor, Change, JointEvent, apply
from spools import kpi_facts
from spools.models import Accion, EstadoCalidad, EventType, Spool, TipoUnion, Union
from zeues.lib.dn import DnInvalido, format_dn, parse_dn
from zeues.lib.errors import DatosInvalidos


def _invalid(field: str, message: str) -> DatosInvalidos:
    return DatosInvalidos(f"Datos inválidos — {field}: {message}", data={"campos": {field: [message]}})


def _reason(motivo: str, *, required: bool = True) -> str:
    text = " ".join((motivo or "").split())[:300]
    if required and not text:
        raise _invalid("motivo", "Indique el motivo del cambio (queda en la auditoría).")
    return text


def _dn(raw: object) -> Decimal:
    try:
        return parse_dn(raw)
    except DnInvalido as exc:
        raise _invalid("dn", str(exc)) from exc


def _tipo(raw: str) -> str:
    tipo = "".join((raw or "").split()).upper()
    if tipo not in TipoUnion.values:
        raise _invalid("tipo", f"«{raw}» no es un tipo de unión ({', '.join(TipoUnion.values)}).")
    return tipo


def _describe(union: Union) -> dict[str, Any]:
    return {"dn": float(union.dn), "tipo": union.tipo}


def _run(spool: Spool, actor: Actor, write: Any) -> Spool:
    def plan(s: Spool, now: datetime.datetime) -> Change:
        return Change("", [], [], {}, joints=lambda locked, at: write(locked, at))

    return apply(spool, plan=plan, worker=None, actor=actor, guard={})


def union_add(
    *, spool: Spool, n_union: int, dn: object, tipo: str, motivo: str, actor: Actor = None
) -> Union:
    """A new joint on the spool (an engineering change): its number must never have been used."""
    value, kind, why = _dn(dn), _tipo(tipo), _reason(motivo)
    if not isinstance(n_union, int) or isinstance(n_union, bool) or n_union < 1:
        raise _invalid("n_union", "El número de unión debe ser un entero positivo.")
    created: list[Union] = []

    def write(s: Spool, now: datetime.datetime) -> list[JointEvent]:
        if s.calidad == EstadoCalidad.APROBADO:
            raise _invalid(
                "spool", f"El spool {s.tag_spool} ya fue APROBADO en metrología: no se le agregan uniones."
            )
        existing = Union.objects.filter(spool=s, n_union=n_union).first()
        if existing is not None:
            state = " (anulada: los números no se reutilizan)" if existing.anulada else ""
            raise _invalid("n_union", f"El spool {s.tag_spool} ya tiene la unión #{n_union}{state}.")
        union = Union.objects.create(spool=s, n_union=n_union, dn=value, tipo=kind, version=1)
        created.append(union)
        return [
            JointEvent(EventType.UNION_AGREGADA, Accion.AGREGAR, union, {**_describe(union), "motivo": why})
        ]

    _run(spool, actor, write)
    return created[0]


def union_correct(
    *, union: Union, dn: object = None, tipo: str | None = None, motivo: str, actor: Actor = None
) -> Union:
    """Correct a joint's DN and/or type, with the reason; recorded work stays as it is."""
    value = _dn(dn) if dn not in (None, "") else None
    kind = _tipo(tipo) if tipo else None
    why = _reason(motivo)

    def write(s: Spool, now: datetime.datetime) -> list[JointEvent]:
        fresh = Union.objects.get(pk=union.pk)
        if fresh.anulada:
            raise _invalid("union", f"La unión #{fresh.n_union} está anulada: no se corrige.")
        if kind == TipoUnion.FW and fresh.sold_fin is not None:
            raise _invalid(
                "tipo",
                f"La unión #{fresh.n_union} ya está soldada: no puede pasar a FW (soldadura en terreno).",
            )
        before = _describe(fresh)
        old_dn = fresh.dn
        fresh.dn = value if value is not None else fresh.dn
        fresh.tipo = kind or fresh.tipo
        if _describe(fresh) == before:
            raise _invalid(
                "dn", f"La unión #{fresh.n_union} ya tiene DN {format_dn(fresh.dn)} y tipo {fresh.tipo}."
            )
        fresh.version += 1
        fresh.save(update_fields=["dn", "tipo", "version", "updated_at"])
        return [
            JointEvent(
                EventType.UNION_CORREGIDA,
                Accion.CORREGIR,
                fresh,
                {"antes": before, "despues": _describe(fresh), "motivo": why},
                # A worked joint's new DN changes the PD of the day it was done.
                {key: (0, fresh.dn - old_dn) for key in kpi_facts.union_work_deltas(fresh)},
            )
        ]

    _run(union.spool, actor, write)
    return Union.objects.get(pk=union.pk)


def union_void(*, union: Union, motivo: str = "", actor: Actor = None) -> Union:
    """Void a joint (never delete it): a reason is required once work is recorded on it."""

    def write(s: Spool, now: datetime.datetime) -> list[JointEvent]:
        fresh = Union.objects.get(pk=union.pk)
        if fresh.anulada:
            raise _invalid("union", f"La unión #{fresh.n_union} ya está anulada.")
        why = _reason(motivo, required=fresh.tiene_trabajo)
        taken_away = kpi_facts.union_work_deltas(fresh, sign=-1)  # a voided joint counts for nothing
        fresh.anulada, fresh.anulada_motivo = True, why
        fresh.version += 1
        fresh.save(update_fields=["anulada", "anulada_motivo", "version", "updated_at"])
        return [
            JointEvent(
                EventType.UNION_ANULADA,
                Accion.ANULAR,
                fresh,
                {**_describe(fresh), "motivo": why, "tenia_trabajo": fresh.tiene_trabajo},
                taken_away,
            )
        ]

    _run(union.spool, actor, write)
    return Union.objects.get(pk=union.pk)


def union_undo(*, union: Union, operacion: str, motivo: str, actor: Actor = None) -> Union:
    """Undo a joint's fit-up (ARM) or welding (SOLD) recorded by mistake, with the reason.

    The record is not erased: the audit event keeps who and when it had been recorded, and the
    joint goes back to open for that operation. A fit-up cannot be undone while the joint is
    welded (undo the welding first).
    """
    why = _reason(motivo)
    if operacion not in ("ARM", "SOLD"):
        raise _invalid("operacion", "Debe ser ARM o SOLD.")
    prefix = "arm" if operacion == "ARM" else "sold"

    def write(s: Spool, now: datetime.datetime) -> list[JointEvent]:
        fresh = Union.objects.select_related("arm_worker", "sold_worker").get(pk=union.pk)
        if fresh.anulada:
            raise _invalid("union", f"La unión #{fresh.n_union} está anulada.")
        if getattr(fresh, f"{prefix}_fin") is None:
            verb = "armada" if operacion == "ARM" else "soldada"
            raise _invalid(
                "union", f"La unión #{fresh.n_union} no está {verb}: no hay registro que deshacer."
            )
        if operacion == "ARM" and fresh.sold_fin is not None:
            raise _invalid("union", f"La unión #{fresh.n_union} está soldada: deshaga primero la soldadura.")
        worker = fresh.worker_of(operacion)
        undone = {
            "operacion": operacion,
            "worker": worker.token if worker else None,
            "worker_id": worker.pk if worker else None,
            "inicio": (getattr(fresh, f"{prefix}_inicio") or now).isoformat(),
            "fin": getattr(fresh, f"{prefix}_fin").isoformat(),
        }
        key = (getattr(fresh, f"{prefix}_fecha"), operacion, getattr(fresh, f"{prefix}_worker_id"))
        for name in ("worker", "inicio", "fin", "fecha"):
            setattr(fresh, f"{prefix}_{name}", None)
        fresh.version += 1
        fresh.save(
            update_fields=[f"{prefix}_{n}" for n in ("worker", "inicio", "fin", "fecha")]
            + ["version", "updated_at"]
        )
        return [
            JointEvent(
                EventType.UNION_CORREGIDA,
                Accion.CORREGIR,
                fresh,
                {**_describe(fresh), "deshecho": undone, "motivo": why},
                {key: (-1, -fresh.dn)},
            )
        ]

    _run(union.spool, actor, write)
    return Union.objects.get(pk=union.pk)
