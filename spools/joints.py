"""Reads of a spool's joints shared by the engine, the API and the pages (docs/joints.md).

`progress` recomputes a spool's joint counters and pulgadas-diámetro from its joints; the
engine's step calls it inside the action's transaction, after the joints were written, and
stores the figures on the spool row (`Spool.uniones_*`, `pulgadas_*`), so lists show
`ARM 3/7 · SOLD 1/6` without reading a single joint.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from spools.models import EstadoOperacion, Operacion, Spool, TipoUnion, Union

ZERO = Decimal("0")
PROGRESS_FIELDS = (
    "uniones_total",
    "uniones_arm",
    "uniones_sold_total",
    "uniones_sold",
    "uniones_sold_listas",
    "pulgadas_arm",
    "pulgadas_sold",
)


@dataclass(frozen=True)
class Progress:
    """A spool's joint figures; all zero for a whole-spool spool."""

    uniones_total: int = 0
    uniones_arm: int = 0
    uniones_sold_total: int = 0
    uniones_sold: int = 0
    uniones_sold_listas: int = 0
    pulgadas_arm: Decimal = ZERO
    pulgadas_sold: Decimal = ZERO

    def store(self, spool: Spool) -> None:
        """Copy the figures onto the spool (in memory; the engine's write sends them)."""
        for name in PROGRESS_FIELDS:
            setattr(spool, name, getattr(self, name))


def progress(spool_id: int) -> Progress:
    """The figures of one spool, from its joints (one aggregate query)."""
    not_fw = ~Q(tipo=TipoUnion.FW)
    row = Union.objects.filter(spool_id=spool_id, anulada=False).aggregate(
        total=Count("pk"),
        arm=Count("pk", filter=Q(arm_fin__isnull=False)),
        sold_total=Count("pk", filter=not_fw),
        sold=Count("pk", filter=Q(sold_fin__isnull=False)),
        listas=Count("pk", filter=not_fw & Q(arm_fin__isnull=False, sold_fin__isnull=True)),
        pd_arm=Sum("dn", filter=Q(arm_fin__isnull=False)),
        pd_sold=Sum("dn", filter=Q(sold_fin__isnull=False)),
    )
    return Progress(
        uniones_total=row["total"],
        uniones_arm=row["arm"],
        uniones_sold_total=row["sold_total"],
        uniones_sold=row["sold"],
        uniones_sold_listas=row["listas"],
        pulgadas_arm=row["pd_arm"] or ZERO,
        pulgadas_sold=row["pd_sold"] or ZERO,
    )


def progress_of(spool: Spool) -> Progress:
    """The figures the spool row holds (no query)."""
    return Progress(**{name: getattr(spool, name) for name in PROGRESS_FIELDS})


def label(spool: Spool) -> str:
    """`ARM 3/7 · SOLD 1/6`, or empty for a whole-spool spool."""
    if not spool.uniones_total:
        return ""
    return (
        f"ARM {spool.uniones_arm}/{spool.uniones_total} · "
        f"SOLD {spool.uniones_sold}/{spool.uniones_sold_total}"
    )


def joints_of(spool: Spool, *, with_voided: bool = True) -> list[Union]:
    """The spool's joints by number, with their workers."""
    qs = Union.objects.filter(spool=spool).select_related("arm_worker", "sold_worker").order_by("n_union")
    if not with_voided:
        qs = qs.filter(anulada=False)
    return list(qs)


def offered(joints: list[Union], operacion: str) -> list[Union]:
    """The joints a holder of `operacion` may tick now: ARM unfitted; SOLD fitted, unwelded, not FW."""
    return [
        u for u in joints if u.is_open(operacion) and (operacion == Operacion.ARM or u.arm_fin is not None)
    ]


