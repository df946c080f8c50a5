"""The kiosk's «Terminar» of a spool with joints, through Django's test client: the tiles each
operation offers, ticking some / all / none, one record per key, a refusal that writes nothing,
and the progress label on the rows. The browser test (tests/browser/test_kiosk_joints.py)
covers the clicking, the button's label as ticks change, sizes and axe."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from occupation.services import spool_finish, spool_take
from spools.models import EstadoOperacion, Event, EventType, Spool, Union
from zeues.models import IdempotencyKey

pytestmark = pytest.mark.django_db

TAG = "MK-1300-CW-25000-001"
# PD 8 + 6 + 4 + 2,5 + 3 (the last one a field weld).
JOINTS = [(1, "8", "SO"), (2, "6", "BR"), (3, "4", "FILL"), (4, "2.5", "BW"), (5, "3", "FW")]


def kiosk(name: str, op: str | None = None, **kwargs: str) -> str:
    return reverse(f"kiosk:{name}", kwargs={**({"op": op} if op else {}), **kwargs})


@pytest.fixture
def spool(make_spool, make_joints):
    return make_joints(make_spool(tag_spool=TAG), JOINTS)


@pytest.fixture
def other_fitter(make_worker):
    return make_worker(id=90, nombre="Valentina", apellido="Soto", roles=["Armador"])


@pytest.fixture
def welder(make_worker):
    return make_worker(id=120, nombre="Pedro", apellido="Lagos", roles=["Soldador"])


@pytest.fixture
def other_welder(make_worker):
    return make_worker(id=121, nombre="Rosa", apellido="Vera", roles=["Soldador"])


def _identify(client, op: str, worker) -> None:
    r = client.post(kiosk("identify", op), {"worker_id": str(worker.pk)})
    assert r.status_code == 302 and "identificar" not in r["Location"], r


def _page(client, op: str, tag: str = TAG, **params: str):
    """The «Terminar» page (its key added by the first redirect)."""
    page = client.get(kiosk("finish", op, tag=tag), params, follow=True)
    assert page.status_code == 200
    return page


def _idem(page) -> str:
    return re.search(r'name="idem" value="([0-9a-f]{32})"', page.content.decode()).group(1)


def _tickable(page) -> list[int]:
    return [int(n) for n in re.findall(r'name="uniones" value="(\d+)"', page.content.decode())]


def _post(client, op: str, operacion: str, uniones: list[int], idem: str, tag: str = TAG):
    return client.post(
        kiosk("finish-run", op), {"idem": idem, "tag": tag, "operacion": operacion, "uniones": uniones}
    )


def _held(spool, worker, op: str) -> Spool:
    return spool_take(spool=Spool.objects.with_people().get(pk=spool.pk), worker=worker, operacion=op)


def _state(spool) -> tuple:
    """Everything a refusal must leave as it was: the row, its joints, the trail, the keys."""
    s = Spool.objects.get(pk=spool.pk)
    return (
        (s.version, s.arm, s.sold, s.ocupado_por_id, s.uniones_arm, s.uniones_sold, s.pulgadas_arm),
        list(Union.objects.filter(spool=spool).order_by("n_union").values()),
        Event.objects.count(),
        IdempotencyKey.objects.count(),
    )


# --- what each operation offers ----------------------------------------------------------------


def test_arm_offers_the_unfitted_joints_and_shows_who_fitted_the_others(
    tablet, armador, other_fitter, make_spool, make_joints
):
    spool = make_joints(make_spool(tag_spool=TAG), [*JOINTS[:1], (2, "6", "BR", {"arm": other_fitter})])
    make_joints(spool, [(3, "2.5", "BW"), (4, "3", "FW")])
    _held(spool, armador, "ARM")
    _identify(tablet, "ARM", armador)
    page = _page(tablet, "ARM")
    html = page.content.decode()
    assert _tickable(page) == [1, 3, 4]  # an FW joint is fitted in the shop like any other
    assert "armada por VS(90)" in html
    assert "ARM 1/4 · SOLD 0/3" in html
    assert "k-finish-completes" in html  # ticking every tile completes ARM


def test_sold_offers_only_fitted_unwelded_non_fw_joints_and_says_why_not_the_others(
    tablet, armador, welder, other_welder, make_spool, make_joints
):
    spool = make_joints(
        make_spool(tag_spool=TAG, arm="pausado"),
        [
            (1, "8", "SO", {"arm": armador, "sold": other_welder}),
            (2, "6", "BR", {"arm": armador}),
            (3, "4", "FILL"),
            (4, "3", "FW", {"arm": armador}),
            (5, "2.5", "BW", {"arm": armador}),
        ],
    )
    _held(spool, welder, "SOLD")
    _identify(tablet, "SOLD", welder)
    page = _page(tablet, "SOLD")
    html = page.content.decode()
    assert _tickable(page) == [2, 5]
    assert "soldada por RV(121)" in html and "sin armar" in html and "FW: en terreno" in html
    # Joint 3 is still to weld once fitted: ticking both tiles pauses, so the button never says
    # «Completar SOLD».
    assert "k-finish-completes" not in html


def test_todas_without_javascript_ticks_every_tickable_joint(tablet, armador, spool):
    _held(spool, armador, "ARM")
    _identify(tablet, "ARM", armador)
    html = _page(tablet, "ARM", todas="1").content.decode()
    assert html.count('name="uniones"') == 5 and html.count(" checked") == 5


# --- some, all, none -------------------------------------------------------------------------


def test_ticking_some_pauses_and_records_each_joint_with_the_worker(tablet, armador, spool):
    _held(spool, armador, "ARM")
    _identify(tablet, "ARM", armador)
    idem = _idem(_page(tablet, "ARM"))
    done = _post(tablet, "ARM", "ARM", [1, 4], idem)
    assert done["Location"] == kiosk("result", key=idem)
    result = tablet.get(done["Location"]).content.decode()
    assert "PAUSAR: listo" in result and "2 uniones registradas · 10,5 PD" in result
    s = Spool.objects.get(pk=spool.pk)
    assert s.arm == EstadoOperacion.PAUSADO and s.ocupado_por_id is None and s.uniones_arm == 2
    fitted = Union.objects.filter(spool=spool, arm_fin__isnull=False)
    assert sorted(fitted.values_list("n_union", flat=True)) == [1, 4]
    assert set(fitted.values_list("arm_worker_id", flat=True)) == {armador.pk}
    recorded = Event.objects.filter(spool=spool, evento_tipo=EventType.UNION_ARM_REGISTRADA)
    assert sorted(e.details["n_union"] for e in recorded) == [1, 4]
    assert {e.worker_id for e in recorded} == {armador.pk} and {e.actor.username for e in recorded} == {
        "tablet-3"
    }


def test_ticking_every_open_joint_completes(tablet, armador, spool):
    _held(spool, armador, "ARM")
    _identify(tablet, "ARM", armador)
    idem = _idem(_page(tablet, "ARM"))
    done = _post(tablet, "ARM", "ARM", [1, 2, 3, 4, 5], idem)
    result = tablet.get(done["Location"]).content.decode()
    assert "COMPLETAR: listo" in result and "5 uniones registradas · 23,5 PD" in result
    s = Spool.objects.get(pk=spool.pk)
    assert s.arm == EstadoOperacion.COMPLETADO and s.armador_id == armador.pk and s.uniones_arm == 5
    assert Event.objects.filter(spool=spool, evento_tipo=EventType.COMPLETAR_ARM).count() == 1


def test_ticking_none_releases_the_spool_and_records_nothing(tablet, armador, spool):
    _held(spool, armador, "ARM")
    _identify(tablet, "ARM", armador)
    idem = _idem(_page(tablet, "ARM"))
    done = _post(tablet, "ARM", "ARM", [], idem)
    result = tablet.get(done["Location"]).content.decode()
    assert "LIBERAR: listo" in result and "Liberado sin registrar uniones de ARM" in result
    s = Spool.objects.get(pk=spool.pk)
    assert s.arm == EstadoOperacion.PENDIENTE and s.ocupado_por_id is None
    assert not Union.objects.filter(spool=spool, arm_fin__isnull=False).exists()
    assert Event.objects.filter(spool=spool, evento_tipo=EventType.LIBERAR_SPOOL).count() == 1
    assert not Event.objects.filter(spool=spool, evento_tipo=EventType.UNION_ARM_REGISTRADA).exists()


def test_sold_from_mis_spools_records_the_welds(tablet, armador, welder, make_spool, make_joints):
    spool = make_joints(
        make_spool(tag_spool=TAG, arm="completado"),
        [
            (1, "2", "BW", {"arm": armador}),
            (2, "1.5", "SO", {"arm": armador}),
            (3, "3", "FW", {"arm": armador}),
        ],
    )
    _held(spool, welder, "SOLD")
    _identify(tablet, "TODAS", welder)
    mine = tablet.get(kiosk("my-spools")).content.decode()
    assert kiosk("finish", "TODAS", tag=TAG) in mine
    page = _page(tablet, "TODAS")
    assert _tickable(page) == [1, 2]
    done = _post(tablet, "TODAS", "SOLD", [1, 2], _idem(page))
    assert "COMPLETAR: listo" in tablet.get(done["Location"]).content.decode()
    s = Spool.objects.get(pk=spool.pk)
    assert s.sold == EstadoOperacion.COMPLETADO and s.pulgadas_sold == 3.5
    assert set(Union.objects.filter(sold_fin__isnull=False).values_list("sold_worker_id", flat=True)) == {
        welder.pk
    }


# --- once per key; a refusal writes nothing ---------------------------------------------------------


def test_a_double_post_or_back_and_resubmit_records_once(tablet, armador, spool):
    _held(spool, armador, "ARM")
    _identify(tablet, "ARM", armador)
    idem = _idem(_page(tablet, "ARM"))
    first = _post(tablet, "ARM", "ARM", [2, 3], idem)
    events = Event.objects.count()
    again = _post(tablet, "ARM", "ARM", [2, 3], idem)  # a double tap, or Back and resubmit
    assert again["Location"] == first["Location"] == kiosk("result", key=idem)
    assert Event.objects.count() == events
    assert Union.objects.filter(spool=spool, arm_fin__isnull=False).count() == 2
    # Back to the tiles' address: the result again, never the question.
    back = tablet.get(kiosk("finish", "ARM", tag=TAG), {"idem": idem})
    assert back["Location"] == kiosk("result", key=idem)


def test_a_joint_another_tablet_recorded_meanwhile_is_refused_in_spanish_and_nothing_is_written(
    tablet, armador, spool
):
    _held(spool, armador, "ARM")
    _identify(tablet, "ARM", armador)
    idem = _idem(_page(tablet, "ARM"))
    # The other tablet (the same fitter, a second screen) records joint 3 first.
    spool_finish(
        spool=Spool.objects.with_people().get(pk=spool.pk), worker=armador, operacion="ARM", uniones=[3]
    )
    before = _state(spool)
    refused = _post(tablet, "ARM", "ARM", [3, 4], idem)
    assert _state(spool) == before
    page = tablet.get(refused["Location"]).content.decode()
    assert "Ya registrada en MK" in page and "#3 armada por MR(93)" in page
    assert "k-msg-error" in page
    # The key stays unused: nothing is kept under it.
    assert not IdempotencyKey.objects.filter(key=idem).exists()


def test_a_refusal_while_still_holding_shows_the_tiles_again_with_the_message(
    tablet, armador, welder, make_spool, make_joints
):
    spool = make_joints(
        make_spool(tag_spool=TAG, arm="pausado"), [(1, "2", "BW", {"arm": armador}), (2, "4", "BW")]
    )
    _held(spool, welder, "SOLD")
    _identify(tablet, "SOLD", welder)
    idem = _idem(_page(tablet, "SOLD"))
    before = _state(spool)
    refused = _post(tablet, "SOLD", "SOLD", [1, 2], idem)  # #2 is not fitted: a tampered form
    assert _state(spool) == before
    assert refused["Location"] == kiosk("finish", "SOLD", tag=TAG)
    page = tablet.get(refused["Location"], follow=True).content.decode()
    assert "aún no está armada" in page and "k-msg-error" in page and 'name="uniones" value="1"' in page


def test_tampered_or_foreign_finishes_are_refused_and_write_nothing(tablet, armador, other_fitter, spool):
    _held(spool, other_fitter, "ARM")
    _identify(tablet, "ARM", armador)
    # Not the holder: no tiles, and a forged post is refused by the service.
    page = tablet.get(kiosk("finish", "ARM", tag=TAG), follow=True).content.decode()
    assert "no está tomado por usted" in page
    before = _state(spool)
    refused = _post(tablet, "ARM", "ARM", [1], "a" * 32)
    assert "lo tiene VS(90)" in tablet.get(refused["Location"], follow=True).content.decode()
    assert _post(tablet, "ARM", "ARM", ["uno"], "b" * 32)["Location"] == kiosk("start")
    assert _post(tablet, "ARM", "SOLD", [1], "c" * 32)["Location"] == kiosk("list", "ARM")
    assert tablet.get(kiosk("finish-run", "ARM")).status_code == 405
    assert _state(spool) == before
    assert Client().get(kiosk("finish", "ARM", tag=TAG))["Location"].startswith(reverse("login"))


# --- the rows ------------------------------------------------------------------------------------


def test_rows_show_the_progress_and_terminar_only_for_spools_with_joints(
    tablet, armador, other_fitter, make_spool, make_joints
):
    with_joints = make_joints(
        make_spool(tag_spool="J-1"), [(1, "2", "BW", {"arm": other_fitter}), (2, "3", "SO")]
    )
    make_spool(tag_spool="W-1")
    _held(with_joints, armador, "ARM")
    _held(Spool.objects.get(tag_spool="W-1"), armador, "ARM")
    _identify(tablet, "ARM", armador)
    html = tablet.get(kiosk("list", "ARM")).content.decode()
    rows = {m[0]: m[1] for m in re.findall(r'data-tag="([^"]+)"(.*?)</li>', html, re.S)}
    assert "ARM 1/2 · SOLD 0/2" in rows["J-1"] and "k-act-terminar" in rows["J-1"]
    assert "k-act-pausar" not in rows["J-1"] and "k-act-completar" not in rows["J-1"]
    # A whole-spool spool keeps PAUSAR and COMPLETAR, and shows no progress.
    assert (
        "progreso" not in rows["W-1"] and "k-act-pausar" in rows["W-1"] and "k-act-completar" in rows["W-1"]
    )
    spool_page = tablet.get(kiosk("spool", tag="J-1")).content.decode()
    assert "ARM 1/2 · SOLD 0/2" in spool_page


def test_the_progress_on_the_rows_reads_no_joint(tablet, armador, make_spool, make_joints):
    """The label comes from the spool row's figures: a list of spools with joints costs the same
    queries as one of whole-spool spools (the figure bench/kiosk.py times at 200,000 joints)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _identify(tablet, "ARM", armador)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert tablet.get(kiosk("list", "ARM")).status_code == 200
        return len(captured)

    for i in range(3):
        make_spool(tag_spool=f"W-{i}")
    whole = queries()
    for i in range(3):
        make_joints(make_spool(tag_spool=f"J-{i}"), [(n, "2", "BW") for n in range(1, 21)])
    with CaptureQueriesContext(connection) as captured:
        html = tablet.get(kiosk("list", "ARM")).content.decode()
    assert html.count('data-testid="progreso"') == 3
    assert not any(Union._meta.db_table in q["sql"] for q in captured.captured_queries)
    assert queries() == whole
