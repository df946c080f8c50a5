"""The kiosk: shared tablets on the shop floor, big buttons, gloves, Spanish.

Flow: start (choose the operation, tap your name to continue, or scan a label or a badge) →
identify (tap a name, type or scan the id; PIN if set) → the operation's spool list (what this
worker can do now first; the rest collapsed with the reasons) → TOMAR/PAUSAR at once, COMPLETAR
and the verdicts after a confirmation → result → back to the start after a few seconds (errors
stay until dismissed). Views only load, validate, call a service and render; the rules live in
the services (and the PIN's in pins.py).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from occupation import actions
from occupation.actions import BatchOutcome
from occupation.engine import Actor
from occupation.permissions import ensure_worker_can, worker_can_do
from occupation.services import spool_finish
from reparacion.exceptions import AlertaYaAbierta
from reparacion.services import alert_call
from spools import joints as spool_joints
from spools.models import Accion, Alerta, Operacion, Resultado, Spool, Worker
from zeues.front import words
from zeues.front.kiosk import availability, codes, idempotency, joints, pins, session, text, verdict
from zeues.front.kiosk.forms import (
    ExecuteForm,
    FinishForm,
    IdentifyForm,
    PinForm,
    ScanForm,
    SelectionForm,
)
from zeues.lib import photos
from zeues.lib.dn import format_dn
from zeues.lib.edge import query_int
from zeues.lib.errors import ZeuesError
from zeues.reports import worker_record as record

LABELS = {
    "ARM": "ARM",
    "SOLD": "SOLD",
    "METROLOGIA": "METROLOGÍA",
    "REPARACION": "REPARACIÓN",
    "TODAS": _("Mis spools"),
}

# What each action says on the result screen, before the spool's new state (in words).
_DONE = {
    Accion.TOMAR: "Tomado",
    Accion.PAUSAR: "Pausado",
    Accion.COMPLETAR: "Completado",
    Accion.CANCELAR: "Reparación cancelada",
    Resultado.APROBADO: "APROBADO en metrología",
    Resultado.RECHAZADO: "RECHAZADO en metrología",
}
START_HOLDERS = 24  # at most this many "continue" name buttons on the start screen


def _ctx(request: HttpRequest, op: str | None = None, **extra: object) -> dict[str, object]:
    identity = session.current(request)
    return {
        "op": op,
        "op_label": LABELS.get(op or "", ""),
        "identity": identity,
        "idle_seconds": settings.ZEUES_KIOSK_IDLE_SECONDS if identity else 0,
        "scan_params": "",
        **extra,
    }


def _list_url(op: str) -> str:
    return reverse("kiosk:my-spools") if op == session.ALL else reverse("kiosk:list", args=[op])


def _carry(request: HttpRequest) -> dict[str, str]:
    """What identification carries to its destination: a searched tag (`q`), a scanned spool."""
    source = request.GET if request.method == "GET" else request.POST
    keep = {k: source.get(k, request.GET.get(k, "")).strip()[: codes.MAX_CODE] for k in ("q", "spool")}
    return {k: v for k, v in keep.items() if v}


def _suffix(params: dict[str, str]) -> str:
    return f"?{urlencode(params)}" if params else ""


def _destination(op: str, carry: dict[str, str]) -> str:
    """Where an identified worker goes: the scanned spool's actions, else the list (with the search)."""
    if carry.get("spool"):
        return reverse("kiosk:spool", kwargs={"tag": carry["spool"]})
    return _list_url(op) + _suffix({"q": carry["q"]} if carry.get("q") else {})


def _enter(request: HttpRequest, worker: Worker, op: str, carry: dict[str, str]) -> HttpResponse:
    """Identify `worker` at this tablet; the PIN page first if the worker has one."""
    session.identify(request, worker, op, pin_ok=not worker.pin)
    if worker.pin:
        return redirect(reverse("kiosk:pin", args=[op]) + _suffix(carry))
    return redirect(_destination(op, carry))


