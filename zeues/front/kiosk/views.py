"""The kiosk: shared tablets on the shop floor, big buttons, gloves, Spanish.

Flow: start (choose the operation) → identify (tap a name, type or scan the id; PIN if set) →
the operation's spool list (what this worker can do now; everything else greyed with the
reason) → confirm → result (every spool's outcome) → back to the start after a few seconds.
Views only load, validate, call a service and render; the rules live in the services.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from occupation import actions
from occupation.actions import BatchOutcome
from occupation.engine import Actor
from occupation.permissions import ensure_worker_can, worker_can_do
from spools.models import Accion, Operacion, Resultado, Spool, Worker
from zeues.front.kiosk import availability, idempotency, session
from zeues.front.kiosk.forms import ExecuteForm, IdentifyForm, PinForm, ScanForm, SelectionForm
from zeues.lib.errors import ZeuesError
from zeues.reports import worker_record as record

LABELS = {
    "ARM": "ARM",
    "SOLD": "SOLD",
    "METROLOGIA": "METROLOGÍA",
    "REPARACION": "REPARACIÓN",
    "TODAS": _("Mis spools"),
}

# What each action says on the result screen, before the spool's new state.
_DONE = {
    Accion.TOMAR: "Tomado",
    Accion.PAUSAR: "Pausado",
    Accion.COMPLETAR: "Completado",
    Accion.CANCELAR: "Reparación cancelada",
    Resultado.APROBADO: "APROBADO en metrología",
    Resultado.RECHAZADO: "RECHAZADO en metrología",
}


def _ctx(request: HttpRequest, op: str | None = None, **extra: object) -> dict[str, object]:
    identity = session.current(request)
    return {
        "op": op,
        "op_label": LABELS.get(op or "", ""),
        "identity": identity,
        "idle_seconds": settings.ZEUES_KIOSK_IDLE_SECONDS if identity else 0,
        **extra,
    }


def _list_url(op: str) -> str:
    return reverse("kiosk:my-spools") if op == session.ALL else reverse("kiosk:list", args=[op])


def _search_suffix(request: HttpRequest) -> str:
    """Carry a scanned tag (`?q=`) from the spool page through identification to the list."""
    q = request.GET.get("q", "").strip()
    return f"?{urlencode({'q': q})}" if q else ""


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """Start screen: choose the operation, or scan a spool. Forgets whoever was here."""
    session.forget(request)
    ops = [(op, LABELS[op]) for op in availability.OPERATIONS]
    return render(request, "kiosk/start.html", _ctx(request, operations=ops, form=ScanForm()))


@require_GET
def scan(request: HttpRequest) -> HttpResponse:
    """A scanned QR label or a typed tag opens that spool."""
    form = ScanForm(request.GET)
    if form.is_valid() and Spool.objects.filter(tag_spool=form.cleaned_data["codigo"]).exists():
        return redirect("kiosk:spool", tag=form.cleaned_data["codigo"])
    messages.error(
        request, _("No se reconoce el código «%(c)s» como un spool.") % {"c": request.GET.get("codigo", "")}
    )
    return redirect("kiosk:start")


def _allowed_workers(op: str) -> list[Worker]:
    workers = Worker.objects.filter(activo=True).prefetch_related("roles").order_by("nombre", "apellido")
    if op == session.ALL:
        return list(workers)
    return [w for w in workers if worker_can_do(w, op)]


@require_http_methods(["GET", "POST"])
def identify(request: HttpRequest, op: str) -> HttpResponse:
    """Who are you? Big name buttons for the operation's roles, or an id/badge field."""
    form = IdentifyForm(request.POST or None)
    if form.is_valid():
        worker = Worker.objects.prefetch_related("roles").filter(pk=form.cleaned_data["worker_id"]).first()
        try:
            if worker is None:
                raise ZeuesError(
                    _("No existe un trabajador con el número %(n)s.") % {"n": form.cleaned_data["worker_id"]}
                )
            if op != session.ALL:
                ensure_worker_can(worker, op)
            elif not worker.activo:
                raise ZeuesError(_("%(w)s está inactivo.") % {"w": worker.token})
        except ZeuesError as error:
            form.add_error("worker_id", error.message)
        else:
            session.identify(request, worker, op, pin_ok=not worker.pin)
            target = reverse("kiosk:pin", args=[op]) if worker.pin else _list_url(op)
            return redirect(target + _search_suffix(request))
    context = _ctx(request, op, form=form, workers=_allowed_workers(op), q=request.GET.get("q", ""))
    return render(request, "kiosk/identify.html", context)


