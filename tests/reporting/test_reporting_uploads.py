"""An agency's round as an .xlsx/.csv template and back: the template's shape (locked
headers and read-only columns, dropdowns, the hidden round and agency), an upload landing as
a draft, and every bad file refused whole with a clear message and nothing written."""

import csv
import io
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from reporting import uploads
from reporting.models import RoundSet, State
from targets.models import Observation
from tests.reporting_zone import make_zone, rounds_state

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def zone(roles, zone_day):
    return make_zone()


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _template(client, zone) -> Workbook:
    client.force_login(zone["science_user"])
    response = client.get(reverse("reporting:set_template", args=["2021-annual", "kjj"]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert 'filename="2021-annual-kjj.xlsx"' in response["Content-Disposition"]
    return load_workbook(io.BytesIO(response.content))


def _fill(book: Workbook, values: dict[str, dict]) -> Workbook:
    sheet = book.worksheets[0]
    fields = uploads.FIELDS
    for line in sheet.iter_rows(min_row=2):
        code = line[0].value
        for field, value in values.get(code, {}).items():
            line[fields.index(field)].value = value
    return book


def _file(book: Workbook, name="filled.xlsx") -> SimpleUploadedFile:
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type=XLSX)


def _upload(client, upload, version=0):
    return client.post(reverse("reporting:set_upload", args=["2021-annual", "kjj"]),
                       {"version": str(version), "file": upload})


def test_the_template_locks_headers_and_read_only_columns_and_names_its_round(client, zone):
    book = _template(client, zone)
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[1]] == uploads.HEADERS
    assert sorted(line[0].value for line in sheet.iter_rows(min_row=2)) == ["achievements", "patents"]
    assert sheet.protection.sheet is True
    value_column = uploads.FIELDS.index("value")
    assert sheet.cell(row=2, column=value_column + 1).protection.locked is False
    assert sheet.cell(row=2, column=1).protection.locked is True and sheet.cell(row=1, column=value_column + 1).protection.locked is True
    dropdowns = {str(validation.formula1) for validation in sheet.data_validations.dataValidation}
    assert '"exact,at_least,at_most,partial_period"' in dropdowns and '"high,medium,low"' in dropdowns
    meta = book[uploads.META_SHEET]
    assert meta.sheet_state == "hidden"
    assert [[cell.value for cell in line] for line in meta.iter_rows()] == [
        [uploads.MAGIC, None], ["round", "2021-annual"], ["agency", "kjj"]]


def test_a_filled_template_lands_as_a_draft(client, zone):
    book = _fill(_template(client, zone), {"patents": {"value": 120, "source_title": "Bureau report"},
                                           "achievements": {"value": 2.5, "source_title": "Bureau report",
                                                            "qualifier": "at_least"}})
    response = _upload(client, _file(book))
    assert response.status_code == 302
    figures = {o.indicator.code: o for o in Observation.objects.select_related("indicator")}
    assert figures["patents"].value == 120 and figures["achievements"].value == 2.5
    assert figures["achievements"].qualifier == "at_least"
    assert {o.status for o in figures.values()} == {Observation.Status.DRAFT}
    assert RoundSet.objects.get(pk=zone["science_set"].pk).state == State.DRAFT
    # The template now comes back pre-filled with the drafts.
    again = _template(client, zone).worksheets[0]
    values = {line[0].value: line[uploads.FIELDS.index("value")].value for line in again.iter_rows(min_row=2)}
    assert values == {"patents": 120, "achievements": 2.5}


def test_a_csv_file_is_accepted_too(client, zone):
    client.force_login(zone["science_user"])
    text = client.get(reverse("reporting:set_template_csv", args=["2021-annual", "kjj"])).content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == [uploads.MAGIC, "2021-annual", "kjj"] and lines[1] == uploads.HEADERS
    for line in lines[2:]:
        line[uploads.FIELDS.index("value")] = "7"
        line[uploads.FIELDS.index("source_title")] = "统计公报"
    out = io.StringIO()
    csv.writer(out).writerows(lines)
    upload = SimpleUploadedFile("filled.csv", out.getvalue().encode("gb18030"), content_type="text/csv")
    assert _upload(client, upload).status_code == 302
    assert sorted(Observation.objects.values_list("value", flat=True)) == [7, 7]
    assert set(Observation.objects.values_list("source_title", flat=True)) == {"统计公报"}


def _refused(client, upload, message, version=0):
    before = rounds_state()
    response = _upload(client, upload, version)
    assert response.status_code == 400, response.status_code
    assert message in response.content.decode()
    assert rounds_state() == before


def test_a_bad_row_is_reported_by_line_and_column_and_nothing_is_saved(client, zone):
    book = _fill(_template(client, zone), {"patents": {"value": 120, "source_title": "Bureau report"},
                                           "achievements": {"value": -3, "source_title": "Bureau report"}})
    line = next(n for n, row in enumerate(book.worksheets[0].iter_rows(min_row=2), start=2)
                if row[0].value == "achievements")
    _refused(client, _file(book), f"Line {line} (achievements), column “本期数值 value”")


