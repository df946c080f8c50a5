"""The Metadata cursor (zeues/mirror/events.py) never skips an event committing after a later one."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from spools.services import event_append
from zeues.mirror.events import events_after

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_event_that_commits_late_waits_for_its_turn(make_spool, make_worker):
    worker, first_spool, second_spool = make_worker(), make_spool(), make_spool()
    inserted, release = threading.Event(), threading.Event()
    seqs = {}

    def slow_action() -> None:
        try:
            with transaction.atomic():
                seqs["slow"] = event_append(tipo="TOMAR_SPOOL", spool=first_spool, worker=worker).seq
                inserted.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_action)
    thread.start()
    assert inserted.wait(10)
    fast = event_append(tipo="TOMAR_SPOOL", spool=second_spool, worker=worker)
    assert fast.seq > seqs["slow"]
    assert events_after(0, 100) == []  # seq "slow" is a hole whose transaction is still open
    release.set()
    thread.join(10)
    assert [e.seq for e in events_after(0, 100)] == [seqs["slow"], fast.seq]


def test_a_rolled_back_event_leaves_a_hole_that_is_passed(make_spool, make_worker):
    worker, spool = make_worker(), make_spool()
    kept = event_append(tipo="TOMAR_SPOOL", spool=spool, worker=worker)
    with pytest.raises(RuntimeError), transaction.atomic():
        event_append(tipo="PAUSAR_SPOOL", spool=spool, worker=worker)
        raise RuntimeError("the action failed after its event was inserted")
    later = event_append(tipo="PAUSAR_SPOOL", spool=spool, worker=worker)
    assert [e.seq for e in events_after(kept.seq - 1, 100)] == [kept.seq, later.seq]
    assert later.seq > kept.seq + 1
