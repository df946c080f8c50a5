"""The screens say states and events in words; the sheet's Estado_Detalle stays as specified."""

import pytest

from spools.models import EventType
from zeues.front import words


def _spool(make_spool, make_worker, **fields):
    spool = make_spool(**fields)
    return type(spool).objects.select_related("ocupado_por").get(pk=spool.pk)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"calidad": "en_reparacion", "ciclo": 1, "holder": True},
            "En reparación · intento 1 de 3 · LM(100)",
        ),
        ({"calidad": "reparacion_pausada", "ciclo": 2}, "Reparación pausada · intento 2 de 3"),
        ({"calidad": "pendiente_metrologia", "ciclo": 1}, "Reparado · espera metrología · intento 1 de 3"),
        ({"calidad": "rechazado", "ciclo": 0}, "Rechazado · espera reparación"),
        ({"calidad": "en_reparacion", "ciclo": 0, "holder": True}, "En reparación · LM(100)"),
        ({"calidad": "rechazado", "ciclo": 2}, "Rechazado · espera reparación · intento 2 de 3"),
        ({"calidad": "bloqueado", "ciclo": 3}, "Bloqueado · llame a un supervisor · 3 rechazos seguidos"),
        ({"calidad": "aprobado", "arm": "completado", "sold": "completado"}, "Aprobado en metrología ✓"),
        ({"arm": "completado", "sold": "pausado"}, "Disponible · ARM completado · SOLD pausado"),
        ({"arm": "completado", "sold": "completado"}, "Listo para metrología · ARM y SOLD completados"),
    ],
)
def test_states_in_words_never_show_a_code(make_spool, make_worker, fields, expected):
    if fields.pop("holder", False):
        holder = make_worker(id=100, nombre="Luis", apellido="Muñoz")
        fields.update(
            ocupado_por=holder, fecha_ocupacion="2026-12-01T08:00:00-03:00", operacion_actual="REPARACION"
        )
    spool = _spool(make_spool, make_worker, **fields)
    text = words.estado(spool)
    assert text == expected
    assert "_" not in text and "Ciclo" not in text


def test_an_occupied_spool_says_who_works_on_what(make_spool, make_worker):
    holder = make_worker(id=93)
    spool = _spool(
        make_spool,
        make_worker,
        arm="en_progreso",
        ocupado_por=holder,
        fecha_ocupacion="2026-12-01T08:00:00-03:00",
        operacion_actual="ARM",
    )
    assert words.estado(spool) == "MR(93) trabajando en ARM · ARM en curso · SOLD pendiente"


def test_unlimited_rejections_show_the_attempt_alone(make_spool, make_worker, settings):
    settings.ZEUES_MAX_CICLOS = 0
    assert words.estado(_spool(make_spool, make_worker, calidad="rechazado", ciclo=4)).endswith("intento 4")


def test_every_event_type_has_words():
    assert set(words.EVENTO) == set(EventType)
    assert all("_" not in words.evento(tipo) for tipo in EventType)
    assert words.evento(EventType.COMPLETAR_METROLOGIA, {"resultado": "RECHAZADO"}) == "Metrología: RECHAZADO"
    assert words.operacion("REPARACION") == "REPARACIÓN"
