"""The kiosk on the floor: scanning without a tap, the list's order, one-tap TOMAR/PAUSAR, Back after
confirming, errors that stay, the PIN lock, and the shop's codes said in words."""

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from spools.models import Event, EventType, Spool
from zeues.front.kiosk import codes, pins, text
from zeues.front.kiosk.tests.test_views import START, _do, _idem, _identify, kiosk
from zeues.lib import lockout

pytestmark = pytest.mark.django_db


def held(make_spool, worker, tag, op="ARM", minutes=72, **fields):
    """A spool `worker` took `minutes` ago."""
    state = {"ARM": {"arm": "en_progreso"}, "SOLD": {"arm": "completado", "sold": "en_progreso"}}.get(op, {})
    return make_spool(
        tag_spool=tag,
        ocupado_por=worker,
        operacion_actual=op,
        fecha_ocupacion=timezone.now() - datetime.timedelta(minutes=minutes),
        **{**state, **fields},
    )


def one_tap(client, op, page_html, tag, accion, operacion=None):
    """Submit a row's one-tap form as the browser would (its key, its hidden fields)."""
    form = re.search(
        r'<form method="post" action="([^"]+)" class="k-inline"[^>]*>(.*?)</form>', _row(page_html, tag), re.S
    )
    assert form, f"no one-tap form for {tag}"
    key = re.search(r'name="idem" value="([0-9a-f]{32})"', form.group(2)).group(1)
    data = {"idem": key, "tags": [tag], "accion": accion, "operacion": operacion or op}
    return client.post(form.group(1), data), data


def _row(page_html: str, tag: str) -> str:
    match = re.search(rf'<li class="k-item[^"]*" data-tag="{re.escape(tag)}".*?</li>', page_html, re.S)
    assert match, f"{tag} not on the page"
    return match.group(0)


# --- 4. scan first --------------------------------------------------------------------------


def test_codes_ignore_case_spaces_and_the_label_url(make_spool):
    spool = make_spool(tag_spool="MK-1335-CW-25238-011")
    for code in (
        "MK-1335-CW-25238-011",
        "  mk-1335-cw-25238-011 \t",
        "https://z.example/kiosko/spool/MK-1335-CW-25238-011/",
    ):
        assert codes.find_spool(code) == spool, code
    assert codes.find_spool("MK-1335") is None and codes.find_spool("x" * 5000) is None
    assert [codes.badge_number(c) for c in ("93", " W-93 ", "ZEUES:93", "MK-1-2", "")] == [
        93,
        93,
        93,
        None,
        None,
    ]


@pytest.mark.parametrize(
    "code",
    ["mk-1335-cw-25238-011", " MK-1335-CW-25238-011  ", "https://h/kiosko/spool/MK-1335-CW-25238-011/"],
)
def test_a_scanned_label_opens_the_spool_whatever_its_case(tablet, make_spool, code):
    make_spool(tag_spool="MK-1335-CW-25238-011")
    r = tablet.get(kiosk("scan"), {"codigo": code})
    assert r["Location"] == kiosk("spool", tag="MK-1335-CW-25238-011")


def test_a_badge_scanned_on_the_start_screen_opens_that_workers_spools(tablet, armador, make_spool):
    held(make_spool, armador, "H-1")
    r = tablet.get(kiosk("scan"), {"codigo": "W-93"})
    assert r["Location"] == kiosk("my-spools")
    page = tablet.get(r["Location"]).content.decode()
    assert "H-1" in page and "MR(93)" in page


def test_a_badge_scanned_on_an_identify_screen_identifies_for_that_operation(tablet, armador):
    page = tablet.get(kiosk("identify", "ARM")).content.decode()
    assert 'data-scan-url="/kiosko/escanear/?op=ARM"' in page
    assert tablet.get(kiosk("scan"), {"codigo": "93", "op": "ARM"})["Location"] == kiosk("list", "ARM")


def test_a_badge_of_a_worker_with_a_pin_asks_for_it_first(tablet, armador):
    armador.set_pin("4321")
    armador.save()
    assert tablet.get(kiosk("scan"), {"codigo": "93"})["Location"] == kiosk("pin", "TODAS")
    assert tablet.post(kiosk("pin", "TODAS"), {"pin": "4321"})["Location"] == kiosk("my-spools")


