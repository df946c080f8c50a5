"""Admin: master data, the (read-only) audit trail, API tokens and the Sheets mirror's status.

State fields (ARM, SOLD, quality, occupation, version) are read-only here: they change only
through the services, which write the audit event. The supervisor's two acts, unblock and force
release, are list actions that ask for a reason on an intermediate page and need a permission.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format

from reparacion.permissions import DESBLOQUEAR, LIBERAR
from reparacion.services import spool_force_release, spool_unblock
from spools.models import EstadoCalidad, Event, Spool, Worker, WorkerRole, stale_cutoff
from zeues.front import labels
from zeues.front.labels import labels_response
from zeues.lib.admin import ReadOnlyModelAdmin
from zeues.lib.errors import ZeuesError
from zeues.mirror.status import mirror_status
from zeues.models import ApiToken, SheetSpoolChange, SheetSyncState


class WorkerRoleInline(admin.TabularInline):
    model = WorkerRole
    extra = 1


class WorkerAdminForm(forms.ModelForm):
    """Worker with a write-only PIN: type a new one, or tick to remove it."""

    nuevo_pin = forms.RegexField(
        label="Nuevo PIN",
        regex=r"^\d{4,8}$",
        required=False,
        help_text="4 a 8 dígitos; el kiosko lo pedirá al identificarse. Vacío: no cambia.",
        widget=forms.PasswordInput(render_value=False),
    )
    quitar_pin = forms.BooleanField(label="Quitar PIN", required=False)

    class Meta:
        model = Worker
        fields = ["id", "nombre", "apellido", "activo"]

    def save(self, commit: bool = True) -> Worker:
        worker = super().save(commit=False)
        if self.cleaned_data.get("quitar_pin"):
            worker.set_pin("")
        elif self.cleaned_data.get("nuevo_pin"):
            worker.set_pin(self.cleaned_data["nuevo_pin"])
        if commit:
            worker.save()
        return worker


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    form = WorkerAdminForm
    list_display = ["id", "token", "nombre", "apellido", "activo", "roles_activos", "tiene_pin"]
    list_filter = ["activo", "roles__rol"]
    search_fields = ["id", "nombre", "apellido"]
    inlines = [WorkerRoleInline]

    @admin.display(description="PIN", boolean=True)
    def tiene_pin(self, obj: Worker) -> bool:
        return bool(obj.pin)

    @admin.display(description="roles")
    def roles_activos(self, obj: Worker) -> str:
        return ", ".join(sorted(obj.active_roles())) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("roles")


class OcupadoFilter(admin.SimpleListFilter):
    title = "ocupación"
    parameter_name = "ocupado"

    def lookups(self, request, model_admin):
        return [("si", "Ocupado"), ("no", "Disponible")]

    def queryset(self, request, queryset):
        if self.value() == "si":
            return queryset.filter(ocupado_por__isnull=False)
        if self.value() == "no":
            return queryset.filter(ocupado_por__isnull=True)
        return queryset


class OcupacionAntiguaFilter(admin.SimpleListFilter):
    title = "ocupación antigua"
    parameter_name = "antigua"

    def lookups(self, request, model_admin):
        return [("si", f"Ocupado hace más de {settings.ZEUES_STALE_HOURS} h")]

    def queryset(self, request, queryset):
        if self.value() == "si":
            return queryset.stale()
        return queryset


class BloqueadoFilter(admin.SimpleListFilter):
    title = "BLOQUEADO"
    parameter_name = "bloqueado"

    def lookups(self, request, model_admin):
        return [("si", "Bloqueados"), ("no", "No bloqueados")]

    def queryset(self, request, queryset):
        if self.value() == "si":
            return queryset.filter(calidad=EstadoCalidad.BLOQUEADO)
        if self.value() == "no":
            return queryset.exclude(calidad=EstadoCalidad.BLOQUEADO)
        return queryset


class MotivoAdminForm(forms.Form):
    motivo = forms.CharField(
        label="Motivo",
        min_length=5,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Obligatorio: queda registrado en el historial del spool junto a su usuario.",
    )


@admin.register(Spool)
class SpoolAdmin(admin.ModelAdmin):
    # Estado_Detalle already says ARM, SOLD, quality and cycle in the shop's words.
    list_display = ["tag_spool", "nv", "ot", "estado_detalle", "desde", "ocupacion_antigua"]
    list_filter = ["arm", "sold", "calidad", BloqueadoFilter, OcupadoFilter, OcupacionAntiguaFilter, "activo"]
    search_fields = ["tag_spool", "nv", "ot"]
    list_select_related = ["ocupado_por"]
    actions = ["desbloquear", "liberar_ocupacion", "imprimir_etiquetas"]
    readonly_fields = [
        "arm",
        "sold",
        "calidad",
        "ciclo",
        "armador",
        "soldador",
        "fecha_armado",
        "fecha_soldadura",
        "fecha_qc_metrologia",
        "ocupado_por",
        "fecha_ocupacion",
        "operacion_actual",
        "version",
        "estado_detalle",
        "created_at",
        "updated_at",
    ]
    fields = ["tag_spool", "nv", "ot", "fecha_materiales", "activo", *readonly_fields]

    @admin.display(description="ocupado desde", ordering="fecha_ocupacion")
    def desde(self, obj: Spool) -> str:
        return date_format(timezone.localtime(obj.fecha_ocupacion), "d-m H:i") if obj.fecha_ocupacion else "—"

    @admin.display(description="alerta")
    def ocupacion_antigua(self, obj: Spool) -> str:
        """A warning when the occupation is older than the stale threshold; nothing expires silently."""
        if obj.fecha_ocupacion is None or obj.fecha_ocupacion >= stale_cutoff():
            return ""
        hours = int((timezone.now() - obj.fecha_ocupacion).total_seconds() // 3600)
        return f"⚠ ocupado hace {hours} h"

    @admin.action(description="Imprimir etiquetas QR")
    def imprimir_etiquetas(self, request: HttpRequest, queryset: QuerySet[Spool]) -> HttpResponse:
        return labels_response(request, list(queryset.order_by("tag_spool")[: labels.MAX_LABELS]))

    def has_desbloquear_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(DESBLOQUEAR)

    def has_liberar_ocupacion_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(LIBERAR)

    @admin.action(description="Desbloquear spools BLOQUEADO (pide motivo)", permissions=["desbloquear"])
    def desbloquear(self, request: HttpRequest, queryset: QuerySet[Spool]) -> TemplateResponse | None:
        return self._with_reason(
            request,
            queryset,
            action="desbloquear",
            title="Desbloquear spools",
            explain="Cada spool vuelve a RECHAZADO con el contador de ciclos en 0: podrá repararse de nuevo.",
            apply=lambda spool, motivo: spool_unblock(spool=spool, supervisor=request.user, motivo=motivo),
        )

    @admin.action(description="Liberar ocupación (pide motivo)", permissions=["liberar_ocupacion"])
    def liberar_ocupacion(self, request: HttpRequest, queryset: QuerySet[Spool]) -> TemplateResponse | None:
        return self._with_reason(
            request,
            queryset,
            action="liberar_ocupacion",
            title="Liberar ocupación",
            explain="La operación en curso queda PAUSADA y el spool libre; el avance se conserva.",
            apply=lambda spool, motivo: spool_force_release(
                spool=spool, supervisor=request.user, motivo=motivo
            ),
        )

    def _with_reason(
        self,
        request: HttpRequest,
        queryset: QuerySet[Spool],
        *,
        action: str,
        title: str,
        explain: str,
        apply: Callable[[Spool, str], Spool],
    ) -> TemplateResponse | None:
        """Ask for the reason on an intermediate page, then apply the act to each spool."""
        form = MotivoAdminForm(request.POST if "confirmar" in request.POST else None)
        if form.is_bound and form.is_valid():
            done, failed = [], []
            for spool in queryset.select_related("ocupado_por"):
                try:
                    done.append(apply(spool, form.cleaned_data["motivo"]).tag_spool)
                except ZeuesError as error:
                    failed.append(f"{spool.tag_spool}: {error.message}")
            if done:
                self.message_user(
                    request, f"{title}: {len(done)} spool(s) — {', '.join(done)}.", messages.SUCCESS
                )
            for line in failed:
                self.message_user(request, line, messages.ERROR)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "explain": explain,
            "form": form,
            "spools": queryset,
            "action": action,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/spools/spool/motivo.html", context)


@admin.register(Event)
class EventAdmin(ReadOnlyModelAdmin):
    list_display = ["timestamp", "evento_tipo", "tag_spool", "worker_token", "operacion", "accion", "actor"]
    list_filter = [
        "evento_tipo",
        "operacion",
        ("worker", admin.RelatedOnlyFieldListFilter),
        "fecha_operacion",
    ]
    search_fields = ["tag_spool", "worker_token", "=worker__id"]
    date_hierarchy = "timestamp"
    list_select_related = ["actor"]


# --- API tokens (list and revoke; new ones from `manage.py create_api_token`) ----------------


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
