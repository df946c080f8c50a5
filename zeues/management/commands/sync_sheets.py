"""Mirror ZEUES to the Google spreadsheet until stopped (docs/sheets.md)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zeues.lib.stopping import stop_on_signals
from zeues.mirror.outbox import outbox_add_all, union_outbox_add_all
from zeues.mirror.sync import CycleResult, SheetSync


class Command(BaseCommand):
    help = (
        "Escribe en la planilla de Google los cambios de ZEUES: las columnas que ZEUES administra en "
        "Operaciones y en Uniones, y los eventos nuevos en Metadata. Repite cada ZEUES_SHEETS_INTERVAL segundos hasta "
        "recibir SIGTERM o Ctrl-C (termina entre ciclos). No modifica ninguna otra celda."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Un solo ciclo y termina.")
        parser.add_argument(
            "--resync-all",
            action="store_true",
            help="Encola todos los spools y uniones (reescribe sus columnas ZEUES en la planilla) antes de empezar.",
        )

    def handle(self, *args, **options):
        if not settings.GOOGLE_SHEET_ID:
            raise CommandError(
                "GOOGLE_SHEET_ID no está configurado: el espejo en Google Sheets está apagado."
            )
        if options["resync_all"]:
            spools, unions = outbox_add_all(), union_outbox_add_all()
            self.stdout.write(f"Encolados {spools} spools y {unions} uniones para reescribir en la planilla.")
        worker = SheetSync()
        if options["once"]:
            self.report(worker.run_once())
            return
        self.stdout.write(
            f"Sincronizando con la planilla cada {settings.ZEUES_SHEETS_INTERVAL:g} s (Ctrl-C termina)."
        )
        with stop_on_signals() as stop:
            worker.run_forever(stop)
        self.stdout.write("Sincronización detenida.")

    def report(self, result: CycleResult) -> None:
        """One line about the cycle, in Spanish."""
        if result.skipped:
            self.stdout.write(f"Ciclo omitido: {result.skipped}.")
        elif result.idle:
            self.stdout.write("Nada pendiente.")
        elif result.paused:
            self.stderr.write(f"PAUSADO: {result.paused}")
        elif result.error:
            self.stderr.write(f"ERROR: {result.error}")
        else:
            self.stdout.write(
                f"Spools escritos: {result.spools_written}; uniones escritas: {result.unions_written}; "
                f"eventos agregados a Metadata: {result.events_appended}; solicitudes a Google: {result.requests}."
            )
        if result.uniones_paused:
            self.stderr.write(f"UNIONES: {result.uniones_paused}")
        for reason in sorted(set(result.problems.values()) | set(result.union_problems.values())):
            self.stdout.write(f"  aviso: {reason}")
