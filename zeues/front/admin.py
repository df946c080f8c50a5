"""Admin: master data, the (read-only) audit trail, API tokens and the Sheets mirror's status.

State fields (ARM, SOLD, quality, occupation, version) are read-only here: they change only
through the services, which write the audit event. The supervisor's two acts, unblock and force
release, are list actions that ask for a reason on an intermediate page and need a permission. A
spool's joints and a supervisor's acts on them are in zeues/front/admin_joints.py.
"""

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html

from reparacion.permissions import DESBLOQUEAR, LIBERAR
from reparacion.services import spool_force_release, spool_unblock
from spools.models import (
    JOINT_EVENTS,
    Alerta,
    Defecto,
    EstadoCalidad,
    Event,
    EventType,
    Operacion,
    Resultado,
    Spool,
    Worker,
    WorkerRole,
    stale_cutoff,
)
from zeues.front import labels, logins, words
from zeues.front.admin_joints import SpoolJointsAdmin, UnionInline
from zeues.front.labels import labels_response
from zeues.lib.admin import ReadOnlyModelAdmin
from zeues.lib.dn import format_dn
from zeues.lib.errors import ZeuesError
from zeues.mirror.status import mirror_status
from zeues.models import ApiToken, SheetSpoolChange, SheetSyncState, TabletAccount


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


def _report_unlocks(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    unlock: Callable[[], list[str]],
    *,
    done: str,
    none: str,
) -> None:
    """Run an unlock action (PINs, logins) and say what it did; the lock store being down is said."""
    from zeues.lib.lockout import StoreDown

    try:
        unlocked = unlock()
    except StoreDown:
        model_admin.message_user(
            request, "El servicio de bloqueos no responde: no se desbloqueó nada. Reintente.", messages.ERROR
        )
        return
    if unlocked:
        model_admin.message_user(request, f"{done}: {', '.join(unlocked)}.", messages.SUCCESS)
    else:
        model_admin.message_user(request, none, messages.INFO)


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    form = WorkerAdminForm
    list_display = [
        "id",
        "token",
        "nombre",
        "apellido",
        "activo",
        "roles_activos",
        "tiene_pin",
        "pin_bloqueado",
    ]
    list_filter = ["activo", "roles__rol"]
    search_fields = ["id", "nombre", "apellido"]
    inlines = [WorkerRoleInline]
    actions = ["desbloquear_pin"]

    @admin.display(description="PIN", boolean=True)
    def tiene_pin(self, obj: Worker) -> bool:
        return bool(obj.pin)

    @admin.display(description="PIN bloqueado")
    def pin_bloqueado(self, obj: Worker) -> str:
        """The kiosk PIN's lock after too many wrong tries (zeues/front/kiosk/pins.py)."""
        from zeues.front.kiosk import pins

        state = pins.peek(obj)
        if state.unavailable:
            return "? (servicio no disponible)"
        return f"🔒 hasta las {state.until:%H:%M}" if state.locked and state.until else "—"

    @admin.action(description="Desbloquear PIN (tras intentos fallidos)", permissions=["change"])
    def desbloquear_pin(self, request: HttpRequest, queryset: QuerySet[Worker]) -> None:
        """Clear the PIN lock of the selected workers; each unlock is an audit event PIN_DESBLOQUEADO."""
        from zeues.front.kiosk import pins

        _report_unlocks(
            self,
            request,
            lambda: [w.token for w in queryset if pins.unlock(w, actor=request.user)],
            done="PIN desbloqueado",
            none="Ninguno de los trabajadores elegidos tenía el PIN bloqueado.",
        )

    def save_model(self, request: HttpRequest, obj: Worker, form: Any, change: bool) -> None:
        """A new (or removed) PIN also ends a lock of the old one."""
        super().save_model(request, obj, form, change)
        if change and (form.cleaned_data.get("nuevo_pin") or form.cleaned_data.get("quitar_pin")):
            from zeues.front.kiosk import pins

            pins.unlock(obj, actor=request.user)

    @admin.display(description="roles")
    def roles_activos(self, obj: Worker) -> str:
        return ", ".join(sorted(obj.active_roles())) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("roles")


class _SetOrNotFilter(admin.SimpleListFilter):
    """A two-way filter on whether `field` is set: "si" lists those where `si_when_set` holds."""

    field = ""
    si_when_set = True
    labels = ("Sí", "No")

    def lookups(self, request, model_admin):
        return [("si", self.labels[0]), ("no", self.labels[1])]

    def queryset(self, request, queryset):
        if self.value() in ("si", "no"):
            wanted_set = (self.value() == "si") == self.si_when_set
            return queryset.filter(**{f"{self.field}__isnull": not wanted_set})
        return queryset


