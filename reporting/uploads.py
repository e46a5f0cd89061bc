"""An agency's round as a spreadsheet, out and back in.

Out: an .xlsx template (or a .csv) with one line per indicator of the set — the read-only
columns (code, name, unit, last period's figure) locked by sheet protection, the value
columns open, dropdowns for the qualifier and the confidence — and a hidden sheet naming the
round and the agency, so that a file for another round or agency, or a file that is not
ours, is recognised.

In: `round_set_upload` reads an .xlsx or .csv file and saves it through
`reporting.services.round_set_save_draft`: the same validation as the grid, all or nothing,
landing as a draft. The file is refused whole, with a clear message and nothing written,
when it is too big (checked before it is opened), not one of our templates, for another
round or agency, has an extra column, merged cells, or a formula anywhere (a spreadsheet
runs text starting with =, +, - or @: `exports.formulas`, the project's guard). Errors
name the line and the column.
"""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from exports import workbooks
from exports.formulas import neutralise_formula
from reporting import services
from reporting.models import RoundSet
from reporting.permissions import round_set_entry_check
from reporting.selectors import round_set_grid
from targets.models import Observation

MAGIC = "hz-ai-zone reporting template v1"
META_SHEET = "meta"
# (field, header, editable). The headers are fixed and bilingual, not translated: the file must
# read back the same whatever the language of the person who downloaded it.
COLUMNS = (
    ("indicator", "统计指标代码 indicator code"),
    ("name", "统计指标 indicator"),
    ("unit", "单位 unit"),
    ("last_period", "上期 last period"),
    ("last_value", "上期数值 last value"),
    ("value", "本期数值 value"),
    ("qualifier", "限定 qualifier"),
    ("confidence", "可信度 confidence"),
    ("source_title", "来源 source title"),
    ("source_url", "来源网址 source address"),
    ("quote", "原文摘录 quote"),
    ("scope", "统计口径 scope"),
    ("definition_note", "口径说明 definition note"),
    ("confidence_note", "可信度说明 confidence note"),
    ("revision_reason", "修订原因 revision reason"),
)
HEADERS = [header for _field, header in COLUMNS]
FIELDS = [field for field, _header in COLUMNS]
# Filled in: the figure's editable fields and the revision reason; the rest is shown only.
EDITABLE_FIELDS = [field for field in FIELDS if field in (*Observation.EDITABLE_FIELDS, "revision_reason")]
# More lines than any agency has indicators: a bigger file is not a filled-in template. The
# template has 15 columns; a few more are read so that extra ones are named in the refusal.
MAX_LINES = 1000
MAX_COLUMNS = 40
# An .xlsx is a zip: its unpacked size is checked from the zip's directory before anything is
# unpacked, so a small file cannot unpack into gigabytes. A full template (1,000 lines, every
# column filled) unpacks to about 2 MB; 60,000 × 26 cells unpack to 39 MB.
MAX_UNPACKED_BYTES = 8 * 1024 * 1024


def upload_limit_bytes() -> int:
    return settings.REPORTING_UPLOAD_MAX_BYTES


def template_filename(round_set: RoundSet) -> str:
    return f"{round_set.round.code}-{round_set.agency.code}"


def _lines(round_set: RoundSet) -> list[list]:
    """The template's lines, pre-filled with this round's figures where there are some."""
    lines = []
    for row in round_set_grid(round_set):
        indicator, previous, current = row["indicator"], row["previous"], row["current"]
        known = {field: getattr(current, field) for field in EDITABLE_FIELDS if field not in ("value", "revision_reason")
                 } if current is not None else {}
        line = {
            "indicator": indicator.code, "name": indicator.localized("name"), "unit": indicator.get_unit_display(),
            "last_period": previous.period_end.isoformat() if previous else "",
            "last_value": previous.value if previous else "",
            "value": current.value if current is not None else "",
            "qualifier": known.get("qualifier", Observation.Qualifier.EXACT),
            "confidence": known.get("confidence", Observation.Confidence.HIGH),
            "revision_reason": row["entry"].revision_reason, **{k: v for k, v in known.items()
                                                                 if k not in ("qualifier", "confidence")},
        }
        lines.append([neutralise_formula(str(line.get(field, ""))) if isinstance(line.get(field), str)
                      else line.get(field, "") for field in FIELDS])
    return lines


