"""What the API lists accept in their query string: unknown parameters and values a list
cannot use are a 400 naming the parameter as sent, never a list silently left unfiltered."""

import pytest
from rest_framework.test import APIClient

from measures.models import Measure
from targets.models import Observation, Target
from tests.factories import MeasureUpdateFactory, ObservationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_unthrottled")]

LISTS = [
    "/api/v1/plans/", "/api/v1/objectives/", "/api/v1/targets/", "/api/v1/indicators/", "/api/v1/observations/",
    "/api/v1/snapshots/",
    "/api/v1/areas/", "/api/v1/measures/", "/api/v1/targets/industry-size/observations/",
    "/api/v1/targets/industry-size/snapshots/", "/api/v1/measures/{measure}/updates/", "/api/v1/rounds/",
]


@pytest.fixture
def client(viewer):
    # Signed in as a viewer: the reporting rounds are read by signed-in roles only; every other
    # list reads the same for anyone.
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(viewer)
    return client


@pytest.fixture
def measure(hangzhou_plan):
    measure = Measure.objects.filter(area__plan=hangzhou_plan).order_by("number").first()
    MeasureUpdateFactory(measure=measure)
    return measure


def _bad(response) -> dict:
    assert response.status_code == 400, response.content[:300]
    return response.json()


@pytest.mark.parametrize("url", LISTS)
def test_every_list_refuses_a_parameter_it_does_not_know(client, measure, url):
    body = _bad(client.get(url.format(measure=measure.pk), {"nonsense": "1", "page_size": "5"}))

    assert list(body) == ["nonsense"]
    assert "Unknown parameter. This list accepts:" in body["nonsense"][0]
    assert "page_size" in body["nonsense"][0]


def test_every_parameter_the_schema_documents_is_accepted(client, measure):
    """The schema (what analysts read) and the check (what the lists accept) agree: each
    list answers 200 to every parameter it documents, sent empty."""
    schema = client.get("/api/schema/", {"format": "json"}).json()
    lists = 0

    for path, operations in schema["paths"].items():
        names = [p["name"] for p in operations.get("get", {}).get("parameters", []) if p["in"] == "query"]
        if "page" not in names:
            continue  # not a list
        lists += 1
        url = path.replace("{code_or_id}", "industry-size").replace("{measure_id}", str(measure.pk))

        response = client.get(url, dict.fromkeys(names, ""))

        assert response.status_code == 200, (url, response.content[:300])
    assert lists == len(LISTS)


# The findings of the security review, one by one.

def test_a_boolean_filter_refuses_anything_but_true_or_false(client, hangzhou_plan):
    ObservationFactory(target=Target.objects.get(code="core-invention-patents"), is_synthetic=True)

    refused = _bad(client.get("/api/v1/observations/", {"is_synthetic": "yes"}))
    synthetic = client.get("/api/v1/observations/", {"is_synthetic": "true"}).json()
    official = client.get("/api/v1/observations/", {"is_synthetic": "false"}).json()

    assert refused == {"is_synthetic": ["Enter true or false."]}
    assert synthetic["count"] == 1
    assert official["count"] == Observation.objects.filter(is_synthetic=False).count() > 0


@pytest.mark.parametrize("url", ["/api/v1/targets/", "/api/v1/snapshots/", "/api/v1/measures/"])
def test_a_choice_filter_refuses_an_injection_attempt(client, hangzhou_plan, url):
    body = _bad(client.get(url, {"status": "' OR 1=1"}))

    assert "is not one of the available choices" in body["status"][0]


