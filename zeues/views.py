"""Project-level views: health checks, the landing page and the JSON 404."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection, connections
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_eventstream import views as eventstream_views

import zeues
from spools.kiosk.middleware import is_kiosk_account
from spools.models import Spool, Worker
from zeues.lib import live
from zeues.lib.api import api_view, error_response, ok
from zeues.lib.errors import NoAutenticado, RecursoNoEncontrado, ServicioNoDisponible
from zeues.lib.locks import get_backend
from zeues.models import ApiToken


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return f"error: {type(exc).__name__}"


def _check_redis() -> str:
    from django.conf import settings

    if not settings.REDIS_URL:
        return "no configurado (bloqueos y eventos en proceso)"
    try:
        get_backend().client.ping()  # type: ignore[union-attr]
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {type(exc).__name__}"


def _check_sheets() -> dict[str, object]:
    """The Google Sheets mirror's status; it never fails the health check (a mirror may lag)."""
    from zeues.mirror.status import mirror_status

    try:
        return mirror_status()
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return {"estado": f"error: {type(exc).__name__}"}


@api_view("GET")
def health(request: HttpRequest) -> JsonResponse:
    """GET /api/health: database, Redis, the Sheets mirror and version; 503 when a dependency is down."""
    database, redis_state = _check_database(), _check_redis()
    healthy = database == "ok" and not redis_state.startswith("error")
    payload = {
        "status": "ok" if healthy else "degradado",
        "database": database,
        "database_engine": connection.vendor,
        "redis": redis_state,
        "sheets": _check_sheets(),
        "version": zeues.__version__,
    }
    return ok(payload, status=200 if healthy else 503)


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """Anonymous liveness probe for load balancers: no data, just whether the database answers."""
    healthy = _check_database() == "ok"
    return HttpResponse(
        "ok" if healthy else "error", status=200 if healthy else 503, content_type="text/plain"
    )


@login_not_required
def api_not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Unknown /api/ paths answer in the envelope, not with an HTML page."""
    return error_response(RecursoNoEncontrado(data={"path": request.path}))


def index(request: HttpRequest) -> HttpResponse:
    """Landing page for logged-in staff: counts and where to go."""
    counts = Spool.objects.aggregate(
        total=Count("pk"),
        ocupados=Count("pk", filter=Q(ocupado_por__isnull=False)),
        arm_completado=Count("pk", filter=Q(arm="completado")),
        sold_completado=Count("pk", filter=Q(sold="completado")),
    )
    ocupados = (
        Spool.objects.filter(ocupado_por__isnull=False)
        .select_related("ocupado_por")
        .order_by("fecha_ocupacion")[:50]
    )
    context = {"counts": counts, "workers": Worker.objects.filter(activo=True).count(), "ocupados": ocupados}
    return render(request, "index.html", context)


class LoginView(auth_views.LoginView):
    """Login; a kiosk tablet's account stays logged in for ZEUES_KIOSK_SESSION_DAYS."""

    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        if is_kiosk_account(self.request.user):
            self.request.session.set_expiry(settings.ZEUES_KIOSK_SESSION_DAYS * 24 * 3600)
        return response

    def get_success_url(self) -> str:
        if is_kiosk_account(self.request.user):
            return reverse("kiosk:start")
        return super().get_success_url()


def _stream_user(request: HttpRequest) -> object | None:
    """The logged-in user, or the owner of a valid bearer token; None otherwise."""
    if request.user.is_authenticated:
        return request.user
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and raw.strip():
        token = ApiToken.objects.authenticate(raw.strip())
        return token.user if token else None
    return None


@login_not_required
@require_GET
def sse_stream(request: HttpRequest) -> HttpResponse:
    """GET /api/sse/stream: every spool change, live (django-eventstream; replay by Last-Event-ID)."""
    user = _stream_user(request)
    if user is None:
        return error_response(NoAutenticado())
    if isinstance(request, WSGIRequest):
        # Plain WSGI (e.g. a test server) cannot stream; 204 tells EventSource not to retry.
        return HttpResponse(status=204)
    if settings.REDIS_URL and _check_redis() != "ok":
        return error_response(
            ServicioNoDisponible("El canal en vivo no está disponible (Redis no responde).")
        )
    request.user = user  # type: ignore[assignment]
    response = eventstream_views.events(request, channels=[live.CHANNEL])
    # A stream lives for hours: it must not keep this request's database connection.
    connections.close_all()
    return response