class OcupadoFilter(_SetOrNotFilter):
    title = "ocupación"
    parameter_name = "ocupado"
    field, labels = "ocupado_por", ("Ocupado", "Disponible")


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


# --- A spool's joints (docs/joints.md): listed on the spool's page, changed by three small acts ----


# Voiding is a change of the joint (it is never deleted); Supervisores hold both (spools 0015).
@admin.register(Spool)
class SpoolAdmin(SpoolJointsAdmin):
    # Estado_Detalle already says ARM, SOLD, quality and cycle in the shop's words.
    list_display = ["tag_spool", "nv", "ot", "estado_detalle", "desde", "ocupacion_antigua"]
    list_filter = ["arm", "sold", "calidad", BloqueadoFilter, OcupadoFilter, OcupacionAntiguaFilter, "activo"]
    search_fields = ["tag_spool", "nv", "ot"]
    list_select_related = ["ocupado_por"]
    actions = ["desbloquear", "liberar_ocupacion", "imprimir_etiquetas"]
    inlines = [UnionInline]
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
    # Estado_Detalle says the state in one line; the fields behind it fold away, several to a
    # line, so that the spool's joints come into view on a 1280×800 screen.
    fieldsets = [
        (None, {"fields": [("tag_spool", "estado_detalle"), ("nv", "ot", "fecha_materiales", "activo")]}),
        (
            "Estado y ocupación (solo lectura: lo cambian las acciones)",
            {
                "classes": ["collapse"],
                "fields": [
                    ("arm", "sold", "calidad", "ciclo"),
                    ("armador", "fecha_armado"),
                    ("soldador", "fecha_soldadura", "fecha_qc_metrologia"),
                    ("ocupado_por", "fecha_ocupacion", "operacion_actual"),
                    ("version", "created_at", "updated_at"),
                ],
            },
        ),
    ]

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

    def save_model(self, request: HttpRequest, obj: Spool, form: Any, change: bool) -> None:
        """Write only the master data the form changed: the state and the joint figures belong to the
        engine, and a full save would put back what it read before a TOMAR or a FINALIZAR committed."""
        if not change:
            return super().save_model(request, obj, form, change)
        if form.changed_data:
            obj.save(update_fields=[*form.changed_data, "updated_at"])


class TipoEventoFilter(admin.SimpleListFilter):
    """By event type, said in words (zeues/front/words.py)."""

    title = "tipo"
    parameter_name = "evento_tipo"

    def lookups(self, request, model_admin):
        return [(tipo, words.evento(tipo)) for tipo in EventType.values]

    def queryset(self, request, queryset):
        return queryset.filter(evento_tipo=self.value()) if self.value() in EventType.values else queryset


class OperacionEventoFilter(admin.SimpleListFilter):
    """By operation. Django's own filter listed the blank operation (imports, alerts, PINs) as an
    empty link, which axe reports; here it has a name."""

    title = "operación"
    parameter_name = "operacion"
    NINGUNA = "ninguna"

    def lookups(self, request, model_admin):
        return [(op, words.operacion(op)) for op in Operacion.values] + [(self.NINGUNA, "Sin operación")]

    def queryset(self, request, queryset):
        if self.value() == self.NINGUNA:
            return queryset.filter(operacion="")
        if self.value() in Operacion.values:
            return queryset.filter(operacion=self.value())
        return queryset


class ResultadoFilter(admin.SimpleListFilter):
    """Metrología's verdict, read from the event's details."""

    title = "resultado"
    parameter_name = "resultado"

    def lookups(self, request, model_admin):
        return [(r, r) for r in Resultado.values]

    def queryset(self, request, queryset):
        if self.value() in Resultado.values:
            return queryset.filter(details__resultado=self.value())
        return queryset


