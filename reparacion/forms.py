"""Validation of the repair and supervisor API bodies."""

from django import forms

from zeues.lib.fields import StrictCharField, StrictIntegerField


class ReparacionForm(forms.Form):
    tag_spool = StrictCharField(max_length=100)
    worker_id = StrictIntegerField(min_value=1)
    worker_nombre = StrictCharField(required=False, max_length=200)


class MotivoForm(forms.Form):
    """A supervisor act: which spool, and why (required, audited)."""

    tag_spool = StrictCharField(max_length=100)
    motivo = StrictCharField(min_length=5, max_length=500, strip=True)


class LlamadaForm(forms.Form):
    """A worker calls a supervisor to a spool, with an optional word on why."""

    tag_spool = StrictCharField(max_length=100)
    worker_id = StrictIntegerField(min_value=1)
    mensaje = StrictCharField(required=False, max_length=300)


class AtencionForm(forms.Form):
    """A supervisor answers a spool's alert."""

    tag_spool = StrictCharField(max_length=100)
    respuesta = StrictCharField(required=False, max_length=300)
