"""Uniones: the joints of the spools, their legacy work and NDT data (docs/joints.md)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection

from spools import kpi_facts
from spools.importer.operaciones import ImportedSpools, _import_event, _json, row_tag
from spools.importer.sheet import (
    BATCH_SIZE,
    PROGRESS_EVERY,
    UNIONES,
    ImportReport,
    Progress,
    Row,
    Severidad,
    Tab,
    reject_duplicates,
)
from spools.joints import PROGRESS_FIELDS, store_progress
from spools.models import (
    EstadoOperacion,
    Spool,
    TipoUnion,
    Union,
)
from zeues.lib import columns
from zeues.lib.dates import shop_tz
from zeues.lib.dn import DnInvalido, parse_dn

# --- Uniones: rows to joints ----------------------------------------------------------------
# One row per joint, keyed by TAG_SPOOL + N_UNION (the sheet's ID column is a row number). The
# joint's legacy work (ARM_*, SOL_*) is read only when ZEUES creates the joint; a known joint gets
# its DN and type refreshed while ZEUES has no work recorded on it, and its NDT_* cells (the NDT
# department's, never written by ZEUES) on every import.


class JointKey(NamedTuple):
    """A joint as the sheet names it."""

    tag: str
    n_union: int

    def __str__(self) -> str:
        return f"{self.tag} #{self.n_union}"


@dataclass(frozen=True)
class JointWork:
    """One operation on a joint as the old system left it: who, and from when to when."""

    worker_id: int | None
    inicio: datetime.datetime | None
    fin: datetime.datetime

    def fields(self, op: str) -> dict[str, Any]:
        """`arm_worker_id`, `arm_inicio`, `arm_fin`, `arm_fecha` (the shop's day of the end)."""
        return {
            f"{op}_worker_id": self.worker_id,
            f"{op}_inicio": self.inicio,
            f"{op}_fin": self.fin,
            f"{op}_fecha": self.fin.astimezone(shop_tz()).date(),
        }


@dataclass
class SheetJoint:
    """One valid Uniones row."""

    fila: int
    key: JointKey
    dn: Decimal
    tipo: str
    ndt: dict[str, Any]  # the NDT columns present in the sheet: Union field → value
    arm: JointWork | None
    sold: JointWork | None

    def new_union(self, spool_id: int) -> dict[str, Any]:
        """The fields of the joint ZEUES creates from this row, with its legacy work.

        Plain values, not a `Union`: building 200,000 model instances cost ~5 s (measured).
        """
        work = {
            **(self.arm.fields("arm") if self.arm else {}),
            **(self.sold.fields("sold") if self.sold else {}),
        }
        return {"spool_id": spool_id, "n_union": self.key.n_union, "dn": self.dn, "tipo": self.tipo} | {
            **self.ndt,
            **work,
        }


# Per operation: its columns (start, end, worker) and the words of the report.
_WORK = {
    "arm": (("ARM_FECHA_INICIO", "ARM_FECHA_FIN", "ARM_WORKER"), "armada", "armador", "ARM"),
    "sold": (("SOL_FECHA_INICIO", "SOL_FECHA_FIN", "SOL_WORKER"), "soldada", "soldador", "SOLD"),
}
NDT_COLUMNS = dict(
    zip(columns.UNIONES_NDT, ("ndt_metodo", "ndt_informe", "ndt_fecha", "ndt_resultado"), strict=True)
)
_TIPOS = frozenset(TipoUnion.values)
_NDT_LENGTH = {"ndt_metodo": 20, "ndt_informe": 100, "ndt_resultado": 20}
_STORED = (
    "id",
    "spool_id",
    "n_union",
    "dn",
    "tipo",
    "arm_fin",
    "sold_fin",
    "anulada",
    "version",
    *NDT_COLUMNS.values(),
)


def joint_key(row: Row) -> JointKey | None:
    """TAG_SPOOL + N_UNION of a row, or None when the row is rejected for lack of one."""
    tag = row_tag(row)
    n_union = row.integer(columns.N_UNION, minimum=1)
    if n_union is None and not row.rejected:
        row.reject(columns.N_UNION, "fila con datos pero sin N_UNION")
    return JointKey(tag, n_union) if tag and n_union is not None else None


def joint_dn(row: Row) -> Decimal | None:
    """DN_UNION in inches (`2`, `2.5`, `2,5`, `1 1/2`); rejects the row when missing or invalid."""
    text = row.text("DN_UNION")
    if not text:
        row.reject("DN_UNION", "falta el DN de la unión")
        return None
    try:
        return parse_dn(text)
    except DnInvalido as exc:
        row.reject("DN_UNION", str(exc).rstrip("."))
        return None


def dn_note(row: Row, dn: Decimal) -> None:
    """A DN written with a decimal comma or as a fraction is read, and said how, where it is used."""
    text = row.text("DN_UNION")
    how = "con coma decimal" if "," in text else "como fracción" if "/" in text else ""
    if how:
        row.warn("DN_UNION", f"DN escrito {how}; se importa como {_inches(dn)} pulgadas", always=True)


def _inches(dn: Decimal) -> str:
    """`2.5`, `8`: a DN as the report shows it (a point, so `2,5` is never read back as two numbers)."""
    return format(dn.normalize(), "f")


def joint_tipo(row: Row) -> str:
    """TIPO_UNION in any case and spacing (` bw ` = `BW`); rejects the row when unknown or missing."""
    tipo = "".join(row.text("TIPO_UNION").split()).upper()
    if tipo not in _TIPOS:
        valid = ", ".join(TipoUnion.values)
        row.reject("TIPO_UNION", f"tipo de unión desconocido (válidos: {valid})" if tipo else "falta el tipo")
    return tipo


def joint_work(row: Row, op: str, tokens: Mapping[int, str]) -> JointWork | None:
    """ARM_* or SOL_*: the work the old system recorded, None when the joint was not finished."""
    (col_inicio, col_fin, col_worker), hecha, quien, nombre = _WORK[op]
    inicio, fin = row.datetime(col_inicio), row.datetime(col_fin)
    sin = f"se importa {hecha} sin {quien}" if fin is not None else f"se importa sin {nombre}"
    named, worker_id = row.worker(col_worker, tokens, sin)
    if fin is None:
        if worker_id is not None or (inicio is not None and not named):
            column = col_worker if named else col_inicio
            row.warn(column, f"{column} sin {col_fin}: la unión no está {hecha}; se importa sin {nombre}")
        return None
    if not named:
        row.warn(col_fin, f"unión {hecha} sin {col_worker}; se importa sin {quien}")
    if inicio is not None and inicio > fin:
        row.error(col_inicio, f"inicio posterior a {col_fin} ({fin:%d-%m-%Y %H:%M}); se importa sin inicio")
        inicio = None
    return JointWork(worker_id, inicio, fin)


def read_joint(row: Row, key: JointKey, tokens: Mapping[int, str], *, known: bool) -> SheetJoint | None:
    """The joint a row describes, or None when the row is rejected."""
    row.notes = not known  # a known joint's legacy work is not used: no notes about it
    dn, tipo = joint_dn(row), joint_tipo(row)
    ndt: dict[str, Any] = {}
    for column, attr in NDT_COLUMNS.items():
        if row.tab.has(column):
            ndt[attr] = row.date(column) if attr == "ndt_fecha" else row.limited(column, _NDT_LENGTH[attr])
    arm, sold = joint_work(row, "arm", tokens), joint_work(row, "sold", tokens)
    if sold is not None:
        # ZEUES never invents the fitting a weld implies, nor a shop weld of a field weld.
        if arm is None:
            motivo = "unión soldada pero nunca armada (sin ARM_FECHA_FIN); no se inventa el armado"
        elif tipo == TipoUnion.FW:
            motivo = "una unión FW se suelda en terreno, no en el taller"
        else:
            motivo = "soldada antes de armada (anterior a ARM_FECHA_FIN)" if sold.fin < arm.fin else ""
        if motivo:
            row.reject("SOL_FECHA_FIN", motivo)
    if row.rejected or dn is None:
        return None
    return SheetJoint(row.fila, key, dn, tipo, ndt, arm, sold)


def refresh_joint(union: Union, item: SheetJoint, row: Row, now: datetime.datetime) -> dict[str, Any]:
    """Bring a known joint in line: NDT always, DN and type only while no work is recorded."""
    wanted = dict(item.ndt)
    if union.tiene_trabajo:
        for attr, column, shown in (
            ("dn", "DN_UNION", f"DN {_inches(union.dn)}"),
            ("tipo", "TIPO_UNION", f"tipo {union.tipo}"),
        ):
            if getattr(union, attr) != getattr(item, attr):
                row.warn(
                    column,
                    f"la unión ya tiene trabajo registrado en ZEUES: se mantiene {shown} "
                    "(un supervisor puede corregirlo)",
                    always=True,
                )
    else:
        wanted |= {"dn": item.dn, "tipo": item.tipo}
        if union.dn != item.dn:
            dn_note(row, item.dn)
    cambios = {
        attr: {"antes": _json(getattr(union, attr)), "despues": _json(value)}
        for attr, value in wanted.items()
        if getattr(union, attr) != value
    }
    if cambios:
        for attr, value in wanted.items():
            setattr(union, attr, value)
        union.version += 1
        union.updated_at = now
    return cambios


@dataclass
class JointChanges:
    """What an import did to the joints of each spool (for the IMPORT event and the figures)."""

    creadas: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    actualizadas: dict[int, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))
    first_row: dict[int, int] = field(default_factory=dict)  # spool id → its first Uniones row

    def spool_ids(self) -> list[int]:
        """Every spool whose joints changed."""
        return list(dict.fromkeys([*self.creadas, *self.actualizadas]))

    def of(self, spool_id: int) -> dict[str, Any]:
        """The `uniones` entry of the spool's IMPORT event."""
        entry: dict[str, Any] = {}
        if spool_id in self.creadas:
            entry["creadas"] = self.creadas[spool_id]
        if spool_id in self.actualizadas:
            entry["actualizadas"] = self.actualizadas[spool_id]
        return entry


