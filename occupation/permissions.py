"""Who may do which operation, checked on the server by services and views.

The table is in docs/domain.md, "People and roles".
"""

from __future__ import annotations

from occupation.exceptions import RolNoAutorizado
from spools.exceptions import TrabajadorInactivo
from spools.models import Operacion, Rol, Worker

ROLES_BY_OPERATION: dict[str, frozenset[str]] = {
    Operacion.ARM: frozenset({Rol.ARMADOR, Rol.AYUDANTE}),
    Operacion.SOLD: frozenset({Rol.SOLDADOR, Rol.AYUDANTE}),
    Operacion.METROLOGIA: frozenset({Rol.METROLOGIA}),
}
# Operations any active worker may do, whatever their roles.
OPEN_OPERATIONS = frozenset({Operacion.REPARACION})


def worker_can_do(worker: Worker, operacion: str) -> bool:
    """True when the worker is active and holds a role allowed for `operacion`."""
    if not worker.activo:
        return False
    if operacion in OPEN_OPERATIONS:
        return True
    return bool(worker.active_roles() & ROLES_BY_OPERATION.get(operacion, frozenset()))


def ensure_worker_can(worker: Worker, operacion: str) -> None:
    """Raise TRABAJADOR_INACTIVO or ROL_NO_AUTORIZADO unless the worker may do `operacion`."""
    if not worker.activo:
        raise TrabajadorInactivo(
            f"{worker.token} está inactivo y no puede registrar operaciones.",
            data={"worker_id": worker.pk},
        )
    if not worker_can_do(worker, operacion):
        raise RolNoAutorizado(
            f"{worker.token} no tiene un rol que permita {operacion}.",
            data={"worker_id": worker.pk, "operacion": operacion, "roles": sorted(worker.active_roles())},
        )
