"""The mirror's side of the outbox (zeues.models.SheetSpoolChange): queue all, confirm, flag.

Actions queue their spool in their own transaction (the engine calls SheetSpoolChange.queue).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from spools.models import Spool
from zeues.models import SheetSpoolChange


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