def _no_spool(tag: str, imported: ImportedSpools) -> str:
    if tag in imported.rejected:
        return f"la fila del spool {tag} en Operaciones fue rechazada"
    return f"el spool {tag} no existe en Operaciones"


def read_joints(
    tab: Tab,
    tokens: Mapping[int, str],
    spools: Mapping[str, int],
    stored: Mapping[tuple[int, int], Union],
    imported: ImportedSpools,
    progress: Progress | None,
) -> tuple[list[tuple[Row, SheetJoint]], set[tuple[int, int]]]:
    """Valid Uniones rows, and every (spool id, number) the sheet lists (valid or not)."""
    by_key: dict[JointKey, list[Row]] = defaultdict(list)
    for row in tab.data_rows():
        if (key := joint_key(row)) is not None:
            by_key[key].append(row)
    reject_duplicates(by_key, columns.N_UNION, "la unión", repetido="repetida")
    total, items = len(by_key), []
    for done, (key, rows) in enumerate(by_key.items(), start=1):
        row, spool_id = rows[0], spools.get(key.tag)
        if spool_id is None and not row.rejected:
            row.reject("TAG_SPOOL", _no_spool(key.tag, imported))
        if not row.rejected and spool_id is not None:
            known = (spool_id, key.n_union) in stored
            if (item := read_joint(row, key, tokens, known=known)) is not None:
                items.append((row, item))
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            progress(UNIONES, done, total)
    listed = {(spools[k.tag], k.n_union) for k in by_key if k.tag in spools}
    return items, listed