class TrabajadorEventoFilter(admin.RelatedOnlyFieldListFilter):
    """Workers who appear in the trail; events without one (imports, supervisor acts) are named."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.empty_value_display = conditional_escape("Sin trabajador")


def _dn_text(value: object) -> str:
    """A DN kept in an event's details (a JSON number) as the shop writes it: `2,5`."""
    try:
        return format_dn(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def _short(text: str, limit: int = 90) -> str:
    """The cell shows up to `limit` characters; the whole text is in the tooltip and the event."""
    if len(text) <= limit:
        return text
    return format_html('<span title="{}">{}…</span>', text, text[: limit - 1].rstrip())


@admin.register(Event)
class EventAdmin(ReadOnlyModelAdmin):
    """The audit trail, read-only. Verdict, defect and reason are columns read from each event's
    details, so a supervisor need not open events one by one; nothing here queries per row."""

    list_display = [
        "cuando",
        "tipo",
        "tag",
        "worker_token",
        "operacion_palabras",
        "accion",
        "actor",
        "resultado",
        "defecto",
        "motivo_nota",
    ]
    list_display_links = ["cuando"]
    list_filter = [
        TipoEventoFilter,
        OperacionEventoFilter,
        ResultadoFilter,
        ("worker", TrabajadorEventoFilter),
        "fecha_operacion",
    ]
    search_fields = ["tag_spool", "worker_token", "=worker__id"]
    date_hierarchy = "timestamp"
    list_select_related = ["actor"]
    ordering = ["-timestamp", "-seq"]
    # Alerts keep their kind in details["motivo"]; the list says it in words.
    ALERTA_MOTIVO = dict(Alerta.MOTIVOS)

    @staticmethod
    def _details(obj: Event) -> dict[str, Any]:
        return obj.details if isinstance(obj.details, dict) else {}

    @admin.display(description="fecha y hora", ordering="timestamp")
    def cuando(self, obj: Event) -> str:
        return date_format(timezone.localtime(obj.timestamp), "d-m-Y H:i:s")

    @admin.display(description="tipo", ordering="evento_tipo")
    def tipo(self, obj: Event) -> str:
        """In words, with a joint's number (`Supervisor anuló una unión #3`); the verdict has its column."""
        return words.evento(obj.evento_tipo, {"n_union": self._details(obj).get("n_union")})

    @admin.display(description="spool", ordering="tag_spool")
    def tag(self, obj: Event) -> str:
        return obj.tag_spool

    @admin.display(description="operación", ordering="operacion", empty_value="")
    def operacion_palabras(self, obj: Event) -> str:
        return words.operacion(obj.operacion) if obj.operacion else ""

    @admin.display(description="resultado", empty_value="")
    def resultado(self, obj: Event) -> str:
        return str(self._details(obj).get("resultado") or "")

    @admin.display(description="defecto", empty_value="")
    def defecto(self, obj: Event) -> str:
        details = self._details(obj)
        codigo, nombre = str(details.get("defecto") or ""), str(details.get("defecto_nombre") or "")
        if nombre and codigo:
            return format_html('<span title="código {}">{}</span>', codigo, nombre)
        return nombre or codigo

    @classmethod
    def _joint_change(cls, obj: Event) -> str:
        """What a supervisor's joint change did: `DN 2,5 → 3, tipo BW → SO`, or the joint added."""
        if obj.evento_tipo not in JOINT_EVENTS or obj.worker_id is not None:
            return ""
        details = cls._details(obj)
        antes, despues = details.get("antes"), details.get("despues")
        if isinstance(antes, dict) and isinstance(despues, dict):
            return ", ".join(
                f"{name} {shown(antes.get(key))} → {shown(despues.get(key))}"
                for key, name, shown in (("dn", "DN", _dn_text), ("tipo", "tipo", str))
                if antes.get(key) != despues.get(key)
            )
        if obj.evento_tipo == EventType.UNION_AGREGADA:
            return f"DN {_dn_text(details.get('dn'))}, {details.get('tipo') or '?'}"
        return ""

    @admin.display(description="motivo / nota", empty_value="")
    def motivo_nota(self, obj: Event) -> str:
        details = self._details(obj)
        motivo = str(details.get("motivo") or "")
        if obj.evento_tipo == EventType.ALERTA_SUPERVISOR:
            motivo = self.ALERTA_MOTIVO.get(motivo, motivo)
        keys = ("nota", "mensaje", "respuesta", "usuario")  # usuario: a login's lock
        parts = [motivo] + [str(details.get(key) or "") for key in keys] + [self._joint_change(obj)]
        return _short(" — ".join(p.strip() for p in parts if p.strip()))


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


# --- Metrología's defect catalogue and the supervisors' alerts ------------------------------


@admin.register(Defecto)
class DefectoAdmin(admin.ModelAdmin):
    """The defects a RECHAZADO may name. Deactivate rather than delete: old rejections keep theirs."""

    list_display = ["nombre", "codigo", "activo", "orden"]
    list_editable = ["activo", "orden"]
    list_filter = ["activo"]
    search_fields = ["codigo", "nombre"]
    ordering = ["orden", "nombre"]

    def has_delete_permission(self, request: HttpRequest, obj: Defecto | None = None) -> bool:
        return False


class AbiertaFilter(_SetOrNotFilter):
    title = "estado"
    parameter_name = "abierta"
    field, si_when_set, labels = "atendida_en", False, ("Abiertas", "Atendidas")


@admin.register(Alerta)
class AlertaAdmin(ReadOnlyModelAdmin):
    """Every alert, open or answered (read-only: they are kept from the audit trail; answer at /alertas/)."""

    list_display = [
        "spool",
        "motivo",
        "mensaje",
        "creada_en",
        "llamada_por",
        "atendida_en",
        "atendida_por",
        "respuesta",
    ]
    list_filter = [AbiertaFilter, "motivo"]
    search_fields = ["spool__tag_spool", "mensaje", "respuesta"]
    list_select_related = ["spool", "llamada_por", "atendida_por"]
    ordering = ["-creada_en"]


# --- Accounts: Django's user admin, plus the password login's lock (zeues/front/logins.py) ---

admin.site.login_form = logins.AdminLoginForm
User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class ZeuesUserAdmin(UserAdmin):
    """Django's user admin with a column showing a locked login and the action that unlocks it."""

    list_display = [*UserAdmin.list_display, "login_bloqueado"]  # type: ignore[misc]
    actions = ["desbloquear_login"]

    @admin.display(description="inicio de sesión")
    def login_bloqueado(self, obj: Any) -> str:
        """The password login's lock after too many wrong tries."""
        state = logins.peek(obj.get_username())
        return f"🔒 hasta las {state.until:%H:%M}" if state.locked and state.until else "—"

    def has_desbloquear_login_permission(self, request: HttpRequest) -> bool:
        """Supervisores may unlock a login without being able to edit accounts (zeues 0007)."""
        return bool(request.user.has_perm("zeues.desbloquear_login"))

    @admin.action(
        description="Desbloquear inicio de sesión (tras intentos fallidos)", permissions=["desbloquear_login"]
    )
    def desbloquear_login(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Clear the login lock of the selected accounts; each unlock is an audit event LOGIN_DESBLOQUEADO."""
        _report_unlocks(
            self,
            request,
            lambda: [
                u.get_username() for u in queryset if logins.unlock(u.get_username(), actor=request.user)
            ],
            done="Inicio de sesión desbloqueado",
            none="Ninguna de las cuentas elegidas tenía el inicio de sesión bloqueado.",
        )


# --- Kiosk tablets: last activity, and signing a lost or stolen tablet out (docs/kiosk.md) -----


@admin.register(TabletAccount)
class TabletAccountAdmin(ReadOnlyModelAdmin):
    """The Kioscos group's accounts with each one's last request; "Cerrar sesión de esta tablet"."""

    list_display = ["username", "first_name", "is_active", "ultima_actividad", "last_login"]
    list_filter = ["is_active"]
    search_fields = ["username", "first_name"]
    ordering = ["username"]
    # Never the password's hash; the account itself is edited under Usuarios (superusers).
    fields = ["username", "first_name", "last_name", "is_active", "last_login", "date_joined"]
    actions = ["cerrar_sesion"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[TabletAccount]:
        return (
            super()
            .get_queryset(request)
            .filter(groups__name=settings.ZEUES_KIOSK_GROUP)
            .annotate(ultima=Max("tablet_sessions__last_seen_at"))
        )

    @admin.display(description="última actividad", ordering="ultima")
    def ultima_actividad(self, obj: TabletAccount) -> str:
        """The account's last request on any of its sessions (noted at most once a minute)."""
        ultima = getattr(obj, "ultima", None)
        return date_format(timezone.localtime(ultima), "d-m-Y H:i") if ultima else "—"

    def has_cerrar_sesion_tablet_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("zeues.cerrar_sesion_tablet")

    @admin.action(description="Cerrar sesión de esta tablet", permissions=["cerrar_sesion_tablet"])
    def cerrar_sesion(self, request: HttpRequest, queryset: QuerySet[TabletAccount]) -> None:
        """End every session of the chosen tablets' accounts; each is logged in the account's history."""
        from zeues.front.kiosk import tablets

        done = []
        for account in queryset:
            ended = tablets.sessions_end(user=account)
            self.log_change(request, account, f"Cerrar sesión de esta tablet: {ended} sesión(es) cerrada(s).")
            done.append(f"{account.username} ({ended})")
        self.message_user(
            request,
            f"Sesión cerrada en: {', '.join(done)}. La tablet vuelve a la página de ingreso en su próxima "
            "petición; para usarla otra vez, hay que iniciar sesión con la contraseña de la cuenta.",
            messages.SUCCESS,
        )
