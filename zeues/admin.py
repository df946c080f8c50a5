"""Admin for API tokens (list and revoke; new ones from `manage.py create_api_token`) and the
read-only status of the Google Sheets mirror."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zeues.lib.admin import ReadOnlyModelAdmin
from zeues.mirror.status import mirror_status
from zeues.models import ApiToken, SheetSpoolChange, SheetSyncState


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "nombre", "activo", "created_at"]
    list_filter = ["activo"]
    readonly_fields = ["user", "prefix", "created_at"]
    fields = ["user", "prefix", "nombre", "activo", "created_at"]

    def has_add_permission(self, request):
        return False


# --- Google Sheets mirror: read-only status ------------------------------------------------


@admin.register(SheetSyncState)
class SheetSyncStateAdmin(ReadOnlyModelAdmin):
    """The mirror's health at a glance: state, lag, backlog, last success and error, pause reason."""

    list_display = ["__str__", "estado", "atraso", "pendientes", "last_success_at", "pausa_o_error"]
    readonly_fields = [
        "estado",
        "atraso",
        "pendientes",
        "spools_sin_fila",
        "last_success_at",
        "last_cycle_at",
        "paused_reason",
        "last_error",
        "last_error_at",
        "avisos_legibles",
        "event_cursor",
        "append_pending_upto",
        "metadata_last_row",
    ]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None):
        SheetSyncState.load()  # the page shows a row even before the first cycle
        return super().changelist_view(request, extra_context)

    def _status(self, request_cache: SheetSyncState) -> dict[str, Any]:
        cached = getattr(request_cache, "_status", None)
        if cached is None:
            cached = request_cache._status = mirror_status()  # type: ignore[attr-defined]
        return cached

    @admin.display(description="estado")
    def estado(self, obj: SheetSyncState) -> str:
        return {
            "desactivado": "Desactivado (sin GOOGLE_SHEET_ID)",
            "pausado": "⏸ Pausado",
            "error": "✗ Con error (reintentando)",
            "atrasado": "⚠ Atrasado",
            "ok": "✓ Al día",
        }[self._status(obj)["estado"]]

    @admin.display(description="atraso")
    def atraso(self, obj: SheetSyncState) -> str:
        return f"{self._status(obj)['atraso_segundos']:.0f} s"

    @admin.display(description="pendientes")
    def pendientes(self, obj: SheetSyncState) -> str:
        status = self._status(obj)
        return f"{status['pendientes_spools']} spools, {status['pendientes_eventos']} eventos"

    @admin.display(description="spools sin fila (o repetidos) en la planilla")
    def spools_sin_fila(self, obj: SheetSyncState) -> int:
        return self._status(obj)["spools_sin_fila"]

    @admin.display(description="pausa o último error")
    def pausa_o_error(self, obj: SheetSyncState) -> str:
        return obj.paused_reason or self._status(obj)["ultimo_error"] or "-"

    @admin.display(description="avisos")
    def avisos_legibles(self, obj: SheetSyncState) -> str:
        avisos = obj.avisos or {}
        lines = [f"Sin fila: {tag}" for tag in avisos.get("sin_fila", [])]
        lines += list(avisos.get("duplicados", {}).values())
        return "\n".join(lines) or "-"


class ConProblemaFilter(admin.SimpleListFilter):
    title = "problema"
    parameter_name = "problema"

    def lookups(self, request, model_admin):
        return [("si", "Con problema"), ("no", "Sin problema")]

    def queryset(self, request, queryset):
        if self.value() == "si":
            return queryset.exclude(problema="")
        if self.value() == "no":
            return queryset.filter(problema="")
        return queryset


@admin.register(SheetSpoolChange)
class SheetSpoolChangeAdmin(ReadOnlyModelAdmin):
    """Spools waiting to be written to the sheet, and why some cannot be (read-only)."""

    list_display = ["spool", "version", "first_change_at", "problema"]
    list_filter = [ConProblemaFilter]
    search_fields = ["spool__tag_spool"]
    list_select_related = ["spool"]
    ordering = ["first_change_at"]
