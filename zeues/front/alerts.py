"""/alertas/: where supervisors see who called them, and answer."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from reparacion.permissions import ATENDER_ALERTA
from reparacion.services import alert_acknowledge
from spools.models import Alerta, Spool
from zeues.front.permissions import management_required
from zeues.lib.errors import ZeuesError

RECENT = datetime.timedelta(hours=24)


def alerts_context() -> dict[str, object]:
    """Open alerts (oldest first: the longest wait on top) and those answered in the last day."""
    joined = Alerta.objects.select_related(
        "spool__ocupado_por", "spool__rechazo_defecto", "llamada_por", "atendida_por"
    )
    return {
        "abiertas": list(joined.abiertas().order_by("creada_en")),
        "atendidas": list(
            joined.filter(atendida_en__gte=timezone.now() - RECENT).order_by("-atendida_en")[:20]
        ),
    }


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@management_required
def alerts(request: HttpRequest) -> HttpResponse:
    """GET: the list (its live part for htmx). POST `tag_spool`, `respuesta`: answer the alert."""
    if request.method == "POST":
        return _answer(request)
    context = {**alerts_context(), "can_answer": request.user.has_perm(ATENDER_ALERTA)}
    if request.headers.get("HX-Request"):
        return render(request, "alerts/alerts.html#alerts", context)
    return render(request, "alerts/alerts.html", context)


def _answer(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(ATENDER_ALERTA):
        messages.error(request, "Su cuenta no puede atender alertas (permiso de supervisor).")
        return redirect("alerts")
    spool = Spool.objects.filter(tag_spool=request.POST.get("tag_spool", "").strip()[:100]).first()
    try:
        if spool is None:
            raise ZeuesError("Ese spool no existe.")
        alert_acknowledge(
            spool=spool, supervisor=request.user, respuesta=request.POST.get("respuesta", "")[:300]
        )
    except ZeuesError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Alerta de {spool.tag_spool} atendida.")
    return redirect("alerts")
