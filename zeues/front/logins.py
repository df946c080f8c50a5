"""Password logins: lock an account name after too many wrong passwords, audit it, unlock it.

The same mechanism as the kiosk PIN (zeues.lib.lockout, shared by every process through the
cache) with the login's numbers (settings ZEUES_LOGIN_*). The subject is the username as typed,
trimmed and case-folded, known or not: an unknown name is counted and locked exactly like a real
one, so the answer (and its cost) never tells whether an account exists.

`LockoutBackend` is the project's only authentication backend (AUTHENTICATION_BACKENDS), so
/login/, /admin/login/ and every other `authenticate()` go through it: while the name is locked
the password is not even checked. The login forms (`LoginForm`, `AdminLoginForm`) say why in
Spanish. Audit: LOGIN_BLOQUEADO when a lock starts, LOGIN_DESBLOQUEADO when a supervisor clears
it or when the first attempt after the lock period finds it over (as the PIN's events).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from spools.models import EventType
from spools.services import event_append
from zeues.lib import lockout

logger = logging.getLogger(__name__)


def policy() -> lockout.Policy:
    """The login's numbers, from settings (defaults: 5 tries, 5 minutes doubling, up to a day)."""
    return lockout.Policy.from_settings("login")


def normalize(username: str) -> str:
    """`  Juan.Perez ` → `juan.perez`: one lock for every spelling of a name."""
    return str(username).strip().casefold()


def _subject(username: str) -> str:
    # A digest keeps the cache key short and free of spaces whatever was typed.
    return hashlib.sha256(normalize(username).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class LoginState:
    """Where one account name stands: locked until when, or how many wrong tries are left."""

    locked: bool
    tries_left: int
    until: datetime.datetime | None = None
    just_locked: bool = False


def _state(status: lockout.Status) -> LoginState:
    until = (
        timezone.localtime(datetime.datetime.fromtimestamp(status.until, tz=datetime.UTC))
        if status.until
        else None
    )
    return LoginState(status.locked, status.tries_left, until, status.just_locked)


def _client(request: HttpRequest | None) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client wrote unless a proxy we configured
    # sets it (docs: "Password logins"); behind a proxy this is the proxy's address.
    return str(request.META.get("REMOTE_ADDR", "")) if request is not None else ""


def _audit(tipo: str, username: str, *, actor: Any = None, **details: Any) -> None:
    with transaction.atomic():
        event_append(
            tipo=tipo,
            spool=None,
            worker=None,
            actor=actor,
            details={"usuario": normalize(username)[:150], **details},
        )


def _audit_expiry(username: str, request: HttpRequest | None) -> None:
    ended = lockout.take_expired(policy(), _subject(username))
    if ended is not None:
        _audit(
            EventType.LOGIN_DESBLOQUEADO,
            username,
            motivo="plazo cumplido",
            bloqueado_hasta=datetime.datetime.fromtimestamp(ended, tz=datetime.UTC).isoformat(),
        )


# With the lock store (Redis) down, password logins go on, on the password alone: supervisors
# must be able to log in during an outage, and a password (unlike a 4-digit PIN) is not guessed in
# the minutes an outage lasts. Nothing is counted meanwhile; the outage is logged.
UNKNOWN = LoginState(locked=False, tries_left=0)


def peek(username: str) -> LoginState:
    """The account name's state, read only (the login form's message, the admin's column)."""
    try:
        return _state(lockout.status(policy(), _subject(username)))
    except lockout.StoreDown:
        logger.warning("login lock store down: passwords are checked without counting")
        return UNKNOWN


def before_attempt(username: str, request: HttpRequest | None = None) -> LoginState:
    """The state before a password is checked (audits a lock that ended by itself, once)."""
    try:
        _audit_expiry(username, request)
    except lockout.StoreDown:
        return UNKNOWN
    return peek(username)


def record_success(username: str) -> None:
    """The right password: forget the wrong tries and the growing period."""
    with contextlib.suppress(lockout.StoreDown):
        lockout.record_success(policy(), _subject(username))


def record_failure(username: str, request: HttpRequest | None = None) -> LoginState:
    """Count one wrong password; the lock that starts is audited once (LOGIN_BLOQUEADO)."""
    rules = policy()
    try:
        after = lockout.record_failure(rules, _subject(username))
    except lockout.StoreDown:
        return UNKNOWN
    state = _state(after)
    if after.just_locked and state.until is not None:
        _audit(
            EventType.LOGIN_BLOQUEADO,
            username,
            intentos=rules.max_tries,
            segundos=after.seconds_left,
            nivel=after.level,
            hasta=state.until.isoformat(),
            ip=_client(request),
        )
    return state


def unlock(username: str, *, actor: Any) -> bool:
    """A supervisor clears the name's lock (and its wrong tries); audited when it was locked."""
    before = _state(lockout.clear(policy(), _subject(username)))
    if before.locked and before.until is not None:
        _audit(
            EventType.LOGIN_DESBLOQUEADO,
            username,
            actor=actor,
            motivo="supervisor",
            bloqueado_hasta=before.until.isoformat(),
        )
    return before.locked


class LoginBloqueado(PermissionDenied):
    """Raised to `authenticate()`, which then tries no other backend and answers None."""


class LockoutBackend(ModelBackend):
    """ModelBackend behind the lock: a locked name's password is not checked, wrong ones count."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """The user for the right password of an unlocked name; None (or the lock) otherwise."""
        if username is None:
            username = kwargs.get(self._username_field())
        if username is None or password is None:
            return None
        if before_attempt(username, request).locked:
            raise LoginBloqueado(_("Demasiados intentos fallidos."))
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_failure(username, request)
        else:
            record_success(username)
        return user

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD


def refusal(username: str) -> ValidationError | None:
    """The login form's sentence for this name: locked until when, or the wrong tries left."""
    state = peek(username)
    if state.locked and state.until is not None:
        return ValidationError(
            _("Demasiados intentos fallidos: la cuenta queda bloqueada hasta las %(hora)s.")
            % {"hora": f"{state.until:%H:%M}"},
            code="locked",
        )
    if 0 < state.tries_left < policy().max_tries:
        return ValidationError(
            ngettext("Le queda %(n)d intento.", "Le quedan %(n)d intentos.", state.tries_left)
            % {"n": state.tries_left},
            code="tries_left",
        )
    return None


class LockoutFormMixin:
    """A login form that says the account is locked, or how many tries are left."""

    cleaned_data: dict[str, Any]

    def get_invalid_login_error(self) -> ValidationError:
        """Django's "wrong username or password", or the lock's sentence in its place."""
        base = super().get_invalid_login_error()  # type: ignore[misc]
        extra = refusal(self.cleaned_data.get("username") or "")
        if extra is None:
            return base
        if extra.code == "locked":
            return extra
        return ValidationError([base, extra])


class LoginForm(LockoutFormMixin, AuthenticationForm):
    """/login/'s form."""


class AdminLoginForm(LockoutFormMixin, AdminAuthenticationForm):
    """/admin/login/'s form (admin.site.login_form)."""
