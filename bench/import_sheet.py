"""Benchmark `manage.py import_sheet` on a generated sheet of N spools (default 20,000).

Writes operaciones.csv (the real 75-column layout, every date format, five legacy states),
trabajadores.csv and roles.csv into a temporary folder, runs the import command against the
database configured by DATABASE_URL, and prints total seconds and rows per second.

Point it at PostgreSQL (the database must exist and be migrated: `manage.py migrate`):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zeues_dev .venv/bin/python bench/import_sheet.py

Without DATABASE_URL it uses the development default (the SQLite file in var/).

By default the import runs with --dry-run: all the work happens (reads, inserts, events) and
is rolled back at the end, so the database is left as it was and every run is a first import.
With --keep the spools are committed, and a second run is timed too: the re-import of an
unchanged sheet (the daily case). Kept spools have tags MK-GEN-…; they stay in the database.

Options: --rows N, --keep.
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


def timed_import(folder: Path, *, dry_run: bool) -> tuple[float, str]:
    """Run the command once; (seconds, its output)."""
    from django.core.management import call_command

    out = io.StringIO()
    args = ["import_sheet", "--csv-dir", str(folder)] + (["--dry-run"] if dry_run else [])
    started = time.perf_counter()
    call_command(*args, stdout=out)
    return time.perf_counter() - started, out.getvalue()


def main() -> None:
    """Generate the sheet, import it, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="commit the import (and time a re-import)")
    options = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from spools.tests.sheet_factory import write_generated_sheet

    print(f"Base de datos: {connection.vendor} {connection.settings_dict['NAME']}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_generated_sheet(Path(tmp), options.rows)
        seconds, output = timed_import(folder, dry_run=not options.keep)
        print(output.splitlines()[3])  # "Spools: N creados, ..."
        print(f"Importación: {options.rows} filas en {seconds:.2f} s ({options.rows / seconds:,.0f} filas/s)")
        if options.keep:
            seconds, output = timed_import(folder, dry_run=False)
            print(output.splitlines()[3])
            print(
                f"Reimportación: {options.rows} filas en {seconds:.2f} s ({options.rows / seconds:,.0f} filas/s)"
            )


if __name__ == "__main__":
    main()
