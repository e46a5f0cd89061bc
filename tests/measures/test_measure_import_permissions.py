"""Importing measures writes, so only zone administrators may; exporting is a read, open to
every role that may view measures. Each needs its own permission (`measures.import_measure`,
`measures.export_measure`), not merely access to the measures' admin."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from import_export.formats.base_formats import CSV

from measures.models import Measure
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:measures_measure_import")
CONFIRM_URL = reverse("admin:measures_measure_process_import")
EXPORT_URL = reverse("admin:measures_measure_export")
CHANGELIST_URL = reverse("admin:measures_measure_changelist")

OFFICIAL_ROW = (
    "plan,area,number,title_zh,title_en,lead_agency,status\n"
    "hz-ai-zone-2020,1,1,加强基础理论研究,Strengthen fundamental research,Science bureau,in_progress\n"
)


def _csv_format() -> str:
    formats = admin.site._registry[Measure].get_import_formats()
    return str(next(i for i, fmt in enumerate(formats) if fmt is CSV))


def _upload():
    return {"format": _csv_format(), "import_file": SimpleUploadedFile("measures.csv", OFFICIAL_ROW.encode())}


def _measures():
    return list(Measure.objects.order_by("pk").values())


@pytest.fixture
def confirm_data(client, zone_admin, hangzhou_plan):
    """The confirmation step's form, as a zone administrator's first step leaves it."""
    client.force_login(zone_admin)
    response = client.post(IMPORT_URL, _upload())
    assert response.status_code == 200
    data = dict(response.context["confirm_form"].initial)
    client.logout()
    return data


@pytest.mark.parametrize("role", ["viewer", "data_entry_user"])
def test_only_zone_administrators_may_import(client, request, hangzhou_plan, confirm_data, role):
    client.force_login(request.getfixturevalue(role))
    before = _measures()

    page = client.get(IMPORT_URL)
    first_step = client.post(IMPORT_URL, _upload())
    confirmation = client.post(CONFIRM_URL, confirm_data)

    assert (page.status_code, first_step.status_code, confirmation.status_code) == (403, 403, 403)
    assert _measures() == before
    assert "measures/measure/import/" not in client.get(CHANGELIST_URL).content.decode()


def test_a_zone_administrator_imports_in_two_steps(client, zone_admin, hangzhou_plan, confirm_data):
    client.force_login(zone_admin)
    placeholder = Measure.objects.get(area__plan=hangzhou_plan, number=1)
    assert placeholder.is_provisional  # the first step wrote nothing

    response = client.post(CONFIRM_URL, confirm_data)

    assert response.status_code == 302
    measure = Measure.objects.get(pk=placeholder.pk)
    assert (measure.title_en, measure.status, measure.is_provisional) == (
        "Strengthen fundamental research", "not_reported", False  # a status needs a dated update
    )
    assert "measures/measure/import/" in client.get(CHANGELIST_URL).content.decode()


@pytest.mark.parametrize("role", ["viewer", "data_entry_user", "zone_admin"])
def test_every_role_that_reads_measures_may_export_them(client, request, hangzhou_plan, role):
    client.force_login(request.getfixturevalue(role))

    page = client.get(EXPORT_URL)
    exported = client.post(EXPORT_URL, {"format": _csv_format(), "resource": "0", "measureresource_number": "on",
                                        "measureresource_title_en": "on"})

    assert page.status_code == 200
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    lines = exported.content.decode().splitlines()
    assert lines[0] == "number,title_en" and lines[1].startswith("1,") and len(lines) == 36


def test_viewing_measures_is_not_enough_to_export_or_import(client, hangzhou_plan):
    # Staff with only the view permission (no role): the export and import permissions are their own.
    reader = UserFactory(is_staff=True)
    reader.user_permissions.set(Permission.objects.filter(codename="view_measure"))
    client.force_login(reader)
    before = _measures()

    assert client.get(CHANGELIST_URL).status_code == 200
    assert client.get(EXPORT_URL).status_code == 403
    assert client.post(EXPORT_URL, {"format": _csv_format()}).status_code == 403
    assert client.post(IMPORT_URL, _upload()).status_code == 403
    assert _measures() == before
