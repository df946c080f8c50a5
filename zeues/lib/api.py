"""The JSON API's plumbing: bearer-token auth, body parsing, form validation, error envelope.

Every API view is wrapped by `api_view`, the one place that maps domain errors, malformed
input and unavailable dependencies to responses. Nothing a client sends yields a bare 500.
"""

from __future__ import annotations

import functools
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

from zeues.lib.edge import json_decode
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
    """The request body as a JSON object, or a 422 (400 for NUL) that says what is wrong.

    Decoded by zeues.lib.edge.json_decode: bounded nesting, UTF-8, only text PostgreSQL can store.
    """
    data = json_decode(request.body or b"{}")
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


def _answer(view: View, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """The view's answer with domain refusals as envelopes: both are answers a retry gets again."""
    try:
        return view(request, *args, **kwargs)
    except ZeuesError as error:
        return error_response(error)


@functools.cache
def _idempotent() -> Callable[[HttpRequest, str, Callable[[], JsonResponse]], JsonResponse]:
    return import_string(settings.ZEUES_API_IDEMPOTENCY)


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
                key = request.headers.get("Idempotency-Key")
                if key is not None and request.method != "GET":
                    # Same key → the first answer, replayed (the project's store: settings hook).
                    return _idempotent()(request, key, lambda: _answer(view, request, *args, **kwargs))
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

        # The bearer token is this view's access check: the pages' deny-by-default middleware
        # (zeues.front.permissions.AccessMiddleware) leaves it to it.
        wrapped.api_view = True  # type: ignore[attr-defined]
        wrapped.api_methods = methods  # type: ignore[attr-defined]
        return wrapped

    return decorator