@require_http_methods(["GET", "POST"])
def pin(request: HttpRequest, op: str) -> HttpResponse:
    """The optional PIN of the worker being identified; three mistakes start over."""
    worker = session.pending(request)
    if worker is None:
        return redirect("kiosk:identify", op=op)
    form = PinForm(request.POST or None)
    if form.is_valid():
        if worker.check_pin(form.cleaned_data["pin"]):
            session.confirm_pin(request)
            return redirect(_list_url(op) + _search_suffix(request))
        fails = request.session.get("kiosk_pin_fails", 0) + 1
        request.session["kiosk_pin_fails"] = fails
        if fails >= 3:
            request.session.pop("kiosk_pin_fails", None)
            session.forget(request)
            messages.error(request, _("PIN incorrecto tres veces. Vuelva a identificarse."))
            return redirect("kiosk:identify", op=op)
        form.add_error("pin", _("PIN incorrecto."))
    return render(request, "kiosk/pin.html", _ctx(request, op, form=form, pending=worker))


@require_GET
@vary_on_headers("HX-Request")
def spool_list(request: HttpRequest, op: str) -> HttpResponse:
    """The operation's spools for the identified worker; `q` searches, `desde` pages (htmx)."""
    identity = session.current(request, op)
    if identity is None or op == session.ALL:
        return redirect("kiosk:identify", op=op)
    q = request.GET.get("q", "").strip()[:100]
    desde = request.GET.get("desde", "0")
    offset = int(desde) if desde.isdigit() else 0
    rows, total = availability.rows_for(identity.worker, op, q=q, offset=offset)
    context = _ctx(
        request,
        op,
        rows=rows,
        total=total,
        q=q,
        next_offset=offset + len(rows),
        actions=availability.ACTIONS_BY_OPERATION[op],
    )
    if request.headers.get("HX-Request") and request.GET.get("desde"):
        return render(request, "kiosk/list.html#rows", context)
    return render(request, "kiosk/list.html", context)


@require_GET
def row(request: HttpRequest, op: str, tag: str) -> HttpResponse:
    """One list row, re-evaluated now (the live stream asks for it when the spool changes)."""
    identity = session.current(request, op)
    spool = Spool.objects.select_related("ocupado_por").filter(tag_spool=tag).first()
    if identity is None or spool is None:
        return HttpResponse(status=204)
    context = _ctx(request, op, row=availability.evaluate(spool, identity.worker, op))
    return render(request, "kiosk/list.html#row", context)


@require_GET
def my_spools(request: HttpRequest) -> HttpResponse:
    """Every spool the identified worker holds, each one PAUSAR or COMPLETAR away."""
    identity = session.current(request)
    if identity is None:
        return redirect("kiosk:identify", op=session.ALL)
    rows = availability.held_by(identity.worker)
    return render(request, "kiosk/my_spools.html", _ctx(request, session.ALL, rows=rows))


@require_GET
def my_record(request: HttpRequest) -> HttpResponse:
    """«Mi registro»: the identified worker's own sessions, completions and hours, today and this week."""
    identity = session.current(request)
    if identity is None:
        return redirect("kiosk:identify", op=session.ALL)
    today, week = record.worker_record(identity.worker)
    periods = [(_("Hoy"), today, "today"), (_("Esta semana (desde el lunes)"), week, "week")]
    return render(request, "kiosk/my_record.html", _ctx(request, periods=periods))


@require_GET
def confirm(request: HttpRequest, op: str) -> HttpResponse:
    """Confirm an action on the chosen spools; the form carries a one-time key."""
    identity = session.current(request, op)
    if identity is None:
        return redirect("kiosk:identify", op=op)
    form = SelectionForm({"accion": request.GET.get("accion", ""), "tags": request.GET.getlist("tag")})
    real_op = request.GET.get("operacion", op) if op == session.ALL else op
    if not form.is_valid() or real_op not in availability.ACTIONS_BY_OPERATION:
        messages.error(request, _("Elija al menos un spool (máximo 50) y una acción."))
        return redirect(_list_url(op))
    if form.cleaned_data["accion"] not in availability.ACTIONS_BY_OPERATION[real_op]:
        messages.error(request, _("Acción no válida para %(op)s.") % {"op": LABELS[real_op]})
        return redirect(_list_url(op))
    context = _ctx(
        request,
        op,
        accion=form.cleaned_data["accion"],
        tags=form.cleaned_data["tags"],
        real_op=real_op,
        real_label=LABELS[real_op],
        idem=idempotency.new_key(),
    )
    return render(request, "kiosk/confirm.html", context)