def _check_worker(worker_id: int, op: str) -> Worker:
    """The worker with that number, if they may be identified for `op`; else a ZeuesError in words."""
    worker = Worker.objects.prefetch_related("roles").filter(pk=worker_id).first()
    if worker is None:
        raise ZeuesError(_("No existe un trabajador con el número %(n)s.") % {"n": worker_id})
    if op != session.ALL:
        ensure_worker_can(worker, op)
    elif not worker.activo:
        raise ZeuesError(_("%(w)s está inactivo.") % {"w": worker.token})
    return worker


def _back(request: HttpRequest) -> str:
    """The kiosk page a scan came from (`volver`), or the start screen."""
    back = request.GET.get("volver", "")
    start = reverse("kiosk:start")
    if back.startswith(start) and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return start


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """Start screen: choose the operation, continue with your spools, or scan. Forgets whoever was here."""
    session.forget(request)
    ops = [(op, LABELS[op]) for op in availability.OPERATIONS]
    held = dict(
        Spool.objects.filter(ocupado_por__isnull=False)
        .values_list("ocupado_por")
        .annotate(n=Count("pk"))
        .values_list("ocupado_por", "n")
    )
    holders = list(
        Worker.objects.filter(pk__in=held, activo=True).order_by("nombre", "apellido")[:START_HOLDERS]
    )
    for w in holders:
        w.n = held[w.pk]  # type: ignore[attr-defined]
    context = _ctx(request, operations=ops, form=ScanForm(), holders=holders)
    return render(request, "kiosk/start.html", context)


@require_GET
def scan(request: HttpRequest) -> HttpResponse:
    """Whatever a scanner typed on any screen: a spool's label opens the spool, a badge identifies.

    A badge on an identification screen (`op`) identifies for that operation; on a spool's page
    (`spool`) it comes back to that spool's actions; anywhere else it opens the worker's spools.
    """
    raw = request.GET.get("codigo", "")
    form = ScanForm(request.GET)
    code = form.cleaned_data["codigo"] if form.is_valid() else ""
    spool = codes.find_spool(code) if code and not codes.is_number(code) else None
    if spool is not None:
        return redirect("kiosk:spool", tag=spool.tag_spool)
    number = codes.badge_number(code) if code else None
    if number is not None:
        # A badge is a new identification: whoever was here is forgotten first, even if it fails.
        session.forget(request)
    # `NO-EXISTE-1` is a mistyped tag rather than the badge of a worker 1 nobody has.
    if number is not None and (codes.is_number(code) or Worker.objects.filter(pk=number).exists()):
        op = request.GET.get("op", "").upper()
        op = op if op in availability.OPERATIONS else session.ALL
        carry = {"spool": request.GET["spool"]} if request.GET.get("spool") else {}
        try:
            worker = _check_worker(number, op)
        except ZeuesError as error:
            messages.error(request, text.in_words(error.message))
            return redirect(_back(request))
        return _enter(request, worker, op, carry)
    messages.error(
        request,
        _("No se reconoce el código «%(c)s» como un spool ni una credencial.") % {"c": codes.shown(raw)},
    )
    return redirect(_back(request))


def _allowed_workers(op: str) -> list[Worker]:
    workers = Worker.objects.filter(activo=True).prefetch_related("roles").order_by("nombre", "apellido")
    if op == session.ALL:
        return list(workers)
    return [w for w in workers if worker_can_do(w, op)]


@require_http_methods(["GET", "POST"])
def identify(request: HttpRequest, op: str) -> HttpResponse:
    """Who are you? Big name buttons for the operation's roles, or an id/badge field (a label works too).

    Asking is a new identification: the previous worker is forgotten first, so a failed attempt
    (an unknown number, the wrong role) never leaves someone else identified at a shared tablet.
    """
    session.forget(request)
    typed = request.POST.get("worker_id", "")
    if typed and not codes.is_number(typed) and (spool := codes.find_spool(typed)) is not None:
        return redirect("kiosk:spool", tag=spool.tag_spool)
    form = IdentifyForm(request.POST or None)
    carry = _carry(request)
    if form.is_valid():
        try:
            worker = _check_worker(form.cleaned_data["worker_id"], op)
        except ZeuesError as error:
            form.add_error("worker_id", text.in_words(error.message))
        else:
            return _enter(request, worker, op, carry)
    context = _ctx(
        request,
        op,
        form=form,
        workers=_allowed_workers(op),
        carry_suffix=_suffix(carry),
        scan_params=urlencode({"op": op, **carry}),
        **carry,
    )
    return render(request, "kiosk/identify.html", context)


