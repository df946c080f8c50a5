"""Date formats of the shop's spreadsheet and of the API.

The sheet writes `DD-MM-YYYY` and `DD-MM-YYYY HH:MM:SS` (America/Santiago). Reading also
accepts `DD/MM/YYYY`, `YYYY-MM-DD` and Excel serial numbers (days since 1899-12-30, fraction =
time of day), because cells formatted as dates come back that way.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo

from django.conf import settings

EXCEL_EPOCH = datetime.datetime(1899, 12, 30)
# Serials outside this window are not plausible dates for a fabrication shop (1954..2119).
_SERIAL_MIN, _SERIAL_MAX = 20_000, 80_000

_DMY = re.compile(r"^(\d{1,2})[-/](\d{1,2})[-/](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SERIAL = re.compile(r"^\d+(\.\d+)?$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def shop_tz() -> zoneinfo.ZoneInfo:
    """The shop's time zone (settings.TIME_ZONE)."""
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def parse_sheet_date(value: str | float | int) -> datetime.date:
    """A date cell in any accepted format; ValueError with the reason otherwise."""
    return parse_sheet_datetime(value, date_only=True).date()


def parse_sheet_datetime(value: str | float | int, *, date_only: bool = False) -> datetime.datetime:
    """A timestamp cell (date, optional time) as an aware datetime in the shop's zone."""
    text = str(value).strip()
    if not text:
        raise ValueError("vacío")
    if _SERIAL.match(text):
        return _from_serial(text, date_only=date_only)
    date_part, _, time_part = text.partition(" ")
    if (m := _DMY.match(date_part)) is not None:
        day, month, year = (int(g) for g in m.groups())
    elif (m := _YMD.match(date_part)) is not None:
        year, month, day = (int(g) for g in m.groups())
    else:
        raise ValueError(f"formato de fecha no reconocido: {text!r}")
    try:
        date = datetime.date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"fecha imposible: {text!r}") from exc
    # The time is validated even when only the date is wanted: `31-12-2026 25:00` is garbage.
    hour, minute, second = _parse_time(time_part.strip()) if time_part.strip() else (0, 0, 0)
    if date_only:
        hour = minute = second = 0
    return datetime.datetime(date.year, date.month, date.day, hour, minute, second, tzinfo=shop_tz())


def _from_serial(text: str, *, date_only: bool) -> datetime.datetime:
    """An Excel/Sheets serial: whole days since 1899-12-30, fraction = time of day."""
    serial = float(text)
    if not _SERIAL_MIN <= serial <= _SERIAL_MAX:
        raise ValueError(f"número de serie fuera de rango: {text}")
    days = int(serial)
    # Round to the second: 10:22 is stored as 46346.43194444…, which truncation made 10:21:59.
    seconds = 0 if date_only else round((serial - days) * 86_400)
    naive = EXCEL_EPOCH + datetime.timedelta(days=days, seconds=seconds)
    return naive.replace(tzinfo=shop_tz())


def _parse_time(text: str) -> tuple[int, int, int]:
    """`HH:MM` or `HH:MM:SS`; ValueError for anything else or an impossible time."""
    if (t := _TIME.match(text)) is None:
        raise ValueError(f"hora no reconocida: {text!r}")
    hour, minute, second = int(t.group(1)), int(t.group(2)), int(t.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"hora imposible: {text!r}")
    return hour, minute, second


def format_sheet_date(value: datetime.date | None) -> str:
    """`DD-MM-YYYY`, or empty."""
    return value.strftime("%d-%m-%Y") if value else ""


def format_sheet_datetime(value: datetime.datetime | None) -> str:
    """`DD-MM-YYYY HH:MM:SS` in the shop's zone, or empty."""
    if value is None:
        return ""
    return value.astimezone(shop_tz()).strftime("%d-%m-%Y %H:%M:%S")


def parse_api_date(value: str) -> datetime.date:
    """`YYYY-MM-DD` or `DD-MM-YYYY` (the API's fecha_operacion)."""
    text = value.strip()
    if (m := _YMD.match(text)) is not None:
        year, month, day = (int(g) for g in m.groups())
    elif (m := re.match(r"^(\d{1,2})-(\d{1,2})-(\d{4})$", text)) is not None:
        day, month, year = (int(g) for g in m.groups())
    else:
        raise ValueError(f"formato no reconocido: {text!r}")
    return datetime.date(year, month, day)
