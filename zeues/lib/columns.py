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

# Operaciones: the sheet's own formulas over Uniones; ZEUES never writes them.
OPERACIONES_FORMULAS = (
    "Total_Uniones",
    "Uniones_ARM_Completadas",
    "Uniones_SOLD_Completadas",
    "Pulgadas_ARM",
    "Pulgadas_SOLD",
)

# Uniones: one row per joint (docs/joints.md); the key is TAG_SPOOL + N_UNION (ID is a row number).
UNIONES = "Uniones"
N_UNION = "N_UNION"
UNIONES_REQUIRED = (TAG_SPOOL, N_UNION, "DN_UNION", "TIPO_UNION")
# The cells ZEUES owns in Uniones: the mirror writes them for the joints that changed.
UNIONES_ZEUES_OWNED = (
    "ARM_FECHA_INICIO",
    "ARM_FECHA_FIN",
    "ARM_WORKER",
    "SOL_FECHA_INICIO",
    "SOL_FECHA_FIN",
    "SOL_WORKER",
)
# The NDT department's cells: read at import, never written.
UNIONES_NDT = ("NDT_UNION", "R_NDT_UNION", "NDT_FECHA", "NDT_STATUS")
UNIONES_ALL = (
    "ID",
    "OT",
    N_UNION,
    TAG_SPOOL,
    "DN_UNION",
    "TIPO_UNION",
    *UNIONES_ZEUES_OWNED,
    *UNIONES_NDT,
    "version",
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
