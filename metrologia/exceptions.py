"""Refusals of the metrología inspection (docs/domain.md, "Metrología")."""

from occupation.exceptions import DependenciasNoSatisfechas, OperacionNoPermitida


class YaAprobado(OperacionNoPermitida):
    default_message = "El spool ya fue APROBADO en metrología; no se inspecciona de nuevo."


class PendienteReparacion(DependenciasNoSatisfechas):
    default_message = "El spool fue RECHAZADO y espera reparación antes de una nueva inspección."