def test_a_list_without_that_filter_refuses_it_rather_than_returning_everything(client, hangzhou_plan):
    body = _bad(client.get("/api/v1/observations/", {"state": "' OR 1=1", "code": "industry-size"}))

    assert sorted(body) == ["code", "state"]
    accepted = body["code"][0].split("accepts: ")[1]
    assert "target" in accepted and "period_end_after" in accepted and "is_synthetic" in accepted


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"period_end_after": "soon"}, ["period_end_after"]),
        ({"period_end_before": "2020-13-45"}, ["period_end_before"]),
        ({"period_end_after": "2020-01-01", "period_end_before": "31.12.2021"}, ["period_end_before"]),
        ({"period_end_after": "x", "period_end_before": "y"}, ["period_end_after", "period_end_before"]),
    ],
    ids=["after", "before", "one-of-two", "both"],
)
def test_a_range_filter_names_the_parameter_that_was_sent(client, hangzhou_plan, query, errors):
    body = _bad(client.get("/api/v1/observations/", query))

    assert sorted(body) == errors
    assert all(messages == ["Enter a valid date."] for messages in body.values())


def test_measures_name_their_due_date_parameter_too(client, hangzhou_plan):
    body = _bad(client.get("/api/v1/measures/", {"due_date_before": "later"}))

    assert list(body) == ["due_date_before"]


def test_plans_and_targets_filter_by_code(client, hangzhou_plan):
    targets = client.get("/api/v1/targets/", {"code": "industry-size"}).json()
    plans = client.get("/api/v1/plans/", {"code": "hz-ai-zone-2020"}).json()
    none = client.get("/api/v1/targets/", {"code": "no-such-target"}).json()

    assert [row["code"] for row in targets["results"]] == ["industry-size"]
    assert [row["code"] for row in plans["results"]] == ["hz-ai-zone-2020"]
    assert none["count"] == 0


@pytest.mark.parametrize(
    ("url", "parameter", "value"),
    [
        ("/api/v1/snapshots/", "objective", "abc"),
        ("/api/v1/targets/", "objective", "1.5"),
        ("/api/v1/snapshots/", "objective", str(2**63)),
        ("/api/v1/measures/", "area", "-1"),
    ],
)
def test_an_id_filter_refuses_what_cannot_be_an_id(client, hangzhou_plan, url, parameter, value):
    body = _bad(client.get(url, {parameter: value}))

    assert body == {parameter: ["Enter an id: a whole number from 1."]}


def test_an_id_filter_filters_by_id(client, hangzhou_plan):
    objective = Target.objects.get(code="industry-size").objective

    body = client.get("/api/v1/targets/", {"objective": objective.pk}).json()

    assert body["count"] == objective.targets.count() > 0


def test_ordering_by_an_unknown_field_is_refused(client, hangzhou_plan):
    body = _bad(client.get("/api/v1/targets/", {"ordering": "-code,password"}))

    assert "cannot be ordered by password" in body["ordering"][0]
    assert "target_value" in body["ordering"][0]


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "２"])
def test_a_page_that_is_not_a_number_is_refused(client, hangzhou_plan, page):
    body = _bad(client.get("/api/v1/targets/", {"page": page}))

    assert body == {"page": ["Enter a page number: a whole number from 1, or “last”."]}


@pytest.mark.parametrize("page", ["99", "9" * 5000])
def test_a_page_past_the_last_is_not_found(client, hangzhou_plan, page):
    response = client.get("/api/v1/targets/", {"page": page})

    assert response.status_code == 404


def test_the_last_page_is_found_by_name(client, hangzhou_plan):
    body = client.get("/api/v1/targets/", {"page": "last", "page_size": 5}).json()

    assert len(body["results"]) == (16 + 6) - 20  # both plans' targets, five to a page


@pytest.mark.parametrize("size", ["abc", "0", "-5"])
def test_a_page_size_that_is_not_a_number_is_refused(client, hangzhou_plan, size):
    body = _bad(client.get("/api/v1/targets/", {"page_size": size}))

    assert list(body) == ["page_size"]


def test_csv_lists_refuse_unknown_parameters_too(client, hangzhou_plan):
    response = client.get("/api/v1/targets/", {"format": "csv", "code_or_name": "x"})

    assert response.status_code == 400
    assert "code_or_name" in response.content.decode()


def test_the_refusal_is_in_chinese_unless_english_is_asked_for(hangzhou_plan):
    body = _bad(APIClient().get("/api/v1/targets/", {"nonsense": "1"}))

    assert body["nonsense"][0].startswith("未知参数")