def test_another_sites_workbook_is_refused(client, zone):
    client.force_login(zone["science_user"])
    book = Workbook()
    book.active.append(uploads.HEADERS)
    _refused(client, _file(book), "not this site&#x27;s template")


def test_a_template_for_another_round_or_agency_is_refused(client, zone):
    book = _template(client, zone)
    book[uploads.META_SHEET]["B2"] = "2020-annual"
    _refused(client, _file(book), "for the round “2020-annual”, not “2021-annual”")
    book = _template(client, zone)
    book[uploads.META_SHEET]["B3"] = "jxj"
    _refused(client, _file(book), "for the agency “jxj”, not “kjj”")


def test_an_extra_column_is_refused(client, zone):
    book = _template(client, zone)
    book.worksheets[0].cell(row=1, column=len(uploads.HEADERS) + 1).value = "my notes"
    _refused(client, _file(book), "Extra column(s): my notes")
    book = _template(client, zone)
    book.worksheets[0].cell(row=2, column=len(uploads.HEADERS) + 2).value = "stray"
    _refused(client, _file(book), "beyond the last column")


def test_merged_cells_are_refused(client, zone):
    book = _fill(_template(client, zone), {"patents": {"value": 1, "source_title": "x"}})
    book.worksheets[0].merge_cells("I2:J2")
    _refused(client, _file(book), "merged cells (I2:J2)")


@pytest.mark.parametrize("formula", ["=SUM(1,2)", "=HYPERLINK(\"http://evil.example\",\"x\")"])
def test_a_formula_is_refused(client, zone, formula):
    book = _fill(_template(client, zone), {"patents": {"value": formula, "source_title": "x"}})
    _refused(client, _file(book), "Formulas are not accepted")


@pytest.mark.parametrize("text", ["@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3"])
def test_text_that_a_spreadsheet_would_run_is_refused(client, zone, text):
    client.force_login(zone["science_user"])
    text_csv = io.StringIO()
    writer = csv.writer(text_csv)
    writer.writerow([uploads.MAGIC, "2021-annual", "kjj"])
    writer.writerow(uploads.HEADERS)
    line = [""] * len(uploads.HEADERS)
    line[0], line[uploads.FIELDS.index("value")], line[uploads.FIELDS.index("source_title")] = "patents", "5", text
    writer.writerow(line)
    _refused(client, SimpleUploadedFile("x.csv", text_csv.getvalue().encode()), "formulas are not accepted")


def test_a_file_over_the_limit_is_refused_before_it_is_opened(client, zone, settings):
    client.force_login(zone["science_user"])
    settings.REPORTING_UPLOAD_MAX_BYTES = 1024 * 1024
    # Over the file's limit but within the form's margin: the view's own refusal, in MB.
    _refused(client, SimpleUploadedFile("big.xlsx", b"0" * (1024 * 1024 + 10), content_type=XLSX),
             "the limit is 1 MB")


def test_a_body_over_the_upload_limit_is_a_413_before_it_is_read(client, zone):
    """An anonymous 200 MB multipart body: refused from its Content-Length, the body unread."""
    before = rounds_state()
    body = _UnreadBody(b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n\r\n")

    response = client.generic("POST", reverse("reporting:set_upload", args=["2021-annual", "kjj"]), b"x",
                              content_type="multipart/form-data; boundary=x",
                              CONTENT_LENGTH=str(200 * 1024 * 1024), **{"wsgi.input": body})

    assert response.status_code == 413
    assert "at most 5308416 bytes" in response.content.decode()  # 5 MB and 64 KiB for the form
    assert body.read_calls == 0
    assert rounds_state() == before


class _UnreadBody(io.BytesIO):
    """A request body that counts how often it is read."""

    read_calls = 0

    def read(self, *args):
        self.read_calls += 1
        return super().read(*args)

    def readline(self, *args):
        self.read_calls += 1
        return super().readline(*args)


def _with_part(book: Workbook, name: str, content: bytes, *, level=zipfile.ZIP_DEFLATED) -> SimpleUploadedFile:
    """The workbook saved, with its zip part `name` replaced by `content`."""
    out = io.BytesIO()
    book.save(out)
    crafted = io.BytesIO()
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(crafted, "w", level) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == name else source.read(info.filename))
    return SimpleUploadedFile("crafted.xlsx", crafted.getvalue(), content_type=XLSX)


def _sheet_xml(rows: int, columns: int, *, dimension: str | None = None, prolog: str = "") -> bytes:
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(number) for number in range(1, columns + 1)]
    dimension = dimension or f"A1:{letters[-1]}{rows}"
    lines = [f'<row r="{number}">' + "".join(f'<c r="{letter}{number}"><v>{number}</v></c>' for letter in letters)
             + "</row>" for number in range(1, rows + 1)]
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="{dimension}"/><sheetData>' + "".join(lines) + "</sheetData></worksheet>").encode()


