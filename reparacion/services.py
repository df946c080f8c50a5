"""REPARACION of rejected spools and the supervisor's acts (docs/domain.md, "Reparación").

Occupation rules are those of ARM/SOLD (one holder, occupant-only PAUSAR/COMPLETAR, a locked
take), through the engine's one step. The consecutive-rejection counter is never touched here
except by the supervisor's unblock, which resets it. The supervisor's force release ends any
occupation (ARM, SOLD or REPARACION) and is audited with its reason.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from occupation import actions
from occupation.engine import Actor, Change, Transition, apply, change, ensure_not_blocked, occupied_error
from occupation.exceptions import NoAutorizado, SpoolNoOcupado
from occupation.permissions import ensure_worker_can
from occupation.services import PAUSE, check_holder
from reparacion.exceptions import AlertaYaAbierta, NoBloqueado, NoReparable, SinAlerta
from spools.exceptions import TrabajadorInactivo
from spools.models import REPAIRABLE, Accion, Alerta, EstadoCalidad, EventType, Operacion, Spool, Worker

REP = Operacion.REPARACION


def check_repair_take(spool: Spool, worker: Worker) -> None:
    """Every rule of TOMAR REPARACION that depends on the spool's state."""
    ensure_not_blocked(spool)
    if spool.ocupado_por_id is not None:
        raise occupied_error(spool, worker)
    if spool.calidad not in REPAIRABLE:
        raise NoReparable(
            f"El spool {spool.tag_spool} no está pendiente de reparación ({spool.estado_detalle}).",
            data={"tag_spool": spool.tag_spool, "calidad": spool.calidad},
        )


def repair_take(*, spool: Spool, worker: Worker, actor: Actor = None) -> Spool:
    """TOMAR REPARACION: any active worker occupies a rejected (or paused) repair."""
    ensure_not_blocked(spool)
    ensure_worker_can(worker, REP)

    def plan(s: Spool, now: datetime.datetime) -> Change:
        check_repair_take(s, worker)
        return change(
            REP, Spool.tomar_reparacion, EventType.TOMAR_REPARACION, Accion.TOMAR, worker=worker, now=now
        )

    return apply(
        spool, plan=plan, worker=worker, actor=actor, guard={"ocupado_por__isnull": True}, exclusive=True
    )


def _occupant_release(
    spool: Spool, worker: Worker, *, transition: Transition, tipo: str, accion: str, actor: Actor
) -> Spool:
    def plan(s: Spool, now: datetime.datetime) -> Change:
        check_holder(s, worker, REP, (REP,))
        return change(REP, transition, tipo, accion)

    return apply(spool, plan=plan, worker=worker, actor=actor, guard={"ocupado_por_id": worker.pk})


def repair_pause(*, spool: Spool, worker: Worker, actor: Actor = None) -> Spool:
    """PAUSAR REPARACION: the occupant releases; the repair can be resumed by anyone."""
    return _occupant_release(
        spool,
        worker,
        transition=Spool.pausar_reparacion,
        tipo=EventType.PAUSAR_REPARACION,
        accion=Accion.PAUSAR,
        actor=actor,
    )


def repair_complete(*, spool: Spool, worker: Worker, actor: Actor = None) -> Spool:
    """COMPLETAR REPARACION: back to METROLOGIA; the cycle counter is kept."""
    return _occupant_release(
        spool,
        worker,
        transition=Spool.completar_reparacion,
        tipo=EventType.COMPLETAR_REPARACION,
        accion=Accion.COMPLETAR,
        actor=actor,
    )


def repair_cancel(*, spool: Spool, worker: Worker, actor: Actor = None) -> Spool:
    """CANCELAR: the occupant, or anyone when nobody occupies it, returns the spool to rechazado."""

    def plan(s: Spool, now: datetime.datetime) -> Change:
        ensure_not_blocked(s)
        if not worker.activo:
            raise TrabajadorInactivo(f"{worker.token} está inactivo.", data={"worker_id": worker.pk})
        if s.calidad not in (EstadoCalidad.EN_REPARACION, EstadoCalidad.REPARACION_PAUSADA):
            raise NoReparable(
                f"El spool {s.tag_spool} no tiene una reparación en curso ({s.estado_detalle}).",
                data={"tag_spool": s.tag_spool, "calidad": s.calidad},
            )
        if s.ocupado_por_id not in (None, worker.pk):
            holder = s.ocupado_por.token if s.ocupado_por else str(s.ocupado_por_id)
            raise NoAutorizado(
                f"La reparación de {s.tag_spool} la tiene {holder}; solo esa persona puede cancelarla.",
                data={"tag_spool": s.tag_spool, "ocupado_por": holder, "ocupado_por_id": s.ocupado_por_id},
            )
        return change(REP, Spool.cancelar_reparacion, EventType.CANCELAR_REPARACION, Accion.CANCELAR)

    guard = (
        {"ocupado_por_id": spool.ocupado_por_id} if spool.ocupado_por_id else {"ocupado_por__isnull": True}
    )
    return apply(spool, plan=plan, worker=worker, actor=actor, guard=guard)


