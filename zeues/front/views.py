"""The staff's start page, the login page and the load balancer's probe."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from spools.models import Spool, Worker
from zeues.front.health import check_database
from zeues.front.kiosk.middleware import is_kiosk_account
from zeues.front.logins import LoginForm
from zeues.front.permissions import office_required, public


@public
def healthz(request: HttpRequest) -> HttpResponse:
    """Anonymous liveness probe for load balancers: no data, just whether the database answers."""
    healthy = check_database() == "ok"
    return HttpResponse(
        "ok" if healthy else "error", status=200 if healthy else 503, content_type="text/plain"
    )


@office_required
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
    """Login (locked after too many wrong passwords, zeues/front/logins.py); a kiosk tablet's
    account stays logged in for ZEUES_KIOSK_SESSION_DAYS."""

    redirect_authenticated_user = True
    form_class = LoginForm

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        if is_kiosk_account(self.request.user):
            self.request.session.set_expiry(settings.ZEUES_KIOSK_SESSION_DAYS * 24 * 3600)
        return response

    def get_success_url(self) -> str:
        if is_kiosk_account(self.request.user):
            return reverse("kiosk:start")
        return super().get_success_url()
