"""`{% load management %}`: the manager-page access check for templates (the view checks it too)."""

from typing import Any

from django import template

from spools.models import Alerta
from zeues.front import permissions
from zeues.front.permissions import can_view_management as _can_view_management

register = template.Library()


@register.filter
def can_view_management(user: Any) -> bool:
    """True when the user may open the manager pages (Gerencia, Supervisores, superusers)."""
    return _can_view_management(user)


@register.filter
def can_use_kiosk(user: Any) -> bool:
    """True when the user may open the kiosk (tablet accounts, Supervisores, superusers)."""
    return permissions.can_use_kiosk(user)


@register.filter
def can_view_office(user: Any) -> bool:
    """True when the user may open the office pages (staff, Gerencia, Supervisores, superusers)."""
    return permissions.can_view_office(user)


@register.simple_tag
def open_alerts() -> int:
    """How many supervisor alerts nobody has answered (the top bar's «Alertas (N)»)."""
    return Alerta.objects.abiertas().count()