# --- supervisor acts ---------------------------------------------------------------------


def spool_unblock(*, spool: Spool, supervisor: Actor, motivo: str) -> Spool:
    """Supervisor unblock: BLOQUEADO → rechazado with the counter reset; audited with the reason."""

    def plan(s: Spool, now: datetime.datetime) -> Change:
        if s.calidad != EstadoCalidad.BLOQUEADO:
            raise NoBloqueado(f"El spool {s.tag_spool} no está BLOQUEADO.", data={"tag_spool": s.tag_spool})
        return Change(
            REP,
            [(Spool.desbloquear, {})],
            [(EventType.SUPERVISOR_OVERRIDE, Accion.DESBLOQUEAR)],
            {"motivo": motivo, "ciclo_previo": s.ciclo, "supervisor": getattr(supervisor, "username", "")},
        )

    return apply(spool, plan=plan, worker=None, actor=supervisor, guard={})


def spool_force_release(*, spool: Spool, supervisor: Actor, motivo: str) -> Spool:
    """Supervisor's LIBERACION_FORZADA: the held operation goes to pausado; occupation cleared."""
    if spool.ocupado_por_id is None:
        raise SpoolNoOcupado(
            f"El spool {spool.tag_spool} no está ocupado.", data={"tag_spool": spool.tag_spool}
        )
    holder, holder_id = spool.ocupado_por, spool.ocupado_por_id

    def plan(s: Spool, now: datetime.datetime) -> Change:
        if s.ocupado_por_id != holder_id:
            raise SpoolNoOcupado(
                f"La ocupación de {s.tag_spool} cambió; revise de nuevo.", data={"tag_spool": s.tag_spool}
            )
        current = s.operacion_actual
        return Change(
            current,
            [(PAUSE[current], {})],
            [(EventType.LIBERACION_FORZADA, Accion.LIBERAR)],
            {"motivo": motivo, "supervisor": getattr(supervisor, "username", "")},
        )

    return apply(spool, plan=plan, worker=holder, actor=supervisor, guard={"ocupado_por_id": holder_id})


# --- calling a supervisor ------------------------------------------------------------------


def _open_alert(spool: Spool) -> Alerta | None:
    return Alerta.objects.abiertas().filter(spool=spool).first()


def alert_call(*, spool: Spool, worker: Worker | None, mensaje: str = "", actor: Actor = None) -> Spool:
    """A worker at the kiosk (or the tablet, nobody identified) calls a supervisor; one open alert per spool."""
    if worker is not None and not worker.activo:
        raise TrabajadorInactivo(f"{worker.token} está inactivo.", data={"worker_id": worker.pk})

    def plan(s: Spool, now: datetime.datetime) -> Change:
        if (open_ := _open_alert(s)) is not None:
            since = timezone.localtime(open_.creada_en)
            raise AlertaYaAbierta(
                f"Ya se avisó a supervisión por {s.tag_spool} a las {since:%H:%M}; la alerta sigue abierta.",
                data={"tag_spool": s.tag_spool, "desde": since.isoformat(), "motivo": open_.motivo},
            )
        details = {"motivo": "LLAMADA", "mensaje": mensaje.strip()[:300]}
        return Change("", [], [(EventType.ALERTA_SUPERVISOR, Accion.LLAMAR)], details)

    return apply(spool, plan=plan, worker=worker, actor=actor, guard={})


def alert_acknowledge(*, spool: Spool, supervisor: Actor, respuesta: str = "") -> Spool:
    """A supervisor answers the spool's open alert (the unblock answers it too)."""

    def plan(s: Spool, now: datetime.datetime) -> Change:
        if _open_alert(s) is None:
            raise SinAlerta(
                f"El spool {s.tag_spool} no tiene una alerta abierta.", data={"tag_spool": s.tag_spool}
            )
        details = {"respuesta": respuesta.strip()[:300], "supervisor": getattr(supervisor, "username", "")}
        return Change("", [], [(EventType.ALERTA_ATENDIDA, Accion.ATENDER)], details)

    return apply(spool, plan=plan, worker=None, actor=supervisor, guard={})


# --- the action table's rows for REPARACION -----------------------------------------------

actions.register([REP], Accion.TOMAR, lambda r: repair_take(spool=r.spool, worker=r.worker, actor=r.actor))
actions.register([REP], Accion.PAUSAR, lambda r: repair_pause(spool=r.spool, worker=r.worker, actor=r.actor))
actions.register(
    [REP], Accion.COMPLETAR, lambda r: repair_complete(spool=r.spool, worker=r.worker, actor=r.actor)
)
actions.register(
    [REP], Accion.CANCELAR, lambda r: repair_cancel(spool=r.spool, worker=r.worker, actor=r.actor)
)
