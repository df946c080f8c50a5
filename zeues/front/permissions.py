"""Who may see which page: every view names its audience, and AccessMiddleware refuses the rest.

Deny by default (hardening issue): a page is open only to the audiences its view declares with
one of the decorators below; a view that declares none gets the Spanish 403 page, so a new page
someone forgot to mark is closed, not open. Two areas answer for themselves: admin (its own
staff check and login) and the JSON API (`zeues.lib.api.api_view`: a bearer token). The kiosk's
views are one area with one audience (`AREA_AUDIENCE`, by URL namespace).

The audiences are group membership, not custom permissions: "Gerencia" (created by
zeues/migrations/0003_gerencia_group.py), "Supervisores" (who need a spool's history to judge a
force release or an unblock), the kiosk group (settings.ZEUES_KIOSK_GROUP), the staff flag.
Superusers always pass. Kiosk tablet accounts never reach the office pages:
KioskConfinementMiddleware sends them back to /kiosko/ before any view runs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from zeues.front.kiosk.middleware import is_kiosk_account

GERENCIA = "Gerencia"
SUPERVISORES = "Supervisores"
MANAGEMENT_GROUPS = (GERENCIA, SUPERVISORES)


def can_view_management(user: Any) -> bool:
    """True for superusers and members of Gerencia or Supervisores."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_zeues_can_view_management", None)
    if cached is None:
        cached = user.groups.filter(name__in=MANAGEMENT_GROUPS).exists()
        user._zeues_can_view_management = cached
    return bool(cached)


def management_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """View decorator: 403 (templates/403.html) unless `can_view_management(request.user)`."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not can_view_management(request.user):
            raise PermissionDenied(_("Estas páginas son para Gerencia y Supervisores."))
        return view(request, *args, **kwargs)

    return allow(MANAGEMENT)(wrapper)


# --- Deny by default: audiences, their decorators, and the middleware that enforces them -------

View = Callable[..., HttpResponseBase]

# A view's audiences live in this attribute; functools.wraps copies it through outer decorators.
AUDIENCE_ATTR = "zeues_audience"
PUBLIC = "public"  # anyone, logged in or not (the login page, the load balancer's probe)
SIGNED_IN = "signed-in"  # any logged-in account (logging out)
KIOSK = "kiosk"  # kiosk tablet accounts, Supervisores, superusers
OFFICE = "office"  # staff accounts, Gerencia, Supervisores, superusers
MANAGEMENT = "management"  # Gerencia, Supervisores, superusers
OWN_AUTH = "own-auth"  # the view checks who may use it itself (the live stream)


def _in_group(user: Any, name: str) -> bool:
    names = getattr(user, "_zeues_groups", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._zeues_groups = names
    return name in names


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def can_use_kiosk(user: Any) -> bool:
    """True for kiosk tablet accounts, Supervisores (their own account) and superusers."""
    if not _active(user):
        return False
    return bool(user.is_superuser or is_kiosk_account(user) or _in_group(user, SUPERVISORES))


def can_view_office(user: Any) -> bool:
    """True for the office: staff accounts, Gerencia, Supervisores and superusers (start page,
    board, labels)."""
    if not _active(user):
        return False
    return bool(user.is_superuser or user.is_staff or can_view_management(user))


CHECKS: dict[str, Callable[[Any], bool]] = {
    PUBLIC: lambda user: True,
    SIGNED_IN: _active,
    KIOSK: can_use_kiosk,
    OFFICE: can_view_office,
    MANAGEMENT: can_view_management,
    OWN_AUTH: lambda user: True,
}
# What the 403 page says to someone outside a page's audiences (the first that applies).
REFUSALS = {
    MANAGEMENT: "Estas páginas son para Gerencia y Supervisores.",
    OFFICE: "Esta página es para la oficina: Gerencia, Supervisores y cuentas de personal.",
    KIOSK: "El kiosko es para las tabletas del taller y los Supervisores.",
}
# Whole areas with one audience, by URL namespace (app_name): the kiosk's views are all for the
# kiosk. Admin is absent on purpose: it answers for itself (see AccessMiddleware).
AREA_AUDIENCE: dict[str, frozenset[str]] = {"kiosk": frozenset({KIOSK})}


def allow(*audiences: str) -> Callable[[View], View]:
    """Mark a view as open to `audiences` (any of them); PUBLIC and OWN_AUTH also skip the login."""
    unknown = set(audiences) - set(CHECKS)
    if unknown or not audiences:
        raise ValueError(f"unknown audiences: {sorted(unknown)}")

    def mark(view: View) -> View:
        setattr(view, AUDIENCE_ATTR, frozenset(audiences))
        if PUBLIC in audiences or OWN_AUTH in audiences:
            view = login_not_required(view)
        return view

    return mark


public = allow(PUBLIC)
signed_in = allow(SIGNED_IN)
kiosk_allowed = allow(KIOSK)
office_required = allow(OFFICE)
own_auth = allow(OWN_AUTH)


def audience(view: Any, app_name: str = "") -> frozenset[str] | None:
    """The audiences a resolved view declares (or its area does); None when it declares none."""
    declared = getattr(view, AUDIENCE_ATTR, None)
    if declared is None and getattr(view, "view_class", None) is not None:
        declared = getattr(view.view_class, AUDIENCE_ATTR, None)
    return declared if declared is not None else AREA_AUDIENCE.get(app_name)


def may_open(user: Any, audiences: frozenset[str]) -> bool:
    """True when `user` belongs to at least one of `audiences`."""
    return any(CHECKS[name](user) for name in audiences)


class AccessMiddleware:
    """403 for a view the user is not an audience of, and for a view that names no audience.

    Runs after LoginRequiredMiddleware (anonymous visitors of a closed page already went to the
    login page) and after KioskConfinementMiddleware (tablet accounts already went to /kiosko/).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> None:
        match = request.resolver_match
        app_name = match.app_name if match is not None else ""
        if app_name == "admin" or getattr(view_func, "api_view", False):
            return None  # admin's staff check and login; the API's bearer token
        audiences = audience(view_func, app_name)
        if audiences is None:
            raise PermissionDenied(_("Esta página no está abierta a ninguna cuenta."))
        if not may_open(request.user, audiences):
            reason = next((REFUSALS[name] for name in REFUSALS if name in audiences), "")
            raise PermissionDenied(_(reason or "Su cuenta no tiene acceso a esta página."))
        return None
