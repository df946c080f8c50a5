"""Refusals of the ARM/SOLD occupation workflow (docs/domain.md, "ARM and SOLD")."""

from zeues.lib.errors import ZeuesError


class RolNoAutorizado(ZeuesError):
    code = "ROL_NO_AUTORIZADO"
    status = 403
    default_message = "El trabajador no tiene un rol que permita esta operación."


class NoAutorizado(ZeuesError):
    code = "NO_AUTORIZADO"
    status = 403
    default_message = "Solo quien ocupa el spool puede pausarlo o completarlo."


class SpoolOcupado(ZeuesError):
    code = "SPOOL_OCUPADO"
    status = 409
    default_message = "El spool está ocupado por otro trabajador."


class DependenciasNoSatisfechas(ZeuesError):
    code = "DEPENDENCIAS_NO_SATISFECHAS"
    status = 400
    default_message = "Falta un paso previo para esta operación."


class OperacionNoPermitida(ZeuesError):
    code = "OPERACION_NO_PERMITIDA"
    status = 400
    default_message = "El estado actual del spool no permite esta operación."


class SpoolNoOcupado(ZeuesError):
    code = "SPOOL_NO_OCUPADO"
    status = 400
    default_message = "El spool no está ocupado: no hay trabajo en curso que pausar o completar."


# --- joints (docs/joints.md) -----------------------------------------------------------------


class UnionNoEncontrada(ZeuesError):
    code = "UNION_NO_ENCONTRADA"
    status = 404
    default_message = "Esa unión no existe en el spool (o está anulada)."


class UnionYaRegistrada(ZeuesError):
    code = "UNION_YA_REGISTRADA"
    status = 409
    default_message = "La unión ya estaba registrada."


class UnionNoDisponible(ZeuesError):
    code = "UNION_NO_DISPONIBLE"
    status = 400
    default_message = "Esa unión no se puede registrar en esta operación."


class UnionesPendientes(ZeuesError):
    code = "UNIONES_PENDIENTES"
    status = 400
    default_message = "Quedan uniones sin registrar: no se puede completar."
