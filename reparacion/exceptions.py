"""Refusals of the repair workflow and of the supervisor's acts.

The rules are in docs/domain.md, "Reparación" and docs/domain.md, "Supervisor acts".
"""

from occupation.exceptions import OperacionNoPermitida
from zeues.lib.errors import ZeuesError


class NoReparable(OperacionNoPermitida):
    default_message = "El spool no está pendiente de reparación."


class PermisoDenegado(ZeuesError):
    code = "PERMISO_DENEGADO"
    status = 403
    default_message = "Su cuenta no tiene el permiso de supervisor necesario para esta acción."


class NoBloqueado(OperacionNoPermitida):
    default_message = "El spool no está BLOQUEADO: no hay nada que desbloquear."


class AlertaYaAbierta(ZeuesError):
    code = "ALERTA_YA_ABIERTA"
    status = 409
    default_message = "Ya se avisó a supervisión por este spool; la alerta sigue abierta."


class SinAlerta(OperacionNoPermitida):
    default_message = "El spool no tiene una alerta abierta que atender."
