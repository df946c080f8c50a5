"""The mirror's side of the outboxes (SheetSpoolChange, SheetUnionChange): queue all, confirm, flag.

Actions queue their spool, and the joints they wrote, in their own transaction (the engine calls
SheetSpoolChange.queue and SheetUnionChange.queue).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from spools.models import Spool, Union
from zeues.models import SheetSpoolChange, SheetUnionChange


@dataclass
class Planned:
    """The ranges of one pass over an outbox and its bookkeeping, applied once Google confirmed them."""

    data: list[dict[str, Any]] = field(default_factory=list)
    written: dict[int, int] = field(default_factory=dict)  # id → version written
    problems: dict[int, str] = field(default_factory=dict)  # id → why it was not written
    placed: dict[int, Any] = field(default_factory=dict)  # row → tag / joint key written there
    names: dict[int, str] = field(default_factory=dict)  # id → tag / "TAG #n", for avisos
    cleared: bool = False  # a row that had a problem was written: the other retries may go on at once


def outbox_add_all() -> int:
    """Queue every spool (after turning the mirror on, or to rewrite the sheet's ZEUES cells)."""
    now = timezone.now()
    changes = [
        SheetSpoolChange(spool_id=pk, version=version, first_change_at=now)
        for pk, version in Spool.objects.values_list("pk", "version").iterator()
    ]
    SheetSpoolChange.objects.bulk_create(
        changes, batch_size=1000, update_conflicts=True, unique_fields=["spool"], update_fields=["version"]
    )
    return len(changes)


def outbox_confirm(written: dict[int, int]) -> int:
    """Drop the rows Google confirmed: spool id → version written (newer changes stay queued)."""
    if not written:
        return 0
    condition = Q()
    for spool_id, version in written.items():
        condition |= Q(spool_id=spool_id, version__lte=version)
    deleted, _ = SheetSpoolChange.objects.filter(condition).delete()
    return deleted


def outbox_mark_problems(problems: dict[int, str]) -> None:
    """Record why some spools could not be written (their rows stay queued and are retried)."""
    by_reason: dict[str, list[int]] = {}
    for spool_id, reason in problems.items():
        by_reason.setdefault(reason[:200], []).append(spool_id)
    for reason, ids in by_reason.items():
        SheetSpoolChange.objects.filter(spool_id__in=ids).exclude(problema=reason).update(problema=reason)


# --- joints ------------------------------------------------------------------------------------


def union_outbox_add_all() -> int:
    """Queue every joint (to rewrite the Uniones tab's ZEUES cells)."""
    now = timezone.now()
    changes = [
        SheetUnionChange(union_id=pk, version=version, first_change_at=now)
        for pk, version in Union.objects.values_list("pk", "version").iterator()
    ]
    SheetUnionChange.objects.bulk_create(
        changes, batch_size=1000, update_conflicts=True, unique_fields=["union"], update_fields=["version"]
    )
    return len(changes)


def union_outbox_confirm(written: dict[int, int]) -> int:
    """Drop the joint rows Google confirmed: joint id → version written (newer changes stay queued)."""
    if not written:
        return 0
    # Joints have few versions (fitted, welded, a correction): one condition per version, not per joint.
    by_version: dict[int, list[int]] = {}
    for union_id, version in written.items():
        by_version.setdefault(version, []).append(union_id)
    condition = Q()
    for version, ids in by_version.items():
        condition |= Q(union_id__in=ids, version__lte=version)
    deleted, _ = SheetUnionChange.objects.filter(condition).delete()
    return deleted


def union_outbox_mark_problems(problems: dict[int, str]) -> None:
    """Record why some joints could not be written (their rows stay queued and are retried)."""
    by_reason: dict[str, list[int]] = {}
    for union_id, reason in problems.items():
        by_reason.setdefault(reason[:200], []).append(union_id)
    for reason, ids in by_reason.items():
        SheetUnionChange.objects.filter(union_id__in=ids).exclude(problema=reason).update(problema=reason)


def union_outbox_hold(reason: str) -> int:
    """Mark every joint not yet flagged with `reason` (the tab is missing): out of the lag, retried."""
    return SheetUnionChange.objects.filter(problema="").update(problema=reason[:200])