def test_a_spool_label_typed_into_the_badge_field_opens_the_spool(tablet, armador, make_spool):
    make_spool(tag_spool="MK-9-CW-1-001")
    r = tablet.post(kiosk("identify", "ARM"), {"worker_id": "mk-9-cw-1-001"})
    assert r["Location"] == kiosk("spool", tag="MK-9-CW-1-001")


def test_an_unknown_scan_stays_where_it_was_and_a_huge_one_is_cut_short(tablet, armador, nothing_written):
    _identify(tablet, "ARM", 93)
    with nothing_written():
        r = tablet.get(kiosk("scan"), {"codigo": "Z" * 5000, "volver": kiosk("list", "ARM")})
    assert r["Location"] == kiosk("list", "ARM")
    page = tablet.get(r["Location"]).content.decode()
    assert "No se reconoce el código «" + "Z" * 39 + "…»" in page and "Z" * 41 not in page
    assert "data-dismiss" in page  # stays until dismissed
    outside = tablet.get(kiosk("scan"), {"codigo": "nope", "volver": "https://evil.example/kiosko/"})
    assert outside["Location"] == START


def test_a_badge_scanned_on_a_spools_page_comes_back_to_its_actions(tablet, armador, make_spool):
    held(make_spool, armador, "H-2")
    page = tablet.get(kiosk("spool", tag="H-2")).content.decode()
    assert 'data-scan-url="/kiosko/escanear/?spool=H-2"' in page
    assert 'data-testid="holder"' in page and "Soy Mauricio Rodriguez" in page
    r = tablet.get(kiosk("scan"), {"codigo": "93", "spool": "H-2"})
    assert r["Location"] == kiosk("spool", tag="H-2")
    page = tablet.get(r["Location"]).content.decode()
    assert 'data-testid="spool-actions"' in page and 'value="PAUSAR"' in page and "accion=COMPLETAR" in page


def test_a_spool_address_in_another_case_goes_to_the_real_tag(tablet, make_spool):
    make_spool(tag_spool="MK-CASE-1")
    assert tablet.get(kiosk("spool", tag="mk-case-1"))["Location"] == kiosk("spool", tag="MK-CASE-1")


# --- 5. taps: one-tap TOMAR/PAUSAR, names of who holds spools on the start screen ------------


def test_start_screen_offers_the_names_of_those_holding_spools(tablet, armador, make_worker, make_spool):
    make_worker(id=94, nombre="Sofía", apellido="Lagos", roles=["Soldador"])
    held(make_spool, armador, "H-3")
    page = tablet.get(START).content.decode()
    assert 'data-testid="holders"' in page and "MR(93) · 1 spool" in page and "SL(94)" not in page
    assert tablet.post(kiosk("identify", "TODAS"), {"worker_id": "93"})["Location"] == kiosk("my-spools")


def test_tomar_runs_on_one_tap_once_and_a_repeat_replays(tablet, armador, make_spool, nothing_written):
    make_spool(tag_spool="T-1")
    _identify(tablet, "ARM", 93)
    page = tablet.get(kiosk("list", "ARM")).content.decode()
    r, data = one_tap(tablet, "ARM", page, "T-1", "TOMAR")
    result = tablet.get(r["Location"]).content.decode()
    assert "TOMAR: listo" in result and "Ahora: MR(93) trabajando en ARM" in result
    with nothing_written():
        again = tablet.post(kiosk("execute", "ARM"), data)
    assert again["Location"] == r["Location"]
    assert Event.objects.filter(tag_spool="T-1").count() == 1


