"""Who may see the manager's pages: spool history, KPIs and exports (issue #7).

Access is group membership, not a custom permission: "Gerencia" (created by
zeues/migrations/0003_gerencia_group.py) and "Supervisores" (who need a spool's history to judge
a force release or an unblock). Superusers always pass. Kiosk tablet accounts never reach these
pages: KioskConfinementMiddleware sends them back to /kiosko/ before any view runs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

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

    return wrapper
