"""The live stream's schema and queue (zeues/lib/live.py)."""

from __future__ import annotations

import pytest

from zeues.lib import live


def test_unknown_stream_type_is_refused():
    with pytest.raises(ValueError):
        live.send("NOPE", {})


def test_streams_queue_enough_events_before_falling_back_to_storage():
    """django-eventstream's default of 10 collapsed delivery under load (bench/realtime.py)."""
    from django_eventstream import views

    assert views.MAX_PENDING == live.PENDING_PER_STREAM >= 1000
