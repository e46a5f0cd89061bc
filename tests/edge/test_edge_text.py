"""Text at the site's edges: control characters, blank-looking text and length, refused the
same way through the request middleware, the API, the admin and the measure import — with a
clear 4xx and nothing written. Run on SQLite and PostgreSQL (a NUL was a 500 there)."""

import pytest
import tablib
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from edge import text
from measures.models import Measure, MeasureUpdate
from measures.resources import MeasureResource
from targets.models import Indicator, Observation, Target
from tests.admin_forms import admin_form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_unthrottled", "english")]

ZERO_WIDTH_SPACE = "\u200b"
BLANK_LOOKING = [" ", ZERO_WIDTH_SPACE, "\u200b\u200c\u200d\ufeff", "\u2060 \u200e\u200f", "\u202a\u202c", "\u3000"]
CONTROL = ["\x00", "\x01", "\x1b", "\x7f", "\x85"]


def _entries():
    return list(Observation.objects.order_by("pk").values())


def _updates_and_measures():
    return list(MeasureUpdate.objects.order_by("pk").values()), list(Measure.objects.order_by("pk").values())


@pytest.fixture
def api(data_entry_user, hangzhou_plan):
    from targets.models import Agency

    for agency in Agency.objects.all():  # a clerk who may enter every figure of the plan
        agency.members.add(data_entry_user)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=data_entry_user).key}")
    return client


