"""Trabajadores, Roles and Operaciones: workers, their roles, spools and their legacy state."""

from __future__ import annotations

import dataclasses
import datetime
import re
import uuid
from collections import defaultdict
from collections.abc import Container, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from spools.importer.sheet import (
    _ROLES,
    BATCH_SIZE,
    MASTER_COLUMNS,
    OPERACIONES,
    PROGRESS_EVERY,
    Counts,
    ImportReport,
    Progress,
    Row,
    Tab,
    _reason,
    reject_duplicates,
)
from spools.models import (
    Accion,
    EstadoCalidad,
    EstadoOperacion,
    Event,
    EventType,
    Operacion,
    Rol,
    Spool,
    Worker,
    WorkerRole,
)
from zeues.lib.dates import parse_sheet_datetime
from zeues.lib.headers import normalise_header

# --- Trabajadores and Roles ----------------------------------------------------------------


@dataclass
class SheetWorker:
    """One valid Trabajadores row."""

    fila: int
    id: int
    nombre: str
    apellido: str | None  # None: column absent, leave as is
    activo: bool | None  # None: empty or absent, leave as is (new workers are active)


def read_workers(tab: Tab) -> list[SheetWorker]:
    """Valid Trabajadores rows; invalid and duplicated ids are reported and left out."""
    by_id: dict[int, list[Row]] = defaultdict(list)
    parsed: list[tuple[Row, SheetWorker]] = []
    for row in tab.data_rows():
        worker_id = row.integer("Id", minimum=1)
        if worker_id is None and not row.rejected:
            row.reject("Id", "fila con datos pero sin Id")
        nombre = row.limited("Nombre", 100)
        if not nombre:
            row.reject("Nombre", "el trabajador no tiene Nombre")
        apellido = row.limited("Apellido", 100) if tab.has("Apellido") else None
        activo = row.boolean("Activo")
        if activo is None and tab.has("Activo") and not row.text("Activo"):
            row.warn("Activo", "Activo vacío; un trabajador nuevo queda activo y uno existente no cambia")
        if worker_id is not None:
            by_id[worker_id].append(row)
        parsed.append((row, SheetWorker(row.fila, worker_id or 0, nombre, apellido, activo)))
    reject_duplicates(by_id, "Id", "Id")
    return [w for row, w in parsed if not row.rejected]


def upsert_workers(items: list[SheetWorker], counts: Counts, now: datetime.datetime) -> None:
    """Create new workers and update changed names and Activo, in bulk."""
    existing = Worker.objects.in_bulk()
    new, changed = [], []
    for item in items:
        worker = existing.get(item.id)
        if worker is None:
            activo = True if item.activo is None else item.activo
            new.append(Worker(id=item.id, nombre=item.nombre, apellido=item.apellido or "", activo=activo))
            continue
        wanted = {"nombre": item.nombre, "apellido": item.apellido, "activo": item.activo}
        diff = {k: v for k, v in wanted.items() if v is not None and getattr(worker, k) != v}
        for attr, value in diff.items():
            setattr(worker, attr, value)
        if diff:
            worker.updated_at = now
            changed.append(worker)
    Worker.objects.bulk_create(new, batch_size=BATCH_SIZE)
    Worker.objects.bulk_update(changed, ["nombre", "apellido", "activo", "updated_at"], batch_size=BATCH_SIZE)
    counts.creados, counts.actualizados = len(new), len(changed)
    counts.sin_cambios = len(items) - len(new) - len(changed)


@dataclass
class SheetRole:
    """One valid Roles row."""

    fila: int
    worker_id: int
    rol: str
    activo: bool | None


