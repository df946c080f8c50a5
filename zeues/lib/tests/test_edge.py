"""The edge's helpers: the bounded JSON decoder and the bounded query-string number."""

from __future__ import annotations

import time

import pytest

from zeues.lib.edge import MAX_JSON_DEPTH, json_decode, query_int, storable
from zeues.lib.errors import DatosInvalidos, SolicitudInvalida


def test_json_nested_up_to_the_limit_is_decoded():
    assert json_decode(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH) is not None
    assert json_decode(b'{"a": "[[[[ {{ ]", "b": "\\"["}') == {"a": "[[[[ {{ ]", "b": '"['}


@pytest.mark.parametrize(
    "body",
    [
        b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1),
        b"[" * 100_000,
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        b"[" * 40 + b"}" * 40,
    ],
)
def test_json_too_deep_or_unclosed_is_422_not_recursion(body):
    with pytest.raises(DatosInvalidos):
        json_decode(body)


@pytest.mark.parametrize(
    "body", [b'"\xed\xa0\x80"', b"\xff\xfe{}", b"[NaN]", b"[Infinity]", b"1" * 5000, b"{"]
)
def test_json_malformed_is_422(body):
    with pytest.raises(DatosInvalidos):
        json_decode(body)


@pytest.mark.parametrize(
    "body", [b'"\\u0000"', b'["\\ud800"]', b'{"\\udfff": 1}', b'{"a": [{"b": "x\\u0000"}]}']
)
def test_json_with_text_postgresql_cannot_store_is_400(body):
    with pytest.raises(SolicitudInvalida):
        json_decode(body)


def test_json_surrogate_pair_is_one_character():
    assert json_decode(b'"\\ud83d\\ude00"') == "😀"


def test_json_decoding_a_body_at_the_size_limit_is_fast():
    start = time.perf_counter()
    with pytest.raises(DatosInvalidos):
        json_decode(b'"\\"' * 800_000)  # an unclosed string of escaped quotes: no quadratic scan
    assert time.perf_counter() - start < 2


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, 7),
        ("", 7),
        ("40", 40),
        (" 40 ", 40),
        ("0", 0),
        ("-1", 7),
        ("²", 7),
        ("١٢", 7),
        ("1e3", 7),
        ("1_000", 7),
        ("99999999999999999999", 7),
        (str(10**9), 10**9),
        (str(10**9 + 1), 7),
    ],
)
def test_query_int_is_bounded_and_ascii(raw, expected):
    assert query_int(raw, 7) == expected


def test_storable():
    assert storable("PRB-1 ñ 😀") and not storable("a\x00b") and not storable("\ud800")
