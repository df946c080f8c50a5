"""JSON API of REPARACION (new and v3 paths), the repair list, the supervisor acts and alerts."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from occupation import actions
from reparacion import services
from reparacion.forms import AtencionForm, LlamadaForm, MotivoForm, ReparacionForm
from reparacion.permissions import ATENDER_ALERTA, DESBLOQUEAR, LIBERAR, ensure_permission
from spools.models import Accion, Alerta, EstadoCalidad, Operacion, Spool
from spools.serializers import spool_to_dict
from spools.services import spool_get, worker_get
from zeues.lib.api import api_view, json_body, ok, validate

MESSAGES = {
    Accion.TOMAR: "Reparación de {tag} tomada por {w}.",
    Accion.PAUSAR: "Reparación de {tag} pausada por {w}.",
    Accion.COMPLETAR: "Reparación de {tag} completada por {w}: vuelve a metrología.",
    Accion.CANCELAR: "Reparación de {tag} cancelada por {w}.",
}


def _action(request: HttpRequest, accion: Accion) -> JsonResponse:
    data = validate(ReparacionForm, json_body(request))
    worker = worker_get(worker_id=data["worker_id"])
    service = actions.get(Operacion.REPARACION, accion)
    spool = service(
        actions.Request(spool=spool_get(tag_spool=data["tag_spool"]), worker=worker, actor=request.user)
    )
    template = MESSAGES[accion]
    return ok(
        {
            "success": True,
            "tag_spool": spool.tag_spool,
            "message": template.format(tag=spool.tag_spool, w=worker.token),
            "estado_detalle": spool.estado_detalle,
            "ciclo": spool.ciclo,
        }
    )


@api_view("POST")
def tomar(request: HttpRequest) -> JsonResponse:
    """POST /api/reparacion/tomar (v3: /api/tomar-reparacion)."""
    return _action(request, Accion.TOMAR)


@api_view("POST")
def pausar(request: HttpRequest) -> JsonResponse:
    """POST /api/reparacion/pausar (v3: /api/pausar-reparacion)."""
    return _action(request, Accion.PAUSAR)


@api_view("POST")
def completar(request: HttpRequest) -> JsonResponse:
    """POST /api/reparacion/completar (v3: /api/completar-reparacion)."""
    return _action(request, Accion.COMPLETAR)


@api_view("POST")
def cancelar(request: HttpRequest) -> JsonResponse:
    """POST /api/reparacion/cancelar (v3: /api/cancelar-reparacion)."""
    return _action(request, Accion.CANCELAR)


@api_view("GET")
def lista(request: HttpRequest) -> JsonResponse:
    """GET /api/spools/reparacion: spools waiting for, or in, repair, and the blocked ones."""
    estados = [
        EstadoCalidad.RECHAZADO,
        EstadoCalidad.EN_REPARACION,
        EstadoCalidad.REPARACION_PAUSADA,
        EstadoCalidad.BLOQUEADO,
    ]
    spools = Spool.objects.filter(calidad__in=estados).select_related("ocupado_por").order_by("tag_spool")
    items = [
        {
            "tag_spool": s.tag_spool,
            "estado_detalle": s.estado_detalle,
            "ciclo": s.ciclo,
            "bloqueado": s.bloqueado,
            "ocupado_por": s.ocupado_por.token if s.ocupado_por else None,
        }
        for s in spools
    ]
    return ok({"spools": items, "total": len(items), "bloqueados": sum(1 for i in items if i["bloqueado"])})


@api_view("POST")
def desbloquear(request: HttpRequest) -> JsonResponse:
    """POST /api/supervisor/desbloquear {tag_spool, motivo}: needs the desbloquear permission."""
    ensure_permission(request.user, DESBLOQUEAR)
    data = validate(MotivoForm, json_body(request))
    spool = services.spool_unblock(
        spool=spool_get(tag_spool=data["tag_spool"]), supervisor=request.user, motivo=data["motivo"]
    )
    message = f"Spool {spool.tag_spool} desbloqueado por {request.user}: {spool.estado_detalle}."
    return ok(
        {"success": True, "tag_spool": spool.tag_spool, "message": message, "spool": spool_to_dict(spool)}
    )


@api_view("POST")
def liberar(request: HttpRequest) -> JsonResponse:
    """POST /api/supervisor/liberar {tag_spool, motivo}: force release; needs the liberar permission."""
    ensure_permission(request.user, LIBERAR)
    data = validate(MotivoForm, json_body(request))
    spool = services.spool_force_release(
        spool=spool_get(tag_spool=data["tag_spool"]), supervisor=request.user, motivo=data["motivo"]
    )
    message = f"Ocupación de {spool.tag_spool} liberada por {request.user}: {spool.estado_detalle}."
    return ok(
        {"success": True, "tag_spool": spool.tag_spool, "message": message, "spool": spool_to_dict(spool)}
    )


def alert_to_dict(alerta: Alerta) -> dict[str, object]:
    """One open alert as GET /api/alertas lists it."""
    return {
        "tag_spool": alerta.spool.tag_spool,
        "motivo": alerta.motivo,
        "mensaje": alerta.mensaje,
        "creada_en": timezone.localtime(alerta.creada_en).isoformat(),
        "llamada_por": alerta.llamada_por.token if alerta.llamada_por else None,
        "estado_detalle": alerta.spool.estado_detalle,
    }


@api_view("GET")
def alertas(request: HttpRequest) -> JsonResponse:
    """GET /api/alertas: the alerts no supervisor has answered yet, newest first."""
    open_ = Alerta.objects.abiertas().select_related("spool__ocupado_por", "llamada_por")
    items = [alert_to_dict(a) for a in open_]
    return ok({"alertas": items, "total": len(items)})


@api_view("POST")
def llamar(request: HttpRequest) -> JsonResponse:
    """POST /api/alertas/llamar {tag_spool, worker_id, mensaje?}: call a supervisor to a spool."""
    data = validate(LlamadaForm, json_body(request))
    worker = worker_get(worker_id=data["worker_id"])
    spool = services.alert_call(
        spool=spool_get(tag_spool=data["tag_spool"]),
        worker=worker,
        mensaje=data["mensaje"],
        actor=request.user,
    )
    message = f"Supervisión avisada por {worker.token}: {spool.tag_spool}."
    return ok({"success": True, "tag_spool": spool.tag_spool, "message": message})


@api_view("POST")
def atender(request: HttpRequest) -> JsonResponse:
    """POST /api/supervisor/atender {tag_spool, respuesta?}: answer the spool's open alert."""
    ensure_permission(request.user, ATENDER_ALERTA)
    data = validate(AtencionForm, json_body(request))
    spool = services.alert_acknowledge(
        spool=spool_get(tag_spool=data["tag_spool"]), supervisor=request.user, respuesta=data["respuesta"]
    )
    message = f"Alerta de {spool.tag_spool} atendida por {request.user}."
    return ok({"success": True, "tag_spool": spool.tag_spool, "message": message})
