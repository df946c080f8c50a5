"""The Uniones tab: where each joint's row is, and the ranges that carry its ZEUES cells.

One row per joint, keyed by TAG_SPOOL + N_UNION (the `ID` column holds sequential row numbers,
not the key), columns found by header name. The worker reads the tab's header row and its two key
columns in the cycle's one batchGet and writes the six ZEUES-owned cells of every changed joint in
the cycle's one batchUpdate. It never writes DN_UNION, TIPO_UNION, the NDT department's NDT_*
columns or the tab's own `version`. Rows are located again every cycle, never remembered, so a
tab sorted by hand is still written right.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any

from django.conf import settings
from django.db.models import F, Q

from spools.models import Union
from zeues.lib import columns
from zeues.lib.headers import HeaderMap
from zeues.mirror.cells import UNION_COLUMNS, row_ranges, union_cells
from zeues.mirror.outbox import Planned
from zeues.models import SheetUnionChange

KEY_COLUMNS = (columns.TAG_SPOOL, columns.N_UNION)
# What writing a joint needs: the key to find its row and the six cells it owns.
NEEDED = (*KEY_COLUMNS, *UNION_COLUMNS)
# Joints per cycle: 1,000 actions a minute recording 5 joints each is ~420 per 5-s cycle.
DEFAULT_BATCH = 5000

Key = tuple[str, int]


def uniones_tab() -> str:
    """The joints' tab name (ZEUES_SHEET_UNIONES when the settings name one, else `Uniones`)."""
    return str(getattr(settings, "ZEUES_SHEET_UNIONES", columns.UNIONES))


def batch_size() -> int:
    """Joints sent per cycle at most (ZEUES_SHEETS_BATCH_UNIONES when set)."""
    return int(getattr(settings, "ZEUES_SHEETS_BATCH_UNIONES", DEFAULT_BATCH))


def missing_tab_message() -> str:
    """Why joints stay queued while the spreadsheet has no joints' tab (a status warning)."""
    return f"Falta la hoja {uniones_tab()} en la planilla; las uniones quedan en cola"


def layout_problems(headers: HeaderMap) -> list[str]:
    """Missing or ambiguous Uniones columns that make writing joints unsafe, for people."""
    hoja = uniones_tab()
    problems = []
    missing = headers.missing(NEEDED)
    if missing:
        problems.append(f"Falta en la hoja {hoja} la columna {', '.join(missing)}")
    problems += [f"En la hoja {hoja}, {dup}" for dup in headers.duplicates(NEEDED)]
    return problems


def pause_message(problems: list[str]) -> str:
    """The status line of a joints-only pause."""
    return (
        "; ".join(problems)
        + ". El espejo no escribe uniones hasta que se corrija (Operaciones y Metadata siguen al día)."
    )


def parse_number(text: str) -> int | None:
    """A joint number as the sheet shows it (`7`, or `7,0` / `7.0` when formatted), else None."""
    if text.isdigit():  # nearly every cell: 200,000 of them per pass in a big shop
        return int(text)
    match = re.fullmatch(r"\s*(\d+)(?:[.,]0+)?\s*", text or "")
    return int(match.group(1)) if match else None


def label(key: Key) -> str:
    """`MK-1300-CW-25000-001 #4`, for messages."""
    return f"{key[0]} #{key[1]}"