def _pin_error(state: pins.PinState) -> str:
    if state.unavailable:
        return _(
            "No se puede comprobar el PIN ahora: el servicio no responde. Reintente en un momento; "
            "los trabajadores sin PIN siguen pudiendo trabajar."
        )
    if state.locked:
        until = f"{state.until:%H:%M}" if state.until else "?"
        return _(
            "PIN bloqueado hasta las %(h)s (faltan %(m)s min) por demasiados intentos fallidos. "
            "Espere, o pida a un supervisor que lo desbloquee."
        ) % {"h": until, "m": state.minutes_left}
    return ngettext(
        "PIN incorrecto. Le queda %(n)s intento antes del bloqueo.",
        "PIN incorrecto. Le quedan %(n)s intentos antes del bloqueo.",
        state.tries_left,
    ) % {"n": state.tries_left}


@require_http_methods(["GET", "POST"])
@never_cache
def pin(request: HttpRequest, op: str) -> HttpResponse:
    """The optional PIN of the worker being identified; too many wrong tries lock it (pins.py)."""
    worker = session.pending(request)
    if worker is None:
        return redirect("kiosk:identify", op=op)
    carry = _carry(request)
    form = PinForm(request.POST or None)
    state = pins.state(worker, actor=request.user)
    if form.is_valid() and not state.locked:
        state = pins.attempt(worker, form.cleaned_data["pin"], actor=request.user)
        if state.ok:
            session.confirm_pin(request)
            return redirect(_destination(op, carry))
        form.add_error("pin", _pin_error(state))
    context = _ctx(request, op, form=form, pending=worker, state=state, carry_suffix=_suffix(carry))
    if state.locked:
        context["locked_message"] = _pin_error(state)
    return render(request, "kiosk/pin.html", context)


def _with_keys(rows: list[availability.Row]) -> list[availability.Row]:
    """Give every row with a one-tap action its own one-time key."""
    for r in rows:
        if r.one_tap:
            r.key = idempotency.new_key()
    return rows


@require_GET
@vary_on_headers("HX-Request")
@never_cache
def spool_list(request: HttpRequest, op: str) -> HttpResponse:
    """The operation's spools for the identified worker: own and actionable first, the rest collapsed.

    `q` searches, `desde` pages (htmx), `grupo=no` is the collapsed group on its own.
    """
    identity = session.current(request, op)
    if identity is None or op == session.ALL:
        return redirect(reverse("kiosk:identify", args=[op]) + _suffix(_carry(request)))
    q = request.GET.get("q", "").strip()[:100]
    offset = query_int(request.GET.get("desde"), 0)
    group = availability.OFF if request.GET.get("grupo") == "no" else availability.READY
    rows = _with_keys(availability.rows_for(identity.worker, op, q=q, offset=offset, group=group))
    context = _ctx(request, op, rows=rows, q=q, group=group, next_offset=offset + len(rows))
    if request.headers.get("HX-Request") and ("desde" in request.GET or "grupo" in request.GET):
        total = availability.counts(identity.worker, op, q=q)
        context["group_total"] = total.ready if group == availability.READY else total.off
        return render(request, "kiosk/list.html#rows", context)
    total = availability.counts(identity.worker, op, q=q)
    context.update(
        total=total,
        group_total=total.ready if group == availability.READY else total.off,
        actions=availability.ACTIONS_BY_OPERATION[op],
    )
    if q and total.ready == 0 and total.off:
        # The search found only spools this worker cannot act on: say why, open.
        context["off_rows"] = availability.rows_for(identity.worker, op, q=q, group=availability.OFF)
    elif q and total.total == 0:
        context["explained"] = availability.explain(identity.worker, op, q)
    return render(request, "kiosk/list.html", context)


