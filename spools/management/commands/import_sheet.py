"""Import workers, roles, spools and joints from the shop's spreadsheet: its CSV export or the live sheet."""

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
    UNIONES,
    ImportReport,
    SheetImportError,
    import_sheet,
    read_csv_dir,
)
from zeues.lib import sheets
from zeues.lib.stopping import stop_on_signals


def read_live_sheet() -> tuple[dict[str, list[list[str]]], dict[str, str]]:
    """The tabs from the configured spreadsheet (one values:batchGet) and their labels.

    Uniones is optional (a whole-spool shop has no such tab): when the read fails because it is
    missing, the three other tabs are read alone, and a missing one of those is still an error.
    """
    names = {
        OPERACIONES: settings.ZEUES_SHEET_OPERACIONES,
        TRABAJADORES: settings.ZEUES_SHEET_TRABAJADORES,
        ROLES: settings.ZEUES_SHEET_ROLES,
        UNIONES: getattr(settings, "ZEUES_SHEET_UNIONES", UNIONES),
    }
    client, key = sheets.build_client(), settings.GOOGLE_SHEET_ID
    try:
        tabs = sheets.read_tabs(client, key, list(names.values()))
    except sheets.SheetsError:
        if sheets.missing_tabs(client, key, [names[UNIONES]]) != [names[UNIONES]]:
            raise
        del names[UNIONES]
        tabs = sheets.read_tabs(client, key, list(names.values()))
    return {hoja: tabs[name] for hoja, name in names.items()}, {h: f"la hoja {n}" for h, n in names.items()}


class Command(BaseCommand):
    help = (
        "Importa la planilla (hojas Trabajadores, Roles, Operaciones y, si existe, Uniones) desde la "
        "planilla de Google configurada (GOOGLE_SHEET_ID) o, con --csv-dir, desde operaciones.csv, "
        "trabajadores.csv, roles.csv y uniones.csv (opcional): crea o actualiza trabajadores y roles; "
        "crea los spools y uniones nuevos con su estado de la planilla; de los spools existentes solo "
        "actualiza NV, OT y Fecha_Materiales, y de las uniones existentes los datos NDT y, si no tienen "
        "trabajo registrado, DN y tipo. Informa cada fila rechazada o dudosa. Con --watch N repite cada "
        "N minutos hasta que se detenga."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--csv-dir",
            help="Carpeta con los archivos CSV (sin ella se lee la planilla de Google).",
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
        self._progress_hoja = None
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
                self.stdout.write(f"[{stamp}] " + " | ".join(report.summary_lines()[1:5]))
                issues = report.issue_lines()
                if issues != previous:  # the same rejected rows are not repeated every round
                    for line in issues:
                        self.stdout.write(line)
                    previous = issues
            stop.wait(minutes * 60)

    _progress_hoja: str | None = None

    def _progress(self, hoja: str, done: int, total: int) -> None:
        """One self-overwriting line per tab, for people watching a terminal."""
        if self._progress_hoja not in (None, hoja):
            self.stdout.write("")  # keep the finished tab's line, start the next one
        self._progress_hoja = hoja
        unit = "uniones" if hoja == UNIONES else "spools"
        self.stdout.write(f"\r{hoja}: {done}/{total} {unit}", ending="")
        self.stdout.flush()
