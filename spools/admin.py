"""Admin for master data and the (read-only) audit trail.

State fields (ARM, SOLD, occupation, version) are read-only here: they change only through the
services, which write the audit event. Supervisor acts (unblock, force release) come with the
quality-loop work.
"""

from django.contrib import admin

from spools.models import Event, Spool, Worker, WorkerRole


class WorkerRoleInline(admin.TabularInline):
    model = WorkerRole
    extra = 1


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    list_display = ["id", "token", "nombre", "apellido", "activo", "roles_activos"]
    list_filter = ["activo", "roles__rol"]
    search_fields = ["id", "nombre", "apellido"]
    inlines = [WorkerRoleInline]

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


@admin.register(Spool)
class SpoolAdmin(admin.ModelAdmin):
    list_display = [
        "tag_spool",
        "nv",
        "ot",
        "arm",
        "sold",
        "ocupado_por",
        "fecha_ocupacion",
        "estado_detalle",
    ]
    list_filter = ["arm", "sold", OcupadoFilter, "activo"]
    search_fields = ["tag_spool", "nv", "ot"]
    list_select_related = ["ocupado_por"]
    readonly_fields = [
        "arm",
        "sold",
        "armador",
        "soldador",
        "fecha_armado",
        "fecha_soldadura",
        "ocupado_por",
        "fecha_ocupacion",
        "operacion_actual",
        "version",
        "estado_detalle",
        "created_at",
        "updated_at",
    ]
    fields = ["tag_spool", "nv", "ot", "fecha_materiales", "activo", *readonly_fields]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["timestamp", "evento_tipo", "tag_spool", "worker_token", "operacion", "accion", "actor"]
    list_filter = ["evento_tipo", "operacion", "fecha_operacion"]
    search_fields = ["tag_spool", "worker_token", "=worker__id"]
    date_hierarchy = "timestamp"
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