def import_uniones(
    tab: Tab,
    tokens: Mapping[int, str],
    report: ImportReport,
    imported: ImportedSpools,
    progress: Progress | None,
    now: datetime.datetime,
) -> None:
    """Create new joints, refresh known ones, store the spools' figures, note it in the IMPORT events."""
    spools = dict(Spool.objects.values_list("tag_spool", "id"))
    stored = {(u.spool_id, u.n_union): u for u in Union.objects.only(*_STORED)}
    items, listed = read_joints(tab, tokens, spools, stored, imported, progress)
    changes, changed = JointChanges(), []
    new: list[dict[str, Any]] = []
    for row, item in items:
        spool_id = spools[item.key.tag]
        changes.first_row.setdefault(spool_id, item.fila)
        union = stored.get((spool_id, item.key.n_union))
        if union is None:
            dn_note(row, item.dn)
            new.append(item.new_union(spool_id))
            changes.creadas[spool_id].append(item.key.n_union)
        elif cambios := refresh_joint(union, item, row, now):
            changed.append(union)
            changes.actualizadas[spool_id][str(item.key.n_union)] = cambios
    insert_joints(new, now)
    count_legacy_work(new)
    fields = ["dn", "tipo", *NDT_COLUMNS.values(), "version", "updated_at"]
    Union.objects.bulk_update(changed, fields, batch_size=BATCH_SIZE)
    report.uniones.creados, report.uniones.actualizados = len(new), len(changed)
    report.uniones.sin_cambios = len(items) - len(new) - len(changed)
    store_progress(changes.spool_ids())
    tags = {pk: tag for tag, pk in spools.items()}
    warn_missing(report, stored, listed, tags)
    warn_inconsistent(report, changes, tags)
    for spool_id in changes.spool_ids():
        event = imported.events.get(spool_id)
        if event is None:
            tag = tags[spool_id]
            event = _import_event(
                Spool(pk=spool_id, tag_spool=tag),
                "actualizado",
                {},
                imported.filas.get(tag),
                report.origen,
                now,
            )
            imported.events[spool_id] = event
        event.details["cambios"]["uniones"] = changes.of(spool_id)


