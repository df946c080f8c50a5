"""Domain error base class and the errors every app shares.

Each error carries a stable code for programs, an HTTP status and a Spanish message for people.
One place (zeues.lib.api) turns them into the JSON envelope
`{success: false, error: CODE, message, data}`.
"""

from __future__ import annotations

from typing import Any


class ZeuesError(Exception):
    """A refusal the client can understand: code, HTTP status, Spanish message, data."""

    code = "ERROR"
    status = 400
    default_message = "La operación no se pudo realizar."

    def __init__(self, message: str | None = None, *, data: dict[str, Any] | None = None) -> None:
        self.message = message or self.default_message
        self.data = data or {}
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        """The error envelope."""
        return {"success": False, "error": self.code, "message": self.message, "data": self.data}


class DatosInvalidos(ZeuesError):
    code = "DATOS_INVALIDOS"
    status = 422
    default_message = "Los datos enviados no son válidos."


class SolicitudInvalida(ZeuesError):
    """A malformed request: text PostgreSQL cannot store (NUL, a lone surrogate), too many fields."""

    code = "SOLICITUD_INVALIDA"
    status = 400
    default_message = "La solicitud no es válida."


class SolicitudDemasiadoGrande(ZeuesError):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE (form fields or JSON; uploaded files count apart)."""

    code = "SOLICITUD_DEMASIADO_GRANDE"
    status = 413
    default_message = "El cuerpo de la solicitud es demasiado grande."


class NoAutenticado(ZeuesError):
    code = "NO_AUTENTICADO"
    status = 401
    default_message = "Falta el token de acceso o no es válido (Authorization: Bearer <token>)."


class MetodoNoPermitido(ZeuesError):
    code = "METODO_NO_PERMITIDO"
    status = 405
    default_message = "Método HTTP no permitido en esta dirección."


class RecursoNoEncontrado(ZeuesError):
    code = "NO_ENCONTRADO"
    status = 404
    default_message = "La dirección pedida no existe."


class ServicioNoDisponible(ZeuesError):
    code = "SERVICIO_NO_DISPONIBLE"
    status = 503
    default_message = "Un servicio interno no responde; no se registró ningún cambio. Reintente."


class ErrorInterno(ZeuesError):
    code = "ERROR_INTERNO"
    status = 500
    default_message = "Error interno del servidor; no se registró ningún cambio."
