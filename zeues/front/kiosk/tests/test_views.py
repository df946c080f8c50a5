"""The kiosk's pages through Django's test client (the browser tests cover the clicking)."""

from __future__ import annotations

import re
import time
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from spools.models import Event, Spool
from zeues.front.kiosk import session

pytestmark = pytest.mark.django_db

START = reverse("kiosk:start")
LOGIN = reverse("login")


def kiosk(name: str, op: str | None = None, **kwargs: str) -> str:
    """The kiosk URL called `name`; `op` is the upper-case operation ("ARM", "TODAS"...)."""
    return reverse(f"kiosk:{name}", kwargs={**({"op": op} if op else {}), **kwargs})


def _identify(client, op, worker_id):
    return client.post(kiosk("identify", op), {"worker_id": str(worker_id)})


def _idem(response) -> str:
    return re.search(r'name="idem" value="([0-9a-f]{32})"', response.content.decode()).group(1)


def _do(client, op, accion, tags, operacion=None, **reason):
    """Confirm and run an action; a verdict goes through its choice (`resultado`), a RECHAZADO
    with a defect unless `reason` says otherwise."""
    chosen = "INSPECCIONAR" if op == "METROLOGIA" else accion
    params = {"accion": chosen, "tag": tags, **({"operacion": operacion} if operacion else {})}
    if op == "METROLOGIA":
        params["resultado"] = accion
        if accion == "RECHAZADO":
            reason.setdefault("defecto", "POROSIDAD")
    page = client.get(kiosk("confirm", op), params, follow=True)
    assert page.status_code == 200, page.content[:400]
    data = {"accion": accion, "tags": tags, "idem": _idem(page), "operacion": operacion or op, **reason}
    done = client.post(kiosk("execute", op), data)
    assert done.status_code == 302
    return client.get(done["Location"]), data


# --- access ---------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    assert client.get(START)["Location"].startswith(LOGIN)


def test_kiosk_account_cannot_reach_admin_api_or_manager_pages(tablet):
    # Literal paths on purpose: the confinement middleware refuses by path prefix, so the prefixes
    # themselves are what this test pins.
    for path in ("/admin/", "/", "/api/health", "/spools/etiquetas/"):
        r = tablet.get(path)
        assert r.status_code == 302 and r["Location"] == START, path


def test_kiosk_login_gets_a_long_session(client, django_user_model, settings):
    user = django_user_model.objects.create_user(username="tablet-9", password="x-123456789")
    user.groups.add(Group.objects.get_or_create(name="Kioscos")[0])
    r = client.post(LOGIN, {"username": "tablet-9", "password": "x-123456789"})
    assert r["Location"] == START
    assert client.session.get_expiry_age() == settings.ZEUES_KIOSK_SESSION_DAYS * 24 * 3600


def test_wrong_methods(tablet, nothing_written):
    assert tablet.post(START).status_code == 405
    with nothing_written():
        assert tablet.get(kiosk("execute", "ARM")).status_code == 405


# --- identification -------------------------------------------------------------------------


def test_identify_shows_only_workers_with_a_role_for_the_operation(tablet, armador, make_worker):
    make_worker(id=94, nombre="Sofía", apellido="Lagos", roles=["Soldador"])
    make_worker(id=95, nombre="Inés", apellido="Vera", roles=["Armador"], activo=False)
    page = tablet.get(kiosk("identify", "ARM")).content.decode()
    assert "MR(93)" in page and "SL(94)" not in page and "IV(95)" not in page
    assert "SL(94)" in tablet.get(kiosk("identify", "SOLD")).content.decode()


@pytest.mark.parametrize("typed", ["93", " 93 ", "W-93", "ZEUES:93"])
def test_typed_or_scanned_id_identifies(tablet, armador, typed):
    r = tablet.post(kiosk("identify", "ARM"), {"worker_id": typed})
    assert r.status_code == 302 and r["Location"] == kiosk("list", "ARM")


