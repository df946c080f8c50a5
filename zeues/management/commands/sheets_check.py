"""Check access to the configured Google spreadsheet and the columns ZEUES reads and writes."""

from __future__ import annotations

from collections import defaultdict

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from gspread.exceptions import APIError

from spools.models import Spool, Union
from zeues.lib import columns, sheets
from zeues.lib.headers import HeaderMap, column_letter


def columns_by_tab() -> dict[str, list[tuple[str, str]]]:
    """Configured tab → [(column, "lee" | "escribe")] for every column ZEUES uses."""
    return {
        settings.ZEUES_SHEET_OPERACIONES: [(c, "lee") for c in (columns.TAG_SPOOL, *columns.MASTER)]
        + [(c, "escribe") for c in columns.ZEUES_OWNED],
        settings.ZEUES_SHEET_TRABAJADORES: [
            (c, "lee") for c in (*columns.TRABAJADORES_REQUIRED, *columns.TRABAJADORES_OPTIONAL)
        ],
        settings.ZEUES_SHEET_ROLES: [(c, "lee") for c in (*columns.ROLES_REQUIRED, *columns.ROLES_OPTIONAL)],
        settings.ZEUES_SHEET_METADATA: [(c, "escribe") for c in columns.METADATA],
        uniones_tab(): [(c, "lee") for c in columns.UNIONES_REQUIRED]
        + [(c, "escribe") for c in columns.UNIONES_ZEUES_OWNED]
        + [(c, "lee") for c in columns.UNIONES_NDT],
    }


def uniones_tab() -> str:
    """The joints' tab (ZEUES_SHEET_UNIONES when the settings name one)."""
    return str(getattr(settings, "ZEUES_SHEET_UNIONES", columns.UNIONES))


class Command(BaseCommand):
    help = (
        "Verifica el acceso a la planilla de Google configurada y muestra lo que encontró: hojas, la "
        "posición de cada columna que ZEUES lee o escribe, las que faltan y los TAG_SPOOL repetidos. "
        "Solo lee; no cambia nada. Termina con error si algo impide el espejo o la importación."
    )

    def handle(self, *args, **options):
        self.problems: list[str] = []
        try:
            client = sheets.build_client()
            book = sheets.open_spreadsheet(client)
            self.stdout.write(f"Planilla: {book.title} ({book.id})")
            meta = book.fetch_sheet_metadata()
            self.stdout.write(
                f"Configuración regional: {meta['properties'].get('locale', '?')}; "
                f"zona horaria: {meta['properties'].get('timeZone', '?')}"
            )
            titles = [s["properties"]["title"] for s in meta.get("sheets", [])]
            self.stdout.write("Hojas: " + ", ".join(titles))
            self.check_tabs(client, titles)
        except (sheets.SheetsError, APIError, requests.RequestException) as exc:
            raise CommandError(f"No se pudo leer la planilla: {sheets.describe(exc)}") from exc
        if self.problems:
            raise CommandError(f"{len(self.problems)} problema(s): " + "; ".join(self.problems))
        self.stdout.write("Todo en orden: el espejo y la importación pueden usar esta planilla.")

    def check_tabs(self, client, titles: list[str]) -> None:
        """Header positions per tab (one batchGet), then the TAG_SPOOL column."""
        wanted = columns_by_tab()
        present = [tab for tab in wanted if tab in titles]
        for tab in wanted:
            if tab in titles:
                continue
            if tab == uniones_tab() and not Union.objects.exists():
                self.stdout.write(f"Sin hoja {tab}: ZEUES no tiene uniones que escribir (spools completos).")
            else:
                self.problem(f"falta la hoja {tab}")
        answer = client.http_client.values_batch_get(
            settings.GOOGLE_SHEET_ID, [sheets.row_range(t) for t in present]
        )
        for tab, value_range in zip(present, answer.get("valueRanges", []), strict=True):
            headers = sheets.header_map(sheets.grid(value_range))
            self.check_headers(tab, headers, wanted[tab])
            if tab == settings.ZEUES_SHEET_METADATA and headers.missing([columns.N_UNION]):
                self.stdout.write(
                    f"  {columns.N_UNION:<22} no está (opcional: el número de unión va en Metadata_JSON)"
                )
            if tab == settings.ZEUES_SHEET_OPERACIONES and not headers.duplicates([columns.TAG_SPOOL]):
                index = headers.index(columns.TAG_SPOOL)
                if index is not None:
                    self.check_tags(client, tab, index)

    def check_headers(self, tab: str, headers: HeaderMap, columns: list[tuple[str, str]]) -> None:
        """Print where each column is; missing and repeated ones are problems."""
        self.stdout.write(f"\n{tab}: {len(headers.headers)} columnas")
        for name, use in columns:
            duplicated = headers.duplicates([name])
            if duplicated:
                self.problem(f"en {tab}, {duplicated[0]}")
                self.stdout.write(f"  {name:<22} REPETIDA ({use})")
                continue
            index = headers.index(name)
            if index is None:
                self.problem(f"falta la columna {name} en {tab}")
                self.stdout.write(f"  {name:<22} FALTA ({use})")
            else:
                where = f"{column_letter(index)} (columna {index + 1}, «{headers.headers[index]}»)"
                self.stdout.write(f"  {name:<22} {where} ({use})")

    def check_tags(self, client, tab: str, index: int) -> None:
        """Repeated tags (not written by the mirror) and ZEUES spools the sheet lacks."""
        answer = client.http_client.values_get(settings.GOOGLE_SHEET_ID, sheets.column_range(tab, index))
        rows: dict[str, list[int]] = defaultdict(list)
        for number, value in enumerate(sheets.column_values(answer)[1:], start=2):
            if value.strip():
                rows[value.strip()].append(number)
        self.stdout.write(f"  {sum(map(len, rows.values()))} filas con TAG_SPOOL")
        for tag, numbers in rows.items():
            if len(numbers) > 1:
                self.stdout.write(
                    f"  AVISO: TAG_SPOOL {tag} repetido en las filas {', '.join(map(str, numbers))}"
                )
        missing = list(
            Spool.objects.exclude(tag_spool__in=list(rows)).values_list("tag_spool", flat=True)[:21]
        )
        if missing:
            shown = ", ".join(missing[:20]) + (" …" if len(missing) > 20 else "")
            self.stdout.write(f"  AVISO: spools de ZEUES sin fila en {tab}: {shown}")

    def problem(self, text: str) -> None:
        """Record something that stops the mirror or the import."""
        self.problems.append(text)
