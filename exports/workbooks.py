"""Reading a workbook that someone uploaded, without letting it take the worker down.

An .xlsx is a zip of XML parts. A 3 MB file can hold 60,000 × 26 cells (39 MB of XML) that
openpyxl's normal mode builds into half a gigabyte of cell objects, and an XML part may carry
a DOCTYPE whose entities expand without end (billion laughs) or read local files (external
entities). So, before a cell is read:

1. the zip's directory (`infolist`, nothing unpacked) is checked: the parts together unpack
   to at most `max_unpacked_bytes`;
2. every XML part's prolog is parsed through defusedxml with DTDs forbidden: a DOCTYPE
   anywhere refuses the file (openpyxl also parses through defusedxml when it is installed,
   which refuses entities but not a bare DOCTYPE);
3. each worksheet's declared size (its `<dimension>`) is at most `max_rows` × `max_columns`.

Then the workbook is opened in read-only mode (rows streamed from the zip, not built into a
sheet), and `rows` reads at most `max_rows` rows of `max_columns` cells, refusing a sheet with
more: a declared size that lies costs nothing more than a few rows.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.utils.translation import gettext as _

MB = 1024 * 1024


class WorkbookRefused(Exception):
    """The file is refused before it is loaded; the message says why, for the person."""


# A worksheet's elements that may come before its <dimension> (ECMA-376: sheetPr first).
_BEFORE_DIMENSION = frozenset({"worksheet", "sheetPr", "tabColor", "outlinePr", "pageSetUpPr"})


def _is_xml(name: str) -> bool:
    return name.endswith((".xml", ".rels", ".vml"))


def _prolog_check(archive: zipfile.ZipFile, name: str) -> tuple[int, int] | None:
    """Parses the part's prolog and first elements through defusedxml (DTDs forbidden): raises
    WorkbookRefused on a DOCTYPE; returns a worksheet's declared (rows, columns), if any."""
    from openpyxl.utils.cell import range_boundaries

    with archive.open(name) as part:
        try:
            for _event, element in iterparse(part, events=("start",), forbid_dtd=True):
                tag = element.tag.rpartition("}")[2]
                if tag == "dimension":
                    try:
                        _min_col, _min_row, max_col, max_row = range_boundaries(element.get("ref", ""))
                    except (ValueError, TypeError):
                        return None
                    return (max_row or 0), (max_col or 0)
                if tag not in _BEFORE_DIMENSION:
                    return None  # past where a DOCTYPE (before the root) or a sheet's dimension can be
        except DefusedXmlException:
            raise WorkbookRefused(_(
                "The file contains a document type declaration (DOCTYPE), which is not accepted. "
                "Save it again from Excel or LibreOffice as an .xlsx workbook.")) from None
        except Exception:  # any XML error: not a workbook this site reads
            raise WorkbookRefused(_("This is not a readable .xlsx file.")) from None
    return None


def xlsx_check(file, *, max_rows: int, max_columns: int, max_unpacked_bytes: int) -> None:
    """Refuses (WorkbookRefused) an .xlsx file that is not a zip, unpacks to more than
    `max_unpacked_bytes`, has a DOCTYPE in any XML part, or declares a sheet larger than
    `max_rows` × `max_columns`. Reads only the zip's directory and each part's first bytes."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise WorkbookRefused(_("This is not a readable .xlsx file.")) from None
    with archive:
        parts = archive.infolist()
        unpacked = sum(info.file_size for info in parts)
        if unpacked > max_unpacked_bytes:
            raise WorkbookRefused(_(
                "The file unpacks to %(size).0f MB; at most %(limit).0f MB is accepted. Upload only the "
                "lines that are asked for.") % {"size": unpacked / MB, "limit": max_unpacked_bytes / MB})
        for info in parts:
            if not _is_xml(info.filename):
                continue
            declared = _prolog_check(archive, info.filename)
            if declared is not None and (declared[0] > max_rows or declared[1] > max_columns):
                raise WorkbookRefused(_(
                    "The sheet has %(rows)d lines and %(columns)d columns; at most %(max_rows)d lines and "
                    "%(max_columns)d columns are accepted.") % {
                        "rows": declared[0], "columns": declared[1], "max_rows": max_rows,
                        "max_columns": max_columns})
    file.seek(0)


def xlsx_open(file, *, max_rows: int, max_columns: int, max_unpacked_bytes: int, data_only: bool = False):
    """The workbook in read-only mode, after `xlsx_check`. Close it with `.close()`."""
    from openpyxl import load_workbook

    xlsx_check(file, max_rows=max_rows, max_columns=max_columns, max_unpacked_bytes=max_unpacked_bytes)
    try:
        return load_workbook(file, read_only=True, data_only=data_only)
    except Exception:  # openpyxl raises many kinds on a broken file
        raise WorkbookRefused(_("This is not a readable .xlsx file.")) from None


def rows(sheet, *, max_rows: int, max_columns: int) -> Iterator[tuple]:
    """The sheet's rows (read-only cells), at most `max_columns` wide; WorkbookRefused past
    `max_rows` (a sheet whose declared size lied). Cells beyond `max_columns` are not read."""
    sheet.reset_dimensions()  # the declared size was checked; gaps are filled only up to a row read
    lines = enumerate(sheet.iter_rows(max_col=max_columns), start=1)
    while True:
        try:
            number, row = next(lines)
        except StopIteration:
            return
        except Exception:  # broken XML further in (ParseError is a SyntaxError), a bad cell value
            raise WorkbookRefused(_("This is not a readable .xlsx file.")) from None
        if number > max_rows:
            raise WorkbookRefused(_(
                "The sheet has more than %(max_rows)d lines; at most %(max_rows)d are accepted.")
                % {"max_rows": max_rows})
        yield row
