"""JSON shapes of spools and workers for the API (dates ISO 8601, workers as tokens)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from spools.joints import joints_of, progress_to_dict
from spools.models import Defecto, Spool, Union, Worker


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
        "progreso": progress_to_dict(spool),
    }


def spool_detail_to_dict(spool: Spool) -> dict[str, Any]:
    """The spool with its joints (GET /api/spools/{tag}): `uniones` ordered by number."""
    return {**spool_to_dict(spool), "uniones": [union_to_dict(u) for u in joints_of(spool)]}


def _work(union: Union, operacion: str) -> dict[str, Any] | None:
    prefix = "arm" if operacion == "ARM" else "sold"
    fin = getattr(union, f"{prefix}_fin")
    if fin is None:
        return None
    worker = getattr(union, f"{prefix}_worker")
    inicio = getattr(union, f"{prefix}_inicio")
    return {
        "worker": _token(worker),
        "worker_id": getattr(union, f"{prefix}_worker_id"),
        "inicio": timezone.localtime(inicio).isoformat() if inicio else None,
        "fin": timezone.localtime(fin).isoformat(),
    }


def union_to_dict(union: Union) -> dict[str, Any]:
    """One joint as the API shows it."""
    ndt = None
    if union.ndt_metodo or union.ndt_informe or union.ndt_fecha or union.ndt_resultado:
        ndt = {
            "metodo": union.ndt_metodo or None,
            "informe": union.ndt_informe or None,
            "fecha": union.ndt_fecha.isoformat() if union.ndt_fecha else None,
            "resultado": union.ndt_resultado or None,
        }
    return {
        "n_union": union.n_union,
        "dn": float(union.dn),
        "tipo": union.tipo,
        "anulada": union.anulada,
        "motivo_anulacion": union.anulada_motivo or None,
        "arm": _work(union, "ARM"),
        "sold": _work(union, "SOLD"),
        "ndt": ndt,
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
