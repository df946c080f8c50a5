"""The engine's step (occupation/engine.py): its audit record reaches the live stream only after commit."""

from __future__ import annotations

import datetime
import json

import pytest

from occupation import services
from zeues.lib import live

pytestmark = pytest.mark.django_db


def test_actions_publish_the_schema_only_after_commit(
    make_worker, make_spool, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(live, "send", lambda event_type, data: sent.append((event_type, data)))
    w = make_worker(id=93, roles=["Armador"])
    spool = make_spool()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.spool_take(spool=spool, worker=w, operacion="ARM")
    assert sent == [] and len(callbacks) == 1
    callbacks[0]()
    ((event_type, data),) = sent
    assert event_type == "TOMAR" and tuple(data) == live.FIELDS
    assert data["worker_nombre"] == w.token and data["ocupado_por"] == w.token
    assert datetime.datetime.fromisoformat(data["timestamp"]).utcoffset() is not None
    json.dumps(data)
