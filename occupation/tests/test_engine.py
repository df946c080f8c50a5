"""The engine's step (occupation/engine.py): its audit record reaches the live stream only after commit."""

from __future__ import annotations

import datetime
import json

import pytest

from occupation import services
from spools.models import Spool
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


def test_a_finish_of_many_joints_goes_live_once_with_the_progress(
    make_worker, make_spool, make_joints, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(live, "send", lambda event_type, data: sent.append((event_type, data)))
    w = make_worker(id=93, roles=["Armador"])
    spool = make_joints(make_spool(), [(n, "2", "BW") for n in range(1, 6)])
    services.spool_take(spool=spool, worker=w, operacion="ARM")
    with django_capture_on_commit_callbacks(execute=True):
        services.spool_finish(spool=Spool.objects.get(pk=spool.pk), worker=w, uniones=[1, 2, 3])
    ((event_type, data),) = sent  # one event for three joints
    assert event_type == "PAUSAR" and data["progreso"] == "ARM 3/5 · SOLD 0/5"


def test_a_supervisors_joint_change_goes_live_once(
    make_spool, make_joints, admin_user, monkeypatch, django_capture_on_commit_callbacks
):
    from occupation import joints

    sent = []
    monkeypatch.setattr(live, "send", lambda event_type, data: sent.append((event_type, data)))
    spool = make_joints(make_spool(), [(1, "2", "BW")])
    with django_capture_on_commit_callbacks(execute=True):
        joints.union_add(spool=spool, n_union=2, dn="3", tipo="SO", motivo="Rev. B", actor=admin_user)
    ((event_type, data),) = sent
    assert event_type == "STATE_CHANGE" and data["tag_spool"] == spool.tag_spool
    assert data["progreso"] == "ARM 0/2 · SOLD 0/2" and tuple(data) == live.FIELDS
