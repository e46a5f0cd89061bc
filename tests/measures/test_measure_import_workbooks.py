"""The admin's import of measures from an .xlsx workbook goes through exports.workbooks: a
workbook is checked before it is loaded (unpacked size, no DOCTYPE, declared size), read in
read-only mode with a row cap, and a refused one imports nothing."""

import io
import zipfile

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from measures.models import Measure
from measures.resources import CheckedXLSX

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:measures_measure_import")
CONFIRM_URL = reverse("admin:measures_measure_process_import")
HEADERS = ["plan", "area", "number", "title_zh", "title_en", "lead_agency"]
OFFICIAL = ["hz-ai-zone-2020", 1, 1, "加强基础理论研究", "Strengthen fundamental research", "Science bureau"]


def _format() -> str:
    formats = admin.site._registry[Measure].get_import_formats()
    return str(formats.index(CheckedXLSX))


def _workbook(lines, *, part: str | None = None, prolog: str = "") -> SimpleUploadedFile:
    book = Workbook()
    for line in lines:
        book.active.append(line)
    out = io.BytesIO()
    book.save(out)
    if part is not None:  # a DOCTYPE put in front of one XML part
        crafted = io.BytesIO()
        with zipfile.ZipFile(out) as source, zipfile.ZipFile(crafted, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                content = source.read(info.filename)
                if info.filename == part:
                    text = content.decode()  # openpyxl writes no XML declaration
                    content = (prolog + text).encode()
                target.writestr(info.filename, content)
        out = crafted
    return SimpleUploadedFile("measures.xlsx", out.getvalue())


def _measures():
    return list(Measure.objects.order_by("pk").values())


def test_a_workbook_of_measures_imports_through_the_checked_reader(client, zone_admin, hangzhou_plan):
    client.force_login(zone_admin)
    first = client.post(IMPORT_URL, {"format": _format(), "import_file": _workbook([HEADERS, OFFICIAL])})
    assert first.status_code == 200 and "confirm_form" in first.context
    confirmed = client.post(CONFIRM_URL, dict(first.context["confirm_form"].initial))
    assert confirmed.status_code == 302
    assert Measure.objects.get(area__plan=hangzhou_plan, number=1).title_en == "Strengthen fundamental research"


@pytest.mark.parametrize(("upload", "message"), [
    (lambda: _workbook([HEADERS, OFFICIAL], part="xl/worksheets/sheet1.xml",
                       prolog='<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'), "(DOCTYPE)"),
    (lambda: _workbook([HEADERS, *([OFFICIAL] * 2_100)]), "at most 2000 lines"),
])
def test_a_workbook_over_the_caps_or_with_a_doctype_imports_nothing(client, zone_admin, hangzhou_plan, upload,
                                                                     message):
    client.force_login(zone_admin)
    before = _measures()

    response = client.post(IMPORT_URL, {"format": _format(), "import_file": upload()},
                           HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200  # the import form again, with the error
    assert "confirm_form" not in response.context
    assert message in response.content.decode()
    assert _measures() == before
