"""One action per rendered form: a double tap or a network retry replays the first result.

The confirm page carries a fresh key; the first POST with it claims the key atomically
(`cache.add`: Redis SET NX in production, process-local in the embedded default) and stores the
outcome under it; any later POST with the same key shows that outcome and does nothing.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.core.cache import cache

PENDING = "pendiente"
TTL_SECONDS = 3600
_KEY = re.compile(r"^[0-9a-f]{32}$")


def new_key() -> str:
    """A fresh key for one rendered confirm form."""
    return uuid.uuid4().hex


def valid(key: str) -> bool:
    """Keys are what `new_key` makes; anything else is refused."""
    return bool(_KEY.match(key or ""))


def claim(key: str) -> bool:
    """True for the first submission with `key`, False for every repeat."""
    return bool(cache.add(f"kiosk:idem:{key}", PENDING, TTL_SECONDS))


def store(key: str, result: dict[str, Any]) -> None:
    """Keep the outcome for repeats and for the result screen."""
    cache.set(f"kiosk:idem:{key}", result, TTL_SECONDS)


def release(key: str) -> None:
    """Forget a claim whose action never ran (e.g. the database was down), so a retry can run."""
    cache.delete(f"kiosk:idem:{key}")


def load(key: str) -> dict[str, Any] | str | None:
    """The stored outcome, PENDING while the first submission runs, or None."""
    return cache.get(f"kiosk:idem:{key}")
