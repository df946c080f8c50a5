"""Import workers, roles and spools from the CSV export of the shop's spreadsheet."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from spools.importer import CSV_FILES, SheetImportError, import_sheet, read_csv_dir


class Command(BaseCommand):
    help = (
        "Importa la planilla desde operaciones.csv, trabajadores.csv y roles.csv: crea o actualiza "
        "trabajadores y roles; crea los spools nuevos con su estado de la planilla y de los ya "
        "existentes solo actualiza NV, OT y Fecha_Materiales. Informa cada fila rechazada o dudosa."
    )

    def add_arguments(self, parser):
        parser.add_argument("--csv-dir", required=True, help="Carpeta con los tres archivos CSV.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Simula la importación completa y no guarda nada."
        )
        parser.add_argument("--report", metavar="FILE", help="Escribe también el informe en este CSV.")

    def handle(self, *args, **options):
        folder = Path(options["csv_dir"])
        quiet = options["verbosity"] == 0  # seed_demo imports the sample silently
        progress = self._progress if self.stdout.isatty() and not quiet else None
        try:
            tabs = read_csv_dir(folder)
            report = import_sheet(
                tabs,
                origen=f"csv:{folder.resolve()}",
                dry_run=options["dry_run"],
                labels=CSV_FILES,
                progress=progress,
            )
        except SheetImportError as exc:
            raise CommandError(str(exc)) from exc
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

    def _progress(self, done: int, total: int) -> None:
        """One self-overwriting line, for people watching a terminal."""
        self.stdout.write(f"\rOperaciones: {done}/{total} spools", ending="")
        self.stdout.flush()
