"""Build spreadsheet exports for import tests and the import benchmark.

`SAMPLE_DIR` is the 400-row sample of the shop's sheet (with its deliberate oddities, see
ODDITIES.txt there), joints included (uniones.csv); `write_generated_sheet` writes a large, clean
sheet in the same layout, optionally with joints whose work matches each spool's legacy state.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from zeues.lib import columns

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "sample_sheet"
CSV_NAMES = ("operaciones.csv", "trabajadores.csv", "roles.csv", "uniones.csv")

Rows = list[list[str]]


def read_csv(path: Path) -> Rows:
    """A CSV file as a list of rows."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def write_csv(path: Path, rows: Sequence[Sequence[str]], *, bom: bool = False) -> None:
    """Write rows as UTF-8 CSV, optionally with the BOM Excel adds."""
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def copy_sample(
    target: Path,
    *,
    operaciones: Callable[[Rows], Rows] | None = None,
    uniones: Callable[[Rows], Rows] | None = None,
) -> Path:
    """Copy the sample sheet to `target`, optionally rewriting the Operaciones or Uniones rows."""
    target.mkdir(parents=True, exist_ok=True)
    for name in CSV_NAMES:
        shutil.copy(SAMPLE_DIR / name, target / name)
    if operaciones is not None:
        write_csv(target / "operaciones.csv", operaciones(read_csv(SAMPLE_DIR / "operaciones.csv")))
    if uniones is not None:
        write_csv(target / "uniones.csv", uniones(read_csv(SAMPLE_DIR / "uniones.csv")))
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


_DNS = ("0.75", "1", "1.5", "2", "2.5", "3", "4", "6", "8", "12")
_TIPOS = ("BW", "BW", "SO", "BW", "BR", "SO", "LET", "BW", "FILL", "MIT")
_SERIAL_07_10_2026 = 46302  # the day generated ARM work ends on (Fecha_Armado of case 3 and 4)


def _at(day: int, minutes: int, *, serial: bool) -> str:
    """A date-time `minutes` after 08:00 of 07-10-2026 + `day`, as text or as a serial number."""
    if serial:
        return f"{_SERIAL_07_10_2026 + day + (8 * 60 + minutes) / 1440:.6f}"
    return f"{7 + day:02d}-10-2026 {8 + minutes // 60:02d}:{minutes % 60:02d}:00"


def generated_joints(n: int, count: int) -> list[list[str]]:
    """The Uniones rows of generated spool `n`, their work matching its legacy case (n % 5).

    0 pendiente: nothing done; 1 ARM pausado: half fitted by VS(90); 2 ARM en progreso: a third
    fitted by MD(110); 3 ARM completado, SOLD pausado: all fitted by CG(108), half welded by
    CS(102); 4 both completado: all fitted, every non-FW joint welded by JS(99). Every fourth
    spool ends with a FW joint. A third of the end times are serial numbers.
    """
    case, rows = n % 5, []
    fitted = {0: 0, 1: count // 2, 2: count // 3, 3: count, 4: count}[case]
    fitter = {1: "VS(90)", 2: "MD(110)", 3: "CG(108)", 4: "CG(108)"}.get(case, "")
    welded, welder = (count // 2, "CS(102)") if case == 3 else (count, "JS(99)") if case == 4 else (0, "")
    for j in range(1, count + 1):
        cells = dict.fromkeys(columns.UNIONES_ALL, "")
        tipo = "FW" if j == count and n % 4 == 0 else _TIPOS[(n + j) % 10]
        cells.update(ID=f"{n * count + j:06d}", OT=f"{n // 50 % 1000:03d}", N_UNION=str(j), version="v4.0")
        cells.update(TAG_SPOOL=generated_tag(n), DN_UNION=_DNS[(n + j) % 10], TIPO_UNION=tipo)
        if j <= fitted:
            start = j * 10
            cells.update(ARM_WORKER=fitter, ARM_FECHA_INICIO=_at(0, start, serial=False))
            cells["ARM_FECHA_FIN"] = _at(0, start + 8, serial=j % 3 == 0)
        if j <= welded and tipo != "FW":
            start = j * 10
            cells.update(SOL_WORKER=welder, SOL_FECHA_INICIO=_at(3, start, serial=False))
            cells["SOL_FECHA_FIN"] = _at(3, start + 8, serial=j % 3 == 0)
        rows.append([cells[h] for h in columns.UNIONES_ALL])
    return rows


def write_generated_sheet(target: Path, rows: int, *, joints: int = 0) -> Path:
    """Write `rows` clean spools in the real 75-column layout, with the sample's workers, and
    `joints` joints per spool (uniones.csv) when asked."""
    target.mkdir(parents=True, exist_ok=True)
    header = read_csv(SAMPLE_DIR / "operaciones.csv")[0]
    data = [generated_row(header, n) for n in range(1, rows + 1)]
    write_csv(target / "operaciones.csv", [header, *data])
    for name in ("trabajadores.csv", "roles.csv"):
        shutil.copy(SAMPLE_DIR / name, target / name)
    if joints:
        uniones = [row for n in range(1, rows + 1) for row in generated_joints(n, joints)]
        write_csv(target / "uniones.csv", [list(columns.UNIONES_ALL), *uniones])
    return target
