"""Build spreadsheet exports for import tests and the import benchmark.

`SAMPLE_DIR` is the 400-row sample of the shop's sheet (with its deliberate oddities, see
ODDITIES.txt there); `write_generated_sheet` writes a large, clean sheet in the same layout.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "sample_sheet"
CSV_NAMES = ("operaciones.csv", "trabajadores.csv", "roles.csv")

Rows = list[list[str]]


def read_csv(path: Path) -> Rows:
    """A CSV file as a list of rows."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def write_csv(path: Path, rows: Sequence[Sequence[str]], *, bom: bool = False) -> None:
    """Write rows as UTF-8 CSV, optionally with the BOM Excel adds."""
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def copy_sample(target: Path, *, operaciones: Callable[[Rows], Rows] | None = None) -> Path:
    """Copy the sample sheet to `target`, optionally rewriting the Operaciones rows."""
    target.mkdir(parents=True, exist_ok=True)
    for name in CSV_NAMES:
        shutil.copy(SAMPLE_DIR / name, target / name)
    if operaciones is not None:
        write_csv(target / "operaciones.csv", operaciones(read_csv(SAMPLE_DIR / "operaciones.csv")))
    return target


def generated_row(header: Sequence[str], n: int) -> list[str]:
    """Row `n` of a generated sheet; its legacy state cycles through five cases by n % 5."""
    cells = dict.fromkeys(header, "")
    cells.update(id=str(n), NV=f"NV{n // 500:04d}", OT=f"{n // 50 % 1000:03d}", version="0")
    cells["TAG_SPOOL"] = generated_tag(n)
    # Every accepted date format appears: DD-MM-YYYY, DD/MM/YYYY, YYYY-MM-DD, Excel serial.
    cells["Fecha_Materiales"] = ("05-10-2026", "05/10/2026", "2026-10-05", "46300")[n % 4]
    case = n % 5
    if case == 1:  # ARM pausado
        cells["Armador"] = "VS(90)"
    elif case == 2:  # ARM en progreso, occupied by its Armador
        cells.update(Armador="MD(110)", Ocupado_Por="MD(110)", Fecha_Ocupacion="20-11-2026 11:15:00")
    elif case == 3:  # ARM completado, SOLD pausado
        cells.update(Fecha_Armado="07-10-2026", Armador="CG(108)", Soldador="CS(102)")
    elif case == 4:  # both completado
        cells.update(Fecha_Armado="46302", Armador="CG(108)", Fecha_Soldadura="10/10/2026", Soldador="JS(99)")
    return [cells[h] for h in header]


def generated_tag(n: int) -> str:
    """TAG_SPOOL of generated row `n`."""
    return f"MK-GEN-{n // 50:05d}-{n % 50:03d}"


def write_generated_sheet(target: Path, rows: int) -> Path:
    """Write `rows` clean spools in the real 75-column layout, with the sample's workers."""
    target.mkdir(parents=True, exist_ok=True)
    header = read_csv(SAMPLE_DIR / "operaciones.csv")[0]
    data = [generated_row(header, n) for n in range(1, rows + 1)]
    write_csv(target / "operaciones.csv", [header, *data])
    for name in ("trabajadores.csv", "roles.csv"):
        shutil.copy(SAMPLE_DIR / name, target / name)
    return target
