"""The shop spreadsheet's column names, spelled once (docs/sheets.md, docs/import.md).

Columns are always found by their header's name, never by position. The import reads these, the
mirror writes the ZEUES-owned ones and appends Metadata rows, the event-log download reuses
Metadata's header.
"""

from __future__ import annotations

TAG_SPOOL = "TAG_SPOOL"

# Operaciones: master data kept by the office; every import refreshes it.
MASTER = ("NV", "OT", "Fecha_Materiales")
# Operaciones: the cells ZEUES owns (the mirror writes them; a spool's first import reads them).
ZEUES_OWNED = (
    "Fecha_Armado",
    "Armador",
    "Fecha_Soldadura",
    "Soldador",
    "Fecha_QC_Metrología",
    "Ocupado_Por",
    "Fecha_Ocupacion",
    "version",
    "Estado_Detalle",
)

# Trabajadores and Roles: required first, then those read when present.
TRABAJADORES_REQUIRED = ("Id", "Nombre")
TRABAJADORES_OPTIONAL = ("Apellido", "Activo")
ROLES_REQUIRED = ("Id", "Rol")
ROLES_OPTIONAL = ("Activo",)

# Metadata: one row per audit event, appended by the mirror.
METADATA = (
    "ID",
    "Timestamp",
    "Evento_Tipo",
    TAG_SPOOL,
    "Worker_ID",
    "Worker_Nombre",
    "Operacion",
    "Accion",
    "Fecha_Operacion",
    "Metadata_JSON",
)
