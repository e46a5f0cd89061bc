"""An agency's round as an .xlsx/.csv template and back: the template's shape (locked
headers and read-only columns, dropdowns, the hidden round and agency), an upload landing as
a draft, and every bad file refused whole with a clear message and nothing written."""

import csv
import io

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


def test_a_20_mb_file_is_refused_before_it_is_opened(client, zone):
    client.force_login(zone["science_user"])
    _refused(client, SimpleUploadedFile("big.xlsx", b"0" * (20 * 1024 * 1024), content_type=XLSX),
             "the limit is 5 MB")


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
