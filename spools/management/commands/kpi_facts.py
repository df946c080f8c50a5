"""Check or rebuild the KPI fact tables from the audit trail and the joints (spools/kpi_facts.py)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from spools import kpi_facts


class Command(BaseCommand):
    help = (
        "Comprueba (--check) o reconstruye (--rebuild) las tablas de indicadores a partir de los "
        "eventos. Se mantienen solas; reconstruir solo hace falta tras cargar eventos sin pasar "
        "por la aplicación (restauración, carga masiva)."
    )

    def add_arguments(self, parser: Any) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--check", action="store_true", help="compara las tablas con los eventos")
        group.add_argument("--rebuild", action="store_true", help="recalcula todas las tablas")

    def handle(self, *args: Any, check: bool, rebuild: bool, **options: Any) -> None:
        begin = time.perf_counter()
        if rebuild:
            counts = kpi_facts.rebuild()
            self.stdout.write(
                f"Reconstruido en {time.perf_counter() - begin:.1f} s: {counts['spools']} spools, "
                f"{counts['sessions']} sesiones, {counts['inspections']} inspecciones, "
                f"{counts['stages']} etapas, {counts['completions']} completados, "
                f"{kpi_facts.union_days_rebuild()} filas de uniones por día."
            )
            return
        wrong = kpi_facts.check()
        if wrong:
            shown = ", ".join(str(i) for i in wrong[:20]) + (" …" if len(wrong) > 20 else "")
            raise CommandError(
                f"KPI_DESCUADRE: {len(wrong)} spools con indicadores distintos de sus eventos (ID {shown}). "
                "Ejecute «manage.py kpi_facts --rebuild»."
            )
        days = kpi_facts.union_days_check()
        if days:
            shown = ", ".join(f"{f} {op} {w}" for f, op, w in days[:10]) + (" …" if len(days) > 10 else "")
            raise CommandError(
                f"KPI_DESCUADRE: {len(days)} días de uniones distintos de las uniones ({shown}). "
                "Ejecute «manage.py kpi_facts --rebuild»."
            )
        self.stdout.write(
            f"Indicadores al día con los eventos y las uniones ({time.perf_counter() - begin:.1f} s)."
        )
