"""Publish spool changes to live screens, strictly after the database commit.

Publishing is best-effort: the audit event is written in the action's transaction; a screen
that misses a push refetches on reconnect. A failure to publish never fails the action.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

CHANNEL = "spools"


def _send(event_type: str, data: dict[str, Any]) -> None:
    try:
        from django_eventstream import send_event

        send_event(CHANNEL, event_type, data)
    except Exception:  # noqa: BLE001 - any failure here must not reach the caller
        logger.warning("could not publish %s for %s", event_type, data.get("tag_spool"), exc_info=True)


def publish_on_commit(event_type: str, data: dict[str, Any]) -> None:
    """Send `data` on the spools channel once the current transaction commits."""
    transaction.on_commit(lambda: _send(event_type, data))
