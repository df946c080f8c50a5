"""The kiosk PIN's rules: check it, lock it after too many wrong tries, unlock it, audit both.

The counting and the growing lock are zeues.lib.lockout's (shared with the password login
later); this module adds the kiosk's numbers (settings ZEUES_PIN_*) and the audit trail:
PIN_BLOQUEADO when a lock starts, PIN_DESBLOQUEADO when a supervisor clears it or when the
first PIN attempt after the lock period finds it over.
"""

from __future__ import annotations

import datetime
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from occupation.engine import Actor
from spools.models import EventType, Worker
from spools.services import event_append
from zeues.lib import lockout

logger = logging.getLogger(__name__)


def policy() -> lockout.Policy:
    """The PIN's numbers, from settings (defaults: 5 tries, 5 minutes doubling, up to a day)."""
    return lockout.Policy.from_settings("pin")


@dataclass(frozen=True)
class PinState:
    """What the PIN page shows: right or not, locked until when, how many tries are left."""

    ok: bool
    locked: bool
    tries_left: int
    until: datetime.datetime | None = None
    minutes_left: int = 0
    just_locked: bool = False
    unavailable: bool = False  # the lock store is down: the PIN cannot be checked safely now


# With Redis down nobody counts wrong tries, so a PIN is not checked at all (never guessable).
UNAVAILABLE = PinState(ok=False, locked=True, tries_left=0, unavailable=True)


def _state(status: lockout.Status, *, ok: bool = False) -> PinState:
    until = (
        timezone.localtime(datetime.datetime.fromtimestamp(status.until, tz=datetime.UTC))
        if status.until
        else None
    )
    return PinState(
        ok=ok,
        locked=status.locked,
        tries_left=status.tries_left,
        until=until,
        minutes_left=-(-status.seconds_left // 60),
        just_locked=status.just_locked,
    )


def _audit_expiry(worker: Worker, actor: Actor) -> None:
    ended = lockout.take_expired(policy(), worker.pk)
    if ended is not None:
        event_append(
            tipo=EventType.PIN_DESBLOQUEADO,
            spool=None,
            worker=worker,
            actor=actor,
            details={
                "motivo": "plazo cumplido",
                "bloqueado_hasta": datetime.datetime.fromtimestamp(ended, tz=datetime.UTC).isoformat(),
            },
        )


def _unless_store_down[**P](fn: Callable[P, PinState]) -> Callable[P, PinState]:
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> PinState:
        try:
            return fn(*args, **kwargs)
        except lockout.StoreDown:
            logger.warning("PIN lock store down: PINs are not checked until it answers")
            return UNAVAILABLE

    return wrapper


@_unless_store_down
def peek(worker: Worker) -> PinState:
    """The worker's PIN state, read only (for the admin's list)."""
    return _state(lockout.status(policy(), worker.pk))


@_unless_store_down
def state(worker: Worker, *, actor: Actor = None) -> PinState:
    """The worker's PIN state now, before any try."""
    _audit_expiry(worker, actor)
    return _state(lockout.status(policy(), worker.pk))


@_unless_store_down
def attempt(worker: Worker, raw: str, *, actor: Actor = None) -> PinState:
    """Check `raw` against the worker's PIN, unless the PIN is locked (then it is not even checked)."""
    rules = policy()
    _audit_expiry(worker, actor)
    current = lockout.status(rules, worker.pk)
    if current.locked:
        return _state(current)
    if worker.check_pin(raw):
        lockout.record_success(rules, worker.pk)
        return _state(current, ok=True)
    after = lockout.record_failure(rules, worker.pk)
    if after.just_locked:
        event_append(
            tipo=EventType.PIN_BLOQUEADO,
            spool=None,
            worker=worker,
            actor=actor,
            details={
                "intentos": rules.max_tries,
                "segundos": after.seconds_left,
                "nivel": after.level,
                "hasta": _state(after).until.isoformat(),  # type: ignore[union-attr]
            },
        )
    return _state(after)


def unlock(worker: Worker, *, actor: Actor) -> bool:
    """A supervisor clears the worker's PIN lock (and its wrong tries); audited when it was locked.

    Raises lockout.StoreDown when the store does not answer (nothing was cleared).
    """
    before = lockout.clear(policy(), worker.pk)
    if before.locked:
        event_append(
            tipo=EventType.PIN_DESBLOQUEADO,
            spool=None,
            worker=worker,
            actor=actor,
            details={"motivo": "supervisor", "bloqueado_hasta": _state(before).until.isoformat()},  # type: ignore[union-attr]
        )
    return before.locked
