from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path, re_path

from occupation import board
from reparacion import views as reparacion_views
from spools import exports_views, history_views, kpi_views, labels
from zeues import views

api_patterns: list[URLPattern | URLResolver] = [
    path("occupation/", include("occupation.urls")),
    path("metrologia/", include("metrologia.urls")),
    path("reparacion/", include("reparacion.urls")),
    # v3 paths of the system ZEUES replaces.
    path("tomar-reparacion", reparacion_views.tomar),
    path("pausar-reparacion", reparacion_views.pausar),
    path("completar-reparacion", reparacion_views.completar),
    path("cancelar-reparacion", reparacion_views.cancelar),
    path("spools/reparacion", reparacion_views.lista, name="reparacion-lista"),
    path("supervisor/desbloquear", reparacion_views.desbloquear, name="supervisor-desbloquear"),
    path("supervisor/liberar", reparacion_views.liberar, name="supervisor-liberar"),
    path("", include("spools.urls")),
    path("health", views.health, name="health"),
    path("dashboard/occupied", board.dashboard_occupied, name="dashboard-occupied"),
    path("sse/stream", views.sse_stream, name="sse-stream"),
    path("history/<path:tag>", history_views.api_history, name="api-history"),
    re_path(r"^(?P<rest>.*)$", views.api_not_found),
]

admin.site.site_header = "ZEUES — Administración"
admin.site.site_title = "ZEUES"
admin.site.index_title = "Supervisión del taller"

urlpatterns = [
    path("", views.index, name="index"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("kiosko/", include("spools.kiosk.urls")),
    path("tablero/", board.board, name="board"),
    path("spools/etiquetas/", labels.sheet, name="labels"),
    path("historial/", history_views.search, name="history-search"),
    # Exports before the spool page, whose <path:tag> would otherwise swallow them.
    re_path(
        r"^historial/exportar/eventos\.(?P<fmt>csv|xlsx)$",
        exports_views.event_log_export,
        name="export-events",
    ),
    re_path(
        r"^historial/(?P<tag>.+)/exportar\.(?P<fmt>csv|xlsx)$",
        exports_views.spool_export,
        name="export-spool",
    ),
    path("historial/<path:tag>/", history_views.timeline, name="history"),
    path("gerencia/", kpi_views.overview, name="kpis"),
    path("spools/<path:tag>/etiqueta", labels.label, name="label"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/", include(api_patterns)),
]