def test_a_refused_one_tap_writes_nothing_and_says_who_holds_it(
    tablet, armador, make_worker, make_spool, nothing_written
):
    make_spool(tag_spool="T-2")
    _identify(tablet, "ARM", 93)
    page = tablet.get(kiosk("list", "ARM")).content.decode()
    held(make_spool, make_worker(id=50, roles=["Armador"]), "T-3")
    Spool.objects.filter(tag_spool="T-2").update(
        arm="en_progreso", ocupado_por_id=50, operacion_actual="ARM", fecha_ocupacion=timezone.now()
    )
    with nothing_written():
        r, _ = one_tap(tablet, "ARM", page, "T-2", "TOMAR")  # the page was stale: someone took it
        result = tablet.get(r["Location"]).content.decode()
    assert "no se pudo" in result and "ocupado por" in result
    with nothing_written():
        bad = tablet.post(kiosk("execute", "ARM"), {"accion": "APROBADO", "tags": ["T-3"], "idem": "a" * 32})
    assert bad["Location"] == kiosk("list", "ARM")


def test_pausar_on_my_spools_is_one_tap_completar_asks(tablet, armador, make_spool):
    held(make_spool, armador, "P-1")
    _identify(tablet, "TODAS", 93)
    page = tablet.get(kiosk("my-spools")).content.decode()
    assert "accion=COMPLETAR&amp;operacion=ARM&amp;tag=P-1" in page and "accion=PAUSAR" not in page
    r, _ = one_tap(tablet, "TODAS", page, "P-1", "PAUSAR", operacion="ARM")
    assert "PAUSAR: listo" in tablet.get(r["Location"]).content.decode()
    assert Spool.objects.get(tag_spool="P-1").arm == "pausado"


# --- 6. the list: own, actionable, then the rest behind a toggle -----------------------------


def test_the_list_puts_own_then_actionable_first_and_collapses_the_rest(
    tablet, armador, make_worker, make_spool
):
    other = make_worker(id=50, roles=["Armador"])
    for i in range(5):
        make_spool(tag_spool=f"A-{i}0-NOMAT", fecha_materiales=None)  # sort before the others
    held(make_spool, other, "A-30-TAKEN")
    make_spool(tag_spool="Z-90-FREE")
    held(make_spool, armador, "Z-99-MINE")
    _identify(tablet, "ARM", 93)
    page = tablet.get(kiosk("list", "ARM")).content.decode()
    tags = re.findall(r'<li class="k-item[^"]*" data-tag="([^"]+)"', page)
    assert tags == ["Z-99-MINE", "Z-90-FREE"]
    assert "2 spools para usted ahora" in page and "No disponibles (6)" in page
    assert "llevas" in _row(page, "Z-99-MINE") and "1 h 12 min" in _row(page, "Z-99-MINE")
    off = tablet.get(kiosk("list", "ARM"), {"grupo": "no"}).content.decode()  # without JavaScript
    assert off.count("faltan materiales") == 5 and "ocupado por" in off


def test_a_search_that_finds_only_what_cannot_be_done_says_why(tablet, armador, make_spool):
    make_spool(tag_spool="S-NOMAT-1", fecha_materiales=None)
    make_spool(tag_spool="S-DONE-1", arm="completado")
    _identify(tablet, "ARM", 93)
    page = tablet.get(kiosk("list", "ARM"), {"q": "s-nomat"}).content.decode()
    assert "<details" in page and " open" in page and "faltan materiales" in page
    assert "Ningún spool coincide" not in page
    done = tablet.get(kiosk("list", "ARM"), {"q": " S-DONE-1 "}).content.decode()
    assert "ARM completado" in done and "Ningún spool coincide" not in done
    nothing = tablet.get(kiosk("list", "ARM"), {"q": "NOPE"}).content.decode()
    assert "Ningún spool coincide con «NOPE»" in nothing


# --- 11. Back after confirming shows the result -------------------------------------------------


def test_confirm_carries_its_key_in_the_address_and_back_shows_the_result(tablet, armador, make_spool):
    held(make_spool, armador, "C-1")
    _identify(tablet, "ARM", 93)
    first = tablet.get(kiosk("confirm", "ARM"), {"accion": "COMPLETAR", "tag": "C-1"})
    assert first.status_code == 302 and "idem=" in first["Location"]
    page = tablet.get(first["Location"])
    assert page["Cache-Control"].startswith("max-age=0") and "no-store" in page["Cache-Control"]
    key = _idem(page)
    done = tablet.post(kiosk("execute", "ARM"), {"accion": "COMPLETAR", "tags": ["C-1"], "idem": key})
    back = tablet.get(first["Location"])  # the browser's Back
    assert back["Location"] == done["Location"] == kiosk("result", key=key)


