"""A joint's nominal diameter (DN) in inches, as people and sheets write it.

The shop writes `2`, `2.5`, `2,5` (a decimal comma), `1 1/2`, `1-1/2`, `3/4` and `0.75`; all
mean a number of inches. `parse_dn` turns any of them into a `Decimal` with at most three
decimals (`1 1/3` is refused rather than rounded: no pipe has that size), and `format_dn` writes
it back the way the sheet shows numbers (`2,5`), without trailing zeros.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# The largest DN the shop fabricates is well under this; anything above is a typing error.
DN_MAX = Decimal("200")
_FRACTION = re.compile(r"^(?:(\d+)[ \-]+)?(\d+)\s*/\s*(\d+)$")
_DECIMAL = re.compile(r"^\d+(?:[.,]\d+)?$|^[.,]\d+$")


class DnInvalido(ValueError):
    """A DN that is not a positive number of inches; the message is Spanish, for people."""


def parse_dn(raw: object) -> Decimal:
    """`raw` (text or number) as inches; DnInvalido with a Spanish message otherwise."""
    if isinstance(raw, bool):
        raise DnInvalido("El DN debe ser un número de pulgadas.")
    if isinstance(raw, (int, Decimal)):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(str(raw))
    elif isinstance(raw, str):
        value = _from_text(raw)
    else:
        raise DnInvalido("El DN debe ser un número de pulgadas.")
    if not value.is_finite() or value <= 0 or value > DN_MAX:
        raise DnInvalido(f"DN fuera de rango: {raw!r} (debe ser mayor que 0 y hasta {DN_MAX} pulgadas).")
    quantized = value.quantize(Decimal("0.001"))
    if quantized != value:
        raise DnInvalido(f"DN con demasiados decimales: {raw!r} (máximo 3).")
    return quantized.normalize() if quantized == quantized.to_integral() else quantized


def _from_text(raw: str) -> Decimal:
    text = " ".join(raw.replace('"', " ").replace("”", " ").split()).strip()
    if not text:
        raise DnInvalido("Falta el DN.")
    fraction = _FRACTION.match(text)
    if fraction:
        whole, num, den = fraction.groups()
        if int(den) == 0:
            raise DnInvalido(f"DN no válido: {raw!r} (división por cero).")
        return Decimal(whole or 0) + Decimal(num) / Decimal(den)
    if _DECIMAL.match(text):
        try:
            return Decimal(text.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern admits only digits
            pass
    raise DnInvalido(f"DN no válido: {raw!r} (use 2, 2,5, 2.5 o 1 1/2).")


def format_dn(value: Decimal | None) -> str:
    """`Decimal('2.500')` → `2,5`; `Decimal('8')` → `8`; None → empty."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def dn_float(value: Decimal | None) -> float:
    """The DN as a JSON number."""
    return float(value) if value is not None else 0.0
