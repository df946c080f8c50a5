"""Admin of joints: a spool's joints inline, and a supervisor's four acts on them.

The inline is read-only; adding, correcting, voiding and undoing a mistaken record are small pages
beside the spool's page (one change, one reason, one call of occupation/joints.py each), never the
inline's own save. SpoolAdmin (zeues/front/admin.py) mixes `SpoolJointsAdmin` in.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_http_methods

from occupation.joints import union_add, union_correct, union_undo, union_void
from spools import joints
from spools.models import Spool, TipoUnion, Union
from zeues.lib.admin import ReadOnlyModelAdmin
from zeues.lib.dn import format_dn
from zeues.lib.errors import DatosInvalidos, ZeuesError

AGREGAR_UNION = "spools.add_union"
CAMBIAR_UNION = "spools.change_union"


def _done_by(union: Union, operacion: str) -> str:
    """`MR(93) · 12-03-26 14:05`: who fitted (ARM) or welded (SOLD) the joint and when; or —."""
    worker, fin = union.worker_of(operacion), union.arm_fin if operacion == "ARM" else union.sold_fin
    if fin is None:
        return "—" if union.soldable or operacion == "ARM" else "— (en terreno)"
    when = date_format(timezone.localtime(fin), "d-m-y H:i")
    if worker is None:
        return f"? · {when}"
    return format_html('<span title="{}">{}</span> · {}', worker.nombre_completo, worker.token, when)


def _summary(union: Union) -> list[tuple[str, str]]:
    """The joint as it stands, shown above the form that changes it."""
    columns = UnionColumns()
    return [
        ("N_UNION", f"#{union.n_union}"),
        ("DN", columns.dn_pulgadas(union)),
        ("Tipo", union.get_tipo_display()),
        ("Armó · fin ARM", columns.armado(union)),
        ("Soldó · fin SOLD", columns.soldado(union)),
        ("NDT", columns.ndt(union) or "—"),
        ("Estado", columns.anulacion(union) or "Vigente"),
    ]


class UnionColumns:
    """The joint's columns as the shop reads them, shared by the spool's inline and the joints' list."""

    @admin.display(description="DN", ordering="dn")
    def dn_pulgadas(self, obj: Union) -> str:
        return format_dn(obj.dn)

    @admin.display(description="tipo", ordering="tipo")
    def tipo_codigo(self, obj: Union) -> str:
        """The code the shop says (`BW`), its meaning in the tooltip."""
        return format_html('<abbr title="{}">{}</abbr>', obj.get_tipo_display(), obj.tipo)

    @admin.display(description="armó · fin ARM")
    def armado(self, obj: Union) -> str:
        return _done_by(obj, "ARM")

    @admin.display(description="soldó · fin SOLD")
    def soldado(self, obj: Union) -> str:
        return _done_by(obj, "SOLD")

    @admin.display(description="NDT", empty_value="—")
    def ndt(self, obj: Union) -> str:
        detail = " · ".join(p for p in (obj.ndt_metodo, obj.ndt_informe) if p)
        if not obj.ndt_resultado:
            return detail
        return (
            format_html('<span title="{}">{}</span>', detail, obj.ndt_resultado)
            if detail
            else obj.ndt_resultado
        )

    @admin.display(description="anulada", empty_value="")
    def anulacion(self, obj: Union) -> str:
        if not obj.anulada:
            return ""
        return f"Anulada: {obj.anulada_motivo}" if obj.anulada_motivo else "Anulada"


class UnionFormSet(forms.BaseInlineFormSet):
    """The joints' inline formset never writes: saving the spool's page leaves its joints as they are."""

    def save(self, commit: bool = True) -> list[Any]:
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        return []


