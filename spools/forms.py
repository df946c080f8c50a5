"""Validation of the spools API's query strings."""

from django import forms

from spools.models import Operacion
from zeues.lib.fields import StrictIntegerField


class IniciarQueryForm(forms.Form):
    operacion = forms.ChoiceField(choices=[(o.value, o.label) for o in Operacion])
    worker_id = StrictIntegerField(min_value=1, required=False)
    q = forms.CharField(required=False, max_length=100)
    limit = StrictIntegerField(min_value=1, max_value=5000, required=False)


class OcupadosQueryForm(forms.Form):
    worker_id = StrictIntegerField(min_value=1)
