"""Who is at the tablet: the identified worker lives in the session, briefly.

The identity expires after ZEUES_KIOSK_IDLE_SECONDS without activity (checked on the server, so
it holds even if the page's idle timer never fires) and whenever the start screen is shown.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from occupation.permissions import worker_can_do
from spools.models import Worker

KEY = "kiosk"
ALL = "TODAS"  # "Mis spools": identified for every operation the worker holds
# The idle timer is written back at most this often: a session UPDATE on every screen cost a
# write and a commit per request, for a timer measured in minutes.
SEEN_EVERY_SECONDS = 5
# This request's answers of `current`, per operation (forgotten when the identity changes).
_MEMO = "_kiosk_identity"


@dataclass(frozen=True)
class Identity:
    """The worker identified at this tablet, and for which operation."""

    worker: Worker
    operacion: str


def identify(request: HttpRequest, worker: Worker, operacion: str, *, pin_ok: bool) -> None:
    """Remember the worker (PIN still pending when `pin_ok` is false)."""
    request.__dict__.pop(_MEMO, None)
    request.session[KEY] = {"worker_id": worker.pk, "op": operacion, "pin_ok": pin_ok, "seen": time.time()}


def confirm_pin(request: HttpRequest) -> None:
    """The pending identity's PIN was right."""
    state = request.session.get(KEY)
    if state:
        request.__dict__.pop(_MEMO, None)
        request.session[KEY] = {**state, "pin_ok": True, "seen": time.time()}


def pending(request: HttpRequest) -> Worker | None:
    """The worker whose PIN is being asked, if any."""
    state = request.session.get(KEY)
    if not state or state.get("pin_ok") or _expired(state):
        return None
    return Worker.objects.filter(pk=state["worker_id"], activo=True).first()


def current(request: HttpRequest, operacion: str | None = None) -> Identity | None:
    """The identified worker (PIN done, not idle too long, still active).

    A person's request refreshes the idle timer; a live refresh (header X-Zeues-Live) does not,
    so a tablet left alone still forgets its worker while the screen keeps updating. Asked twice
    in one request (the view, then its template's helpers), the worker is read once.
    """
    memo = request.__dict__.setdefault(_MEMO, {})
    if operacion not in memo:
        memo[operacion] = _current(request, operacion)
    return memo[operacion]


def _current(request: HttpRequest, operacion: str | None) -> Identity | None:
    state = request.session.get(KEY)
    if not state or not state.get("pin_ok") or _expired(state):
        return None
    specific = operacion not in (None, ALL)
    if specific and state["op"] not in (operacion, ALL):
        return None
    worker = Worker.objects.prefetch_related("roles").filter(pk=state["worker_id"], activo=True).first()
    if worker is None or (specific and state["op"] == ALL and not worker_can_do(worker, str(operacion))):
        return None
    now = time.time()
    if not request.headers.get("X-Zeues-Live") and now - state.get("seen", 0) >= SEEN_EVERY_SECONDS:
        request.session[KEY] = {**state, "seen": now}
    return Identity(worker, state["op"])


def forget(request: HttpRequest) -> None:
    """Nobody is identified at this tablet any more."""
    request.__dict__.pop(_MEMO, None)
    request.session.pop(KEY, None)


def _expired(state: dict) -> bool:
    return time.time() - float(state.get("seen", 0)) > settings.ZEUES_KIOSK_IDLE_SECONDS