@require_GET
@never_cache
def row(request: HttpRequest, op: str, tag: str) -> HttpResponse:
    """One list row, re-evaluated now (the live stream asks for it when the spool changes)."""
    identity = session.current(request, op)
    spool = codes.find_spool(tag)
    if identity is None or spool is None:
        return HttpResponse(status=204)
    (evaluated,) = _with_keys([availability.evaluate(spool, identity.worker, op)])
    context = _ctx(request, op, row=evaluated, selectable=request.GET.get("sel") != "0")
    return render(request, "kiosk/_row.html", context)


def _worker_ops(worker: Worker) -> list[tuple[str, str]]:
    return [(o, LABELS[o]) for o in availability.OPERATIONS if worker_can_do(worker, o)]


@require_GET
@never_cache
def my_spools(request: HttpRequest) -> HttpResponse:
    """Every spool the identified worker holds, each PAUSAR (one tap) or COMPLETAR (confirm) away."""
    identity = session.current(request)
    if identity is None:
        return redirect("kiosk:identify", op=session.ALL)
    rows = _with_keys(availability.held_by(identity.worker))
    context = _ctx(request, session.ALL, rows=rows, worker_ops=_worker_ops(identity.worker))
    return render(request, "kiosk/my_spools.html", context)


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
@never_cache
def confirm(request: HttpRequest, op: str) -> HttpResponse:
    """Confirm an action on the chosen spools; the page's address carries its one-time key.

    The key is in the URL so that *Back* after confirming lands here with a used key, and the
    page sends the worker to that key's result instead of asking again.
    """
    identity = session.current(request, op)
    key = request.GET.get("idem", "")
    if idempotency.load(request, key) is not None:
        return redirect("kiosk:result", key=key)
    if identity is None:
        return redirect("kiosk:identify", op=op)
    tags = request.GET.getlist("tag") or request.GET.getlist("tags")
    form = SelectionForm({"accion": request.GET.get("accion", ""), "tags": tags})
    real_op = request.GET.get("operacion", op) if op == session.ALL else op
    if not form.is_valid() or real_op not in availability.ACTIONS_BY_OPERATION:
        messages.error(request, _("Elija al menos un spool (máximo 50) y una acción."))
        return redirect(_list_url(op))
    if form.cleaned_data["accion"] not in availability.ACTIONS_BY_OPERATION[real_op]:
        messages.error(request, _("Acción no válida para %(op)s.") % {"op": LABELS[real_op]})
        return redirect(_list_url(op))
    if not idempotency.valid(key):
        params = [(k, v) for k in ("accion", "operacion", "resultado") if (v := request.GET.get(k))]
        params += [("tag", t) for t in form.cleaned_data["tags"]]
        return redirect(f"{request.path}?{urlencode([*params, ('idem', idempotency.new_key())])}")
    context = _ctx(
        request,
        op,
        accion=form.cleaned_data["accion"],
        tags=form.cleaned_data["tags"],
        real_op=real_op,
        real_label=LABELS[real_op],
        idem=key,
    )
    if real_op == Operacion.METROLOGIA:
        resultado = request.GET.get("resultado", "")
        context.update(
            resultado=resultado if resultado in Resultado.values else "",
            choice=verdict.choice_urls(request),
            defectos=verdict.catalogue(),
            back_url=request.get_full_path(),
        )
    return render(request, "kiosk/confirm.html", context)


def _done(accion: str) -> Callable[[Spool], str]:
    """The result line of a spool the action went through: what was done, and its state now, in words."""
    return lambda s: text.nowrap_dates(f"{_DONE[accion]}. Ahora: {words.estado(s)}")  # type: ignore[index]


def _run(
    *,
    accion: str,
    operacion: str,
    tags: list[str],
    worker: Worker,
    actor: Actor,
    reason: verdict.Reason | None = None,
) -> list[BatchOutcome]:
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
        _done(accion),
        worker=worker,
        actor=actor,
        operacion=operacion,
        resultado=accion if inspecting else None,
        defecto=reason.defecto if reason else None,
        nota=reason.nota if reason else "",
        foto=reason.foto if reason else "",
    )


