"""Admin for master data and the (read-only) audit trail.

State fields (ARM, SOLD, quality, occupation, version) are read-only here: they change only
through the services, which write the audit event. The supervisor's two acts, unblock and force
release, are list actions that ask for a reason on an intermediate page and need a permission.
"""

from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format

from occupation.services import occupation_force_release
from reparacion.permissions import DESBLOQUEAR, LIBERAR
from reparacion.services import spool_unblock
from spools import labels
from spools.labels import labels_response
from spools.models import EstadoCalidad, Event, Spool, Worker, WorkerRole, stale_cutoff
from zeues.lib.admin import ReadOnlyModelAdmin
from zeues.lib.errors import ZeuesError


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
            apply=lambda spool, motivo: occupation_force_release(
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
