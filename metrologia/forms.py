"""Validation of the metrología API's bodies."""

from typing import Any

from django import forms
from django.conf import settings

from spools.models import Defecto, Resultado
from zeues.lib.fields import StrictCharField, StrictIntegerField, TagListField

RESULTADOS = Resultado.choices


class VerdictMixin(forms.Form):
    """A result, and for RECHAZADO its defect (a catalogue code) and an optional note."""

    resultado = forms.ChoiceField(choices=RESULTADOS)
    defecto = StrictCharField(required=False, max_length=20)
    nota = StrictCharField(required=False, max_length=500)
    worker_nombre = StrictCharField(required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        defecto = data.get("defecto") or ""
        if data.get("resultado") == Resultado.RECHAZADO:
            if not defecto:
                self.add_error("defecto", "Obligatorio con RECHAZADO: un código de GET /api/defectos.")
            elif not Defecto.objects.filter(codigo=defecto, activo=True).exists():
                self.add_error(
                    "defecto", f"«{defecto}» no es un defecto activo del catálogo (GET /api/defectos)."
                )
        elif data.get("resultado") == Resultado.APROBADO and (defecto or data.get("nota")):
            self.add_error("defecto", "Un APROBADO no lleva defecto ni nota.")
        return data


class InspeccionForm(VerdictMixin):
    tag_spool = StrictCharField(max_length=100)
    worker_id = StrictIntegerField(min_value=1)


class BatchInspeccionForm(VerdictMixin):
    tag_spools = TagListField(max_items=settings.ZEUES_BATCH_MAX)
    worker_id = StrictIntegerField(min_value=1)
