"""Template helpers for the kiosk."""

from django import template
from django.utils.translation import gettext_lazy as _

from spools import joints
from spools.models import Accion, Resultado, Spool
from zeues.front.kiosk.availability import INSPECCIONAR
from zeues.front.kiosk.joints import TERMINAR

register = template.Library()

_LABELS = {
    Accion.TOMAR: _("TOMAR"),
    Accion.PAUSAR: _("PAUSAR"),
    Accion.COMPLETAR: _("COMPLETAR"),
    Accion.CANCELAR: _("CANCELAR"),
    Accion.LIBERAR: _("LIBERAR"),
    Resultado.APROBADO: _("APROBADO"),
    Resultado.RECHAZADO: _("RECHAZADO"),
    INSPECCIONAR: _("INSPECCIONAR"),
    TERMINAR: _("Terminar"),
}


@register.filter
def accion_label(code: str) -> str:
    """The button text of an action code, translated."""
    return str(_LABELS.get(code, code))


@register.filter
def progreso(spool: Spool) -> str:
    """`ARM 3/7 · SOLD 1/6` for a spool with joints; empty for a whole-spool spool."""
    return joints.label(spool)
