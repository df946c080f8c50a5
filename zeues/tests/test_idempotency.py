"""`Idempotency-Key` on the JSON API (zeues/idempotency.py): the same key gets the first answer."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse_lazy

from spools.models import Event, Spool
from zeues import idempotency
from zeues.lib import locks
from zeues.models import ApiToken, IdempotencyKey

pytestmark = pytest.mark.django_db

TOMAR = reverse_lazy("occupation:tomar")
PAUSAR = reverse_lazy("occupation:pausar")
BATCH_TOMAR = reverse_lazy("occupation:batch-tomar")


def _post(api, path, body, key):
    headers = {**api.headers, **({"Idempotency-Key": key} if key is not None else {})}
    return api.client.post(path, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def armador(make_worker):
    return make_worker(id=93, nombre="Mauricio", apellido="Rodriguez", roles=["Armador"])


def test_a_retried_take_gets_the_first_answer_and_acts_once(api, armador, make_spool):
    spool = make_spool(tag_spool="ID-1")
    body = {"tag_spool": "ID-1", "worker_id": 93, "operacion": "ARM"}
    first = _post(api, TOMAR, body, "tablet-7-000123")
    again = _post(api, TOMAR, body, "tablet-7-000123")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Event.objects.filter(spool=spool, evento_tipo="TOMAR_SPOOL").count() == 1
    without = _post(api, TOMAR, body, None)  # no key: a plain second take, refused as always
    assert without.status_code == 409


def test_a_refusal_is_an_answer_too_and_is_replayed_even_after_the_state_changed(api, armador, make_spool):
    make_spool(tag_spool="ID-2")
    pause = {"tag_spool": "ID-2", "worker_id": 93, "operacion": "ARM"}
    refused = _post(api, PAUSAR, pause, "k-pause")
    assert refused.status_code == 400 and refused.json()["error"]  # nobody holds it: nothing to pause
    assert _post(api, TOMAR, pause, "k-take").status_code == 200
    again = _post(api, PAUSAR, pause, "k-pause")  # the same key: the same refusal, nothing run
    assert again.status_code == 400 and again.json() == refused.json()
    assert Spool.objects.get(tag_spool="ID-2").ocupado_por_id == 93


def test_the_same_key_with_another_body_is_refused_and_writes_nothing(
    api, armador, make_spool, nothing_written
):
    make_spool(tag_spool="ID-3")
    make_spool(tag_spool="ID-4")
    assert (
        _post(api, TOMAR, {"tag_spool": "ID-3", "worker_id": 93, "operacion": "ARM"}, "k").status_code == 200
    )
    with nothing_written():
        other = _post(api, TOMAR, {"tag_spool": "ID-4", "worker_id": 93, "operacion": "ARM"}, "k")
    assert other.status_code == 422 and other.json()["error"] == "IDEMPOTENCY_KEY_REUSADA"
    assert Spool.objects.get(tag_spool="ID-4").ocupado_por_id is None


def test_a_dependency_failure_is_not_kept_so_the_retry_runs(api, armador, make_spool, monkeypatch):
    spool = make_spool(tag_spool="ID-5")
    body = {"tag_spool": "ID-5", "worker_id": 93, "operacion": "ARM"}

    class Down:
        def try_acquire(self, *a):
            raise locks.LockBackendDown("closed port")

    monkeypatch.setattr(locks, "get_backend", lambda: Down())
    down = _post(api, TOMAR, body, "k-down")
    assert down.status_code == 503 and not IdempotencyKey.objects.filter(key="k-down").exists()
    monkeypatch.undo()
    retried = _post(api, TOMAR, body, "k-down")
    assert retried.status_code == 200 and "Idempotent-Replayed" not in retried
    assert Spool.objects.get(pk=spool.pk).ocupado_por_id == 93


def test_keys_belong_to_one_account(api, armador, make_spool):
    make_spool(tag_spool="ID-6")
    make_spool(tag_spool="ID-7")
    other_user = get_user_model().objects.create_user(username="tablet-9", password="x-secret-123")
    _, raw = ApiToken.issue(user=other_user, nombre="otra")
    other = type(api)(raw)
    assert (
        _post(api, TOMAR, {"tag_spool": "ID-6", "worker_id": 93, "operacion": "ARM"}, "k1").status_code == 200
    )
    mine = _post(other, BATCH_TOMAR, {"tag_spools": ["ID-7"], "worker_id": 93, "operacion": "ARM"}, "k1")
    assert mine.status_code == 200 and "Idempotent-Replayed" not in mine  # not the other tablet's answer


@pytest.mark.parametrize("key", ["", " ", "x" * 101, "clave con ñ", "a\tb"])
def test_a_malformed_key_is_refused_naming_the_header(api, armador, make_spool, key, nothing_written):
    make_spool(tag_spool="ID-8")
    with nothing_written():
        r = _post(api, TOMAR, {"tag_spool": "ID-8", "worker_id": 93, "operacion": "ARM"}, key)
    assert r.status_code == 422 and "Idempotency-Key" in r.json()["message"]


def test_expired_keys_are_purged(api, armador, make_spool):
    import datetime

    from django.utils import timezone

    make_spool(tag_spool="ID-9")
    _post(api, TOMAR, {"tag_spool": "ID-9", "worker_id": 93, "operacion": "ARM"}, "old")
    IdempotencyKey.objects.update(created_at=timezone.now() - idempotency.TTL - datetime.timedelta(minutes=1))
    assert idempotency.purge() == 1 and not IdempotencyKey.objects.exists()