@pytest.mark.parametrize(
    "worker_id, text",
    [("4242", "No existe un trabajador"), ("94", "no tiene un rol que permita ARM"), ("95", "inactivo")],
)
def test_identification_errors_are_spelled_out(tablet, make_worker, worker_id, text):
    make_worker(id=94, roles=["Soldador"])
    make_worker(id=95, roles=["Armador"], activo=False)
    r = _identify(tablet, "ARM", worker_id)
    assert r.status_code == 200 and text in r.content.decode()


def test_pin_is_asked_when_set_and_the_right_one_opens_the_list(tablet, armador):
    armador.set_pin("4321")
    armador.save()
    assert _identify(tablet, "ARM", 93)["Location"] == kiosk("pin", "ARM")
    assert tablet.get(kiosk("list", "ARM"))["Location"] == kiosk("identify", "ARM")
    wrong = tablet.post(kiosk("pin", "ARM"), {"pin": "1111"}).content.decode()
    assert "PIN incorrecto. Le quedan 4 intentos" in wrong and "No soy MR(93)" in wrong
    assert tablet.post(kiosk("pin", "ARM"), {"pin": "4321"})["Location"] == kiosk("list", "ARM")
    assert tablet.get(kiosk("list", "ARM")).status_code == 200


def test_identity_expires_after_idle_seconds(tablet, armador, settings):
    _identify(tablet, "ARM", 93)
    assert tablet.get(kiosk("list", "ARM")).status_code == 200
    s = tablet.session
    s[session.KEY] = {**s[session.KEY], "seen": time.time() - settings.ZEUES_KIOSK_IDLE_SECONDS - 1}
    s.save()
    assert tablet.get(kiosk("list", "ARM"))["Location"] == kiosk("identify", "ARM")


def test_start_screen_forgets_the_worker(tablet, armador):
    _identify(tablet, "ARM", 93)
    tablet.get(START)
    assert tablet.get(kiosk("list", "ARM"))["Location"] == kiosk("identify", "ARM")


def test_identity_for_one_operation_does_not_open_another(tablet, armador):
    _identify(tablet, "ARM", 93)
    assert tablet.get(kiosk("list", "SOLD"))["Location"] == kiosk("identify", "SOLD")


# --- lists: what I can do, and why not ------------------------------------------------------


def test_list_greys_out_what_cannot_be_done_with_the_reason(tablet, armador, make_worker, make_spool):
    other = make_worker(id=50, nombre="Ana", apellido="Pérez", roles=["Armador"])
    make_spool(tag_spool="A-FREE")
    make_spool(tag_spool="A-NOMAT", fecha_materiales=None)
    since = timezone.now().replace(hour=10, minute=42) if timezone.localtime().hour >= 11 else timezone.now()
    make_spool(
        tag_spool="A-TAKEN",
        arm="en_progreso",
        ocupado_por=other,
        fecha_ocupacion=since,
        operacion_actual="ARM",
    )
    make_spool(tag_spool="A-BLOCK", calidad="bloqueado", ciclo=3)
    _identify(tablet, "ARM", 93)
    page = tablet.get(kiosk("list", "ARM")).content.decode()
    assert 'name="tags" value="A-FREE"' in page and 'value="TOMAR"' in page
    assert "No disponibles (3)" in page and "A-NOMAT" not in page  # collapsed, loaded when opened
    off = tablet.get(kiosk("list", "ARM"), {"grupo": "no"}, headers={"HX-Request": "true"}).content.decode()
    assert "faltan materiales" in off and 'value="A-NOMAT"' not in off
    assert "ocupado por AP(50) desde" in off and 'value="A-TAKEN"' not in off
    assert "BLOQUEADO: requiere supervisor" in off and 'value="A-BLOCK"' not in off
    assert "A-FREE" not in off and 'name="accion"' not in off
    assert 'data-testid="llamar"' in off  # a blocked spool offers the supervisor call instead


