"""Supervisor permissions (held by the "Supervisores" group, created by a data migration)."""

from __future__ import annotations

from typing import Any

from reparacion.exceptions import PermisoDenegado

DESBLOQUEAR = "spools.desbloquear_spool"
LIBERAR = "spools.liberar_ocupacion"
ATENDER_ALERTA = "spools.atender_alerta"


def ensure_permission(user: Any, perm: str) -> None:
    """403 PERMISO_DENEGADO unless the account holds `perm`."""
    if not user.has_perm(perm):
        raise PermisoDenegado(data={"permiso": perm})
