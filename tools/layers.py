"""The floors of ZEUES and who may import whom (docs/architecture.md), read from the code itself.

    python tools/layers.py          lines per floor, imports per pair of floors, and any breach

tests/test_layers.py runs `breaches()` in CI: an import that goes up a floor, or sideways between
two rooms of one floor, fails the build with the file, the line and the import.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (room, floor), lowest floor first. A module belongs to the longest room name it starts with.
# A room may import rooms on lower floors, and itself; never a room on its own floor or above.
ROOMS: tuple[tuple[str, int], ...] = (
    ("zeues.lib", 1),  # helpers: no models, no app imports
    ("zeues.__init__", 1),  # the version string
    ("spools", 2),  # records: workers, spools and their state machines, the audit trail, KPI facts
    ("zeues.models", 2),  # records: API tokens, the sheet's outbox and the mirror's state
    ("zeues.idempotency", 3),  # one kept answer per retried request (kiosk forms, API), beside the engine
    ("occupation", 3),  # the engine's one step, TOMAR/PAUSAR/COMPLETAR, the action table
    ("metrologia", 4),  # inspection (beside reparacion, never importing it)
    ("reparacion", 4),  # repair and the supervisor's acts
    ("zeues.reports", 5),  # reads of the audit trail: history, KPIs, exports, «Mi registro»
    ("zeues.mirror", 5),  # the Google Sheets mirror
    ("zeues.front", 6),  # every HTML page, the admin, the demo
    ("zeues", 7),  # the project's wiring: settings, URLs, ASGI, auth backend, commands
)
SKIPPED_PARTS = {"tests", "migrations"}


@dataclass(frozen=True)
class Import:
    """One import statement of ours: where it is and what it names."""

    path: Path
    line: int
    source: str
    target: str


def room_of(module: str) -> str | None:
    """The room a dotted module name belongs to, or None for a module that is not ours."""
    if module == "zeues":
        return "zeues.__init__"
    matches = [room for room, _ in ROOMS if module == room or module.startswith(room + ".")]
    return max(matches, key=len) if matches else None


def floor_of(room: str) -> int:
    """The floor of a room."""
    return dict(ROOMS)[room]


def modules() -> list[tuple[str, Path]]:
    """Every application module (tests and migrations left out), as (dotted name, path)."""
    found = []
    for top in ("zeues", "spools", "occupation", "metrologia", "reparacion"):
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if SKIPPED_PARTS & set(rel.parts):
                continue
            name = ".".join(rel.with_suffix("").parts)
            found.append((name.removesuffix(".__init__") if name != "zeues.__init__" else name, path))
    return found


def imports() -> list[Import]:
    """Every import between rooms of ours, including those inside functions."""
    found = []
    for name, path in modules():
        source = room_of(name)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module]
            else:
                continue
            for target in targets:
                room = room_of(target)
                if source and room and room != source:
                    found.append(Import(path.relative_to(ROOT), node.lineno, source, room))
    return found


def breaches(found: list[Import] | None = None) -> list[str]:
    """Imports (all of ours by default) that go up a floor or sideways, as `file:line: …` lines."""
    return [
        f"{i.path}:{i.line}: {i.source} (floor {floor_of(i.source)}) imports {i.target} (floor {floor_of(i.target)})"
        for i in (imports() if found is None else found)
        if floor_of(i.target) >= floor_of(i.source)
    ]


def main() -> int:
    """Print lines per room, imports per pair of rooms, and the breaches; exit 1 on a breach."""
    lines: Counter[str] = Counter()
    for name, path in modules():
        lines[room_of(name) or "?"] += len(path.read_text().splitlines())
    print("lines per room (tests and migrations left out)")
    for room, floor in sorted(ROOMS, key=lambda r: (-r[1], r[0])):
        print(f"  floor {floor}  {room:16} {lines[room]:6}")
    print(f"  total {sum(lines.values()):>24}")
    print("imports per pair of rooms")
    for (source, target), count in sorted(Counter((i.source, i.target) for i in imports()).items()):
        print(f"  {source:16} -> {target:16} {count:3}")
    found = breaches()
    print("breaches:", *(found or ["none"]), sep="\n  ")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
