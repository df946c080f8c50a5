"""Supervisor alerts, kept from the audit trail in the same transaction as the event.

Like the KPI facts, `Alerta` rows are derived from events and never written by hand:
SPOOL_BLOQUEADO and ALERTA_SUPERVISOR open one (unless the spool already has one open),
ALERTA_ATENDIDA and the supervisor's unblock close every open alert of the spool. Once the
transaction commits, the people named in the settings hear of a new alert (zeues.lib.notify).
"""

from __future__ import annotations

from django.db import transaction

from spools.models import Accion, Alerta, Event, EventType
from zeues.lib import notify

OPENS = {EventType.SPOOL_BLOQUEADO: Alerta.BLOQUEO, EventType.ALERTA_SUPERVISOR: Alerta.LLAMADA}


def apply(event: Event) -> None:
    """Open or close the spool's alerts for this event, if it is one that does."""
    tipo, spool_id = event.evento_tipo, event.spool_id
    if spool_id is None:
        return
    if tipo in OPENS:
        _open(event, spool_id, OPENS[tipo])  # type: ignore[index]
    elif tipo == EventType.ALERTA_ATENDIDA or (
        tipo == EventType.SUPERVISOR_OVERRIDE and event.accion == Accion.DESBLOQUEAR
    ):
        details = event.details if isinstance(event.details, dict) else {}
        Alerta.objects.abiertas().filter(spool_id=spool_id).update(
            atendida_en=event.timestamp,
            atendida_por=event.actor,
            respuesta=str(details.get("respuesta") or details.get("motivo") or "")[:300],
        )


def _open(event: Event, spool_id: int, motivo: str) -> None:
    if Alerta.objects.abiertas().filter(spool_id=spool_id).exists():
        return  # one open alert per spool: a second call is the same call
    details = event.details if isinstance(event.details, dict) else {}
    mensaje = str(details.get("mensaje") or "")[:300]
    Alerta.objects.create(
        spool_id=spool_id,
        motivo=motivo,
        mensaje=mensaje,
        creada_en=event.timestamp,
        llamada_por=event.worker if motivo == Alerta.LLAMADA else None,
        seq=event.seq,
    )
    subject = f"ZEUES: {'spool BLOQUEADO' if motivo == Alerta.BLOQUEO else 'llaman a supervisión'} — {event.tag_spool}"
    who = f" por {event.worker_token}" if event.worker_token and motivo == Alerta.LLAMADA else ""
    body = f"{subject}{who}.\n{mensaje}".strip()
    transaction.on_commit(lambda: notify.alert(subject, body, tag_spool=event.tag_spool))