def read_roles(tab: Tab, worker_ids: set[int]) -> list[SheetRole]:
    """Valid Roles rows; unknown roles or workers and duplicated pairs are reported and left out."""
    by_pair: dict[str, list[Row]] = defaultdict(list)
    parsed: list[tuple[Row, SheetRole]] = []
    for row in tab.data_rows():
        worker_id = row.integer("Id", minimum=1)
        if worker_id is None and not row.rejected:
            row.reject("Id", "fila con datos pero sin Id")
        elif worker_id is not None and worker_id not in worker_ids:
            row.reject("Id", f"no existe el trabajador con Id {worker_id}")
        rol = _ROLES.get(normalise_header(row.text("Rol")), "")
        if not rol:
            row.reject("Rol", "rol desconocido (válidos: " + ", ".join(Rol.values) + ")")
        activo = row.boolean("Activo")
        if worker_id is not None and rol:
            by_pair[f"{rol} del trabajador {worker_id}"].append(row)
        parsed.append((row, SheetRole(row.fila, worker_id or 0, rol, activo)))
    reject_duplicates(by_pair, "Rol", "el rol")
    return [r for row, r in parsed if not row.rejected]


def upsert_roles(items: list[SheetRole], counts: Counts) -> None:
    """Create new worker roles and update Activo of existing ones, in bulk."""
    existing = {(r.worker_id, r.rol): r for r in WorkerRole.objects.all()}
    new, changed = [], []
    for item in items:
        role = existing.get((item.worker_id, item.rol))
        if role is None:
            activo = True if item.activo is None else item.activo
            new.append(WorkerRole(worker_id=item.worker_id, rol=item.rol, activo=activo))
        elif item.activo is not None and role.activo != item.activo:
            role.activo = item.activo
            changed.append(role)
    WorkerRole.objects.bulk_create(new, batch_size=BATCH_SIZE)
    WorkerRole.objects.bulk_update(changed, ["activo"], batch_size=BATCH_SIZE)
    counts.creados, counts.actualizados = len(new), len(changed)
    counts.sin_cambios = len(items) - len(new) - len(changed)


# --- Operaciones: the legacy state ---------------------------------------------------------