@pytest.fixture
def admin_client(client, zone_admin):
    client.force_login(zone_admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def measure(hangzhou_plan):
    return Measure.objects.get(area__plan=hangzhou_plan, number=1)


NEW_ENTRY = {
    "indicator": "ai-industry-revenue", "period_end": "2021-12-31", "value": "1800.5", "qualifier": "exact",
    "source_title": "Hangzhou statistical bulletin 2021", "confidence": "medium",
}
ADMIN_ENTRY = {**NEW_ENTRY, "indicator": None}


def _admin_entry(**changes):
    return {**NEW_ENTRY, "indicator": Indicator.objects.get(code="ai-industry-revenue").pk, **changes}


# The rule itself.

@pytest.mark.parametrize("character", CONTROL + ["\ud800", "\u202e", "\u2066"])
def test_it_refuses_control_direction_and_surrogate_characters_everywhere(character):
    assert text.forbidden_character(f"a{character}b") == character
    assert text.forbidden_character(f"a{character}b", multiline=True) == character


def test_it_allows_tab_and_line_breaks_only_in_multi_line_text():
    assert text.forbidden_character("a\tb\r\nc", multiline=True) is None
    assert text.forbidden_character("a\nb") == "\n"
    assert text.forbidden_character("杭州 2,000 亿元 — “more than” 👩‍🔬") is None  # ZWJ inside an emoji is fine


@pytest.mark.parametrize("value", BLANK_LOOKING)
def test_whitespace_zero_width_and_direction_marks_alone_are_blank(value):
    assert text.is_blank_looking(value)


def test_stripping_keeps_the_text_between_invisible_ends():
    assert text.strip_invisible("\u200b\ufeff Bulletin 2021\u200e \u200b") == "Bulletin 2021"
    assert not text.is_blank_looking("\u200bx")


# The middleware: query strings and form bodies, before any view.

@pytest.mark.parametrize(("url", "params"), [
    ("/admin/autocomplete/", {"term": "\x00", "app_label": "targets", "model_name": "observation", "field_name": "indicator"}),
    ("/admin/targets/observation/", {"qualifier__exact": "\x00"}),
    ("/admin/targets/observation/", {"q": "patent\x00"}),
    ("/api/v1/observations/", {"indicator": "\x00"}),
    ("/api/v1/targets/", {"ordering": "code\x1b"}),
    ("/", {"as_of": "2021-12-31\x00"}),
    ("/admin/targets/observation/", {"qualifier__exact\x00": "exact"}),
    ("/admin/targets/observation/", {"q": "two\nlines"}),
])
def test_a_control_character_in_a_query_string_is_a_400_with_a_plain_message(admin_client, hangzhou_plan, url, params):
    response = admin_client.get(url, params)

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "control character U+00" in response.content.decode()


def test_a_control_character_in_the_address_is_a_400(admin_client, hangzhou_plan):
    response = admin_client.get("/targets/industry%00size/")

    assert response.status_code == 400


@pytest.mark.parametrize("value", ["Bulletin\x00", "Bulletin\x08", "Bulletin \u202e1202"])
def test_a_control_character_in_a_form_body_is_refused_and_nothing_is_written(admin_client, hangzhou_plan, value):
    before = _entries()

    response = admin_client.post(reverse("admin:targets_observation_add"), _admin_entry(source_title=value))

    assert response.status_code == 400
    assert "the form field “source_title”" in response.content.decode()
    assert _entries() == before


def test_a_form_body_may_hold_line_breaks_and_tabs_in_multi_line_text(admin_client, hangzhou_plan):
    response = admin_client.post(
        reverse("admin:targets_observation_add"), _admin_entry(quote="First line\r\n\tsecond line")
    )

    assert response.status_code == 302
    assert Observation.objects.get(period_end="2021-12-31").quote == "First line\r\n\tsecond line"


def test_the_400_is_in_chinese_by_default(client, hangzhou_plan):
    response = client.get("/", {"as_of": "\x00"}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 400
    assert "控制字符" in response.content.decode()


# The API: JSON strings are checked per field, and the 400 names the field.

@pytest.mark.parametrize("character", CONTROL + ["\u202e"])
def test_the_api_refuses_a_control_character_in_the_indicator_code_naming_the_field(api, hangzhou_plan, character):
    before = _entries()

    response = api.post("/api/v1/observations/", {**NEW_ENTRY, "indicator": f"ai-industry-revenue{character}"},
                        format="json")

    assert response.status_code == 400
    assert "indicator" in response.json()
    assert _entries() == before


@pytest.mark.parametrize(("field", "value"), [
    ("source_title", "Bulletin\x01 2021"),
    ("source_title", "Bulletin\n2021"),
    ("source_title", "Bulletin \u202e1202"),
    ("source_url", "https://example.org/\x00"),
    ("quote", "营收\x00亿元"),
    ("quote", "营收\x7f亿元"),
    ("definition_note", "\x1b[31mred"),
    ("confidence_note", "a\u2066b"),
])
def test_the_api_refuses_control_characters_in_text_naming_the_field(api, hangzhou_plan, field, value):
    before = _entries()

    response = api.post("/api/v1/observations/", {**NEW_ENTRY, field: value}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert _entries() == before


def test_the_api_refuses_a_lone_surrogate(api, hangzhou_plan):
    before = _entries()
    body = '{"indicator": "ai-industry-revenue", "period_end": "2021-12-31", "value": "1", "source_title": "a\\ud800"}'

    response = api.post("/api/v1/observations/", body, content_type="application/json")

    assert response.status_code == 400
    assert "source_title" in response.json()
    assert _entries() == before


@pytest.mark.parametrize("value", BLANK_LOOKING)
def test_the_api_refuses_a_blank_looking_source_title(api, hangzhou_plan, value):
    before = _entries()

    response = api.post("/api/v1/observations/", {**NEW_ENTRY, "source_title": value}, format="json")

    assert response.status_code == 400
    assert "source_title" in response.json()
    assert _entries() == before


def test_the_api_stores_text_without_invisible_ends(api, hangzhou_plan):
    response = api.post("/api/v1/observations/", {**NEW_ENTRY, "source_title": "\u200bBulletin 2021\ufeff"}, format="json")

    assert response.status_code == 201
    assert Observation.objects.get(pk=response.json()["id"]).source_title == "Bulletin 2021"


@pytest.mark.parametrize(("field", "limit"), [("quote", 5000), ("definition_note", 2000), ("source_title", 300)])
def test_the_api_refuses_text_longer_than_a_person_would_write(api, hangzhou_plan, field, limit):
    before = _entries()

    response = api.post("/api/v1/observations/", {**NEW_ENTRY, field: "x" * (limit + 1)}, format="json")

    assert response.status_code == 400
    assert f"no more than {limit} characters" in response.json()[field][0]
    assert _entries() == before
    assert api.post("/api/v1/observations/", {**NEW_ENTRY, field: "x" * limit}, format="json").status_code == 201


def test_the_200_000_character_quote_is_refused_on_change_too(api, hangzhou_plan):
    entry = Observation.objects.get(indicator__code="ai-industry-revenue", period_end="2020-12-31")
    before = _entries()

    response = api.patch(f"/api/v1/observations/{entry.pk}/", {"quote": "引" * 200_000}, format="json")

    assert response.status_code == 400
    assert "quote" in response.json()
    assert _entries() == before


@pytest.mark.parametrize(("note", "reason"), [
    ("\u200b", "invisible characters"), ("x" * 5001, "no more than 5000"), ("Opened\x00", "control character"),
])
def test_the_api_refuses_a_bad_measure_update_note(api, measure, note, reason):
    before = _updates_and_measures()

    response = api.post(f"/api/v1/measures/{measure.pk}/updates/", {"date": "2022-03-31", "note": note, "status": "completed"},
                        format="json")

    assert response.status_code == 400
    assert reason in response.json()["note"][0]
    assert _updates_and_measures() == before


# The admin: the same model rules, shown as field errors.

@pytest.mark.parametrize(("field", "value", "reason"), [
    ("source_title", ZERO_WIDTH_SPACE, "invisible characters"),
    ("source_title", "\u200e\u3000\u200b", "invisible characters"),
    ("quote", "x" * 5001, "at most 5000 characters"),
    ("definition_note", "x" * 2001, "at most 2000 characters"),
])
def test_the_admin_shows_a_field_error_and_writes_nothing(admin_client, hangzhou_plan, field, value, reason):
    before = _entries()

    response = admin_client.post(reverse("admin:targets_observation_add"), _admin_entry(**{field: value}))

    assert response.status_code == 200
    assert reason in " ".join(response.context["adminform"].form.errors[field])
    assert _entries() == before


def test_the_admin_refuses_a_blank_looking_measure_update_note(admin_client, measure):
    before = _updates_and_measures()

    response = admin_client.post(
        reverse("admin:measures_measureupdate_add"), {"measure": measure.pk, "date": "2021-06-30", "note": "\u200b\u3000"}
    )

    assert response.status_code == 200
    assert "invisible characters" in " ".join(response.context["adminform"].form.errors["note"])
    assert _updates_and_measures() == before


def test_the_admin_refuses_a_line_break_in_a_title(admin_client, hangzhou_plan):
    target = Target.objects.get(code="industry-size")
    name_before = target.name_en
    url = reverse("admin:targets_target_change", args=[target.pk])
    data = {**admin_form_data(admin_client.get(url)), "name_en": "Industry\r\nsize"}

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "single line" in " ".join(response.context["adminform"].form.errors["name_en"])
    target.refresh_from_db()
    assert target.name_en == name_before


# The measure import: a bad cell is a row error naming the column, and nothing is written.

def _import(rows, headers=("plan", "area", "number", "title_zh", "title_en", "lead_agency", "status", "description")):
    return MeasureResource().import_data(tablib.Dataset(*rows, headers=list(headers)), dry_run=False)


GOOD_ROW = ["hz-ai-zone-2020", 1, 1, "加强基础理论研究", "Strengthen fundamental research", "Science bureau", "in_progress", ""]


@pytest.mark.parametrize(("column", "value", "reason"), [
    ("plan", "hz-ai-zone-2020\x00", "control character U+0000"),
    ("title_en", "Strengthen\x00research", "control character U+0000"),
    ("title_en", "Strengthen\nresearch", "single line"),
    ("title_en", ZERO_WIDTH_SPACE, "invisible characters"),
    ("lead_agency", "Bureau\u202e", "text-direction control"),
    ("description", "x" * 5001, "at most 5000 characters"),
])
def test_the_import_refuses_a_bad_cell_and_writes_nothing(hangzhou_plan, column, value, reason):
    before = list(Measure.objects.order_by("pk").values())
    headers = ["plan", "area", "number", "title_zh", "title_en", "lead_agency", "status", "description"]
    row = list(GOOD_ROW)
    row[headers.index(column)] = value

    result = _import([GOOD_ROW[:1] + [1, 2] + GOOD_ROW[3:], row])

    assert result.has_validation_errors() and not result.has_errors()
    assert reason in " ".join(result.invalid_rows[0].error_dict[column])
    assert list(Measure.objects.order_by("pk").values()) == before


def test_the_admin_import_page_refuses_a_csv_with_a_nul(admin_client, hangzhou_plan):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = list(Measure.objects.order_by("pk").values())
    csv = "plan,area,number,title_zh,title_en,status\nhz-ai-zone-2020\x00,1,1,好,Good,in_progress\n".encode()
    upload = SimpleUploadedFile("measures.csv", csv, content_type="text/csv")

    response = admin_client.post(
        reverse("admin:measures_measure_import"),
        {"resource": "0", "format": "0", "import_file": upload},
    )

    assert response.status_code == 200
    assert "control character U+0000" in response.content.decode()
    assert list(Measure.objects.order_by("pk").values()) == before