def _run(*, accion: str, operacion: str, tags: list[str], worker: Worker, actor: Actor) -> list[BatchOutcome]:
    """Apply `accion` of `operacion` to every tag, each on its own.

    On METROLOGIA the kiosk's action is the result itself (APROBADO or RECHAZADO).
    """
    allowed = (
        availability.RESULTS
        if operacion == Operacion.METROLOGIA
        else availability.ACTIONS_BY_OPERATION[operacion]
    )
    if accion not in allowed:
        raise ValueError(f"{accion} is not an action of {operacion}")
    inspecting = operacion == Operacion.METROLOGIA
    return actions.run_batch(
        tags,
        actions.get(operacion, Accion.COMPLETAR if inspecting else accion),
        lambda s: f"{_DONE[accion]}. Ahora: {s.estado_detalle}",  # type: ignore[index]
        worker=worker,
        actor=actor,
        operacion=operacion,
        resultado=accion if inspecting else None,
    )


@require_POST
def execute(request: HttpRequest, op: str) -> HttpResponse:
    """Run the confirmed action once per key; repeats land on the first result."""
    identity = session.current(request, op)
    form = ExecuteForm({**request.POST.dict(), "tags": request.POST.getlist("tags")})
    if identity is None or not form.is_valid() or not idempotency.valid(form.cleaned_data["idem"]):
        messages.error(request, _("La sesión expiró o el formulario no es válido; vuelva a empezar."))
        return redirect("kiosk:start")
    key = form.cleaned_data["idem"]
    if not idempotency.claim(key):
        return redirect("kiosk:result", key=key)
    real_op = request.POST.get("operacion", op) if op == session.ALL else op
    try:
        outcomes = _run(
            accion=form.cleaned_data["accion"],
            operacion=real_op,
            tags=form.cleaned_data["tags"],
            worker=identity.worker,
            actor=request.user,
        )
    except (DatabaseError, ValueError):
        idempotency.release(key)
        messages.error(
            request, _("No se pudo registrar: el servicio no responde. Nada se guardó; reintente.")
        )
        return redirect(_list_url(op))
    idempotency.store(
        key,
        {
            "accion": form.cleaned_data["accion"],
            "operacion": real_op,
            "op": op,
            "worker": identity.worker.token,
            "outcomes": [
                {"tag": o.tag_spool, "ok": o.success, "message": o.message, "error": o.error}
                for o in outcomes
            ],
        },
    )
    return redirect("kiosk:result", key=key)


@require_GET
def result(request: HttpRequest, key: str) -> HttpResponse:
    """Every spool's outcome; returns to the start screen by itself."""
    stored = idempotency.load(key) if idempotency.valid(key) else None
    context = _ctx(
        request,
        result=stored if isinstance(stored, dict) else None,
        processing=stored == idempotency.PENDING,
        return_seconds=settings.ZEUES_KIOSK_RESULT_SECONDS,
    )
    if isinstance(stored, dict):
        context["ok_count"] = sum(1 for o in stored["outcomes"] if o["ok"])
        context["op_label"] = LABELS.get(stored["operacion"], "")
    return render(request, "kiosk/result.html", context, status=200 if stored else 404)


@require_GET
def spool_detail(request: HttpRequest, tag: str) -> HttpResponse:
    """A scanned spool: its state, and the operations it is ready for."""
    spool = Spool.objects.select_related("ocupado_por").filter(tag_spool=tag).first()
    if spool is None:
        return render(request, "kiosk/not_found.html", _ctx(request, tag=tag), status=404)
    ready = [
        (op, LABELS[op])
        for op in availability.OPERATIONS
        if availability.relevant(op).filter(pk=spool.pk).exists()
    ]
    return render(request, "kiosk/spool.html", _ctx(request, spool=spool, ready=ready))
