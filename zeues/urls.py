"""Every URL of ZEUES: the JSON API under /api/, the pages, the admin; the kiosk's are in its urls.py."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path, re_path

from occupation import api as occupation_api
from occupation import v4 as occupation_v4
from reparacion import api as reparacion_api
from zeues.front import alerts, board, downloads, gerencia, history, labels, photos, views
from zeues.front import api as front_api
from zeues.front.permissions import public, signed_in

api_patterns: list[URLPattern | URLResolver] = [
    path("occupation/", include("occupation.urls")),
    path("metrologia/", include("metrologia.urls")),
    path("reparacion/", include("reparacion.urls")),
    # v3 paths of the system ZEUES replaces.
    path("tomar-reparacion", reparacion_api.tomar, name="v3-tomar-reparacion"),
    path("pausar-reparacion", reparacion_api.pausar, name="v3-pausar-reparacion"),
    path("completar-reparacion", reparacion_api.completar, name="v3-completar-reparacion"),
    path("cancelar-reparacion", reparacion_api.cancelar, name="v3-cancelar-reparacion"),
    path("spools/reparacion", reparacion_api.lista, name="reparacion-lista"),
    path("supervisor/desbloquear", reparacion_api.desbloquear, name="supervisor-desbloquear"),
    path("supervisor/liberar", reparacion_api.liberar, name="supervisor-liberar"),
    path("supervisor/atender", reparacion_api.atender, name="supervisor-atender"),
    path("alertas", reparacion_api.alertas, name="alertas"),
    path("alertas/llamar", reparacion_api.llamar, name="alertas-llamar"),
    # Before spools.urls, whose spools/<path:tag> would otherwise swallow them.
    path("spools/iniciar", occupation_api.iniciar, name="spools-iniciar"),
    # v4 paths of the system ZEUES replaces (its joint-tracking tablets and scripts).
    path("v4/occupation/iniciar", occupation_v4.iniciar, name="v4-iniciar"),
    path("v4/occupation/finalizar", occupation_v4.finalizar, name="v4-finalizar"),
    path("spools/ocupados", occupation_api.ocupados, name="spools-ocupados"),
    path("", include("spools.urls")),
    path("health", front_api.health, name="health"),
    path("dashboard/occupied", front_api.dashboard_occupied, name="dashboard-occupied"),
    path("sse/stream", front_api.sse_stream, name="sse-stream"),
    path("history/<path:tag>", front_api.api_history, name="api-history"),
    re_path(r"^(?P<rest>.*)$", front_api.api_not_found, name="api-not-found"),
]

admin.site.site_header = "ZEUES — Administración"
admin.site.site_title = "ZEUES"
admin.site.index_title = "Supervisión del taller"

# The pages (zeues/front/), and the admin.
urlpatterns = [
    path("", views.index, name="index"),
    path("healthz", views.healthz, name="healthz"),
    path("kiosko/", include("zeues.front.kiosk.urls")),
    # Under /kiosko/ so tablet accounts may open it (the kiosk's own URLs never match this path).
    path("kiosko/foto-rechazo/<path:tag>/", photos.rejection_photo, name="rechazo-foto"),
    path("tablero/", board.board, name="board"),
    path("alertas/", alerts.alerts, name="alerts"),
    path("spools/etiquetas/", labels.sheet, name="labels"),
    path("historial/", history.search, name="history-search"),
    # Downloads before the spool page, whose <path:tag> would otherwise swallow them.
    re_path(
        r"^historial/exportar/eventos\.(?P<fmt>csv|xlsx)$",
        downloads.event_log_export,
        name="export-events",
    ),
    re_path(
        r"^historial/(?P<tag>.+)/exportar\.(?P<fmt>csv|xlsx)$",
        downloads.spool_export,
        name="export-spool",
    ),
    path("historial/<path:tag>/", history.timeline, name="history"),
    path("gerencia/", gerencia.overview, name="kpis"),
    path("spools/<path:tag>/etiqueta", labels.label, name="label"),
    path("admin/", admin.site.urls),
    # Every page names who may open it (zeues/front/permissions.py); these two are Django's views.
    path("login/", public(views.LoginView.as_view()), name="login"),
    path("logout/", signed_in(auth_views.LogoutView.as_view()), name="logout"),
    path("api/", include(api_patterns)),
]

# Error pages in Spanish, in the kiosk's, admin's or the staff pages' look (zeues/front/errors.py);
# the failed CSRF check is settings.CSRF_FAILURE_VIEW.
handler400 = "zeues.front.errors.bad_request"
handler403 = "zeues.front.errors.permission_denied"
handler404 = "zeues.front.errors.page_not_found"
handler500 = "zeues.front.errors.server_error"
