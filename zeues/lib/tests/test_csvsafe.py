"""Formula-safe CSV cells (zeues/lib/csvsafe.py), and that every CSV the app writes goes through it."""

from __future__ import annotations

import ast
import decimal
import io

import pytest

from tools.layers import modules
from zeues.lib import csvsafe


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x","c")', "+1", "@SUM(A1)", "-2+3", "-5", "\t=1", "\r=1"]
)
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(text):
    assert csvsafe.cell(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    [
        "José Ñúñez",
        "MK-1300-0001",
        "Muñoz-Díaz",
        "",
        " =1",
        "'=1",
        "{}",
        -5,
        -2.5,
        decimal.Decimal("-1.5"),
        None,
    ],
)
def test_numbers_and_ordinary_text_are_unchanged(value):
    assert csvsafe.cell(value) is value


def test_writer_neutralises_each_row():
    out = io.StringIO()
    w = csvsafe.writer(out)
    w.writerow(["=1+1", -3, "Ñandú"])
    w.writerows([["@x"], ["ok"]])
    assert out.getvalue().splitlines() == ["'=1+1,-3,Ñandú", "'@x", "ok"]


def test_no_module_writes_csv_but_through_csvsafe():
    """`csv.writer` / `csv.DictWriter` called anywhere else would bypass the neutralising."""
    found = []
    for _, path in modules():
        if path.name == "csvsafe.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("writer", "DictWriter")
                and isinstance(node.value, ast.Name)
                and node.value.id == "csv"
            ):
                found.append(f"{path}:{node.lineno}")
    assert found == []
