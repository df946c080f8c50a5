"""Errors about master data: unknown or inactive spools and workers."""

from zeues.lib.errors import ZeuesError


class SpoolNoEncontrado(ZeuesError):
    code = "SPOOL_NO_ENCONTRADO"
    status = 404
    default_message = "No existe un spool con ese TAG_SPOOL."


class WorkerNoEncontrado(ZeuesError):
    code = "WORKER_NO_ENCONTRADO"
    status = 404
    default_message = "No existe un trabajador con ese ID."


class TrabajadorInactivo(ZeuesError):
    code = "TRABAJADOR_INACTIVO"
    status = 403
    default_message = "El trabajador está inactivo y no puede registrar operaciones."


class SpoolInactivo(ZeuesError):
    code = "SPOOL_INACTIVO"
    status = 400
    default_message = "El spool está inactivo; no admite operaciones."


class SpoolBloqueado(ZeuesError):
    code = "SPOOL_BLOQUEADO"
    status = 403
    default_message = (
        "El spool está BLOQUEADO tras rechazos consecutivos en metrología: "
        "un supervisor debe desbloquearlo antes de cualquier acción."
    )
