"""What the health checks look at: the database, Redis and the Sheets mirror."""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from zeues.lib.locks import get_backend
from zeues.mirror.status import mirror_status


def check_database() -> str:
    """ "ok", or the error's name."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return f"error: {type(exc).__name__}"


def check_redis() -> str:
    """ "ok", "no configurado …" on the embedded default, or the error's name."""
    if not settings.REDIS_URL:
        return "no configurado (bloqueos y eventos en proceso)"
    try:
        get_backend().client.ping()  # type: ignore[union-attr]
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {type(exc).__name__}"


def check_sheets() -> dict[str, object]:
    """The Google Sheets mirror's status; it never fails the health check (a mirror may lag)."""
    try:
        return mirror_status()
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return {"estado": f"error: {type(exc).__name__}"}