class UnionInline(UnionColumns, admin.TabularInline):
    """A spool's joints by number, read-only: they change only through the acts below, which call
    occupation/joints.py (the engine's step and the audit event), never through this formset."""

    model = Union
    formset = UnionFormSet
    template = "admin/spools/spool/uniones_inline.html"
    extra = 0
    can_delete = False
    COLUMNS = ("n_union", "dn_pulgadas", "tipo_codigo", "armado", "soldado", "ndt", "anulacion")
    readonly_fields = [*COLUMNS, "acciones"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        """The change links only for those who may change joints."""
        return (*self.COLUMNS, "acciones") if request.user.has_perm(CAMBIAR_UNION) else self.COLUMNS

    def get_queryset(self, request: HttpRequest) -> QuerySet[Union]:
        return super().get_queryset(request).select_related("arm_worker", "sold_worker")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="cambios")
    def acciones(self, obj: Union) -> str:
        if obj.pk is None or obj.anulada:
            return ""
        acts = [("corregir", "Corregir"), ("anular", "Anular")]
        if obj.tiene_trabajo:
            acts.append(("deshacer", "Deshacer"))
        links = [
            (reverse(f"admin:spools_spool_union_{act}", args=[obj.spool_id, obj.n_union]), text, obj.n_union)
            for act, text in acts
        ]
        return format_html_join(
            " · ", '<a href="{}">{}<span class="visually-hidden"> la unión #{}</span></a>', links
        )


class UnionMotivoForm(forms.Form):
    """A supervisor's change of a joint: the reason the audit trail keeps, and the service's refusals.

    The service (occupation/joints.py) is the one judge of the values; what it refuses comes back
    on the field it names (`refused`), so the page shows it where the supervisor typed it.
    """

    motivo = forms.CharField(
        label="Motivo",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Obligatorio: queda registrado en el historial del spool junto a su usuario.",
    )

    def refused(self, error: ZeuesError) -> None:
        """Show a service's refusal on the field it names, or above the form."""
        campos = error.data.get("campos") if isinstance(error, DatosInvalidos) else None
        if not campos:
            self.add_error(None, error.message)
            return
        for field, texts in campos.items():
            for text in texts:
                self.add_error(field if field in self.fields else None, text)


class UnionValoresForm(UnionMotivoForm):
    """DN as the shop writes it and the type in any case: the service reads both."""

    dn = forms.CharField(label="DN (pulgadas)", max_length=20, help_text="Por ejemplo 2, 2,5, 1 1/2 o 3/4.")
    tipo = forms.CharField(
        label="Tipo",
        max_length=10,
        widget=forms.TextInput(attrs={"list": "tipos-union", "autocomplete": "off", "size": 6}),
        help_text=f"{', '.join(TipoUnion.values)} (FW: soldadura en terreno, solo ARM).",
    )
    field_order = ["n_union", "dn", "tipo", "motivo"]


class UnionAgregarForm(UnionValoresForm):
    n_union = forms.IntegerField(
        label="N_UNION",
        min_value=1,
        max_value=99999,
        help_text="El número pintado en la cañería; nunca se reutiliza, ni el de una unión anulada.",
    )


class UnionCorregirForm(UnionValoresForm):
    pass


