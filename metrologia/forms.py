"""Validation of the metrología API's bodies."""

from django import forms
from django.conf import settings

from spools.models import Resultado
from zeues.lib.fields import StrictCharField, StrictIntegerField, TagListField

RESULTADOS = Resultado.choices


class InspeccionForm(forms.Form):
    tag_spool = StrictCharField(max_length=100)
    worker_id = StrictIntegerField(min_value=1)
    resultado = forms.ChoiceField(choices=RESULTADOS)
    worker_nombre = StrictCharField(required=False, max_length=200)


class BatchInspeccionForm(forms.Form):
    tag_spools = TagListField(max_items=settings.ZEUES_BATCH_MAX)
    worker_id = StrictIntegerField(min_value=1)
    resultado = forms.ChoiceField(choices=RESULTADOS)
    worker_nombre = StrictCharField(required=False, max_length=200)