def _lines(outcomes: list[BatchOutcome]) -> list[dict[str, object]]:
    """The result screen's lines; a refusal's message said in words (the spool's state, accents)."""
    failed = {o.tag_spool for o in outcomes if not o.success}
    spools = {s.tag_spool: s for s in Spool.objects.with_people().filter(tag_spool__in=failed)}
    return [
        {
            "tag": o.tag_spool,
            "ok": o.success,
            "message": o.message if o.success else text.in_words(o.message, spools.get(o.tag_spool)),
            "error": o.error,
            # The blocking rejection: shown as an alert, the supervisors already called.
            "bloqueado": bool(o.success and o.spool is not None and o.spool.bloqueado),
        }
        for o in outcomes
    ]


@require_POST
def execute(request: HttpRequest, op: str) -> HttpResponse:
    """Run the action once per key (a one-tap button or a confirmation); repeats land on the first result."""
    identity = session.current(request, op)
    form = ExecuteForm({**request.POST.dict(), "tags": request.POST.getlist("tags")})
    if identity is None or not form.is_valid() or not idempotency.valid(form.cleaned_data["idem"]):
        messages.error(request, _("La sesión expiró o el formulario no es válido; vuelva a empezar."))
        return redirect("kiosk:start")
    key = form.cleaned_data["idem"]
    real_op = request.POST.get("operacion", op) if op == session.ALL else op
    if real_op not in availability.OPERATIONS:
        # A tampered or stale form (operacion=NOPE, a lower-case code): refused before anything runs.
        messages.error(request, _("Operación o acción desconocida; vuelva a empezar."))
        return redirect("kiosk:start")
    allowed = (
        availability.RESULTS
        if real_op == Operacion.METROLOGIA
        else availability.ACTIONS_BY_OPERATION[real_op]
    )
    if form.cleaned_data["accion"] not in allowed:
        messages.error(request, _("Operación o acción desconocida; vuelva a empezar."))
        return redirect(_list_url(op))
    if idempotency.load(request, key) is not None:
        return redirect("kiosk:result", key=key)
    try:
        reason = (
            verdict.reason_from(request, form.cleaned_data["accion"])
            if real_op == Operacion.METROLOGIA
            else None
        )
    except ZeuesError as error:
        messages.error(request, error.message)
        back = request.POST.get("volver", "")
        safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
        return redirect(back if safe and back.startswith("/kiosko/") else _list_url(op))
    accion, tags = form.cleaned_data["accion"], form.cleaned_data["tags"]

    def run() -> dict[str, object]:
        outcomes = _run(
            accion=accion,
            operacion=real_op,
            tags=tags,
            worker=identity.worker,
            actor=request.user,
            reason=reason,
        )
        return {
            "accion": accion,
            "operacion": real_op,
            "op": op,
            "worker": identity.worker.token,
            "outcomes": _lines(outcomes),
        }

    try:
        # The action and its kept outcome commit together (zeues/idempotency.py): a repeat of
        # this key, now or after a lost answer, shows this outcome and runs nothing.
        outcome, replayed = idempotency.once(request, key, (accion, real_op, tags, identity.worker.pk), run)
    except idempotency.KeyReused:
        outcome, replayed = {}, True
    except DatabaseError:
        if reason and reason.foto:
            photos.discard(reason.foto)
        messages.error(
            request, _("No se pudo registrar: el servicio no responde. Nada se guardó; reintente.")
        )
        return redirect(_list_url(op))
    if reason and reason.foto and (replayed or not any(o["ok"] for o in outcome.get("outcomes", []))):
        photos.discard(reason.foto)  # nothing recorded with this photo
    return redirect("kiosk:result", key=key)