# --- 10. errors stay, successes return, dates never wrap -------------------------------------


def test_a_refusal_stays_on_screen_and_success_counts_down(tablet, armador, make_worker, make_spool):
    held(make_spool, make_worker(id=50, roles=["Armador"]), "E-1")
    make_spool(tag_spool="E-2")
    _identify(tablet, "ARM", 93)
    bad, _ = _do(tablet, "ARM", "TOMAR", ["E-1"])
    page = bad.content.decode()
    assert "data-countdown" not in page and "data-error" in page and "?olvidar=1" in page
    assert re.search(r"desde \d\d\u2011\d\d\u2011\d{4}\u00a0\d\d:\d\d", page)  # one unbreakable date
    good, _ = _do(tablet, "ARM", "TOMAR", ["E-2"])
    assert "data-countdown" in good.content.decode() and "olvidar" not in good.content.decode()


def test_the_idle_timer_on_a_refusal_forgets_the_worker_and_keeps_the_result(
    tablet, armador, make_worker, make_spool
):
    held(make_spool, make_worker(id=50, roles=["Armador"]), "E-3")
    _identify(tablet, "ARM", 93)
    bad, _ = _do(tablet, "ARM", "TOMAR", ["E-3"])
    kept = tablet.get(bad.request["PATH_INFO"] + "?olvidar=1").content.decode()
    assert "no se pudo" in kept and 'data-testid="worker"' not in kept
    assert tablet.get(kiosk("list", "ARM"))["Location"].startswith(kiosk("identify", "ARM"))


def test_dates_in_words_never_break():
    assert text.nowrap_dates("desde 01-12-2026 10:42.") == "desde 01\u201112\u20112026\u00a010:42."
    assert text.nowrap_dates("desde 01-12 10:42") == "desde 01\u201112\u00a010:42"


# --- 12. the PIN lock -----------------------------------------------------------------------


@pytest.fixture
def pin_worker(armador, settings):
    settings.ZEUES_PIN_MAX_TRIES = 3
    settings.ZEUES_PIN_LOCK_SECONDS = 60
    armador.set_pin("4321")
    armador.save()
    return armador


def _other_tablet(django_user_model) -> Client:
    user = django_user_model.objects.create_user(username="tablet-4", password="x-123456789")
    user.groups.add(Group.objects.get_or_create(name="Kioscos")[0])
    client = Client()
    client.force_login(user)
    return client


def test_wrong_pins_say_how_many_tries_are_left_then_lock_across_tablets(
    tablet, pin_worker, django_user_model, nothing_written
):
    _identify(tablet, "ARM", 93)
    assert "Le quedan 2 intentos" in tablet.post(kiosk("pin", "ARM"), {"pin": "1111"}).content.decode()
    other = _other_tablet(django_user_model)
    _identify(other, "ARM", 93)
    assert "Le queda 1 intento" in other.post(kiosk("pin", "ARM"), {"pin": "2222"}).content.decode()
    locked = tablet.post(kiosk("pin", "ARM"), {"pin": "3333"}).content.decode()
    assert (
        'data-testid="pin-locked"' in locked
        and "PIN bloqueado hasta las" in locked
        and "faltan 1 min" in locked
    )
    assert 'name="pin"' not in locked and "No soy MR(93)" in locked
    event = Event.objects.get(evento_tipo=EventType.PIN_BLOQUEADO)
    assert event.worker_id == 93 and event.spool is None and event.actor.username == "tablet-3"
    assert event.details["intentos"] == 3 and event.details["segundos"] == 60
    # The right PIN, on the other tablet, while locked: refused, not even checked, nothing written.
    with nothing_written():
        right = other.post(kiosk("pin", "ARM"), {"pin": "4321"})
    assert right.status_code == 200 and 'data-testid="pin-locked"' in right.content.decode()
    assert other.get(kiosk("list", "ARM"))["Location"] == kiosk("identify", "ARM")


