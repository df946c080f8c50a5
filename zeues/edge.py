"""The edge: a request is refused before any view or query reads it when it cannot be served.

Two refusals, for every URL, as the first middleware after static files:

- text PostgreSQL cannot store (NUL, a lone surrogate: zeues/lib/edge.py) in the path, the query
  string or a form field → 400 (`SOLICITUD_INVALIDA` under /api/, the Spanish 400 page elsewhere);
- a body over DATA_UPLOAD_MAX_MEMORY_SIZE → 413 `SOLICITUD_DEMASIADO_GRANDE` under /api/, the
  Spanish 400 page elsewhere. The body is read here, once; views reuse it.

JSON bodies are checked where they are decoded (zeues.lib.api.json_body → zeues.lib.edge).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, QueryDict

from zeues.front.errors import API, area, bad_request
from zeues.lib.api import error_response
from zeues.lib.edge import all_storable, storable, unstorable_refusal
from zeues.lib.errors import SolicitudDemasiadoGrande, ZeuesError

logger = logging.getLogger(__name__)

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
FORM_TYPES = {"multipart/form-data", "application/x-www-form-urlencoded"}


def _texts(params: QueryDict) -> Iterator[str]:
    for key, values in params.lists():
        yield key
        yield from values


def _check(request: HttpRequest) -> ZeuesError | None:
    """The refusal this request earns, or None; reading the body may raise RequestDataTooBig."""
    if not storable(request.path):
        return unstorable_refusal("path")
    if not all_storable(_texts(request.GET)):
        return unstorable_refusal("query")
    if request.method not in BODY_METHODS:
        return None
    if request.content_type in FORM_TYPES:
        names = [f.name or "" for files in request.FILES.lists() for f in files[1]]
        if not all_storable([*_texts(request.POST), *names]):
            return unstorable_refusal("form")
    else:
        request.body  # noqa: B018 - read now, so a body over the limit is refused here, once
    return None


class EdgeMiddleware:
    """Refuse unstorable text (400) and bodies over the limit (413) before anything else runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # A cookie with NUL (a forged session key) is dropped, not refused: the browser would
        # send it again with every request, and the page could never be opened.
        request.COOKIES = {k: v for k, v in request.COOKIES.items() if storable(k) and storable(v)}
        try:
            error = _check(request)
        except RequestDataTooBig:
            error = SolicitudDemasiadoGrande(data={"max_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
        if error is None:
            return self.get_response(request)
        logger.info("refused at the edge: %s %r: %s", request.method, request.path[:200], error.code)
        if area(request) == API:
            return error_response(error)
        return bad_request(request)
