"""Strict form fields for JSON bodies (a list where a string belongs is an error, not "['a']")."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from zeues.lib.dates import parse_api_date


class StrictCharField(forms.CharField):
    """A string field that refuses numbers' siblings: lists, objects and booleans."""

    def to_python(self, value: Any) -> str | None:
        if isinstance(value, (list, dict, bool)):
            raise ValidationError("Debe ser un texto.", code="invalid")
        return super().to_python(value)


class StrictIntegerField(forms.IntegerField):
    """An integer field that refuses booleans, lists and objects."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, (list, dict, bool)):
            raise ValidationError("Debe ser un número entero.", code="invalid")
        return super().to_python(value)


class TagListField(forms.Field):
    """A JSON list of 1..max distinct, non-empty TAG_SPOOL strings (spaces trimmed)."""

    def __init__(self, *, max_items: int, **kwargs: Any) -> None:
        self.max_items = max_items
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[str]:
        if value in (None, "", []):
            raise ValidationError("Debe indicar al menos un spool.", code="required")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError("Debe ser una lista de TAG_SPOOL (textos).", code="invalid")
        tags = [v.strip() for v in value]
        if any(not t for t in tags):
            raise ValidationError("Hay un TAG_SPOOL vacío en la lista.", code="invalid")
        if len(tags) > self.max_items:
            raise ValidationError(f"Máximo {self.max_items} spools por lote.", code="max")
        duplicates = sorted({t for t in tags if tags.count(t) > 1})
        if duplicates:
            raise ValidationError(f"TAG_SPOOL repetidos: {', '.join(duplicates)}.", code="duplicate")
        return tags


class UnionListField(forms.Field):
    """A JSON list of distinct joint numbers (N_UNION): positive integers, at most `max_items`.

    Absent or null gives None (the caller decides what "not said" means); `[]` gives `[]`.
    """

    def __init__(self, *, max_items: int = 500, **kwargs: Any) -> None:
        self.max_items = max_items
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[int] | None:
        if value is None or value == "":
            return None
        if not isinstance(value, list):
            raise ValidationError("Debe ser una lista de números de unión.", code="invalid")
        numbers = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= 1_000_000:
                raise ValidationError(f"Número de unión no válido: {item!r}.", code="invalid")
            numbers.append(item)
        if len(numbers) > self.max_items:
            raise ValidationError(f"Máximo {self.max_items} uniones por solicitud.", code="max")
        repeated = sorted({n for n in numbers if numbers.count(n) > 1})
        if repeated:
            raise ValidationError(f"Uniones repetidas: {', '.join(map(str, repeated))}.", code="duplicate")
        return numbers

    def validate(self, value: Any) -> None:
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")


class ApiDateField(forms.Field):
    """A date as `YYYY-MM-DD` or `DD-MM-YYYY`; not in the future."""

    def to_python(self, value: Any) -> datetime.date | None:
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            raise ValidationError("Debe ser una fecha YYYY-MM-DD o DD-MM-YYYY.", code="invalid")
        try:
            return parse_api_date(value)
        except ValueError as exc:
            raise ValidationError(
                f"Fecha no válida: {value!r} (use YYYY-MM-DD o DD-MM-YYYY).", code="invalid"
            ) from exc
