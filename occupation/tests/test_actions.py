"""The action table (occupation/actions.py): one row per action, filled by every workflow."""

import pytest

from occupation import actions
from occupation.exceptions import OperacionNoPermitida
from spools.models import Accion, Operacion


def test_every_workflow_filled_its_rows():
    assert set(actions.TABLE) == {
        (Operacion.ARM, Accion.TOMAR),
        (Operacion.ARM, Accion.PAUSAR),
        (Operacion.ARM, Accion.COMPLETAR),
        (Operacion.SOLD, Accion.TOMAR),
        (Operacion.SOLD, Accion.PAUSAR),
        (Operacion.SOLD, Accion.COMPLETAR),
        (None, Accion.PAUSAR),
        (None, Accion.COMPLETAR),
        (Operacion.METROLOGIA, Accion.COMPLETAR),
        (Operacion.REPARACION, Accion.TOMAR),
        (Operacion.REPARACION, Accion.PAUSAR),
        (Operacion.REPARACION, Accion.COMPLETAR),
        (Operacion.REPARACION, Accion.CANCELAR),
    }


@pytest.mark.parametrize(
    ("operacion", "accion"), [(None, Accion.TOMAR), (Operacion.METROLOGIA, Accion.TOMAR), ("NOPE", "TOMAR")]
)
def test_an_action_outside_the_table_is_refused_in_spanish(operacion, accion):
    with pytest.raises(OperacionNoPermitida) as refused:
        actions.get(operacion, accion)
    assert "no es una acción de" in refused.value.message
    assert refused.value.code == "OPERACION_NO_PERMITIDA"


def test_a_row_cannot_be_registered_twice_with_another_service():
    with pytest.raises(ValueError, match="registered twice"):
        actions.register([Operacion.ARM], Accion.TOMAR, lambda request: request.spool)
