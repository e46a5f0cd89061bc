"""Every body the API accepts (JSON, form-encoded, multipart) goes through the same validation:
a form's empty field is no way round a required one. Each refusal is a 400 naming the field,
and nothing is written.

The first case is the request schemathesis found (issue 23): a zone administrator's multipart
figure with `indicator=` and `target=` left empty reached the service without an indicator
and answered 500."""

import pytest
from django.test.client import MULTIPART_CONTENT, encode_multipart
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from measures.models import Measure, MeasureUpdate
from targets.models import Observation, ObservationRevision
from tests.reporting_zone import rounds_state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_unthrottled")]

FORM = "application/x-www-form-urlencoded"
BOUNDARY = "BoUnDaRyStRiNg"

# The body of the curl command in the issue, field for field.
FOUND_BY_SCHEMATHESIS = {
    "period_end": "2000-09-01", "source_title": "0", "value": "0.0", "confidence": "medium",
    "confirm_outlier": "false", "indicator": "", "target": "", "qualifier": "exact", "scope": "0",
    "source_url": "https://0.com",
}


def _client(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _post(client, path, body: dict, encoding: str):
    """POST `body` as a browser form (urlencoded), as curl -F sends it (multipart) or as JSON."""
    if encoding == "json":
        return client.post(path, body, format="json")
    if encoding == "multipart":
        return client.generic("POST", path, encode_multipart(BOUNDARY, body),
                              content_type=MULTIPART_CONTENT.replace("BoUnDaRyStRiNg", BOUNDARY))
    from urllib.parse import urlencode

    return client.generic("POST", path, urlencode(body, doseq=True), content_type=FORM)


def _figures():
    return list(Observation.objects.order_by("pk").values()), ObservationRevision.objects.count()


ENCODINGS = ["multipart", "urlencoded", "json"]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_the_request_schemathesis_found_is_a_400_naming_the_indicator(hangzhou_plan, zone_admin, encoding):
    before = _figures()

    response = _post(_client(zone_admin), "/api/v1/observations/", FOUND_BY_SCHEMATHESIS, encoding)

    assert response.status_code == 400, response.content
    assert "indicator" in response.json()
    assert _figures() == before


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("empty", [{"indicator": ""}, {"target": ""}, {}], ids=["indicator", "target", "neither"])
def test_a_figure_without_an_indicator_is_refused_in_every_encoding(hangzhou_plan, zone_admin, encoding, empty):
    body = {k: v for k, v in FOUND_BY_SCHEMATHESIS.items() if k not in ("indicator", "target")} | empty
    before = _figures()

    response = _post(_client(zone_admin), "/api/v1/observations/", body, encoding)

    assert response.status_code == 400, response.content
    assert response.json()["indicator"] == ["This field is required."]
    assert _figures() == before


def test_a_json_null_indicator_is_refused_too(hangzhou_plan, zone_admin):
    before = _figures()

    response = _post(_client(zone_admin), "/api/v1/observations/",
                     {**FOUND_BY_SCHEMATHESIS, "indicator": None, "target": None}, "json")

    assert response.status_code == 400
    assert "indicator" in response.json()
    assert _figures() == before


@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
def test_a_form_encoded_figure_with_its_indicator_is_saved(hangzhou_plan, zone_admin, encoding):
    body = {**FOUND_BY_SCHEMATHESIS, "indicator": "ai-industry-revenue", "target": "", "scope": "",
            "period_end": "2021-12-31", "value": "1800.5", "source_title": "Bulletin"}

    response = _post(_client(zone_admin), "/api/v1/observations/", body, encoding)

    assert response.status_code == 201, response.content
    assert Observation.objects.get(pk=response.json()["id"]).indicator.code == "ai-industry-revenue"


def _updates():
    return list(MeasureUpdate.objects.order_by("pk").values()), list(Measure.objects.order_by("pk").values())


BAD_UPDATES = [
    ("no note", {"date": "2022-03-31", "note": ""}, "note"),
    ("no date", {"date": "", "note": "Opened"}, "date"),
    ("bad status", {"date": "2022-03-31", "note": "Opened", "status": "abandoned"}, "status"),
    ("bad url", {"date": "2022-03-31", "note": "Opened", "evidence_url": "ftp://x"}, "evidence_url"),
]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize(("body", "field"), [c[1:] for c in BAD_UPDATES], ids=[c[0] for c in BAD_UPDATES])
def test_a_bad_measure_update_is_refused_in_every_encoding(hangzhou_plan, zone_admin, encoding, body, field):
    measure = Measure.objects.filter(area__plan=hangzhou_plan).order_by("number").first()
    before = _updates()

    response = _post(_client(zone_admin), f"/api/v1/measures/{measure.pk}/updates/", body, encoding)

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert _updates() == before


@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
def test_a_bad_measure_update_change_is_refused_in_form_encoding(hangzhou_plan, zone_admin, encoding):
    measure = Measure.objects.filter(area__plan=hangzhou_plan).order_by("number").first()
    client = _client(zone_admin)
    created = client.post(f"/api/v1/measures/{measure.pk}/updates/", {"date": "2022-03-31", "note": "Opened"},
                          format="json")
    assert created.status_code == 201
    before = _updates()
    body = {"date": "", "note": ""}
    payload = (encode_multipart(BOUNDARY, body) if encoding == "multipart"
               else "date=&note=")
    content_type = (MULTIPART_CONTENT.replace("BoUnDaRyStRiNg", BOUNDARY) if encoding == "multipart" else FORM)

    response = client.generic("PATCH", f"/api/v1/measures/{measure.pk}/updates/{created.json()['id']}/", payload,
                              content_type=content_type)

    assert response.status_code == 400, response.content
    assert {"date", "note"} <= response.json().keys()
    assert _updates() == before


SET = "/api/v1/rounds/2021-annual/sets/kjj/"
BAD_ACTIONS = [
    ("save without rows", "save/", "science_user", {"version": "0"}, "rows"),
    ("save with text rows", "save/", "science_user", {"version": "0", "rows": "patents=120"}, "rows"),
    ("save without version", "save/", "science_user", {"version": "", "rows": ""}, "version"),
    ("submit with an empty version", "submit/", "science_user", {"version": ""}, "version"),
    ("submit with a text version", "submit/", "science_user", {"version": "one"}, "version"),
    ("approve with an empty version", "approve/", "admin", {"version": ""}, "version"),
    ("return without comments", "return/", "admin", {"version": "0", "comments": ""}, "comments"),
]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize(("path", "who", "body", "field"), [c[1:] for c in BAD_ACTIONS],
                         ids=[c[0] for c in BAD_ACTIONS])
def test_a_bad_round_action_is_refused_in_every_encoding(zone, encoding, path, who, body, field):
    before = rounds_state()

    response = _post(_client(zone[who]), SET + path, body, encoding)

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert rounds_state() == before


@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
def test_a_form_encoded_submit_acts_like_json(zone, encoding):
    client = _client(zone["science_user"])
    saved = client.post(SET + "save/", {"version": 0, "rows": [
        {"indicator": "patents", "value": "120", "source_title": "Bureau statistics 2021", "confidence": "high"}]},
        format="json")
    assert saved.status_code == 200, saved.content

    response = _post(client, SET + "submit/", {"version": "1"}, encoding)

    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["version"]) == ("submitted", 2)
