"""Template helpers for the kiosk."""

from django import template
from django.utils.translation import gettext_lazy as _

from spools.models import Accion, Resultado
from zeues.front.kiosk.availability import INSPECCIONAR

register = template.Library()

_LABELS = {
    Accion.TOMAR: _("TOMAR"),
    Accion.PAUSAR: _("PAUSAR"),
    Accion.COMPLETAR: _("COMPLETAR"),
    Accion.CANCELAR: _("CANCELAR"),
    Resultado.APROBADO: _("APROBADO"),
    Resultado.RECHAZADO: _("RECHAZADO"),
    INSPECCIONAR: _("INSPECCIONAR"),
}


@register.filter
def accion_label(code: str) -> str:
    """The button text of an action code, translated."""
    return str(_LABELS.get(code, code))