def round_set_workbook(round_set: RoundSet) -> bytes:
    """The set's .xlsx template."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = round_set.round.code[:31]
    sheet.append(HEADERS)
    lines = _lines(round_set)
    for line in lines:
        sheet.append(line)
    grey = PatternFill("solid", fgColor="EEF1F4")
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), grey
    last = len(lines) + 1
    for column, field in enumerate(FIELDS, start=1):
        letter = sheet.cell(row=1, column=column).column_letter
        sheet.column_dimensions[letter].width = 14 if field in ("indicator", "unit", "last_period") else 22
        for number in range(2, last + 1):
            cell = sheet.cell(row=number, column=column)
            if field in EDITABLE_FIELDS:
                cell.protection = Protection(locked=False)
            else:
                cell.fill = grey
    # Dropdowns take the stored codes: what the file says is what is saved, in any language.
    for field, choices in (("qualifier", Observation.Qualifier.values), ("confidence", Observation.Confidence.values)):
        letter = sheet.cell(row=1, column=FIELDS.index(field) + 1).column_letter
        validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                    showErrorMessage=True)
        validation.add(f"{letter}2:{letter}{max(last, 2)}")
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "B2"
    sheet.protection.sheet = True  # headers and read-only columns locked; no password: a guard, not a secret
    meta = book.create_sheet(META_SHEET)
    meta.append([MAGIC])
    meta.append(["round", round_set.round.code])
    meta.append(["agency", round_set.agency.code])
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def round_set_csv(round_set: RoundSet) -> str:
    """The set's .csv template: a first line naming the round and agency, then the headers."""
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 with a byte-order mark correctly
    writer = csv.writer(out)
    writer.writerow([MAGIC, round_set.round.code, round_set.agency.code])
    writer.writerow(HEADERS)
    writer.writerows([_cell_text(value) for value in line] for line in _lines(round_set))
    return out.getvalue()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"  # 1500, not 1500.0000
    return str(value)


# --- reading a file back ------------------------------------------------------------------------

def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="bad_upload")


def _formula_like(value) -> bool:
    return isinstance(value, str) and neutralise_formula(value) != value


def _read_xlsx(upload) -> tuple[list[list], list[list]]:
    """The meta sheet's first lines and the sheet of figures, streamed (read-only mode) after
    `exports.workbooks` has checked the zip's directory, every XML part's prolog (no DOCTYPE)
    and each sheet's declared size; a sheet longer or wider than it said is refused as it is
    read."""
    caps = {"max_rows": MAX_LINES + 1, "max_columns": MAX_COLUMNS}
    try:
        book = workbooks.xlsx_open(upload, max_unpacked_bytes=MAX_UNPACKED_BYTES, **caps)
    except workbooks.WorkbookRefused as refused:
        raise _refuse(str(refused)) from None
    try:
        if META_SHEET not in book.sheetnames:
            raise _refuse(_("This is not this site's template (its hidden sheet naming the round is missing). "
                            "Download the template and fill it in."))
        meta = [[cell.value for cell in row] for row in book[META_SHEET].iter_rows(max_row=3, max_col=2)]
        sheets = [name for name in book.sheetnames if name != META_SHEET]
        if len(sheets) != 1:
            raise _refuse(_("The file should have one sheet of figures; it has %(count)d.") % {"count": len(sheets)})
        sheet = book[sheets[0]]
        merged = _merged_cells(book, sheet)
        if merged:
            raise _refuse(_("The sheet has merged cells (%(cells)s). Unmerge them: each figure goes in its own "
                            "cell.") % {"cells": ", ".join(merged[:5])})
        table, formulas = [], []
        for row in workbooks.rows(sheet, **caps):
            table.append([cell.value for cell in row])
            formulas += [cell.coordinate for cell in row if getattr(cell, "data_type", None) == "f"]
        if formulas:
            raise _refuse(_("Formulas are not accepted (cells %(cells)s): type the figures themselves.")
                          % {"cells": ", ".join(formulas[:10])})
    except workbooks.WorkbookRefused as refused:
        raise _refuse(str(refused)) from None
    except ValidationError:
        raise
    except (KeyError, ValueError, TypeError, OSError, zipfile.BadZipFile):
        raise _refuse(_("This is not a readable .xlsx file. Download the template and fill it in.")) from None
    finally:
        book.close()
    return meta, table


def _merged_cells(book, sheet) -> list[str]:
    """The sheet's merged ranges. Read-only mode does not read them, so they are taken from
    the sheet's XML (already checked: no DOCTYPE, at most MAX_UNPACKED_BYTES) as it streams
    past; the <mergeCell> elements come after the cells."""
    from defusedxml.ElementTree import iterparse

    merged = []
    with book._archive.open(sheet._worksheet_path) as part:  # read-only mode's own source of the sheet
        try:
            for _event, element in iterparse(part, events=("end",), forbid_dtd=True):
                if element.tag.rpartition("}")[2] == "mergeCell":
                    merged.append(element.get("ref", ""))
                element.clear()  # each cell forgotten once read: memory stays flat
        except (ParseError, DefusedXmlException):
            raise _refuse(_("This is not a readable .xlsx file. Download the template and fill it in.")) from None
    return merged


