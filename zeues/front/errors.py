"""Error pages (400, 403, 404, 500, failed CSRF check) in Spanish, in the look of the area asked.

Three areas by path: the kiosk (`/kiosko/`, and the login page on its way there), admin
(`/admin/`) and the staff's pages (everything else); each page offers a way back to its area's
start (the kiosk's start screen, admin's index, the start page). The JSON API (`/api/`) answers
in its envelope instead (zeues.lib.api).

An error page must not fail in turn. 400, 403, 404 and CSRF pages try the area's full layout
(templates/errors/<area>.html, which reads the user, hence the session and the database) and
fall back to templates/errors/plain.html, which needs no request, no context processor and no
database. 500 always uses the plain layout. If even that fails, a fixed Spanish page is sent.

The texts are in the status templates (templates/400.html, 403.html, 403_csrf.html, 404.html,
500.html), which Django's own handlers would also find.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.urls import Resolver404, reverse
from django.utils.translation import gettext as _

from zeues.lib.api import error_response
from zeues.lib.errors import ErrorInterno, RecursoNoEncontrado, SolicitudInvalida, ZeuesError

logger = logging.getLogger(__name__)

KIOSK, ADMIN, APP, API = "kiosk", "admin", "app", "api"
LAYOUTS = {KIOSK: "errors/kiosk.html", ADMIN: "errors/admin.html", APP: "errors/app.html"}
PLAIN = "errors/plain.html"

# The answer when even the plain page cannot be rendered (a broken template or static manifest).
LAST_RESORT = (
    '<!doctype html><html lang="es"><head><meta charset="utf-8"><title>ZEUES · Error</title></head>'
    "<body><main><h1>ZEUES: error {status}</h1><p>Ocurrió un error inesperado; vuelva a intentarlo "
    'en un momento.</p><p><a href="{back}">Volver al inicio</a></p></main></body></html>'
)


class SinPermiso(ZeuesError):
    code = "SIN_PERMISO"
    status = 403
    default_message = "Su cuenta no tiene permiso para esta acción."


class CsrfRechazado(ZeuesError):
    code = "CSRF_RECHAZADO"
    status = 403
    default_message = "La página caducó; vuelva a intentarlo."


def area(request: HttpRequest) -> str:
    """Which area's look and way back an error page at this path gets."""
    path = request.path
    kiosk, admin_index = reverse("kiosk:start"), reverse("admin:index")
    if path.startswith(kiosk):
        return KIOSK
    if path.startswith(admin_index):
        return ADMIN
    if path.startswith(reverse("api-not-found", kwargs={"rest": ""})):
        return API
    # A tablet's login page: /login/?next=/kiosko/...
    if path == reverse("login") and str(request.GET.get("next", "")).startswith(kiosk):
        return KIOSK
    return APP


def way_back(where: str) -> dict[str, str]:
    """The link an error page offers: the area's start."""
    if where == KIOSK:
        return {"back_url": reverse("kiosk:start"), "back_label": _("Volver al inicio del kiosko")}
    if where == ADMIN:
        return {"back_url": reverse("admin:index"), "back_label": _("Volver a la administración")}
    return {"back_url": reverse("index"), "back_label": _("Volver al inicio")}


def _message(exception: Exception | None) -> str:
    """The exception's own sentence when it is one of ours (Spanish), not a resolver's dict."""
    if exception is None or isinstance(exception, Resolver404) or not exception.args:
        return ""
    message = exception.args[0]
    return message if isinstance(message, str) else ""


def _page(
    request: HttpRequest, template: str, status: int, message: str = "", full: bool = True
) -> HttpResponse:
    """The status template in the area's layout, else in the plain one, else a fixed page."""
    back = "/"
    try:
        where = area(request)
        context: dict[str, Any] = {"status": status, "message": message, "area": where, **way_back(where)}
        back = context["back_url"]
    except Exception:
        logger.exception("error page %s: cannot tell the area of %s", status, request.path)
        where, context = APP, {"status": status, "message": message, "area": APP, "back_url": back}
    if full:
        try:
            # Admin's header and user tools; no app list beside an error.
            extra = (
                {**admin.site.each_context(request), "is_nav_sidebar_enabled": False}
                if where == ADMIN
                else {}
            )
            full_context = {**extra, **context, "error_layout": LAYOUTS[where]}
            needs_cookie = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
            page = loader.render_to_string(template, full_context, request=request)
            # The layout's {{ csrf_token }} must not hand out a new CSRF cookie: a 404 fetched
            # alongside a page (a missing icon) would replace the cookie that page's form holds.
            request.META["CSRF_COOKIE_NEEDS_UPDATE"] = needs_cookie
            return HttpResponse(page, status=status)
        except Exception:
            logger.exception("error page %s for %s failed; sending the plain page", status, request.path)
    html: str
    try:
        # No request: no context processor, no session, no database.
        html = loader.get_template(template).render({**context, "error_layout": PLAIN})
    except Exception:
        logger.exception("plain error page %s failed; sending the fixed page", status)
        html = LAST_RESORT.format(status=status, back=back)
    return HttpResponse(html, status=status)


def _api(request: HttpRequest, error: ZeuesError) -> JsonResponse | None:
    """The JSON envelope for /api/ paths, None elsewhere."""
    try:
        return error_response(error) if area(request) == API else None
    except Exception:
        return None


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: a malformed or suspicious request."""
    if (json := _api(request, SolicitudInvalida())) is not None:
        return json
    return _page(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403: the account may not see this page (the exception's message, when ours)."""
    message = _message(exception)
    if (json := _api(request, SinPermiso(message or None))) is not None:
        return json
    return _page(request, "403.html", 403, message)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: no such page (or no such spool: the exception's message, when ours)."""
    message = _message(exception)
    if (json := _api(request, RecursoNoEncontrado(message or None, data={"path": request.path}))) is not None:
        return json
    return _page(request, "404.html", 404, message)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: always the plain layout, which needs neither the database nor the session."""
    if (json := _api(request, ErrorInterno())) is not None:
        return json
    return _page(request, "500.html", 500, full=False)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form too old (or from a closed session) was refused; nothing was done."""
    if (json := _api(request, CsrfRechazado())) is not None:
        return json
    return _page(request, "403_csrf.html", 403)
