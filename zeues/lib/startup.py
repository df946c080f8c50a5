"""What a server process does once Django is loaded, before it takes requests."""

from __future__ import annotations

import gc


def freeze_startup_objects() -> int:
    """Load the URLconf (every view module), then exempt all objects alive now from the cyclic GC.

    Django, the apps, the models and the URLconf are ~135,000 long-lived objects that Python's
    full (oldest-generation) collection walks every time. A page that builds a few thousand
    objects, like a spool history with 1,000 events, triggers one every dozen requests, and each
    took ~65 ms here: that was the history page's p99 (bench/history.py: p99 112 → 59 ms with the
    freeze). `gc.freeze` (Python docs, "gc") moves them to a permanent generation: they are still
    freed by reference counting, only no longer scanned for cycles. Returns how many were frozen.
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module now, not on first request
    gc.collect()  # leave today's garbage out of the permanent generation
    gc.freeze()
    return gc.get_freeze_count()