def progress_to_dict(spool: Spool) -> dict[str, Any]:
    """The API's `progreso` object."""
    return {
        "arm_hechas": spool.uniones_arm,
        "arm_total": spool.uniones_total,
        "sold_hechas": spool.uniones_sold,
        "sold_total": spool.uniones_sold_total,
        "pulgadas_arm": float(spool.pulgadas_arm),
        "pulgadas_sold": float(spool.pulgadas_sold),
    }


def settle(spool: Spool, fecha: datetime.date) -> list[tuple[Callable[..., None], dict[str, Any]]]:
    """The transitions a spool's new joint figures call for, once the action's own ran.

    ARM is complete when every joint is fitted; SOLD when every non-FW joint is welded (a spool
    of FW joints only, once ARM is complete). An operation held right now (en progreso) is left
    to its holder. A joint added to a complete operation opens it again (pausado, progress kept).
    """
    if not spool.uniones_total:
        return []
    waiting = (EstadoOperacion.PENDIENTE, EstadoOperacion.PAUSADO)
    steps: list[tuple[Callable[..., None], dict[str, Any]]] = []
    all_fitted = spool.uniones_arm == spool.uniones_total
    if all_fitted and spool.arm in waiting:
        steps.append((Spool.cerrar_arm, {"fecha": fecha}))
    elif not all_fitted and spool.arm == EstadoOperacion.COMPLETADO:
        steps.append((Spool.reabrir_arm, {}))
    arm_done = all_fitted or spool.arm == EstadoOperacion.COMPLETADO
    all_welded = spool.uniones_sold == spool.uniones_sold_total
    if all_welded and spool.sold in waiting and (spool.uniones_sold_total or arm_done):
        steps.append((Spool.cerrar_sold, {"fecha": fecha}))
    elif not all_welded and spool.sold == EstadoOperacion.COMPLETADO:
        steps.append((Spool.reabrir_sold, {}))
    return steps


def store_progress(spool_ids: list[int]) -> None:
    """Write the joint figures of these spools from their joints (the import, tests, a repair).

    The figures are those of `progress()`, zero for a spool without joints. An import passes
    20,000 spools: one UPDATE per chunk of spools computes every figure in the database from the
    spool's own joints (correlated aggregates over the joints' spool index). `bulk_update` was
    measured first: building its CASE expressions cost ~1.6 ms of Python per spool (33 s for
    20,000), more than half the import's budget. The services never need this: the engine's
    step keeps the figures in the action's transaction.

    PostgreSQL's JIT is switched off for the rest of the caller's transaction: the seven
    sub-plans' cost estimate crosses its threshold, and compiling them took 5 s for a
    400-spool UPDATE whose execution takes 20 ms (measured on the sample sheet's import).
    """
    not_fw = ~Q(tipo=TipoUnion.FW)
    aggregates = {
        "uniones_total": Count("pk"),
        "uniones_arm": Count("pk", filter=Q(arm_fin__isnull=False)),
        "uniones_sold_total": Count("pk", filter=not_fw),
        "uniones_sold": Count("pk", filter=Q(sold_fin__isnull=False)),
        "uniones_sold_listas": Count("pk", filter=not_fw & Q(arm_fin__isnull=False, sold_fin__isnull=True)),
        "pulgadas_arm": Sum("dn", filter=Q(arm_fin__isnull=False)),
        "pulgadas_sold": Sum("dn", filter=Q(sold_fin__isnull=False)),
    }
    joints = Union.objects.filter(spool_id=OuterRef("pk"), anulada=False).order_by().values("spool_id")
    figures = {
        name: Coalesce(
            Subquery(joints.annotate(figure=aggregate).values("figure")),
            Value(ZERO if name.startswith("pulgadas") else 0),
            output_field=DecimalField() if name.startswith("pulgadas") else IntegerField(),
        )
        for name, aggregate in aggregates.items()
    }
    ids = list(dict.fromkeys(spool_ids))
    with transaction.atomic():
        if ids and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        for start in range(0, len(ids), 2000):
            Spool.objects.filter(pk__in=ids[start : start + 2000]).update(**figures)
