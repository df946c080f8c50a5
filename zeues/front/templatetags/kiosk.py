"""Template helpers for the kiosk."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

_LABELS = {
    "TOMAR": _("TOMAR"),
    "PAUSAR": _("PAUSAR"),
    "COMPLETAR": _("COMPLETAR"),
    "CANCELAR": _("CANCELAR"),
    "APROBADO": _("APROBADO"),
    "RECHAZADO": _("RECHAZADO"),
    "INSPECCIONAR": _("INSPECCIONAR"),
}


@register.filter
def accion_label(code: str) -> str:
    """The button text of an action code, translated."""
    return str(_LABELS.get(code, code))