@dataclass
class JointLayout:
    """Where things are in the Uniones tab right now."""

    headers: HeaderMap
    tags: list[str] = field(default_factory=list)  # entry i = TAG_SPOOL cell of row i + 1
    numbers: list[str] = field(default_factory=list)  # entry i = N_UNION cell of row i + 1
    _rows: dict[Key, list[int]] | None = field(default=None, repr=False)

    def same_keys(self, other: JointLayout | None) -> bool:
        """Whether `other` read exactly the same key columns (then its row map can be reused)."""
        return other is not None and other.tags == self.tags and other.numbers == self.numbers

    def columns(self) -> dict[str, int]:
        """Written Uniones column → 0-based index."""
        return {name: self.headers.index(name) for name in UNION_COLUMNS}  # type: ignore[misc]

    def key_columns(self) -> tuple[int, int]:
        """0-based indexes of TAG_SPOOL and N_UNION."""
        tag, number = (self.headers.index(name) for name in KEY_COLUMNS)
        return tag, number  # type: ignore[return-value]

    def key_at(self, row: int) -> Key | None:
        """The joint whose key row `row` (1-based) shows, None for a blank or odd key."""
        if row < 2:
            return None
        tag = self.tags[row - 1].strip() if row <= len(self.tags) else ""
        number = parse_number(self.numbers[row - 1]) if row <= len(self.numbers) else None
        return (tag, number) if tag and number is not None else None

    def rows_by_key(self) -> dict[Key, list[int]]:
        """(stripped tag, number) → the 1-based rows that carry it (the header row excluded)."""
        if self._rows is None:
            rows: dict[Key, list[int]] = defaultdict(list)
            pairs = zip_longest(self.tags[1:], self.numbers[1:], fillvalue="")
            for row, (tag, text) in enumerate(pairs, start=2):
                number = parse_number(text)
                if number is not None and (key := tag.strip()):
                    rows[(key, number)].append(row)
            self._rows = rows
        return self._rows


def problem(key: Key, rows: list[int]) -> str:
    """Why a joint is not written: its key is not in the tab, or is in several rows."""
    hoja = uniones_tab()
    if not rows:
        return f"Unión {label(key)} no está en la hoja {hoja}; no se escribe"
    listed = ", ".join(map(str, rows[:-1])) + f" y {rows[-1]}"
    return f"Unión {label(key)} repetida en las filas {listed} de {hoja}; no se escribe"


def plan(layout: JointLayout, changes: list[SheetUnionChange]) -> Planned:
    """The six owned cells of each changed joint, on its row found by key; the rest are problems."""
    planned = Planned()
    if not changes:
        return planned
    had_problem = {c.union_id for c in changes if c.problema}
    unions = (
        Union.objects.filter(pk__in=[c.union_id for c in changes])
        .select_related("arm_worker", "sold_worker")
        .annotate(tag=F("spool__tag_spool"))  # not the spool's 80 columns
    )
    rows_by_key, positions, hoja = layout.rows_by_key(), layout.columns(), uniones_tab()
    for union in unions:
        key = (union.tag, union.n_union)
        planned.names[union.pk] = label(key)
        rows = rows_by_key.get(key, [])
        if len(rows) != 1:
            planned.problems[union.pk] = problem(key, rows)
            continue
        planned.data += row_ranges(hoja, union_cells(union), rows[0], positions)
        planned.written[union.pk], planned.placed[rows[0]] = union.version, key
        planned.cleared |= union.pk in had_problem
    return planned


def requeue(keys: set[Key]) -> None:
    """Queue these joints again (their cells may have landed on the wrong row or column)."""
    by_tag: dict[str, list[int]] = defaultdict(list)
    for tag, number in keys:
        by_tag[tag].append(number)
    condition = Q()
    for tag, numbers in by_tag.items():
        condition |= Q(spool__tag_spool=tag, n_union__in=numbers)
    if condition:
        SheetUnionChange.queue(Union.objects.filter(condition).only("pk", "version"))


def summarise(problems: dict[int, str], names: dict[int, str]) -> dict[str, Any]:
    """The joints' `avisos`: keys missing from, or repeated in, the Uniones tab."""
    missing = sorted(names[pk] for pk, why in problems.items() if " no está en " in why)
    repeated = {names[pk]: why for pk, why in problems.items() if " repetida en " in why}
    if not (missing or repeated):
        return {}
    return {
        "uniones_sin_fila": missing[:100],
        "uniones_sin_fila_total": len(missing),
        "uniones_duplicadas": repeated,
    }
