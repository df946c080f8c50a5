"""Benchmark `manage.py import_sheet` on a generated sheet of N spools (default 20,000) with J
joints each (default 10: 200,000 joints).

Writes operaciones.csv (the real 75-column layout, every date format, five legacy states),
uniones.csv (the real 17-column layout; each joint's work matches its spool's state, a third of
the end times are serial numbers), trabajadores.csv and roles.csv into a temporary folder, runs
the import command against the database configured by DATABASE_URL, and prints total seconds
and rows per second. The command writes to a terminal-like stream, so the progress lines
(`Operaciones: …/… spools`, `Uniones: …/… uniones`) are drawn as an operator sees them; the last
state of each is printed.

Point it at PostgreSQL (the database must exist and be migrated: `manage.py migrate`):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zeues_dev .venv/bin/python bench/import_sheet.py

Without DATABASE_URL it uses the development default (the SQLite file in var/).

By default the import runs with --dry-run: all the work happens (reads, inserts, events, the
spools' joint figures) and is rolled back at the end, so the database is left as it was and every
run is a first import. With --keep the spools and joints are committed, and a second run is timed
too: the re-import of an unchanged sheet (the daily case). Kept spools have tags MK-GEN-…; they
stay in the database.

Options: --rows N, --joints J (0: a whole-spool sheet without uniones.csv), --keep.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zeues.settings")


class Terminal(io.StringIO):
    """Captures the command's output while telling it that a person is watching."""

    def isatty(self) -> bool:
        return True


def timed_import(folder: Path, *, dry_run: bool) -> tuple[float, float, str]:
    """Run the command once; (seconds, CPU seconds of this process, its output)."""
    from django.core.management import call_command

    out = Terminal()
    args = ["import_sheet", "--csv-dir", str(folder)] + (["--dry-run"] if dry_run else [])
    started, cpu = time.perf_counter(), time.process_time()
    call_command(*args, stdout=out)
    return time.perf_counter() - started, time.process_time() - cpu, out.getvalue()


def show(label: str, seconds: float, cpu: float, output: str, rows: int, joints: int) -> None:
    """The figures of one run: counts, the progress lines as last drawn, time and rates."""
    lines = output.split("\n")  # not splitlines(): "\r" redraws a progress line, it does not end it
    progress = [line.rsplit("\r", 1)[-1] for line in lines if "\r" in line]
    summary = [line for line in lines if line.startswith(("Spools:", "Uniones:", "Filas rechazadas"))]
    for line in progress + summary:
        print(f"  {line}")
    rate = f"{rows / seconds:,.0f} spools/s" + (f", {joints / seconds:,.0f} uniones/s" if joints else "")
    print(f"{label}: {rows} spools + {joints} uniones en {seconds:.2f} s ({rate})")
    # On a shared machine the wall time includes waiting for the CPU; this part is ours alone.
    print(f"  CPU de este proceso: {cpu:.2f} s (PostgreSQL aparte)")


def main() -> None:
    """Generate the sheet, import it, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--joints", type=int, default=10, help="joints per spool (0: no uniones.csv)")
    parser.add_argument("--keep", action="store_true", help="commit the import (and time a re-import)")
    options = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from spools.tests.sheet_factory import write_generated_sheet

    print(f"Base de datos: {connection.vendor} {connection.settings_dict['NAME']}")
    rows, joints = options.rows, options.rows * options.joints
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_generated_sheet(Path(tmp), rows, joints=options.joints)
        show("Importación", *timed_import(folder, dry_run=not options.keep), rows, joints)
        if options.keep:
            show("Reimportación", *timed_import(folder, dry_run=False), rows, joints)


if __name__ == "__main__":
    main()
