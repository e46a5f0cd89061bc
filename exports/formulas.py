"""Spreadsheet formula injection (CSV injection).

Excel, LibreOffice and Google Sheets run a cell that begins with `=`, `+`, `-` or `@`
as a formula when a CSV file or workbook is opened — `=HYPERLINK(…)` in a source title
becomes a link that sends data away — and a leading tab or carriage return can hide
such a start. As OWASP advises, such a cell is written with a single quote in front, so
that it is shown as the text it is.

Numbers stay numbers: a number (int, float, Decimal) is never changed, nor is text that is
only a number ("-5", "+3.25", "-1.5e3", as CSV exports render numbers), which no
spreadsheet runs as a formula.
"""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def neutralise_formula(value):
    """`value` as a spreadsheet will show it, never run it: text that a spreadsheet would
    read as a formula gets a leading single quote; everything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
