"""Validation of the occupation API's bodies and query strings (v3-compatible field names)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from spools.models import Operacion
from zeues.lib.fields import ApiDateField, StrictCharField, StrictIntegerField, TagListField, UnionListField

# The occupation API handles ARM and SOLD; REPARACION and METROLOGIA have their own endpoints.
OPERACION_CHOICES = [(o.value, o.label) for o in (Operacion.ARM, Operacion.SOLD)]


class TomarForm(forms.Form):
    tag_spool = StrictCharField(max_length=100)
    worker_id = StrictIntegerField(min_value=1)
    operacion = forms.ChoiceField(choices=OPERACION_CHOICES)
    # Informational only: the worker is identified by worker_id, never by name.
    worker_nombre = StrictCharField(required=False, max_length=200)


class PausarForm(forms.Form):
    tag_spool = StrictCharField(max_length=100)
    worker_id = StrictIntegerField(min_value=1)
    operacion = forms.ChoiceField(choices=OPERACION_CHOICES, required=False)
    worker_nombre = StrictCharField(required=False, max_length=200)
    # The joints finished now (docs/joints.md); absent = none for PAUSAR, every open one for COMPLETAR.
    uniones = UnionListField(required=False)


class CompletarForm(PausarForm):
    fecha_operacion = ApiDateField(required=False)

    def clean_fecha_operacion(self):
        fecha = self.cleaned_data.get("fecha_operacion")
        if fecha is not None and fecha > timezone.localdate():
            raise ValidationError("La fecha de operación no puede ser futura.")
        return fecha


class FinalizarForm(PausarForm):
    """POST /api/occupation/finalizar: the joints ticked (none = just release)."""

    fecha_operacion = ApiDateField(required=False)

    def clean_uniones(self):
        return self.cleaned_data.get("uniones") or []


# --- v4 of the system ZEUES replaces (docs/api.md, "v4") -------------------------------------


class V4IniciarForm(forms.Form):
    tag_spool = StrictCharField(max_length=100)
    worker_id = StrictIntegerField(min_value=1)
    operacion = forms.ChoiceField(choices=OPERACION_CHOICES)
    worker_nombre = StrictCharField(required=False, max_length=200)


class V4FinalizarForm(V4IniciarForm):
    selected_unions = UnionListField(required=False)
    action_override = forms.ChoiceField(
        choices=[("PAUSAR", "PAUSAR"), ("COMPLETAR", "COMPLETAR")], required=False
    )
    fecha_operacion = ApiDateField(required=False)


class BatchForm(forms.Form):
    tag_spools = TagListField(max_items=settings.ZEUES_BATCH_MAX)
    worker_id = StrictIntegerField(min_value=1)
    operacion = forms.ChoiceField(choices=OPERACION_CHOICES, required=False)
    worker_nombre = StrictCharField(required=False, max_length=200)
    fecha_operacion = ApiDateField(required=False)


class BatchTomarForm(BatchForm):
    operacion = forms.ChoiceField(choices=OPERACION_CHOICES)


# --- query strings of GET /api/spools/iniciar and /api/spools/ocupados ---------------------


class IniciarQueryForm(forms.Form):
    operacion = forms.ChoiceField(choices=[(o.value, o.label) for o in Operacion])
    worker_id = StrictIntegerField(min_value=1, required=False)
    q = forms.CharField(required=False, max_length=100)
    limit = StrictIntegerField(min_value=1, max_value=5000, required=False)


class OcupadosQueryForm(forms.Form):
    worker_id = StrictIntegerField(min_value=1)