def test_the_lock_ends_by_itself_audited_once_and_the_next_lasts_twice_as_long(tablet, pin_worker, settings):
    settings.ZEUES_KIOSK_IDLE_SECONDS = 600
    _identify(tablet, "ARM", 93)
    for _ in range(3):
        tablet.post(kiosk("pin", "ARM"), {"pin": "1111"})
    real = time.time
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(time, "time", lambda: real() + 61)
        page = tablet.get(kiosk("pin", "ARM")).content.decode()
        assert 'name="pin"' in page
        tablet.get(kiosk("pin", "ARM"))
        unlocked = Event.objects.filter(evento_tipo=EventType.PIN_DESBLOQUEADO)
        assert [e.details["motivo"] for e in unlocked] == ["plazo cumplido"]
        _identify(tablet, "ARM", 93)
        for _ in range(3):
            tablet.post(kiosk("pin", "ARM"), {"pin": "1111"})
    second = Event.objects.filter(evento_tipo=EventType.PIN_BLOQUEADO).order_by("seq").last()
    assert second.details["segundos"] == 120 and second.details["nivel"] == 2


def test_a_supervisor_unlocks_from_the_worker_admin_audited(tablet, pin_worker, admin_client):
    _identify(tablet, "ARM", 93)
    for _ in range(3):
        tablet.post(kiosk("pin", "ARM"), {"pin": "1111"})
    changelist = reverse("admin:spools_worker_changelist")
    assert "🔒 hasta las" in admin_client.get(changelist).content.decode()
    admin_client.post(changelist, {"action": "desbloquear_pin", "_selected_action": [93]})
    event = Event.objects.get(evento_tipo=EventType.PIN_DESBLOQUEADO)
    assert event.details["motivo"] == "supervisor" and event.actor.username == "admin"
    assert tablet.post(kiosk("pin", "ARM"), {"pin": "4321"})["Location"] == kiosk("list", "ARM")
    assert not pins.peek(pin_worker).locked


def test_a_right_pin_forgets_the_wrong_tries(tablet, pin_worker):
    _identify(tablet, "ARM", 93)
    tablet.post(kiosk("pin", "ARM"), {"pin": "1111"})
    tablet.post(kiosk("pin", "ARM"), {"pin": "4321"})
    assert lockout.status(pins.policy(), 93).tries_left == 3


def test_the_pin_settings_default_to_five_tries_and_five_minutes():
    rules = pins.policy()
    assert (rules.max_tries, rules.lock_seconds) == (5, 300)


# --- 14. words, not codes ---------------------------------------------------------------------


def test_kiosk_screens_say_states_and_operations_in_words(tablet, make_worker, make_spool):
    luis = make_worker(id=100, nombre="Luis", apellido="Muñoz", roles=[])
    make_spool(
        tag_spool="W-1",
        arm="completado",
        sold="completado",
        calidad="en_reparacion",
        ciclo=1,
        ocupado_por=luis,
        operacion_actual="REPARACION",
        fecha_ocupacion=timezone.now(),
    )
    make_spool(tag_spool="W-2", arm="completado", sold="completado", calidad="rechazado", ciclo=0)
    _identify(tablet, "TODAS", 100)
    mine = tablet.get(kiosk("my-spools")).content.decode()
    assert "REPARACIÓN ·" in mine and "En reparación · intento 1 de 3" in mine
    tablet.get(START)
    _identify(tablet, "REPARACION", 100)
    page = tablet.get(kiosk("list", "REPARACION")).content.decode()
    assert "Rechazado · espera reparación" in page
    spool = tablet.get(kiosk("spool", tag="W-2")).content.decode()
    for raw in ("EN_REPARACION", "(Ciclo", "PENDIENTE_METROLOGIA", "REPARACION ", ">REPARACION<"):
        assert raw not in mine + page + spool, raw


def test_a_role_refusal_names_the_operation_with_its_accent(tablet, armador):
    page = _identify(tablet, "METROLOGIA", 93).content.decode()
    assert "no tiene un rol que permita METROLOGÍA" in page
