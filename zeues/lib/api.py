"""The JSON API's plumbing: bearer-token auth, body parsing, form validation, error envelope.

Every API view is wrapped by `api_view`, the one place that maps domain errors, malformed
input and unavailable dependencies to responses. Nothing a client sends yields a bare 500.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, Protocol

import redis
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

from zeues.lib.errors import (
    DatosInvalidos,
    ErrorInterno,
    MetodoNoPermitido,
    NoAutenticado,
    ServicioNoDisponible,
    ZeuesError,
)
from zeues.lib.locks import LockBackendDown

logger = logging.getLogger(__name__)

View = Callable[..., JsonResponse]


def error_response(error: ZeuesError) -> JsonResponse:
    """The envelope `{success: false, error, message, data}` with the error's status."""
    return JsonResponse(error.as_dict(), status=error.status, json_dumps_params={"ensure_ascii": False})


def ok(payload: dict[str, Any] | list[Any], status: int = 200, *, safe: bool = True) -> JsonResponse:
    """A successful JSON answer (`safe=False` for a top-level list)."""
    return JsonResponse(payload, status=status, safe=safe, json_dumps_params={"ensure_ascii": False})


class Outcome(Protocol):
    """One tag's result in a batch."""

    tag_spool: str
    success: bool
    message: str
    error: str | None


def batch_response(
    outcomes: Sequence[Outcome], extra: Callable[[Any], dict[str, Any]] | None = None
) -> JsonResponse:
    """`{success, total, succeeded, failed, details: [{tag_spool, success, message, error}]}`."""
    succeeded = sum(1 for o in outcomes if o.success)
    details = []
    for o in outcomes:
        item = {"tag_spool": o.tag_spool, "success": o.success, "message": o.message, "error": o.error}
        details.append({**item, **(extra(o) if extra else {})})
    return ok(
        {
            "success": succeeded == len(outcomes),
            "total": len(outcomes),
            "succeeded": succeeded,
            "failed": len(outcomes) - succeeded,
            "details": details,
        }
    )


@functools.cache
def _token_user() -> Callable[[HttpRequest, str], Any]:
    return import_string(settings.ZEUES_API_TOKEN_USER)


def bearer_user(request: HttpRequest) -> Any:
    """The user of the request's `Authorization: Bearer` token, or None.

    Who owns a token is the project's business (setting ZEUES_API_TOKEN_USER, zeues/auth.py).
    """
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    return _token_user()(request, raw.strip())


def _authenticate(request: HttpRequest) -> None:
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise NoAutenticado()
    user = bearer_user(request)
    if user is None:
        raise NoAutenticado("El token de acceso no es válido o fue revocado.")
    request.user = user


def json_body(request: HttpRequest) -> dict[str, Any]:
    """The request body as a JSON object, or a 422 that says what is wrong."""
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise DatosInvalidos(
            "El cuerpo de la petición no es JSON válido.", data={"detalle": str(exc)}
        ) from exc
    if not isinstance(data, dict):
        raise DatosInvalidos("El cuerpo de la petición debe ser un objeto JSON.")
    return data


def validate(form_class: type[forms.Form], data: dict[str, Any]) -> dict[str, Any]:
    """Validate `data` with a Form; a 422 naming every bad field otherwise."""
    form = form_class(data=data)
    if form.is_valid():
        return form.cleaned_data
    fields = {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}
    listing = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in fields.items())
    raise DatosInvalidos(f"Datos inválidos — {listing}", data={"campos": fields})


def api_view(*methods: str) -> Callable[[View], View]:
    """Wrap a JSON API view: allowed methods, bearer auth, and the error envelope."""

    def decorator(view: View) -> View:
        @login_not_required
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
            try:
                if request.method not in methods:
                    raise MetodoNoPermitido(data={"permitidos": list(methods)})
                _authenticate(request)
                return view(request, *args, **kwargs)
            except ZeuesError as error:
                return error_response(error)
            except (OperationalError, InterfaceError, LockBackendDown, redis.RedisError) as exc:
                logger.warning("dependency down in %s: %s", request.path, exc)
                return error_response(ServicioNoDisponible(data={"detalle": type(exc).__name__}))
            except DatabaseError:
                logger.exception("database error in %s", request.path)
                return error_response(ErrorInterno())
            except Exception:
                logger.exception("unexpected error in %s", request.path)
                return error_response(ErrorInterno())

        return wrapped

    return decorator