def _read_csv(upload) -> tuple[list[list], list[list]]:
    raw = upload.read()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in Chinese saves CSV in GB18030 (GBK)
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refuse(_("The CSV file is neither UTF-8 nor GB18030 text."))
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise _refuse(_("The CSV file cannot be read: %(error)s") % {"error": error}) from None
    if len(lines) > MAX_LINES + 2:
        raise _refuse(_("The file has %(count)d lines; a set has far fewer. Upload the template.")
                      % {"count": len(lines)})
    if not lines:
        raise _refuse(_("The file is empty."))
    first = lines[0] + ["", ""]
    meta = [[first[0]], ["round", first[1]], ["agency", first[2]]]
    return meta, lines[1:]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def rows_from_upload(*, round_set: RoundSet, upload) -> tuple[list[dict], dict[str, int]]:
    """The rows of an uploaded file, for `round_set_save_draft`, and each indicator's line
    number. Raises ValidationError (a list of messages) when the file is refused."""
    if upload is None:
        raise _refuse(_("Choose a file to upload: the .xlsx template or a .csv file."))
    limit = upload_limit_bytes()
    if upload.size > limit:  # before the file is opened
        raise _refuse(_("The file is %(size).1f MB; the limit is %(limit)d MB. Upload the template with "
                        "this set's figures only.") % {"size": upload.size / 1024 / 1024, "limit": limit // 1024 // 1024})
    name = (upload.name or "").lower()
    if name.endswith(".xlsx"):
        meta, table = _read_xlsx(upload)
    elif name.endswith(".csv"):
        meta, table = _read_csv(upload)
    else:
        raise _refuse(_("Upload an .xlsx or .csv file."))
    magic = _text(meta[0][0]) if meta and meta[0] else ""
    said = {_text(row[0]): _text(row[1]) for row in meta[1:] if len(row) >= 2}
    if magic != MAGIC:
        raise _refuse(_("This is not this site's template. Download the template and fill it in."))
    if said.get("round") != round_set.round.code:
        raise _refuse(_("This file is for the round “%(file)s”, not “%(round)s”. Download this round's template.")
                      % {"file": said.get("round", ""), "round": round_set.round.code})
    if said.get("agency") != round_set.agency.code:
        raise _refuse(_("This file is for the agency “%(file)s”, not “%(agency)s”.")
                      % {"file": said.get("agency", ""), "agency": round_set.agency.code})
    if not table:
        raise _refuse(_("The file has no header line."))
    header = [_text(value) for value in table[0]]
    while header and header[-1] == "":
        header.pop()
    if len(header) > len(HEADERS) and header[:len(HEADERS)] == HEADERS:
        raise _refuse(_("Extra column(s): %(columns)s. Remove them; the template's columns are fixed.")
                      % {"columns": ", ".join(header[len(HEADERS):])})
    if header != HEADERS:
        raise _refuse(_("The columns are not the template's (expected: %(expected)s).")
                      % {"expected": "; ".join(HEADERS)})
    errors, rows, line_of = [], [], {}
    for number, values in enumerate(table[1:], start=2):
        values = list(values)
        if all(_text(value) == "" for value in values):
            continue
        if any(_text(value) != "" for value in values[len(HEADERS):]):
            errors.append(_("Line %(line)d: a value beyond the last column; the template's columns are fixed.")
                          % {"line": number})
            continue
        values += [None] * (len(HEADERS) - len(values))
        row = {}
        for field, value in zip(FIELDS, values, strict=False):
            if _formula_like(value):
                errors.append(_("Line %(line)d, column “%(column)s”: formulas are not accepted (the text starts "
                                "with =, +, - or @).") % {"line": number, "column": HEADERS[FIELDS.index(field)]})
            if field == "indicator" or field in EDITABLE_FIELDS:
                row[field] = _text(value)
        line_of[row["indicator"]] = number
        rows.append(row)
    if errors:
        raise ValidationError(errors, code="bad_upload")
    return rows, line_of


@transaction.atomic
def round_set_upload(*, round_set: RoundSet, upload, user: AbstractBaseUser | None,
                     expected_version) -> RoundSet:
    """Saves an uploaded template as the set's drafts, all or nothing.

    Guarantees: the person may enter the set (checked before the file is read); the file is
    refused whole as described in this module's docstring; otherwise the rows go through
    `round_set_save_draft` (same validation, same version check) and its row errors come
    back naming the file's line and column. Nothing is written unless every row is valid.
    """
    round_set_entry_check(user=user, round_set=round_set)
    rows, line_of = rows_from_upload(round_set=round_set, upload=upload)
    try:
        return services.round_set_save_draft(round_set=round_set, rows=rows, user=user,
                                             expected_version=expected_version)
    except ValidationError as error:
        if not hasattr(error, "error_dict") or getattr(error, "code", None) == "stale":
            raise
        messages = []
        for code, fields in services.row_errors(error).items():
            for field, texts in fields.items():
                column = HEADERS[FIELDS.index(field)] if field in FIELDS else field
                line = line_of.get(code)
                for text in texts:
                    messages.append(text if line is None else _(
                        "Line %(line)d (%(code)s), column “%(column)s”: %(error)s"
                    ) % {"line": line, "code": code, "column": column, "error": text})
        raise ValidationError(messages, code="bad_upload") from None
