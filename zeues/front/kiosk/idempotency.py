"""One action per rendered form: a double tap or a network retry replays the first result.

Each confirm page and each one-tap button carries a fresh key. The first POST with it runs the
action and keeps its outcome under the key, in the action's own transaction (zeues/idempotency.py,
the same mechanism as the API's Idempotency-Key header); any later POST with the key shows that
outcome and does nothing. Keys live in the database, scoped to the tablet's account, so they work
with Redis down and across server processes.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from zeues import idempotency

_KEY = re.compile(r"^[0-9a-f]{32}$")
KeyReused = idempotency.KeyReused


def new_key() -> str:
    """A fresh key for one rendered form."""
    return uuid.uuid4().hex


def valid(key: str) -> bool:
    """Keys are what `new_key` makes; anything else is refused."""
    return bool(_KEY.match(key or ""))


def _scope(request: HttpRequest) -> str:
    return f"kiosk:{request.user.pk}"


def once(
    request: HttpRequest, key: str, asked: tuple[object, ...], run: Callable[[], dict[str, Any]]
) -> tuple[dict[str, Any], bool]:
    """Run the action once for this key; returns its outcome and whether it was replayed."""
    _, outcome, replayed = idempotency.once(
        _scope(request), key, idempotency.fingerprint(*asked), lambda: (200, run())
    )
    return outcome, replayed


def load(request: HttpRequest, key: str) -> dict[str, Any] | None:
    """The kept outcome of this tablet's key, or None."""
    kept = idempotency.load(_scope(request), key) if valid(key) else None
    return kept[1] if kept and isinstance(kept[1], dict) else None