def test_sold_completion_waits_for_arm_with_the_reason(tablet, make_worker, make_spool):
    soldador = make_worker(id=94, roles=["Soldador"])
    make_spool(
        tag_spool="S-1",
        arm="pausado",
        sold="en_progreso",
        ocupado_por=soldador,
        fecha_ocupacion=timezone.now(),
        operacion_actual="SOLD",
    )
    _identify(tablet, "SOLD", 94)
    page = tablet.get(kiosk("list", "SOLD")).content.decode()
    assert "falta ARM completado para COMPLETAR" in page
    assert 'name="tags" value="S-1"' in page and 'value="PAUSAR"' in page
    assert "accion=COMPLETAR" not in page


def test_search_and_load_more(tablet, armador, make_spool):
    for i in range(35):
        make_spool(tag_spool=f"MK-{i:03d}", nv="NV0001" if i < 3 else "NV0002")
    _identify(tablet, "ARM", 93)
    assert "3 spools para usted" in tablet.get(kiosk("list", "ARM"), {"q": "NV0001"}).content.decode()
    first = tablet.get(kiosk("list", "ARM")).content.decode()
    assert "MK-029" in first and "MK-030" not in first and "desde=30" in first
    more = tablet.get(kiosk("list", "ARM"), {"desde": "30"}, headers={"HX-Request": "true"}).content.decode()
    assert "MK-030" in more and "MK-029" not in more and "<html" not in more


# --- acting ---------------------------------------------------------------------------------


def test_take_through_the_kiosk_attributes_worker_and_tablet(tablet, armador, make_spool):
    make_spool(tag_spool="K-1")
    _identify(tablet, "ARM", 93)
    result, _ = _do(tablet, "ARM", "TOMAR", ["K-1"])
    assert "TOMAR: listo" in result.content.decode()
    event = Event.objects.get(tag_spool="K-1")
    assert event.worker_id == 93 and event.actor.username == "tablet-3"


def test_the_same_submission_twice_acts_once(tablet, armador, make_spool, nothing_written):
    make_spool(tag_spool="K-2")
    _identify(tablet, "ARM", 93)
    result, data = _do(tablet, "ARM", "TOMAR", ["K-2"])
    with nothing_written():
        again = tablet.post(kiosk("execute", "ARM"), data)
    assert again["Location"] == result.request["PATH_INFO"]
    assert Event.objects.filter(tag_spool="K-2").count() == 1
    assert "TOMAR: listo" in tablet.get(again["Location"]).content.decode()


def test_batch_result_lists_every_spool_with_its_outcome(tablet, armador, make_worker, make_spool):
    other = make_worker(id=50, roles=["Armador"])
    for tag in ("B-1", "B-2", "B-3"):
        make_spool(tag_spool=tag)
    Spool.objects.filter(tag_spool="B-2").update(
        arm="en_progreso", ocupado_por=other, fecha_ocupacion=timezone.now(), operacion_actual="ARM"
    )
    _identify(tablet, "ARM", 93)
    result, _ = _do(tablet, "ARM", "TOMAR", ["B-1", "B-2", "B-3"])
    page = result.content.decode()
    assert "2 de 3 listos" in page
    assert re.search(r'data-tag="B-2".*?ocupado por', page, re.S)


def test_metrologia_and_reparacion_through_the_kiosk(tablet, make_worker, make_spool):
    make_worker(id=97, roles=["Metrologia"])
    make_worker(id=93, roles=[])
    make_spool(tag_spool="Q-1", arm="completado", sold="completado")
    _identify(tablet, "METROLOGIA", 97)
    result, _ = _do(tablet, "METROLOGIA", "RECHAZADO", ["Q-1"])
    assert "Rechazado · espera reparación · intento 1 de 3" in result.content.decode()
    assert "(Ciclo" not in result.content.decode()
    tablet.get(START)
    _identify(tablet, "REPARACION", 93)
    _do(tablet, "REPARACION", "TOMAR", ["Q-1"])
    result, _ = _do(tablet, "REPARACION", "COMPLETAR", ["Q-1"])
    page = result.content.decode()
    assert "Reparado · espera metrología · intento 1 de 3" in page and "PENDIENTE_METROLOGIA" not in page


