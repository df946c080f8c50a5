"""Outbound notice of a supervisor alert: e-mail and/or a webhook, when configured.

The live alert on the board and the Alertas page is the default and needs nothing here. With
ZEUES_ALERT_EMAILS (comma-separated addresses; Django's EMAIL_* settings carry the mail server)
or ZEUES_ALERT_WEBHOOK (a URL that receives a JSON POST) set, each new alert is also sent out,
after commit, in a background thread: a slow mail server or webhook never holds a tablet's
request, and a failure is logged, never raised (the audit trail is the record).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import requests
from django.conf import settings
from django.core.mail import send_mail

logger = logging.getLogger(__name__)

WEBHOOK_TIMEOUT_SECONDS = 5


def alert(subject: str, body: str, **data: Any) -> threading.Thread | None:
    """Send the notice in the background; returns the thread (None when nothing is configured)."""
    emails = [a for a in settings.ZEUES_ALERT_EMAILS if a]
    webhook = settings.ZEUES_ALERT_WEBHOOK
    if not emails and not webhook:
        return None
    thread = threading.Thread(target=_send, args=(subject, body, emails, webhook, data), daemon=True)
    thread.start()
    return thread


def _send(subject: str, body: str, emails: list[str], webhook: str, data: dict[str, Any]) -> None:
    if emails:
        try:
            send_mail(subject, body, None, emails)
        except Exception:  # noqa: BLE001 - a notice that fails must not fail anything else
            logger.warning("alert e-mail to %s failed", emails, exc_info=True)
    if webhook:
        try:
            payload = {"asunto": subject, "texto": body, **data}
            requests.post(webhook, json=payload, timeout=WEBHOOK_TIMEOUT_SECONDS).raise_for_status()
        except Exception:  # noqa: BLE001
            logger.warning("alert webhook %s failed", webhook, exc_info=True)
