"""Validation of the kiosk's inputs (scanner fields, PIN pad, selections)."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from zeues.front.kiosk import codes
from zeues.lib.fields import TagListField

MAX_JOINTS = 500  # more ticked joints than any spool has is a tampered form


class IdentifyForm(forms.Form):
    """A tapped name, a typed id or a scanned badge (digits, possibly with a prefix)."""

    worker_id = forms.CharField(label=_("ID o credencial"), max_length=40)

    def clean_worker_id(self) -> int:
        digits = re.findall(r"\d+", self.cleaned_data["worker_id"])
        if len(digits) != 1:
            raise ValidationError(_("Escriba o escanee solo su número de trabajador."))
        return int(digits[0])


class PinForm(forms.Form):
    pin = forms.RegexField(
        label=_("PIN"), regex=r"^\d{4,8}$", error_messages={"invalid": _("El PIN son 4 a 8 dígitos.")}
    )


class ScanForm(forms.Form):
    """A spool's QR label (its kiosk URL) or a typed tag."""

    codigo = forms.CharField(label=_("Código"), max_length=codes.MAX_CODE)

    def clean_codigo(self) -> str:
        return codes.clean(self.cleaned_data["codigo"])


class SelectionForm(forms.Form):
    """An action on 1..50 spools, as chosen on a list."""

    accion = forms.CharField(max_length=20)
    tags = TagListField(max_items=settings.ZEUES_BATCH_MAX, widget=forms.MultipleHiddenInput)


class ExecuteForm(SelectionForm):
    idem = forms.CharField(max_length=32)


class FinishForm(forms.Form):
    """«Terminar» of a spool with joints: the ticked joint numbers (none is a valid answer)."""

    idem = forms.CharField(max_length=32)
    tag = forms.CharField(max_length=codes.MAX_CODE)
    operacion = forms.ChoiceField(choices=[("ARM", "ARM"), ("SOLD", "SOLD")])
    uniones = forms.Field(required=False, widget=forms.MultipleHiddenInput)

    def clean_uniones(self) -> list[int]:
        values = self.cleaned_data.get("uniones") or []
        if len(values) > MAX_JOINTS or not all(str(v).isdigit() and len(str(v)) <= 6 for v in values):
            raise ValidationError(_("Las uniones marcadas no son válidas."))
        return [int(v) for v in values]
