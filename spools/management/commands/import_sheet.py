"""Import workers, roles and spools from the shop's spreadsheet: its CSV export or the live sheet."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from gspread.exceptions import APIError

from spools.importer import (
    CSV_FILES,
    OPERACIONES,
    ROLES,
    TRABAJADORES,
    ImportReport,
    SheetImportError,
    import_sheet,
    read_csv_dir,
)
from zeues.lib import sheets
from zeues.lib.stopping import stop_on_signals


def read_live_sheet() -> tuple[dict[str, list[list[str]]], dict[str, str]]:
    """The three tabs from the configured spreadsheet (one values:batchGet) and their labels."""
    names = {
        OPERACIONES: settings.ZEUES_SHEET_OPERACIONES,
        TRABAJADORES: settings.ZEUES_SHEET_TRABAJADORES,
        ROLES: settings.ZEUES_SHEET_ROLES,
    }
    tabs = sheets.read_tabs(sheets.build_client(), settings.GOOGLE_SHEET_ID, list(names.values()))
    return {hoja: tabs[name] for hoja, name in names.items()}, {h: f"la hoja {n}" for h, n in names.items()}


class Command(BaseCommand):
    help = (
        "Importa la planilla (hojas Trabajadores, Roles y Operaciones) desde la planilla de Google "
        "configurada (GOOGLE_SHEET_ID) o, con --csv-dir, desde operaciones.csv, trabajadores.csv y "
        "roles.csv: crea o actualiza trabajadores y roles; crea los spools nuevos con su estado de la "
        "planilla y de los ya existentes solo actualiza NV, OT y Fecha_Materiales. Informa cada fila "
        "rechazada o dudosa. Con --watch N repite cada N minutos hasta que se detenga."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--csv-dir", help="Carpeta con los tres archivos CSV (sin ella se lee la planilla de Google)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Simula la importación completa y no guarda nada."
        )
        parser.add_argument("--report", metavar="FILE", help="Escribe también el informe en este CSV.")
        parser.add_argument(
            "--watch",
            type=float,
            metavar="N",
            help="Reimporta cada N minutos hasta recibir SIGTERM o Ctrl-C.",
        )

    def handle(self, *args, **options):
        if not options["csv_dir"] and not settings.GOOGLE_SHEET_ID:
            raise CommandError(
                "Indique --csv-dir o configure GOOGLE_SHEET_ID para leer la planilla de Google."
            )
        if options["watch"] is not None:
            if options["watch"] <= 0:
                raise CommandError("--watch necesita un número de minutos mayor que 0.")
            self.watch(options)
            return
        quiet = options["verbosity"] == 0  # seed_demo imports the sample silently
        progress = self._progress if self.stdout.isatty() and not quiet else None
        report = self.run_import(options, progress)
        if options["report"]:
            report.write_csv(options["report"])
        if quiet:
            return
        if progress is not None:
            self.stdout.write("")  # end the progress line
        for line in report.summary_lines() + report.issue_lines():
            self.stdout.write(line)
        if options["report"]:
            self.stdout.write(f"Informe escrito en {options['report']}")
        if options["dry_run"]:
            self.stdout.write("(simulación: no se guardó nada)")

    def run_import(self, options: dict[str, Any], progress: Any = None) -> ImportReport:
        """Read the source and import it; CommandError with the reason when that is impossible."""
        try:
            if options["csv_dir"]:
                folder = Path(options["csv_dir"])
                tabs, labels, origen = read_csv_dir(folder), CSV_FILES, f"csv:{folder.resolve()}"
            else:
                (tabs, labels), origen = read_live_sheet(), f"sheets:{settings.GOOGLE_SHEET_ID}"
            return import_sheet(
                tabs, origen=origen, dry_run=options["dry_run"], labels=labels, progress=progress
            )
        except SheetImportError as exc:
            raise CommandError(str(exc)) from exc
        except (sheets.SheetsError, APIError, requests.RequestException) as exc:
            raise CommandError(f"No se pudo leer la planilla de Google: {sheets.describe(exc)}") from exc

    def watch(self, options: dict[str, Any]) -> None:
        """Import every N minutes until SIGTERM/SIGINT; a failed round is reported and retried."""
        with stop_on_signals() as stop:
            self._watch_until(stop, options)
        self.stdout.write("Importación periódica detenida.")

    def _watch_until(self, stop: threading.Event, options: dict[str, Any]) -> None:
        minutes, previous = options["watch"], None
        while not stop.is_set():
            stamp = timezone.localtime().strftime("%d-%m-%Y %H:%M:%S")
            try:
                report = self.run_import(options)
            except CommandError as exc:
                self.stderr.write(f"[{stamp}] {exc} Se reintenta en {minutes:g} min.")
            else:
                self.stdout.write(f"[{stamp}] " + " | ".join(report.summary_lines()[1:4]))
                issues = report.issue_lines()
                if issues != previous:  # the same rejected rows are not repeated every round
                    for line in issues:
                        self.stdout.write(line)
                    previous = issues
            stop.wait(minutes * 60)

    def _progress(self, done: int, total: int) -> None:
        """One self-overwriting line, for people watching a terminal."""
        self.stdout.write(f"\rOperaciones: {done}/{total} spools", ending="")
        self.stdout.flush()
