"""The inspector's verdict on the kiosk (verdict.py), the repairer's brief, and a blocked spool's call."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from spools.models import Alerta, Event, Spool
from zeues.front.kiosk.tests.test_views import _identify, kiosk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def inspector(make_worker):
    return make_worker(id=97, nombre="Óscar", apellido="Pérez", roles=["Metrologia"])


def _photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (2400, 1800), (120, 120, 120)).save(out, "PNG")
    return SimpleUploadedFile("IMG_0001.png", out.getvalue(), content_type="image/png")


def _reject_screen(tablet, tags):
    page = tablet.get(
        kiosk("confirm", "METROLOGIA"),
        {"accion": "INSPECCIONAR", "tag": tags, "resultado": "RECHAZADO"},
        follow=True,
    )
    html = page.content.decode()
    return html, re.search(r'name="idem" value="([0-9a-f]{32})"', html).group(1), page.request["PATH_INFO"]


def _post(tablet, tags, idem, **fields):
    data = {"accion": "RECHAZADO", "operacion": "METROLOGIA", "tags": tags, "idem": idem, **fields}
    return tablet.post(kiosk("execute", "METROLOGIA"), data)


def test_the_rejection_screen_asks_for_the_defect_a_note_and_a_photo(tablet, inspector, make_spool):
    make_spool(tag_spool="Q-1", arm="completado", sold="completado")
    _identify(tablet, "METROLOGIA", 97)
    html, _, _ = _reject_screen(tablet, ["Q-1"])
    assert html.count('type="radio" name="defecto"') == 9 and "required" in html
    assert "Porosidad" in html and "Falta de fusión" in html
    assert 'name="nota"' in html and 'enctype="multipart/form-data"' in html
    assert 'type="file" accept="image/*" capture="environment"' in html
    assert 'value="RECHAZADO"' in html and 'data-testid="confirmar-veredicto"' in html


def test_a_rejection_without_a_defect_writes_nothing_and_says_why(
    tablet, inspector, make_spool, nothing_written
):
    make_spool(tag_spool="Q-1", arm="completado", sold="completado")
    _identify(tablet, "METROLOGIA", 97)
    _, idem, _ = _reject_screen(tablet, ["Q-1"])
    with nothing_written():
        r = _post(tablet, ["Q-1"], idem, volver=kiosk("confirm", "METROLOGIA") + "?resultado=RECHAZADO")
    assert r.status_code == 302 and "resultado=RECHAZADO" in r["Location"]
    assert "Elija el defecto del rechazo." in tablet.get(r["Location"], follow=True).content.decode()


def test_a_rejection_records_defect_note_and_a_re_encoded_photo(tablet, inspector, make_spool):
    make_spool(tag_spool="Q-1", arm="completado", sold="completado")
    _identify(tablet, "METROLOGIA", 97)
    _, idem, _ = _reject_screen(tablet, ["Q-1"])
    r = _post(tablet, ["Q-1"], idem, defecto="SOCAVACION", nota="unión 3", foto=_photo())
    result = tablet.get(r["Location"]).content.decode()
    assert "RECHAZADO: listo" in result
    spool = Spool.objects.with_people().get(tag_spool="Q-1")
    assert (spool.rechazo_defecto.codigo, spool.rechazo_nota) == ("SOCAVACION", "unión 3")
    with default_storage.open(spool.rechazo_foto) as f, Image.open(f) as kept:
        assert kept.format == "JPEG" and max(kept.size) == 1600
    event = Event.objects.get(spool=spool)
    assert (event.details["defecto"], event.details["nota"], event.details["foto"]) == (
        "SOCAVACION",
        "unión 3",
        spool.rechazo_foto,
    )


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_kept(
    tablet, inspector, make_spool, nothing_written, tmp_path
):
    make_spool(tag_spool="Q-1", arm="completado", sold="completado")
    _identify(tablet, "METROLOGIA", 97)
    _, idem, _ = _reject_screen(tablet, ["Q-1"])
    fake = SimpleUploadedFile("foto.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    with nothing_written():
        r = _post(tablet, ["Q-1"], idem, defecto="FISURA", foto=fake)
    assert "no es una foto" in tablet.get(r["Location"], follow=True).content.decode()
    assert not any(tmp_path.rglob("*.jpg"))


def test_the_blocking_rejection_is_shown_as_an_alert_that_stays(tablet, inspector, make_spool):
    make_spool(tag_spool="Q-B", arm="completado", sold="completado", calidad="pendiente_metrologia", ciclo=2)
    _identify(tablet, "METROLOGIA", 97)
    _, idem, _ = _reject_screen(tablet, ["Q-B"])
    result = tablet.get(_post(tablet, ["Q-B"], idem, defecto="FISURA")["Location"]).content.decode()
    assert 'data-testid="bloqueo-alerta"' in result and "Q-B quedó BLOQUEADO" in result
    assert "RECHAZADO: spool BLOQUEADO" in result and "k-title k-bad" in result
    assert "data-countdown" not in result  # stays until someone taps
    assert Alerta.objects.abiertas().filter(spool__tag_spool="Q-B", motivo=Alerta.BLOQUEO).exists()


def test_the_repairer_sees_the_defect_note_and_photo_before_taking(tablet, make_worker, make_spool):
    make_worker(id=93, roles=[])
    inspector = make_worker(id=97, roles=["Metrologia"])
    spool = make_spool(tag_spool="R-1", arm="completado", sold="completado")
    from metrologia.services import spool_inspect

    spool_inspect(
        spool=spool,
        worker=inspector,
        resultado="RECHAZADO",
        defecto="POROSIDAD",
        nota="cordón 2",
        foto="r/x.jpg",
    )
    _identify(tablet, "REPARACION", 93)
    row = tablet.get(kiosk("list", "REPARACION")).content.decode()
    assert 'data-testid="rechazo"' in row and "Porosidad" in row and "«cordón 2»" in row
    assert kiosk("spool", tag="R-1").replace("spool", "foto-rechazo") in row  # the photo, linked
    taken = tablet.post(
        kiosk("execute", "REPARACION"),
        {"accion": "TOMAR", "operacion": "REPARACION", "tags": ["R-1"], "idem": uuid.uuid4().hex},
    )
    assert "Tomado" in tablet.get(taken["Location"]).content.decode()
    mine = tablet.get(kiosk("my-spools")).content.decode()
    assert "R-1" in mine and "Porosidad" in mine


def test_a_blocked_spool_shows_the_block_and_the_call_not_operations(tablet, make_worker, make_spool):
    make_worker(id=93, roles=[])
    spool = make_spool(tag_spool="B-1", arm="completado", sold="completado", calidad="bloqueado", ciclo=3)
    page = tablet.get(kiosk("spool", tag="B-1")).content.decode()
    assert 'data-testid="bloqueado"' in page and "BLOQUEADO tras 3 rechazos seguidos" in page
    assert 'data-testid="llamar"' in page and "k-op-metrologia" not in page and "k-op-reparacion" not in page
    r = tablet.post(kiosk("call", tag="B-1"), {"volver": kiosk("spool", tag="B-1")}, follow=True)
    html = r.content.decode()
    assert "Se avisó a supervisión por B-1." in html and 'data-testid="avisado"' in html
    alerta = Alerta.objects.abiertas().get(spool=spool)
    assert alerta.motivo == Alerta.LLAMADA and alerta.llamada_por is None  # nobody identified: the tablet
    assert Event.objects.get(spool=spool, evento_tipo="ALERTA_SUPERVISOR").actor.username == "tablet-3"


def test_a_second_call_says_the_supervisors_already_know(tablet, armador, make_spool, nothing_written):
    make_spool(tag_spool="B-2", calidad="bloqueado", ciclo=3)
    _identify(tablet, "TODAS", 93)
    tablet.post(kiosk("call", tag="B-2"), {"volver": kiosk("spool", tag="B-2")})
    assert Alerta.objects.get(spool__tag_spool="B-2").llamada_por_id == 93
    with nothing_written():
        r = tablet.post(kiosk("call", tag="B-2"), {"volver": "https://evil.example/"}, follow=True)
    assert r.request["PATH_INFO"] == kiosk("start")  # never back to another site
    assert "Ya se avisó a supervisión por B-2" in r.content.decode()


def test_a_scanned_rejected_spool_shows_its_reason_and_offers_only_the_repair(
    tablet, make_worker, make_spool
):
    inspector = make_worker(id=97, roles=["Metrologia"])
    spool = make_spool(tag_spool="R-2", arm="completado", sold="completado")
    from metrologia.services import spool_inspect

    spool_inspect(spool=spool, worker=inspector, resultado="RECHAZADO", defecto="FISURA", nota="junta 3")
    page = tablet.get(kiosk("spool", tag="R-2")).content.decode()  # nobody identified yet
    assert 'data-testid="rechazo"' in page and "Fisura" in page and "«junta 3»" in page
    assert "k-op-reparacion" in page and "k-op-metrologia" not in page  # it cannot be inspected now


def test_an_imported_rejection_without_a_defect_says_so(tablet, make_spool):
    make_spool(tag_spool="R-3", arm="completado", sold="completado", calidad="rechazado", ciclo=1)
    page = tablet.get(kiosk("spool", tag="R-3")).content.decode()
    assert "Rechazo sin defecto registrado" in page


def test_a_spool_nobody_can_take_says_so_on_its_page(tablet, make_spool):
    make_spool(tag_spool="N-1", arm="completado", sold="completado", calidad="aprobado")
    page = tablet.get(kiosk("spool", tag="N-1")).content.decode()
    assert "Ahora nadie puede tomar este spool en el kiosko." in page and "k-btn-op" not in page
    assert 'data-testid="rechazo"' not in page
