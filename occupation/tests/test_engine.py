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


@pytest.mark.real_services  # PostgreSQL's row locks and its re-check of a row it waited for
@pytest.mark.django_db(transaction=True)
def test_a_row_read_after_waiting_for_its_lock_names_its_new_occupant(make_worker, make_spool):
    """The locking read waits for a take to commit; the spool must come back with its occupant
    joined (PostgreSQL re-checks the locked row but not the rows it had joined before waiting)."""
    import threading

    from django.db import connection, transaction
    from django.utils import timezone

    from occupation.engine import _lock_row

    holder = make_worker(id=92, nombre="Pedro", apellido="Valenzuela", roles=["Armador"])
    spool = make_spool(tag_spool="EPQ-1")
    locked, read = threading.Event(), {}

    def take() -> None:
        with transaction.atomic():
            Spool.objects.select_for_update().get(pk=spool.pk)
            Spool.objects.filter(pk=spool.pk).update(
                ocupado_por=holder, fecha_ocupacion=timezone.now(), operacion_actual="ARM"
            )
            locked.set()
            threading.Event().wait(0.5)  # the other read is now waiting for this lock
        connection.close()

    def lock_row() -> None:
        locked.wait()
        with transaction.atomic():
            row = _lock_row(spool)
            read["token"] = row.ocupado_por.token if row.ocupado_por else None
            read["detalle"] = row.estado_detalle
        connection.close()

    threads = [threading.Thread(target=take), threading.Thread(target=lock_row)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert read["token"] == "PV(92)"
    assert read["detalle"].startswith("PV(92) trabajando ARM")