@dataclass(frozen=True)
class LegacyState:
    """A spool's state as the old system left it in the sheet; used once, when ZEUES creates it."""

    arm: str = EstadoOperacion.PENDIENTE
    sold: str = EstadoOperacion.PENDIENTE
    armador_id: int | None = None
    soldador_id: int | None = None
    fecha_armado: datetime.date | None = None
    fecha_soldadura: datetime.date | None = None
    ocupado_por_id: int | None = None
    fecha_ocupacion: datetime.datetime | None = None
    operacion_actual: str = ""
    version: int = 0
    calidad: str = EstadoCalidad.PENDIENTE
    ciclo: int = 0
    fecha_qc_metrologia: datetime.date | None = None
    # Kept verbatim for the IMPORT event; the quality state above was parsed from it once.
    estado_detalle: str = ""

    def spool_fields(self) -> dict[str, Any]:
        """Keyword arguments for `Spool(...)` (the FSM fields may only be set this way)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "estado_detalle"}


def _machine_state(fecha: datetime.date | None, named: bool, holds: bool) -> str:
    """ARM or SOLD from the legacy columns: date → completado; worker → en_progreso/pausado."""
    if fecha is not None:
        return EstadoOperacion.COMPLETADO
    if named:
        return EstadoOperacion.EN_PROGRESO if holds else EstadoOperacion.PAUSADO
    return EstadoOperacion.PENDIENTE


def legacy_occupation(row: Row, tokens: Mapping[int, str]) -> tuple[int | None, datetime.datetime | None]:
    """Ocupado_Por + Fecha_Ocupacion: (worker id, since), or (None, None) when not usable."""
    named, worker_id = row.worker("Ocupado_Por", tokens, "se importa sin ocupar")
    fecha_text = row.text("Fecha_Ocupacion")
    if not named:
        if fecha_text:
            row.warn("Fecha_Ocupacion", "hay Fecha_Ocupacion pero no Ocupado_Por; se ignora")
        return None, None
    if worker_id is None:
        return None, None
    if not fecha_text:
        row.error(
            "Fecha_Ocupacion", f"falta la fecha de ocupación de {tokens[worker_id]}; se importa sin ocupar"
        )
        return None, None
    try:
        return worker_id, parse_sheet_datetime(fecha_text)
    except ValueError as exc:
        row.error("Fecha_Ocupacion", f"fecha no válida: {_reason(exc)}; se importa sin ocupar")
        return None, None


# The old system kept the quality loop only inside Estado_Detalle: this is the one place a
# display string is ever parsed. Anything else in the string is ARM/SOLD text, read from columns.
_QUALITY_PATTERNS = [
    (re.compile(r"^METROLOGIA APROBADO"), EstadoCalidad.APROBADO),
    (re.compile(r"^RECHAZADO \(Ciclo (\d+)(?:/\d+)?\)"), EstadoCalidad.RECHAZADO),
    (re.compile(r"^EN_REPARACION \(Ciclo (\d+)(?:/\d+)?\)"), EstadoCalidad.REPARACION_PAUSADA),
    (re.compile(r"^REPARACION_PAUSADA \(Ciclo (\d+)(?:/\d+)?\)"), EstadoCalidad.REPARACION_PAUSADA),
    (re.compile(r"^PENDIENTE_METROLOGIA \(Ciclo (\d+)(?:/\d+)?\)"), EstadoCalidad.PENDIENTE_METROLOGIA),
    (re.compile(r"^BLOQUEADO\b"), EstadoCalidad.BLOQUEADO),
]


def _parse_quality(text: str) -> tuple[str, int] | None:
    for pattern, calidad in _QUALITY_PATTERNS:
        if (match := pattern.match(text)) is not None:
            if calidad == EstadoCalidad.BLOQUEADO:
                return calidad, settings.ZEUES_MAX_CICLOS or 3
            return calidad, int(match.group(1)) if match.groups() else 0
    return None


def legacy_quality(row: Row, *, welded: bool) -> tuple[str, int, datetime.date | None]:
    """(calidad, ciclo, Fecha_QC_Metrología) from Estado_Detalle and the approval date."""
    fecha_qc = row.date("Fecha_QC_Metrología")
    text = row.text("Estado_Detalle")
    parsed = _parse_quality(text)
    if parsed is None:
        if fecha_qc is None:
            return EstadoCalidad.PENDIENTE, 0, None
        parsed = (EstadoCalidad.APROBADO, 0)
    calidad, ciclo = parsed
    if not welded:
        row.error("Estado_Detalle", "estado de calidad sin ARM y SOLD completados; se importa sin metrología")
        return EstadoCalidad.PENDIENTE, 0, None
    if calidad == EstadoCalidad.APROBADO:
        if fecha_qc is None:
            row.warn(
                "Fecha_QC_Metrología", "METROLOGIA APROBADO sin fecha de aprobación; se importa sin fecha"
            )
        return calidad, 0, fecha_qc
    if fecha_qc is not None:
        # The old system wrote the approval date on rejections too (a known bug).
        row.warn("Fecha_QC_Metrología", f"fecha de aprobación junto a '{text}': se ignora la fecha")
    if text.startswith("EN_REPARACION"):
        row.warn(
            "Estado_Detalle",
            "reparación en curso en la planilla: se importa como reparación pausada, sin ocupar",
        )
    return calidad, ciclo, None


def legacy_state(row: Row, tokens: Mapping[int, str]) -> LegacyState:
    """Assemble the legacy state of one Operaciones row: the one place that interprets it."""
    fecha_armado, fecha_soldadura = row.date("Fecha_Armado"), row.date("Fecha_Soldadura")
    arm_named, armador_id = row.worker("Armador", tokens, "se importa sin Armador")
    sold_named, soldador_id = row.worker("Soldador", tokens, "se importa sin Soldador")
    version = row.integer("version") or 0
    occupant, since = legacy_occupation(row, tokens)
    # The occupant works on the operation they are named on and have not finished; ARM first,
    # since one occupation cannot be two operations.
    arm = _machine_state(fecha_armado, arm_named, occupant is not None and armador_id == occupant)
    arm_held = arm == EstadoOperacion.EN_PROGRESO
    sold_holds = occupant is not None and not arm_held and soldador_id == occupant
    sold = _machine_state(fecha_soldadura, sold_named, sold_holds)
    operacion = Operacion.ARM if arm_held else Operacion.SOLD if sold_holds else ""
    welded = arm == sold == EstadoOperacion.COMPLETADO
    calidad, ciclo, fecha_qc = legacy_quality(row, welded=welded)
    if occupant is not None and not operacion:
        row.error(
            "Ocupado_Por",
            "no es el Armador ni el Soldador de una operación sin terminar; se importa sin ocupar",
        )
        occupant = since = None
    return LegacyState(
        arm=arm,
        sold=sold,
        armador_id=armador_id,
        soldador_id=soldador_id,
        fecha_armado=fecha_armado,
        fecha_soldadura=fecha_soldadura,
        ocupado_por_id=occupant,
        fecha_ocupacion=since,
        operacion_actual=operacion,
        version=version,
        calidad=calidad,
        ciclo=ciclo,
        fecha_qc_metrologia=fecha_qc,
        estado_detalle=row.text("Estado_Detalle"),
    )


# --- Operaciones: rows to spools ------------------------------------------------------------


@dataclass
class SheetSpool:
    """One valid Operaciones row: master data (present columns only) and legacy state."""

    fila: int
    tag: str
    master: dict[str, Any]
    legacy: LegacyState


def row_tag(row: Row) -> str:
    """TAG_SPOOL without surrounding spaces (reported); "" rejects the row."""
    raw, tag = row.raw("TAG_SPOOL"), row.text("TAG_SPOOL")
    if not tag:
        row.reject("TAG_SPOOL", "fila con datos pero sin TAG_SPOOL")
    elif len(tag) > 100:
        row.reject("TAG_SPOOL", "tiene más de 100 caracteres")
    elif raw != tag:
        row.warn("TAG_SPOOL", f"TAG_SPOOL con espacios alrededor; se importa como '{tag}'")
    return tag


def read_spool(row: Row, tag: str, tokens: Mapping[int, str], *, known: bool) -> SheetSpool | None:
    """The spool a row describes, or None when the row is rejected."""
    row.notes = not known
    master: dict[str, Any] = {}
    for column, attr in MASTER_COLUMNS.items():
        if row.tab.has(column):
            master[attr] = row.date(column) if attr == "fecha_materiales" else row.limited(column, 50)
    legacy = legacy_state(row, tokens)
    return None if row.rejected else SheetSpool(row.fila, tag, master, legacy)


def read_spools(
    tab: Tab, tokens: Mapping[int, str], known: Container[str], progress: Progress | None
) -> tuple[list[SheetSpool], list[str]]:
    """Valid Operaciones rows and every tag seen; duplicated tags reject every row carrying them."""
    by_tag: dict[str, list[Row]] = defaultdict(list)
    for row in tab.data_rows():
        tag = row_tag(row)
        if tag:
            by_tag[tag].append(row)
    reject_duplicates(by_tag, "TAG_SPOOL", "TAG_SPOOL")
    total, spools = len(by_tag), []
    for done, (tag, rows) in enumerate(by_tag.items(), start=1):
        row = rows[0]
        if not row.rejected and (item := read_spool(row, tag, tokens, known=tag in known)) is not None:
            spools.append(item)
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            progress(OPERACIONES, done, total)
    return spools, list(by_tag)


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value.isoformat() if isinstance(value, datetime.date) else value


def _import_event(
    spool: Spool, accion: str, cambios: dict[str, Any], fila: int | None, origen: str, now: datetime.datetime
) -> Event:
    """An IMPORT audit event, built for bulk_create (Event.save is insert-only anyway)."""
    return Event(
        id=uuid.uuid4(),
        timestamp=now,
        evento_tipo=EventType.IMPORT,
        spool_id=spool.pk,
        tag_spool=spool.tag_spool,
        worker=None,
        worker_token="",
        operacion="",
        accion=Accion.IMPORT,
        fecha_operacion=timezone.localdate(now),
        details={"accion": accion, "cambios": cambios, "fila": fila, "origen": origen},
    )


def create_spools(items: list[SheetSpool], origen: str, now: datetime.datetime) -> list[Event]:
    """Create the new spools with master data and legacy state; their IMPORT events."""
    spools = [Spool(tag_spool=i.tag, **i.master, **i.legacy.spool_fields()) for i in items]
    Spool.objects.bulk_create(spools, batch_size=BATCH_SIZE)
    if any(s.pk is None for s in spools):  # backends that cannot return ids from bulk inserts
        ids = dict(
            Spool.objects.filter(tag_spool__in=[s.tag_spool for s in spools]).values_list("tag_spool", "id")
        )
        for spool in spools:
            spool.pk = ids[spool.tag_spool]
    events = []
    for item, spool in zip(items, spools, strict=True):
        cambios = {k: _json(v) for k, v in {**item.master, **item.legacy.spool_fields()}.items()}
        # Kept for the later mapping of the legacy quality state (RECHAZADO, BLOQUEADO).
        cambios["estado_detalle_hoja"] = item.legacy.estado_detalle
        events.append(_import_event(spool, "creado", cambios, item.fila, origen, now))
    return events


def update_spools(
    items: list[SheetSpool], existing: Mapping[str, Spool], origen: str, now: datetime.datetime
) -> tuple[list[Event], int]:
    """Bring master data of existing spools in line with the sheet; never touch their state."""
    changed, events = [], []
    for item in items:
        spool = existing[item.tag]
        cambios = {
            attr: {"antes": _json(getattr(spool, attr)), "despues": _json(value)}
            for attr, value in item.master.items()
            if getattr(spool, attr) != value
        }
        if cambios:
            for attr, value in item.master.items():
                setattr(spool, attr, value)
            spool.updated_at = now
            changed.append(spool)
            events.append(_import_event(spool, "actualizado", cambios, item.fila, origen, now))
    fields = [*MASTER_COLUMNS.values(), "updated_at"]
    Spool.objects.bulk_update(changed, fields, batch_size=BATCH_SIZE)
    return events, len(changed)


@dataclass
class ImportedSpools:
    """What the Operaciones part leaves for the Uniones part: the IMPORT events still to insert
    (by spool id, so joint changes join the spool's one event) and where each tag was."""

    events: dict[int, Event]
    filas: dict[str, int]  # valid rows: tag → row
    rejected: set[str]  # tags whose every row was rejected


def import_operaciones(
    tab: Tab,
    tokens: Mapping[int, str],
    report: ImportReport,
    progress: Progress | None,
    now: datetime.datetime,
) -> ImportedSpools:
    """Create new spools and update master data of known ones; their IMPORT events (not inserted)."""
    existing = {s.tag_spool: s for s in Spool.objects.only("id", "tag_spool", *MASTER_COLUMNS.values())}
    items, tags = read_spools(tab, tokens, existing, progress)
    origen, counts = report.origen, report.spools
    new = [i for i in items if i.tag not in existing]
    known = [i for i in items if i.tag in existing]
    events = create_spools(new, origen, now)
    update_events, updated = update_spools(known, existing, origen, now)
    counts.creados, counts.actualizados, counts.sin_cambios = len(new), updated, len(known) - updated
    filas = {i.tag: i.fila for i in items}
    by_spool = {e.spool_id: e for e in events + update_events if e.spool_id is not None}
    return ImportedSpools(by_spool, filas, set(tags) - set(filas))