@require_GET
@never_cache
def result(request: HttpRequest, key: str) -> HttpResponse:
    """Every spool's outcome; all done returns to the start by itself, a refusal stays until dismissed.

    `?olvidar=1` (the idle timer on a refusal) forgets the worker but keeps the result on screen.
    """
    if request.GET.get("olvidar"):
        session.forget(request)
    stored = idempotency.load(request, key)
    context = _ctx(
        request,
        result=stored,
        return_seconds=settings.ZEUES_KIOSK_RESULT_SECONDS,
    )
    if isinstance(stored, dict):
        ok_count = sum(1 for o in stored["outcomes"] if o["ok"])
        blocked = [o["tag"] for o in stored["outcomes"] if o.get("bloqueado")]
        context["ok_count"], context["blocked"] = ok_count, blocked
        # A refusal or a block stays on screen until someone taps: nobody should miss it.
        context["has_errors"] = ok_count < len(stored["outcomes"]) or bool(blocked)
        context["op_label"] = LABELS.get(stored["operacion"], "")
        if context["has_errors"]:
            context["idle_url"] = reverse("kiosk:result", kwargs={"key": key}) + "?olvidar=1"
    return render(request, "kiosk/result.html", context, status=200 if stored else 404)


def _spool_rows(request: HttpRequest, spool: Spool) -> tuple[list[availability.Row], str]:
    """The identified worker's rows of a scanned spool, and the URL operation their buttons use."""
    identity = session.current(request)
    if identity is None:
        return [], ""
    ops: list[str] = [identity.operacion]
    if identity.operacion == session.ALL:
        ops = [o for o in availability.OPERATIONS if worker_can_do(identity.worker, o)]
    return _with_keys(availability.for_spool(spool, identity.worker, ops)), identity.operacion


@require_GET
@never_cache
def spool_detail(request: HttpRequest, tag: str) -> HttpResponse:
    """A scanned spool: its state, and what the identified worker can do with it now.

    Nobody identified: the operations it is ready for (tap, then identify), and its holder's
    name to continue; a badge scanned here comes back to this spool.
    """
    spool = codes.find_spool(tag)
    if spool is None:
        return render(request, "kiosk/not_found.html", _ctx(request, tag=codes.shown(tag)), status=404)
    if spool.tag_spool != tag:
        return redirect("kiosk:spool", tag=spool.tag_spool)
    ready = [
        (op, LABELS[op])
        for op in availability.OPERATIONS
        if Spool.objects.available_for(op).filter(pk=spool.pk).exists()
    ]
    rows, url_op = _spool_rows(request, spool)
    context = _ctx(
        request,
        url_op or None,
        op_label="",
        spool=spool,
        ready=ready,
        rows=rows,
        url_op=url_op,
        scan_params=urlencode({"spool": spool.tag_spool}),
        alerta=Alerta.objects.abiertas().filter(spool=spool).first() if spool.bloqueado else None,
    )
    return render(request, "kiosk/spool.html", context)


