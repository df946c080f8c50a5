"""JSON shapes of spools and workers for the API (dates ISO 8601, workers as tokens)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from spools.models import Defecto, Spool, Worker


def _token(worker: Worker | None) -> str | None:
    return worker.token if worker else None


def spool_to_dict(spool: Spool) -> dict[str, Any]:
    """The spool as the v3 API answered it, plus ids next to the worker tokens."""
    ocupado = spool.fecha_ocupacion
    return {
        "tag_spool": spool.tag_spool,
        "nv": spool.nv,
        "ot": spool.ot,
        "activo": spool.activo,
        "fecha_materiales": spool.fecha_materiales.isoformat() if spool.fecha_materiales else None,
        "arm": spool.arm,
        "sold": spool.sold,
        "armador": _token(spool.armador),
        "armador_id": spool.armador_id,
        "soldador": _token(spool.soldador),
        "soldador_id": spool.soldador_id,
        "fecha_armado": spool.fecha_armado.isoformat() if spool.fecha_armado else None,
        "fecha_soldadura": spool.fecha_soldadura.isoformat() if spool.fecha_soldadura else None,
        "calidad": spool.calidad,
        "ciclo": spool.ciclo,
        "bloqueado": spool.bloqueado,
        "fecha_qc_metrologia": spool.fecha_qc_metrologia.isoformat() if spool.fecha_qc_metrologia else None,
        "ocupado_por": _token(spool.ocupado_por),
        "ocupado_por_id": spool.ocupado_por_id,
        "fecha_ocupacion": timezone.localtime(ocupado).isoformat() if ocupado else None,
        "operacion_actual": spool.operacion_actual or None,
        "estado_detalle": spool.estado_detalle,
        "version": spool.version,
        "ultimo_rechazo": rejection_to_dict(spool),
    }


def rejection_to_dict(spool: Spool) -> dict[str, Any] | None:
    """The latest RECHAZADO and its reason, or None when the spool was never rejected."""
    if spool.rechazo_fecha is None:
        return None
    defecto = spool.rechazo_defecto
    return {
        "defecto": defecto.codigo if defecto else None,
        "defecto_nombre": defecto.nombre if defecto else None,
        "nota": spool.rechazo_nota,
        "foto_url": reverse("rechazo-foto", kwargs={"tag": spool.tag_spool}) if spool.rechazo_foto else None,
        "fecha": timezone.localtime(spool.rechazo_fecha).isoformat(),
        "inspector": _token(spool.rechazo_inspector),
    }


def defect_to_dict(defecto: Defecto) -> dict[str, Any]:
    """One entry of the defect catalogue."""
    return {"codigo": defecto.codigo, "nombre": defecto.nombre, "activo": defecto.activo}


def worker_to_dict(worker: Worker) -> dict[str, Any]:
    """The worker with its active roles."""
    return {
        "id": worker.pk,
        "nombre": worker.nombre,
        "apellido": worker.apellido,
        "nombre_completo": worker.nombre_completo,
        "token": worker.token,
        "roles": sorted(worker.active_roles()),
        "activo": worker.activo,
    }
