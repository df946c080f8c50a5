"""The shop's states and events in words, for the screens (never for the sheet).

The sheet keeps Estado_Detalle exactly as the shop's spreadsheet spells it (`EN_REPARACION
(Ciclo 1/3) - Ocupado: LM(100)`); people on the kiosk, the board and the history read
"En reparación · intento 1 de 3 · LM(100)". Templates use the filters in templatetags/words.py.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from spools.models import JOINT_EVENTS, EstadoCalidad, EstadoOperacion, EventType, Operacion, Spool

OPERACION = {
    Operacion.ARM: "ARM",
    Operacion.SOLD: "SOLD",
    Operacion.METROLOGIA: "METROLOGÍA",
    Operacion.REPARACION: "REPARACIÓN",
}
ESTADO_OPERACION = {
    EstadoOperacion.PENDIENTE: "pendiente",
    EstadoOperacion.EN_PROGRESO: "en curso",
    EstadoOperacion.PAUSADO: "pausado",
    EstadoOperacion.COMPLETADO: "completado",
}
EVENTO = {
    EventType.TOMAR_SPOOL: "Tomó",
    EventType.PAUSAR_SPOOL: "Pausó",
    EventType.COMPLETAR_ARM: "Completó el ARM",
    EventType.COMPLETAR_SOLD: "Completó la SOLD",
    EventType.COMPLETAR_METROLOGIA: "Metrología",
    EventType.TOMAR_REPARACION: "Tomó la reparación",
    EventType.PAUSAR_REPARACION: "Pausó la reparación",
    EventType.COMPLETAR_REPARACION: "Completó la reparación",
    EventType.CANCELAR_REPARACION: "Canceló la reparación",
    EventType.SPOOL_BLOQUEADO: "Spool bloqueado",
    EventType.SUPERVISOR_OVERRIDE: "Supervisor desbloqueó el spool",
    EventType.LIBERACION_FORZADA: "Supervisor liberó la ocupación",
    EventType.IMPORT: "Importado desde la planilla",
    EventType.ALERTA_SUPERVISOR: "Llamó a supervisión",
    EventType.ALERTA_ATENDIDA: "Supervisión atendió la alerta",
    EventType.PIN_BLOQUEADO: "PIN bloqueado",
    EventType.PIN_DESBLOQUEADO: "PIN desbloqueado",
    EventType.LOGIN_BLOQUEADO: "Inicio de sesión bloqueado",
    EventType.LOGIN_DESBLOQUEADO: "Inicio de sesión desbloqueado",
    EventType.UNION_ARM_REGISTRADA: "Armó la unión",
    EventType.UNION_SOLD_REGISTRADA: "Soldó la unión",
    EventType.UNION_AGREGADA: "Supervisor agregó una unión",
    EventType.UNION_CORREGIDA: "Supervisor corrigió una unión",
    EventType.UNION_ANULADA: "Supervisor anuló una unión",
    EventType.LIBERAR_SPOOL: "Liberó sin registrar uniones",
}


def operacion(code: str) -> str:
    """`REPARACION` → `REPARACIÓN`; an unknown code is shown as it is."""
    return OPERACION.get(code, code)  # type: ignore[call-overload]


def evento(tipo: str, details: dict[str, Any] | None = None) -> str:
    """An audit event type in words; a metrología result says which (`Metrología: RECHAZADO`),
    a joint's event its number (`Armó la unión #4`)."""
    text = EVENTO.get(tipo, tipo)  # type: ignore[call-overload]
    resultado = (details or {}).get("resultado")
    if tipo == EventType.COMPLETAR_METROLOGIA and resultado:
        return f"{text}: {resultado}"
    n_union = (details or {}).get("n_union")
    if tipo in JOINT_EVENTS and n_union:
        return f"{text} #{n_union}"
    return text


def intento(ciclo: int) -> str:
    """`intento 2 de 3`, or `intento 2` when rejections never block (ZEUES_MAX_CICLOS = 0)."""
    limit = settings.ZEUES_MAX_CICLOS
    return f"intento {ciclo} de {limit}" if limit else f"intento {ciclo}"


def _attempt(ciclo: int) -> str:
    # After a supervisor's unblock the series starts again (ciclo 0): no attempt to show yet.
    return f" · {intento(ciclo)}" if ciclo else ""


def _holder(spool: Spool) -> str:
    return spool.ocupado_por.token if spool.ocupado_por else f"({spool.ocupado_por_id})"


def _quality(spool: Spool) -> str | None:
    calidad = spool.calidad
    if calidad == EstadoCalidad.BLOQUEADO:
        return f"Bloqueado · llame a un supervisor · {spool.ciclo} rechazos seguidos"
    if calidad == EstadoCalidad.APROBADO:
        return "Aprobado en metrología ✓"
    if calidad == EstadoCalidad.EN_REPARACION:
        return f"En reparación{_attempt(spool.ciclo)} · {_holder(spool)}"
    if calidad == EstadoCalidad.REPARACION_PAUSADA:
        return f"Reparación pausada{_attempt(spool.ciclo)}"
    if calidad == EstadoCalidad.PENDIENTE_METROLOGIA:
        return f"Reparado · espera metrología{_attempt(spool.ciclo)}"
    if calidad == EstadoCalidad.RECHAZADO:
        return f"Rechazado · espera reparación{_attempt(spool.ciclo)}"
    return None


def estado(spool: Spool) -> str:
    """The spool's state as a person says it: "En reparación · intento 1 de 3 · LM(100)"."""
    quality = _quality(spool)
    if quality is not None:
        return quality
    arm, sold = ESTADO_OPERACION[spool.arm], ESTADO_OPERACION[spool.sold]
    if spool.ocupado_por_id is not None:
        return f"{_holder(spool)} trabajando en {operacion(spool.operacion_actual)} · ARM {arm} · SOLD {sold}"
    if spool.arm == EstadoOperacion.COMPLETADO and spool.sold == EstadoOperacion.COMPLETADO:
        return "Listo para metrología · ARM y SOLD completados"
    return f"Disponible · ARM {arm} · SOLD {sold}"