def test_a_60000_by_26_workbook_is_refused_in_seconds_without_loading_it(client, zone):
    """The issue's file (3 MB zipped, 39 MB of XML): refused from the zip's directory, in well
    under 3 s and 100 MB, nothing written."""
    book = _template(client, zone)
    sheet = "xl/worksheets/sheet1.xml"
    upload = _with_part(book, sheet, _sheet_xml(60_000, 26))
    print(f"\n60,000 × 26 workbook: {upload.size / 1024 / 1024:.1f} MB zipped")
    tracemalloc.start()
    started = time.monotonic()
    _refused(client, upload, "MB; at most 8 MB is accepted")  # 45 MB of XML
    elapsed = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"refused in {elapsed * 1000:.0f} ms, peak {peak / 1024 / 1024:.1f} MB allocated")
    assert elapsed < 3 and peak < 100 * 1024 * 1024


def test_a_sheet_over_the_lines_and_columns_is_refused(client, zone):
    book = _template(client, zone)
    sheet = "xl/worksheets/sheet1.xml"
    # As it declares itself (a few hundred KB of XML, under the unpacked limit) …
    _refused(client, _with_part(book, sheet, _sheet_xml(5_000, 2)), "The sheet has 5000 lines and 2 columns")
    _refused(client, _with_part(book, sheet, _sheet_xml(3, 60)), "at most 1001 lines and 40 columns")
    # … and when its declared size lies, as it is read.
    _refused(client, _with_part(book, sheet, _sheet_xml(1_500, 2, dimension="A1:B3")),
             "more than 1001 lines")


BILLION_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                  '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')
EXTERNAL_ENTITY = '<!DOCTYPE data [<!ENTITY file SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize(("part", "prolog"), [
    ("xl/worksheets/sheet1.xml", BILLION_LAUGHS),
    ("xl/worksheets/sheet1.xml", EXTERNAL_ENTITY),
    ("xl/worksheets/sheet1.xml", "<!DOCTYPE worksheet>"),
    ("xl/workbook.xml", EXTERNAL_ENTITY),
    ("xl/styles.xml", BILLION_LAUGHS),
    ("[Content_Types].xml", "<!DOCTYPE types>"),
])
def test_xml_with_a_doctype_is_refused(client, zone, part, prolog):
    book = _template(client, zone)
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(out) as archive:
        original = archive.read(part).decode()
    declaration, _sep, rest = original.partition("?>") if original.startswith("<?xml") else ("", "", original)
    content = (declaration + _sep + prolog + rest).encode()
    _refused(client, _with_part(book, part, content), "document type declaration (DOCTYPE)")


def test_a_sheet_whose_xml_breaks_after_its_first_lines_is_refused(client, zone):
    book = _template(client, zone)
    broken = _sheet_xml(20, 3).replace(b'<row r="10">', b'<row r="10"><c r="A10"><v>1</c>')
    _refused(client, _with_part(book, "xl/worksheets/sheet1.xml", broken), "not a readable .xlsx file")


def test_openpyxl_parses_through_defusedxml():
    """openpyxl refuses entities by itself once defusedxml is installed (requirements.txt);
    exports.workbooks refuses a bare DOCTYPE too."""
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True


@pytest.mark.parametrize(("name", "content", "message"), [
    ("broken.xlsx", b"PK\x03\x04 not really a zip", "not a readable .xlsx file"),
    ("figures.pdf", b"%PDF-1.4", "Upload an .xlsx or .csv file."),
    ("empty.csv", b"", "The file is empty."),
])
def test_unreadable_files_are_refused(client, zone, name, content, message):
    client.force_login(zone["science_user"])
    _refused(client, SimpleUploadedFile(name, content), message)


def test_no_file_is_a_clear_message(client, zone):
    client.force_login(zone["science_user"])
    before = rounds_state()
    response = client.post(reverse("reporting:set_upload", args=["2021-annual", "kjj"]), {"version": "0"})
    assert response.status_code == 400 and "Choose a file to upload" in response.content.decode()
    assert rounds_state() == before


def test_a_stale_version_refuses_the_upload(client, zone):
    book = _fill(_template(client, zone), {"patents": {"value": 120, "source_title": "Bureau report"}})
    assert _upload(client, _file(book)).status_code == 302
    before = rounds_state()
    response = _upload(client, _file(book), version=0)
    assert response.status_code == 409 and "Someone else acted first" in response.content.decode()
    assert rounds_state() == before


def test_other_agencies_and_viewers_cannot_upload_or_download(client, zone, viewer):
    book = _fill(_template(client, zone), {"patents": {"value": 120, "source_title": "Bureau report"}})
    for user in (zone["economy_user"], viewer):
        client.force_login(user)
        before = rounds_state()
        assert _upload(client, _file(book)).status_code == 403
        assert client.get(reverse("reporting:set_template", args=["2021-annual", "kjj"])).status_code == 403
        assert rounds_state() == before
