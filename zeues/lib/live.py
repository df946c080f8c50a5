"""The live event stream: one schema for every sender and every receiver.

Senders (the engine step in occupation/engine.py, after commit) and receivers (the board, the kiosk, tests,
benchmarks) use the names below and nothing else; templates render the list of event types from
EVENT_TYPES, so a type added here is heard everywhere.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

CHANNEL = "spools"
# Events queued per open stream before django-eventstream falls back to re-reading storage.
PENDING_PER_STREAM = 1000

# Stream event types (the SSE `event:` field). spools.models.LIVE_TYPE says which audit event
# type is sent as which.
TOMAR = "TOMAR"
PAUSAR = "PAUSAR"
COMPLETAR = "COMPLETAR"
STATE_CHANGE = "STATE_CHANGE"
COMPLETAR_METROLOGIA = "COMPLETAR_METROLOGIA"
TOMAR_REPARACION = "TOMAR_REPARACION"
PAUSAR_REPARACION = "PAUSAR_REPARACION"
COMPLETAR_REPARACION = "COMPLETAR_REPARACION"
CANCELAR_REPARACION = "CANCELAR_REPARACION"
SUPERVISOR_OVERRIDE = "SUPERVISOR_OVERRIDE"
LIBERACION_FORZADA = "LIBERACION_FORZADA"
ALERTA = "ALERTA"  # a supervisor is called to a spool
ALERTA_ATENDIDA = "ALERTA_ATENDIDA"
EVENT_TYPES = (
    TOMAR,
    PAUSAR,
    COMPLETAR,
    STATE_CHANGE,
    COMPLETAR_METROLOGIA,
    TOMAR_REPARACION,
    PAUSAR_REPARACION,
    COMPLETAR_REPARACION,
    CANCELAR_REPARACION,
    SUPERVISOR_OVERRIDE,
    LIBERACION_FORZADA,
    ALERTA,
    ALERTA_ATENDIDA,
)
# Fields of every event's JSON data.
FIELDS = (
    "event_id",
    "tag_spool",
    "operacion",
    "worker_id",
    "worker_nombre",
    "estado_detalle",
    "ocupado_por",
    "timestamp",
    "defecto",  # a rejection's defect (its name) and note; null on every other event
    "nota",
    "progreso",  # a spool with joints: `ARM 3/7 · SOLD 1/6`; null for a whole-spool spool
)


def payload(
    *,
    event_id: str,
    tag_spool: str,
    operacion: str,
    worker_id: int | None,
    worker_nombre: str | None,
    estado_detalle: str,
    ocupado_por: str | None,
    timestamp: datetime.datetime,
    defecto: str | None = None,
    nota: str | None = None,
    progreso: str | None = None,
) -> dict[str, Any]:
    """The data of one stream event, exactly FIELDS."""
    return {
        "event_id": event_id,
        "tag_spool": tag_spool,
        "operacion": operacion,
        "worker_id": worker_id,
        "worker_nombre": worker_nombre,
        "estado_detalle": estado_detalle,
        "ocupado_por": ocupado_por,
        "timestamp": timestamp.isoformat(),
        "defecto": defecto,
        "nota": nota,
        "progreso": progreso,
    }


def send(event_type: str, data: dict[str, Any]) -> None:
    """Publish now; best-effort (the audit trail, not the stream, is the record)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown stream event type {event_type!r}")
    try:
        from django_eventstream import send_event

        send_event(CHANNEL, event_type, data)
    except Exception:  # noqa: BLE001 - a screen missing a push must never fail an action
        logger.warning("could not publish %s for %s", event_type, data.get("tag_spool"), exc_info=True)


def send_on_commit(event_type: str, data: dict[str, Any]) -> None:
    """Publish once the current transaction commits (never before)."""
    transaction.on_commit(lambda: send(event_type, data))


def event_types_json() -> str:
    """EVENT_TYPES for the browser."""
    return json.dumps(list(EVENT_TYPES))


# --- a Redis listener that survives Redis restarts ------------------------------------------


def install_resilient_listener() -> None:
    """Replace django-eventstream's Redis listener, which dies for good when Redis restarts.

    On losing Redis, ours ends every local stream (clients see the error, show "sin conexión"
    and reconnect; the stream view refuses them until Redis answers), then resubscribes.
    """
    from django_eventstream import views

    # django-eventstream queues at most 10 events per stream; a stream that falls further behind
    # (half a second at 20 actions/s on a busy machine) drops to re-reading Redis one GET per event,
    # which under load collapsed delivery (p99 7–14 s) and lost events in bench/realtime.py.
    # With 1000 the same load degraded gracefully (p99 429 ms, nothing lost).
    views.MAX_PENDING = PENDING_PER_STREAM
    manager = views.get_listener_manager()
    if manager.redis_listener is not None and not isinstance(manager.redis_listener, ResilientRedisListener):
        manager.redis_listener = ResilientRedisListener()


class ResilientRedisListener:
    """Subscribe to django-eventstream's Redis channel forever, reconnecting after failures."""

    RETRY_SECONDS = 1.0

    def __init__(self) -> None:
        self.task: asyncio.Task[Any] | None = None

    async def start(self) -> None:
        # django-eventstream starts this with loop.create_task() and keeps no reference; asyncio
        # holds tasks weakly, so without this the pending listener can be garbage-collected.
        self.task = asyncio.current_task()
        from django.conf import settings
        from django_eventstream.event import Event
        from django_eventstream.views import get_listener_manager
        from redis.asyncio import Redis

        while True:
            client = Redis(**settings.EVENTSTREAM_REDIS)  # type: ignore[arg-type]
            try:
                pubsub = client.pubsub()
                await pubsub.subscribe("events_channel")
                async for message in pubsub.listen():
                    if message["type"] != "message":
                        continue
                    item = json.loads(message["data"])
                    event = Event(item["channel"], item["event_type"], item["data"], id=item["pub_id"])
                    get_listener_manager().add_to_queues(item["channel"], event)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - Redis went away: tell the clients, then retry
                logger.warning("live: lost Redis; ending local streams and retrying", exc_info=True)
                end_local_streams("Redis no responde")
            finally:
                await client.aclose()
            await asyncio.sleep(self.RETRY_SECONDS)


def end_local_streams(reason: str) -> None:
    """Close every stream of this process with an error event, so clients reconnect."""
    from django_eventstream.views import get_listener_manager

    manager = get_listener_manager()
    with manager.lock:
        listeners = {listener for group in manager.listeners_by_channel.values() for listener in group}
        for listener in listeners:
            listener.error = {"condition": "unavailable", "text": reason, "extra": {}}
    for listener in listeners:
        listener.wake_threadsafe()