def test_my_spools_pause_in_two_taps(tablet, armador, make_spool):
    make_spool(
        tag_spool="M-1",
        arm="en_progreso",
        ocupado_por=armador,
        fecha_ocupacion=timezone.now(),
        operacion_actual="ARM",
    )
    _identify(tablet, "TODAS", 93)
    page = tablet.get(kiosk("my-spools")).content.decode()
    assert (
        "M-1" in page
        and 'value="PAUSAR"' in page
        and "accion=COMPLETAR&amp;operacion=ARM&amp;tag=M-1" in page
    )
    result, _ = _do(tablet, "TODAS", "PAUSAR", ["M-1"], operacion="ARM")
    assert Spool.objects.get(tag_spool="M-1").arm == "pausado"
    assert "PAUSAR: listo" in result.content.decode()


def test_confirm_refuses_an_action_of_another_operation(tablet, armador, make_spool, nothing_written):
    make_spool(tag_spool="X-1")
    _identify(tablet, "ARM", 93)
    with nothing_written():
        r = tablet.get(kiosk("confirm", "ARM"), {"accion": "APROBADO", "tag": ["X-1"]})
    assert r["Location"] == kiosk("list", "ARM")


def test_expired_identity_cannot_execute(tablet, armador, make_spool, nothing_written):
    make_spool(tag_spool="E-1")
    _identify(tablet, "ARM", 93)
    page = tablet.get(kiosk("confirm", "ARM"), {"accion": "TOMAR", "tag": ["E-1"]}, follow=True)
    tablet.get(START)
    data = {"accion": "TOMAR", "tags": ["E-1"], "idem": _idem(page), "operacion": "ARM"}
    with nothing_written():
        r = tablet.post(kiosk("execute", "ARM"), data)
    assert r["Location"] == START
    assert not Event.objects.exists()


# --- scanning and labels ---------------------------------------------------------------------


def test_scanned_label_url_or_typed_tag_opens_the_spool(tablet, make_spool):
    tag = "MK-1335-CW-25238-011"
    make_spool(tag_spool=tag, arm="completado", sold="completado")
    spool_page = kiosk("spool", tag=tag)
    for code in (tag, "https://zeues.example" + spool_page):
        r = tablet.get(kiosk("scan"), {"codigo": code})
        assert r["Location"] == spool_page
    page = tablet.get(spool_page).content.decode()
    assert "METROLOGÍA" in page and kiosk("identify", "METROLOGIA") + "?" + urlencode({"spool": tag}) in page


def test_unknown_code_says_so(tablet):
    r = tablet.get(kiosk("scan"), {"codigo": "NOPE"}, follow=True)
    assert "No se reconoce el código" in r.content.decode()


def test_label_has_a_qr_code_with_the_kiosk_url(admin_client, make_spool):
    make_spool(tag_spool="L-1")
    page = admin_client.get(reverse("label", kwargs={"tag": "L-1"})).content.decode()
    assert "<svg" in page and "L-1" in page
    sheet = admin_client.get(reverse("labels"), {"tag": ["L-1"]}).content.decode()
    assert sheet.count('class="label"') == 1


def test_admin_action_prints_a_sheet_of_labels(admin_client, make_spool):
    spools = [make_spool(tag_spool=f"L-{i}") for i in range(3)]
    r = admin_client.post(
        reverse("admin:spools_spool_changelist"),
        {"action": "imprimir_etiquetas", "_selected_action": [s.pk for s in spools]},
    )
    assert r.content.decode().count('class="label"') == 3


