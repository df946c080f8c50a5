"""Cell values: how written input is stored (RAW / USER_ENTERED) and how it is read back.

USER_ENTERED follows the spreadsheet's locale. For `es_CL` (and other comma-decimal locales):
`12` → 12, `12,5` → 12.5, `1.234,5` → 1234.5; `12.5` stays text (a point is only a thousands
separator there). For `en_*` the separators swap. `TRUE`/`FALSE`/`VERDADERO`/`FALSO` (any case)
become booleans, a leading `'` forces text (and is dropped), dates `DD-MM-YYYY`, `DD/MM/YYYY`,
`YYYY-MM-DD` with an optional ` HH:MM[:SS]` become serial numbers (days since 1899-12-30,
fraction = time of day) that remember the pattern they were typed in: FORMATTED_VALUE prints that
pattern, UNFORMATTED_VALUE gives the serial (an int for a pure date). Impossible dates
(`31-02-2026`) stay text, as in Sheets. Formulas (`=…`) are kept as text, never evaluated.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass

EPOCH = datetime.datetime(1899, 12, 30)
TRUE_WORDS = {"TRUE", "VERDADERO"}
FALSE_WORDS = {"FALSE", "FALSO"}

Scalar = str | int | float | bool

_TIME = r"(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?"
_DMY_DASH = re.compile(rf"^(\d{{1,2}})-(\d{{1,2}})-(\d{{4}}){_TIME}$")
_DMY_SLASH = re.compile(rf"^(\d{{1,2}})/(\d{{1,2}})/(\d{{4}}){_TIME}$")
_YMD = re.compile(rf"^(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_TIME}$")


class InvalidValue(ValueError):
    """A written value of a type the API rejects (lists, objects)."""


@dataclass(frozen=True, slots=True)
class Cell:
    """A non-empty cell. `date_format` (strftime) is set when `value` is a date serial."""

    value: Scalar
    date_format: str | None = None
    formula: str | None = None


@dataclass(frozen=True, slots=True)
class Locale:
    """Number separators and date order of a spreadsheet locale."""

    decimal: str
    group: str
    month_first: bool

    @classmethod
    def of(cls, name: str) -> Locale:
        """`en_US` → point decimals and M/D/Y; anything else here → comma decimals, D/M/Y."""
        if name.lower().startswith("en"):
            return cls(".", ",", month_first=name == "en_US")
        return cls(",", ".", month_first=False)

    def number_pattern(self) -> re.Pattern[str]:
        """Plain digits or digits grouped by three, then an optional fraction."""
        return _number_pattern(self.decimal, self.group)


@functools.cache
def _number_pattern(decimal: str, group: str) -> re.Pattern[str]:
    """Compiled once per pair of separators."""
    d, g = re.escape(decimal), re.escape(group)
    return re.compile(rf"^[+-]?(?:\d+|\d{{1,3}}(?:{g}\d{{3}})+)(?:{d}\d+)?$")


def from_raw(value: object) -> Cell | None:
    """A value written with RAW: stored as given; "" clears the cell."""
    _check_scalar(value)
    if value == "" and isinstance(value, str):
        return None
    return Cell(value)  # type: ignore[arg-type]


def from_user_entered(value: object, locale: Locale) -> Cell | None:
    """A value written with USER_ENTERED: strings are parsed as if typed into the sheet."""
    _check_scalar(value)
    if not isinstance(value, str):
        return Cell(value)  # type: ignore[arg-type]
    if value == "":
        return None
    if value.startswith("'"):
        return Cell(value[1:])
    if value.startswith("="):
        return Cell(value, formula=value)
    text = value.strip()
    if text.upper() in TRUE_WORDS:
        return Cell(True)
    if text.upper() in FALSE_WORDS:
        return Cell(False)
    if locale.number_pattern().match(text):
        return Cell(_number(text, locale))
    if (dated := _parse_date(text, locale)) is not None:
        serial, pattern = dated
        return Cell(serial, date_format=pattern)
    return Cell(value)


def _check_scalar(value: object) -> None:
    """Lists and objects inside `values` are an API error."""
    if not isinstance(value, str | int | float | bool):
        raise InvalidValue(f"Invalid value: {value!r}")


def _number(text: str, locale: Locale) -> int | float:
    """Digits with the locale's separators as a Python number."""
    plain = text.replace(locale.group, "").replace(locale.decimal, ".")
    number = float(plain)
    return int(number) if locale.decimal not in text else number


def _parse_date(text: str, locale: Locale) -> tuple[int | float, str] | None:
    """(serial, strftime pattern) for a date or date-time typed in a known shape."""
    for regex, order, date_pattern in (
        (_DMY_DASH, "dmy", "%d-%m-%Y"),
        (
            _DMY_SLASH,
            "mdy" if locale.month_first else "dmy",
            "%m/%d/%Y" if locale.month_first else "%d/%m/%Y",
        ),
        (_YMD, "ymd", "%Y-%m-%d"),
    ):
        if (m := regex.match(text)) is None:
            continue
        parts = dict(zip(order, (int(m[1]), int(m[2]), int(m[3])), strict=True))
        hour, minute, second = (int(g) if g else 0 for g in (m[4], m[5], m[6]))
        try:
            moment = datetime.datetime(parts["y"], parts["m"], parts["d"], hour, minute, second)
        except ValueError:
            return None
        if m[4] is None:
            return (moment - EPOCH).days, date_pattern
        time_pattern = " %H:%M:%S" if m[6] else " %H:%M"
        return to_serial(moment), date_pattern + time_pattern
    return None


def to_serial(moment: datetime.datetime) -> int | float:
    """Days since 1899-12-30, fraction = time of day; an int when there is no time."""
    delta = moment - EPOCH
    if delta.seconds == 0 and delta.microseconds == 0:
        return delta.days
    return delta.days + delta.seconds / 86_400


def from_serial(serial: float) -> datetime.datetime:
    """The moment a serial number stands for, rounded to the second."""
    days = int(serial // 1)
    seconds = round((serial - days) * 86_400)
    return EPOCH + datetime.timedelta(days=days, seconds=seconds)


def format_number(number: int | float, locale: Locale) -> str:
    """Sheets' automatic number format: no grouping, up to 15 significant digits."""
    if isinstance(number, int) or number.is_integer():
        return str(int(number))
    return f"{number:.15g}".replace(".", locale.decimal)


def plain_number(number: int | float) -> int | float:
    """JSON output: integral numbers without `.0`, as Google prints them."""
    if isinstance(number, float) and number.is_integer():
        return int(number)
    return number


def render(cell: Cell | None, value_render: str, date_render: str, locale: Locale) -> Scalar:
    """One cell as values.get returns it for the given render options ("" when empty)."""
    if cell is None:
        return ""
    if cell.formula is not None:
        return cell.formula
    value = cell.value
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE") if value_render == "FORMATTED_VALUE" else value
    if isinstance(value, str):
        return value
    if cell.date_format is not None:
        if value_render == "FORMATTED_VALUE" or date_render == "FORMATTED_STRING":
            return from_serial(value).strftime(cell.date_format)
        return plain_number(value)
    if value_render == "FORMATTED_VALUE":
        return format_number(value, locale)
    return plain_number(value)