class UnionAnularForm(UnionMotivoForm):
    OPCIONAL = "Opcional: la unión no tiene trabajo registrado. Si lo escribe, queda en el historial."

    def __init__(self, *args: Any, union: Union, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not union.tiene_trabajo:
            motivo = self.fields["motivo"]
            motivo.required, motivo.help_text = False, self.OPCIONAL


class UnionDeshacerForm(UnionMotivoForm):
    """Undo a fit-up or a welding recorded by mistake: which one, and why."""

    operacion = forms.ChoiceField(label="Registro a deshacer", widget=forms.RadioSelect)
    field_order = ["operacion", "motivo"]

    def __init__(self, *args: Any, union: Union, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = []
        if union.sold_fin is not None:
            choices.append(("SOLD", f"La soldadura ({self._by(union, 'SOLD')})"))
        if union.arm_fin is not None and union.sold_fin is None:
            choices.append(("ARM", f"El armado ({self._by(union, 'ARM')})"))
        field = self.fields["operacion"]
        field.choices = choices  # type: ignore[attr-defined]
        if choices:
            field.initial = choices[0][0]
        field.help_text = "El armado de una unión soldada se deshace después de su soldadura."

    @staticmethod
    def _by(union: Union, operacion: str) -> str:
        worker = union.worker_of(operacion)
        fin = union.arm_fin if operacion == "ARM" else union.sold_fin
        when = date_format(timezone.localtime(fin), "d-m-Y H:i") if fin else "?"
        return f"{worker.token if worker else '?'}, {when}"


class SpoolJointsAdmin(admin.ModelAdmin):
    """The joint acts of the spool's admin page: its inline's context and the four pages beside it."""

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The joints' inline heads with the spool's progress and, for Supervisores, "Agregar unión"."""
        spool = self.get_object(request, object_id)
        context = {**(extra_context or {}), "uniones_progreso": joints.label(spool) if spool else ""}
        if spool is not None and request.user.has_perm(AGREGAR_UNION):
            context["union_agregar_url"] = reverse("admin:spools_spool_union_agregar", args=[spool.pk])
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self) -> list[URLPattern]:
        def page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
            return self.admin_site.admin_view(require_http_methods(["GET", "POST"])(view))

        joint = "<int:spool_id>/uniones/<int:n_union>"
        return [
            path(
                "<int:spool_id>/uniones/agregar/", page(self.union_agregar), name="spools_spool_union_agregar"
            ),
            path(f"{joint}/corregir/", page(self.union_corregir), name="spools_spool_union_corregir"),
            path(f"{joint}/anular/", page(self.union_anular), name="spools_spool_union_anular"),
            path(f"{joint}/deshacer/", page(self.union_deshacer), name="spools_spool_union_deshacer"),
            *super().get_urls(),
        ]

    @staticmethod
    def _spool_for(request: HttpRequest, perm: str, spool_id: int) -> Spool:
        """The spool of a joint act, after the permission: 403 without it, 404 if unknown."""
        if not request.user.has_perm(perm):
            raise PermissionDenied
        return get_object_or_404(Spool, pk=spool_id)

    @classmethod
    def _union_for(cls, request: HttpRequest, spool_id: int, n_union: int) -> tuple[Spool, Union]:
        """The spool and its joint number `n_union` (voided ones too) for a change."""
        spool = cls._spool_for(request, CAMBIAR_UNION, spool_id)
        related = Union.objects.select_related("arm_worker", "sold_worker")
        return spool, get_object_or_404(related, spool=spool, n_union=n_union)

    def union_agregar(self, request: HttpRequest, spool_id: int) -> HttpResponse:
        """Add a joint (number, DN, type, reason) → occupation.joints.union_add."""
        spool = self._spool_for(request, AGREGAR_UNION, spool_id)
        used = Union.objects.filter(spool=spool).aggregate(n=Max("n_union"))["n"] or 0
        form = UnionAgregarForm(request.POST or None, initial={"n_union": used + 1})
        return self._union_act(
            request,
            spool,
            None,
            form,
            title=f"Agregar una unión a {spool.tag_spool}",
            submit="Agregar la unión",
            apply=lambda data: union_add(spool=spool, actor=request.user, **data),
            done=lambda u: f"Unión #{u.n_union} agregada a {spool.tag_spool}: DN {format_dn(u.dn)}, {u.tipo}.",
        )

    def union_corregir(self, request: HttpRequest, spool_id: int, n_union: int) -> HttpResponse:
        """Correct a joint's DN and/or type, with the reason → occupation.joints.union_correct."""
        spool, union = self._union_for(request, spool_id, n_union)
        initial = {"dn": format_dn(union.dn), "tipo": union.tipo}
        return self._union_act(
            request,
            spool,
            union,
            UnionCorregirForm(request.POST or None, initial=initial),
            title=f"Corregir la unión #{n_union} de {spool.tag_spool}",
            submit="Guardar la corrección",
            apply=lambda data: union_correct(union=union, actor=request.user, **data),
            done=lambda u: f"Unión #{u.n_union} corregida: DN {format_dn(u.dn)}, {u.tipo}.",
        )

    def union_anular(self, request: HttpRequest, spool_id: int, n_union: int) -> HttpResponse:
        """Void a joint (never delete it); the reason is required once work is recorded → union_void."""
        spool, union = self._union_for(request, spool_id, n_union)
        return self._union_act(
            request,
            spool,
            union,
            UnionAnularForm(request.POST or None, union=union),
            title=f"Anular la unión #{n_union} de {spool.tag_spool}",
            submit=f"Anular la unión #{n_union}",
            apply=lambda data: union_void(union=union, actor=request.user, **data),
            done=lambda u: f"Unión #{u.n_union} de {spool.tag_spool} anulada.",
        )

    def union_deshacer(self, request: HttpRequest, spool_id: int, n_union: int) -> HttpResponse:
        """Undo a mistaken fit-up or welding, with the reason → occupation.joints.union_undo."""
        spool, union = self._union_for(request, spool_id, n_union)
        return self._union_act(
            request,
            spool,
            union,
            UnionDeshacerForm(request.POST or None, union=union),
            title=f"Deshacer un registro de la unión #{n_union} de {spool.tag_spool}",
            submit="Deshacer el registro",
            apply=lambda data: union_undo(union=union, actor=request.user, **data),
            done=lambda u: f"Registro deshecho: la unión #{u.n_union} de {spool.tag_spool} vuelve a estar pendiente.",
        )

    def _union_act(
        self,
        request: HttpRequest,
        spool: Spool,
        union: Union | None,
        form: UnionMotivoForm,
        *,
        title: str,
        submit: str,
        apply: Callable[[dict[str, Any]], Union],
        done: Callable[[Union], str],
    ) -> HttpResponse:
        """The form, then one service call: back to the spool's page, or the refusal on the form."""
        if form.is_bound and form.is_valid():
            try:
                changed = apply(form.cleaned_data)
            except ZeuesError as error:
                form.refused(error)
            else:
                self.message_user(request, done(changed), messages.SUCCESS)
                page = reverse("admin:spools_spool_change", args=[spool.pk])
                return HttpResponseRedirect(f"{page}#uniones-group")
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "submit": submit,
            "spool": spool,
            "union": union,
            "resumen": _summary(union) if union else [],
            "form": form,
            "tipos": TipoUnion.choices,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/spools/spool/union_form.html", context)


@admin.register(Union)
class UnionAdmin(UnionColumns, ReadOnlyModelAdmin):
    """Every joint, read-only, to find one by its spool; changes are made on the spool's page."""

    list_display = [
        "spool_link",
        "n_union",
        "dn_pulgadas",
        "tipo_codigo",
        "armado",
        "soldado",
        "ndt",
        "anulacion",
    ]
    list_display_links = ["n_union"]
    list_filter = ["tipo", "anulada"]
    search_fields = ["spool__tag_spool"]
    list_select_related = ["spool", "arm_worker", "sold_worker"]
    # The model's order (spool, number) reads the unique index; 200,000 joints are not sorted by tag.
    show_full_result_count = False
    fields = [
        "spool_link",
        "n_union",
        "dn_pulgadas",
        "tipo",
        "armado",
        "soldado",
        "ndt_metodo",
        "ndt_informe",
        "ndt_fecha",
        "ndt_resultado",
        "anulacion",
        "version",
        "created_at",
        "updated_at",
    ]

    @admin.display(description="spool", ordering="spool__tag_spool")
    def spool_link(self, obj: Union) -> str:
        """The spool's page, where its joints are changed."""
        page = reverse("admin:spools_spool_change", args=[obj.spool_id])
        return format_html('<a href="{}#uniones-group">{}</a>', page, obj.spool.tag_spool)