def count_legacy_work(joints: list[dict[str, Any]]) -> None:
    """The new joints' legacy work in Gerencia's joints-per-day facts (KpiUnionDia), added like
    the engine adds a joint recorded on the kiosk, so an import never races a kiosk's count."""
    deltas: kpi_facts.UnionDelta = {}
    for joint in joints:
        for op, prefix in (("ARM", "arm"), ("SOLD", "sold")):
            fecha = joint.get(f"{prefix}_fecha")
            if fecha is not None:
                key = (fecha, op, joint.get(f"{prefix}_worker_id"))
                n, pd = deltas.get(key, (0, Decimal("0")))
                deltas[key] = (n + 1, pd + joint["dn"])
    kpi_facts.union_days_add(deltas)


def insert_joints(joints: list[dict[str, Any]], now: datetime.datetime) -> None:
    """Insert new joints (their fields; the model's defaults for the rest): one COPY on
    PostgreSQL, bulk_create elsewhere.

    Measured on 200,000 joints: Django's insert compiler spends ~90 µs of Python per joint (18 s),
    COPY a few µs, which keeps the import of 20,000 spools + 200,000 joints within its minute.
    """
    if connection.vendor != "postgresql":
        Union.objects.bulk_create([Union(**j) for j in joints], batch_size=BATCH_SIZE)
        return
    fields = [f for f in Union._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields} | {"created_at": now, "updated_at": now}
    names = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    sql = f"COPY {connection.ops.quote_name(Union._meta.db_table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for joint in joints:
            row = defaults | joint
            copy.write_row([row[f.attname] for f in fields])


def warn_missing(
    report: ImportReport,
    stored: Mapping[tuple[int, int], Union],
    listed: set[tuple[int, int]],
    tags: Mapping[int, str],
) -> None:
    """A joint ZEUES has (not voided) that the sheet no longer lists is kept, and said."""
    for key, union in stored.items():
        if key not in listed and not union.anulada:
            report.add(
                UNIONES,
                0,
                columns.N_UNION,
                f"{tags[union.spool_id]} #{union.n_union}",
                Severidad.AVISO,
                "la unión está en ZEUES pero no en la hoja Uniones; se mantiene",
            )


_DONE = {"ARM": ("armadas", "armar"), "SOLD": ("soldadas", "soldar")}


def inconsistencies(spool: Spool) -> list[str]:
    """Where a spool's ARM/SOLD state and its joints disagree (the import never moves the state)."""
    found = []
    figures = (
        ("ARM", spool.arm, spool.uniones_arm, spool.uniones_total),
        ("SOLD", spool.sold, spool.uniones_sold, spool.uniones_sold_total),
    )
    for op, state, done, total in figures:
        hechas, hacer = _DONE[op]
        if state == EstadoOperacion.COMPLETADO and done < total:
            found.append(f"{op} completado en ZEUES pero {total - done} de {total} uniones sin {hacer}")
        elif state == EstadoOperacion.PENDIENTE and done:
            found.append(f"{op} pendiente en ZEUES pero {done} de {total} uniones {hechas}")
        elif state == EstadoOperacion.PAUSADO and total and done == total:
            found.append(f"{op} pausado en ZEUES pero las {total} uniones {hechas}")
    return found


def warn_inconsistent(report: ImportReport, changes: JointChanges, tags: Mapping[int, str]) -> None:
    """Report, on the spool's first Uniones row, a state its new joint figures contradict."""
    ids = changes.spool_ids()
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = Spool.objects.filter(pk__in=ids[start : start + BATCH_SIZE]).only(
            "id", "arm", "sold", *PROGRESS_FIELDS
        )
        for spool in chunk:
            for motivo in inconsistencies(spool):
                report.add(
                    UNIONES,
                    changes.first_row[spool.pk],
                    columns.TAG_SPOOL,
                    tags[spool.pk],
                    Severidad.AVISO,
                    f"{motivo}; el estado del spool no se cambia",
                )
