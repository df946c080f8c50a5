"""The kiosk's lists offer only actions the action table can run."""

from occupation import actions
from spools.models import Accion, Operacion
from zeues.front.kiosk import availability


def test_every_action_the_kiosk_offers_has_a_service():
    for operacion, offered in availability.ACTIONS_BY_OPERATION.items():
        if operacion == Operacion.METROLOGIA:
            offered = (Accion.COMPLETAR,)  # the verdict itself is the kiosk's action there
        for accion in offered:
            assert callable(actions.get(operacion, accion))