def test_admin_sets_and_removes_a_pin(admin_client, armador):
    data = {
        "id": 93,
        "nombre": "Mauricio",
        "apellido": "Rodriguez",
        "activo": "on",
        "nuevo_pin": "2468",
        "roles-TOTAL_FORMS": "0",
        "roles-INITIAL_FORMS": "0",
    }
    change = reverse("admin:spools_worker_change", args=[93])
    admin_client.post(change, data)
    armador.refresh_from_db()
    assert armador.pin and armador.check_pin("2468") and not armador.check_pin("1111")
    admin_client.post(change, {**data, "nuevo_pin": "", "quitar_pin": "on"})
    armador.refresh_from_db()
    assert armador.pin == ""


def test_kiosk_speaks_spanish_even_to_english_browsers(tablet, armador):
    """Spanish for everyone on the floor (issue 13): Accept-Language switches nothing."""
    for headers in ({}, {"Accept-Language": "en-US,en;q=0.9"}):
        page = tablet.get(START, headers=headers).content.decode()
        assert '<html lang="es">' in page and "¿Qué va a hacer?" in page and "What will you do?" not in page
    _identify(tablet, "ARM", 93)
    page = tablet.get(kiosk("identify", "ARM"), headers={"Accept-Language": "en"}).content.decode()
    assert '<html lang="es">' in page and "¿Quién es usted?" in page and "Who are you?" not in page


def test_inspection_offers_two_huge_results_then_a_confirmation(tablet, make_worker, make_spool):
    make_worker(id=97, roles=["Metrologia"])
    make_spool(tag_spool="I-1", arm="completado", sold="completado")
    make_spool(tag_spool="I-2", arm="completado", sold="completado")
    _identify(tablet, "METROLOGIA", 97)
    assert "accion=INSPECCIONAR&amp;tag=I-1" in tablet.get(kiosk("list", "METROLOGIA")).content.decode()
    choice = tablet.get(
        kiosk("confirm", "METROLOGIA"), {"accion": "INSPECCIONAR", "tag": ["I-1", "I-2"]}, follow=True
    ).content.decode()
    # The choice records nothing: two links to a confirmation, no form that could act on one tap.
    assert 'data-testid="elegir-aprobado"' in choice and 'data-testid="elegir-rechazado"' in choice
    assert 'name="accion"' not in choice and 'name="idem"' not in choice
    result, _ = _do(tablet, "METROLOGIA", "APROBADO", ["I-1", "I-2"])
    assert "2 spools listos" in result.content.decode()
    assert Spool.objects.filter(calidad="aprobado").count() == 2


def test_row_refresh_reevaluates_one_spool_without_counting_as_activity(
    tablet, armador, make_worker, make_spool
):
    other = make_worker(id=50, nombre="Ana", apellido="Pérez", roles=["Armador"])
    make_spool(tag_spool="R-1")
    _identify(tablet, "ARM", 93)
    seen = tablet.session[session.KEY]["seen"]
    row_url = kiosk("row", "ARM", tag="R-1")
    assert 'value="TOMAR"' in tablet.get(row_url).content.decode()
    Spool.objects.filter(tag_spool="R-1").update(
        arm="en_progreso", ocupado_por=other, fecha_ocupacion=timezone.now(), operacion_actual="ARM"
    )
    row = tablet.get(row_url, headers={"X-Zeues-Live": "1"}).content.decode()
    assert row.lstrip().startswith("<li") and "ocupado por AP(50)" in row and 'value="TOMAR"' not in row
    tablet.get(row_url, headers={"X-Zeues-Live": "1"})
    assert tablet.session[session.KEY]["seen"] >= seen
    live_seen = tablet.session[session.KEY]["seen"]
    tablet.get(row_url, headers={"X-Zeues-Live": "1"})
    assert tablet.session[session.KEY]["seen"] == live_seen


def test_row_refresh_without_identity_is_empty(tablet, make_spool):
    make_spool(tag_spool="R-2")
    assert tablet.get(kiosk("row", "ARM", tag="R-2")).status_code == 204
