"""The pages' URLs (names without a namespace, as templates and tests use them)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from zeues.front import board, downloads, gerencia, history, labels, views

urlpatterns = [
    path("", views.index, name="index"),
    path("healthz", views.healthz, name="healthz"),
    path("kiosko/", include("zeues.front.kiosk.urls")),
    path("tablero/", board.board, name="board"),
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
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