@require_POST
def call_supervisor(request: HttpRequest, tag: str) -> HttpResponse:
    """«Llamar supervisor» on a spool: one open alert per spool, from the identified worker or the tablet."""
    spool = codes.find_spool(tag)
    identity = session.current(request)
    back = request.POST.get("volver", "")
    safe = back.startswith("/kiosko/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    )
    target = back if safe else reverse("kiosk:start")
    if spool is None:
        messages.error(request, _("No existe ese spool."))
        return redirect(target)
    try:
        alert_call(spool=spool, worker=identity.worker if identity else None, actor=request.user)
    except AlertaYaAbierta as already:
        messages.info(request, text.nowrap_dates(already.message))
    except ZeuesError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Se avisó a supervisión por %(t)s.") % {"t": spool.tag_spool})
    return redirect(target)


# --- «Terminar» a spool with joints (zeues/front/kiosk/joints.py) ------------------------------


def _held_with_joints(spool: Spool | None, worker: Worker, op: str) -> bool:
    """The worker holds `spool` for ARM or SOLD (the list's operation, or any from «Mis spools»)."""
    return (
        spool is not None
        and bool(spool.uniones_total)
        and spool.ocupado_por_id == worker.pk
        and spool.operacion_actual in (Operacion.ARM, Operacion.SOLD)
        and op in (session.ALL, spool.operacion_actual)
    )


@require_GET
@never_cache
def finish(request: HttpRequest, op: str, tag: str) -> HttpResponse:
    """«Terminar»: the held spool's joints as tiles to tick; the button says what the tap will do.

    Like the confirm page, the address carries the one-time key, so *Back* after confirming
    lands on the result; `todas=1` ticks every tickable joint (the «Todas» button without JS).
    """
    key = request.GET.get("idem", "")
    if idempotency.load(request, key) is not None:
        return redirect("kiosk:result", key=key)
    identity = session.current(request, op)
    if identity is None:
        return redirect("kiosk:identify", op=op)
    spool = codes.find_spool(tag)
    if spool is None or not _held_with_joints(spool, identity.worker, op):
        messages.error(request, _("Ese spool no está tomado por usted, o no tiene uniones que registrar."))
        return redirect(_list_url(op))
    if not idempotency.valid(key) or spool.tag_spool != tag:
        params = {"idem": idempotency.new_key(), **({"todas": "1"} if request.GET.get("todas") else {})}
        path = reverse("kiosk:finish", kwargs={"op": op, "tag": spool.tag_spool})
        return redirect(f"{path}?{urlencode(params)}")
    board = joints.sheet(spool, spool.operacion_actual)
    context = _ctx(
        request,
        op,
        board=board,
        real_label=LABELS[board.operacion],
        all_ticked=bool(request.GET.get("todas")),
        idem=key,
        back_url=_list_url(op),
    )
    return render(request, "kiosk/finish.html", context)


@require_POST
def finish_run(request: HttpRequest, op: str) -> HttpResponse:
    """Record the ticked joints once per key (spool_finish); a refusal goes back to the tiles."""
    identity = session.current(request, op)
    form = FinishForm(request.POST)
    if identity is None or not form.is_valid() or not idempotency.valid(form.cleaned_data["idem"]):
        messages.error(request, _("La sesión expiró o el formulario no es válido; vuelva a empezar."))
        return redirect("kiosk:start")
    key, uniones, operacion = (form.cleaned_data[k] for k in ("idem", "uniones", "operacion"))
    if idempotency.load(request, key) is not None:
        return redirect("kiosk:result", key=key)
    spool = codes.find_spool(form.cleaned_data["tag"])
    if spool is None or op not in (session.ALL, operacion):
        messages.error(request, _("Operación o acción desconocida; vuelva a empezar."))
        return redirect(_list_url(op))
    worker = identity.worker

    def run() -> dict[str, object]:
        done = spool_finish(
            spool=spool, worker=worker, operacion=operacion, uniones=uniones, actor=request.user
        )
        line = joints.recorded(done.accion, operacion, done.uniones, done.pulgadas)
        return {
            "accion": done.accion,
            "operacion": operacion,
            "op": op,
            "worker": worker.token,
            "uniones": done.uniones,
            "pulgadas": format_dn(done.pulgadas),
            "outcomes": [
                {
                    "tag": done.spool.tag_spool,
                    "ok": True,
                    "message": text.nowrap_dates(
                        f"{line}. Ahora: {words.estado(done.spool)} · {spool_joints.label(done.spool)}"
                    ),
                    "error": None,
                    "bloqueado": False,
                }
            ],
        }

    asked = ("FINALIZAR", operacion, spool.tag_spool, sorted(uniones), worker.pk)
    try:
        # The joints, the spool's change and the kept outcome commit together: a double tap or
        # Back + resubmit with this key shows this outcome and records nothing more.
        idempotency.once(request, key, asked, run)
    except idempotency.KeyReused:
        pass
    except ZeuesError as error:
        # Refused (another tablet recorded a joint first, the spool was released…): nothing was
        # written and the key stays unused; the tiles are shown again as they are now.
        messages.error(request, text.in_words(error.message, spool))
        fresh = codes.find_spool(spool.tag_spool)
        if fresh is not None and _held_with_joints(fresh, worker, op):
            return redirect("kiosk:finish", op=op, tag=spool.tag_spool)
        return redirect(_list_url(op))
    except DatabaseError:
        messages.error(
            request, _("No se pudo registrar: el servicio no responde. Nada se guardó; reintente.")
        )
        return redirect(_list_url(op))
    return redirect("kiosk:result", key=key)
