"""What a request's text and numbers must be before a view or a query sees them.

PostgreSQL refuses NUL in text (`DataError`), and a lone UTF-16 surrogate cannot even be encoded
to UTF-8 (`UnicodeEncodeError`): both are refused here, once, for every request (the middleware in
zeues/edge.py checks the path, the query string and form fields; `json_decode` checks JSON
bodies). JSON is decoded with a bounded nesting depth, so a body of 100,000 brackets is a 422,
not a RecursionError; numbers from query strings are read by `query_int`, with bounds, so
`?desde=99999999999999999999` never reaches the database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from zeues.lib.errors import DatosInvalidos, SolicitudInvalida

MAX_JSON_DEPTH = 32  # a body of ours nests two levels (an object holding a list of tags)
MAX_QUERY_INT = 10**9  # offsets, ids and counts of ours stay far below; PostgreSQL's int is 2**31 - 1

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_STRING = re.compile(r'"[^"\\]*+(?:\\(?:.|\Z)[^"\\]*+)*+(?:"|\Z)', re.DOTALL)  # to its end if unclosed
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_EMPTY_PAIR = re.compile(r"\[\]|\{\}")
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,12}")


def storable(text: str) -> bool:
    """False when the text holds NUL or a lone surrogate, which PostgreSQL text cannot store."""
    return _UNSTORABLE.search(text) is None


def all_storable(values: Iterable[Any]) -> bool:
    """True when every string in `values` (and in their lists and objects, keys too) is storable."""
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if not storable(value):
                return False
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)
    return True


def unstorable_refusal(where: str) -> SolicitudInvalida:
    """The 400 for text PostgreSQL cannot store, naming where it was (path, query, form, json)."""
    return SolicitudInvalida(
        "La solicitud contiene caracteres no admitidos (NUL o sustitutos UTF-16 sueltos).",
        data={"donde": where},
    )


def _check_nesting(text: str, limit: int) -> None:
    """Refuse unbalanced brackets or nesting deeper than `limit`, without recursing.

    Strings are dropped (a bracket inside one does not nest), then innermost empty pairs are
    removed `limit` times: anything left nests deeper or does not close. Each pass is one regex
    over the text, so a 2.5 MB body costs milliseconds.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for _ in range(limit):
        if not brackets:
            return
        brackets, removed = _EMPTY_PAIR.subn("", brackets)
        if not removed:
            raise DatosInvalidos("El cuerpo de la petición no es JSON válido (corchetes sin cerrar).")
    if brackets:
        raise DatosInvalidos(
            f"El cuerpo de la petición anida más de {limit} niveles.", data={"max_niveles": limit}
        )


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} no es un número JSON")


def json_decode(raw: bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The JSON value of a request body: UTF-8, nested at most `max_depth`, only storable text.

    Malformed, non-UTF-8 or too deep → 422 DATOS_INVALIDOS; NUL or a lone surrogate in a string
    (`"\\u0000"`, `"\\ud800"`) → 400 SOLICITUD_INVALIDA. NaN and Infinity are not JSON numbers.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DatosInvalidos(
            "El cuerpo de la petición no es texto UTF-8.", data={"detalle": str(exc)}
        ) from exc
    _check_nesting(text, max_depth)
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except ValueError as exc:
        raise DatosInvalidos(
            "El cuerpo de la petición no es JSON válido.", data={"detalle": str(exc)}
        ) from exc
    if not all_storable([data]):
        raise unstorable_refusal("json")
    return data


def query_int[T](raw: str | None, default: T, *, low: int = 0, high: int = MAX_QUERY_INT) -> int | T:
    """A whole number from a query string within [low, high]; `default` when absent, malformed
    (`"²"`, `"1e3"`, `"1_000"`) or out of bounds, so no caller ever sends it to the database."""
    text = (raw or "").strip()
    if not _WHOLE_NUMBER.fullmatch(text):
        return default
    value = int(text)
    return value if low <= value <= high else default
