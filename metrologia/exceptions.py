"""Refusals of the metrología inspection (DOMAIN §3.2)."""

from occupation.exceptions import DependenciasNoSatisfechas, OperacionNoPermitida


class YaAprobado(OperacionNoPermitida):
    default_message = "El spool ya fue APROBADO en metrología; no se inspecciona de nuevo."


class PendienteReparacion(DependenciasNoSatisfechas):
    default_message = "El spool fue RECHAZADO y espera reparación antes de una nueva inspección."
