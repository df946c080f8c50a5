"""METROLOGIA: an instant inspection, APROBADO or RECHAZADO (docs/domain.md, "Metrología").

Never occupies. The ZEUES_MAX_CICLOS-th consecutive rejection (3 by default, 0 = never) blocks
the spool. Like every action it goes through the engine's one step (row lock, recheck,
transition, conditional write, audit), so two inspectors submitting at once cannot both apply a
result.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from metrologia.exceptions import PendienteReparacion, YaAprobado
from occupation import actions
from occupation.engine import Actor, Change, apply, ensure_not_blocked, occupied_error
from occupation.exceptions import DependenciasNoSatisfechas
from occupation.permissions import ensure_worker_can
from spools.models import (
    Accion,
    Defecto,
    EstadoCalidad,
    EstadoOperacion,
    EventType,
    Operacion,
    Resultado,
    Spool,
    Worker,
)
from zeues.lib.errors import DatosInvalidos


def check_inspectable(spool: Spool, worker: Worker | None = None) -> None:
    """Every rule that must hold before a result can be recorded."""
    ensure_not_blocked(spool)
    if spool.ocupado_por_id is not None:
        raise occupied_error(spool, worker)
    missing = [
        op for op, state in (("ARM", spool.arm), ("SOLD", spool.sold)) if state != EstadoOperacion.COMPLETADO
    ]
    if missing:
        raise DependenciasNoSatisfechas(
            f"No se puede inspeccionar {spool.tag_spool}: falta {' y '.join(missing)} completado.",
            data={"tag_spool": spool.tag_spool, "falta": [f"{op} completado" for op in missing]},
        )
    if spool.uniones_total and (
        spool.uniones_arm < spool.uniones_total or spool.uniones_sold < spool.uniones_sold_total
    ):
        raise DependenciasNoSatisfechas(
            f"No se puede inspeccionar {spool.tag_spool}: faltan uniones (ARM {spool.uniones_arm}/"
            f"{spool.uniones_total}, SOLD {spool.uniones_sold}/{spool.uniones_sold_total}).",
            data={"tag_spool": spool.tag_spool, "falta": ["uniones armadas y soldadas"]},
        )
    if spool.calidad == EstadoCalidad.APROBADO:
        raise YaAprobado(
            f"El spool {spool.tag_spool} ya fue APROBADO en metrología.", data={"tag_spool": spool.tag_spool}
        )
    if spool.calidad not in (EstadoCalidad.PENDIENTE, EstadoCalidad.PENDIENTE_METROLOGIA):
        raise PendienteReparacion(
            f"El spool {spool.tag_spool} fue RECHAZADO y espera reparación ({spool.estado_detalle}).",
            data={"tag_spool": spool.tag_spool, "calidad": spool.calidad, "falta": "REPARACION completada"},
        )


def rejection_reason(*, defecto: Defecto | str | None, nota: str = "", foto: str = "") -> dict[str, str]:
    """The reason a RECHAZADO must carry: an active catalogue defect, an optional note and photo."""
    codigo = defecto.codigo if isinstance(defecto, Defecto) else (defecto or "").strip()
    found = Defecto.objects.filter(codigo=codigo, activo=True).first() if codigo else None
    if found is None:
        problem = "falta el defecto" if not codigo else f"«{codigo}» no es un defecto activo del catálogo"
        raise DatosInvalidos(
            f"Datos inválidos — defecto: {problem} (GET /api/defectos lista el catálogo).",
            data={"campos": {"defecto": [problem]}},
        )
    return {"defecto": found.codigo, "defecto_nombre": found.nombre, "nota": nota.strip()[:500], "foto": foto}


def spool_inspect(
    *,
    spool: Spool,
    worker: Worker,
    resultado: str,
    defecto: Defecto | str | None = None,
    nota: str = "",
    foto: str = "",
    actor: Actor = None,
) -> Spool:
    """Record APROBADO, or RECHAZADO with its defect; the limit-th consecutive rejection blocks.

    A rejection names a defect of the catalogue (`defecto`: the row or its code), and may carry a
    note and the storage name of a photo (zeues.lib.photos.store); all of it lands on the spool
    (what the repairer reads) and in the audit event's details (the history, the sheet).
    """
    ensure_not_blocked(spool)
    ensure_worker_can(worker, Operacion.METROLOGIA)
    reason = (
        rejection_reason(defecto=defecto, nota=nota, foto=foto) if resultado == Resultado.RECHAZADO else {}
    )
    rejected_with = (
        {
            "defecto": Defecto.objects.get(codigo=reason["defecto"]),
            "nota": reason["nota"],
            "foto": reason["foto"],
            "inspector": worker,
        }
        if reason
        else {}
    )

    def plan(s: Spool, now: datetime.datetime) -> Change:
        check_inspectable(s, worker)
        details = {"resultado": resultado, **reason}
        if resultado == Resultado.APROBADO:
            return Change(
                Operacion.METROLOGIA,
                [(Spool.aprobar, {"fecha": timezone.localdate(now)})],
                [(EventType.COMPLETAR_METROLOGIA, Accion.COMPLETAR)],
                details,
            )
        rechazar = (Spool.rechazar, {**rejected_with, "now": now})
        limit = settings.ZEUES_MAX_CICLOS
        if limit and s.ciclo + 1 >= limit:
            # The blocking rejection also records SPOOL_BLOQUEADO, in the same transaction.
            return Change(
                Operacion.METROLOGIA,
                [rechazar, (Spool.bloquear, {})],
                [
                    (EventType.COMPLETAR_METROLOGIA, Accion.COMPLETAR),
                    (EventType.SPOOL_BLOQUEADO, Accion.BLOQUEAR),
                ],
                details,
            )
        return Change(
            Operacion.METROLOGIA, [rechazar], [(EventType.COMPLETAR_METROLOGIA, Accion.COMPLETAR)], details
        )

    return apply(spool, plan=plan, worker=worker, actor=actor, guard={"ocupado_por__isnull": True})


# --- the action table's row for METROLOGIA ------------------------------------------------

actions.register(
    [Operacion.METROLOGIA],
    Accion.COMPLETAR,
    lambda r: spool_inspect(
        spool=r.spool,
        worker=r.worker,
        resultado=str(r.resultado),
        defecto=r.defecto,
        nota=r.nota,
        foto=r.foto,
        actor=r.actor,
    ),
)
