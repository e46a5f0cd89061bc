"""API lists served from the version-keyed cache (`api.listcache`): a second identical request
costs the version's one read and gets the same bytes; a change gives new bytes at once; a reader
who may see unapproved figures never gets or leaves a shared copy."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from measures.services import measure_update_create
from reporting import services as reporting_services
from targets.models import Indicator, Observation
from targets.services import (
    indicator_save,
    observation_create,
    observation_delete,
    observation_update,
    target_save,
)
from tests.factories import IndicatorFactory, MeasureFactory, MeasureUpdateFactory, ObservationFactory
from tests.reporting_zone import row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_unthrottled")]

LISTS = [
    "/api/v1/plans/", "/api/v1/objectives/", "/api/v1/targets/", "/api/v1/targets/?format=csv",
    "/api/v1/snapshots/", "/api/v1/indicators/", "/api/v1/observations/", "/api/v1/observations/?format=csv",
    "/api/v1/areas/", "/api/v1/measures/",
]


def _api(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _body(response) -> bytes:
    assert response.status_code == 200, response.content[:300] if not response.streaming else response
    return response.getvalue()


@pytest.mark.parametrize("url", LISTS)
def test_it_serves_a_second_identical_request_from_the_cache_in_one_query(hangzhou_plan, django_assert_num_queries,
                                                                         url):
    MeasureUpdateFactory(measure=MeasureFactory(area=hangzhou_plan.areas.first(), number=100))
    first = _body(_api().get(url))

    with django_assert_num_queries(1):  # the version, which the ETag reads too
        second = _body(_api().get(url))

    assert second == first


def test_it_keys_the_query_normalised_and_the_format_and_language_apart(hangzhou_plan, django_assert_num_queries,
                                                                       django_assert_max_num_queries):
    first = _body(_api().get("/api/v1/targets/?plan=hz-ai-zone-2020&page_size=5"))
    with django_assert_num_queries(1):
        reordered = _body(_api().get("/api/v1/targets/?page_size=5&plan=hz-ai-zone-2020"))
    as_csv = _body(_api().get("/api/v1/targets/?plan=hz-ai-zone-2020&page_size=5&format=csv"))
    with django_assert_max_num_queries(20) as chinese:
        APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/api/v1/targets/?plan=hz-ai-zone-2020&page_size=5")

    assert reordered == first
    assert as_csv != first and not as_csv.lstrip(b"\xef\xbb\xbf").startswith(b"{")
    assert len(chinese.captured_queries) > 1  # its own entry, read from the database


@pytest.mark.parametrize("url", ["/api/v1/observations/", "/api/v1/indicators/"])
def test_it_shows_a_new_approved_figure_at_once(hangzhou_plan, url):
    before = _body(_api().get(url, {"page_size": 1000}))
    target = hangzhou_plan.targets.filter(indicator__isnull=False).first()

    observation_create(indicator=target.indicator, period_end=dt.date(2024, 12, 31), value=Decimal("4321.5"),
                       source_title="Bureau statistics", entered_by=None)
    after = _body(_api().get(url, {"page_size": 1000}))

    assert b"4321.5" in after and b"4321.5" not in before


@pytest.mark.parametrize("url", ["/api/v1/targets/", "/api/v1/targets/?format=csv"])
def test_it_shows_a_renamed_target_at_once(hangzhou_plan, url):
    before = _body(_api().get(url))
    target = hangzhou_plan.targets.get(code="industry-size")

    target.name_en = "Renamed target"
    target_save(target=target)

    assert b"Renamed target" in _body(_api().get(url)) and b"Renamed target" not in before


@pytest.mark.parametrize("url", ["/api/v1/observations/", "/api/v1/indicators/"])
def test_it_shows_a_figure_of_an_indicator_no_target_uses_at_once(hangzhou_plan, url):
    indicator = IndicatorFactory(code="lonely")
    before = _body(_api().get(url, {"page_size": 1000}))

    figure = observation_create(indicator=indicator, period_end=dt.date(2024, 12, 31), value=Decimal("4321.5"),
                                source_title="Bureau statistics", entered_by=None)
    added = _body(_api().get(url, {"page_size": 1000}))
    observation_update(observation=figure, data={"value": Decimal("8765.5")})
    changed = _body(_api().get(url, {"page_size": 1000}))
    observation_delete(observation=Observation.objects.get(pk=figure.pk))
    deleted = _body(_api().get(url, {"page_size": 1000}))

    assert b"4321.5" in added and b"4321.5" not in before
    assert b"8765.5" in changed and b"8765.5" not in deleted and deleted == before


def test_it_shows_a_measures_new_update_at_once(hangzhou_plan):
    measure = MeasureFactory(area=hangzhou_plan.areas.first(), number=100)
    before = _body(_api().get("/api/v1/measures/", {"page_size": 1000}))

    measure_update_create(measure=measure, date=dt.date(2024, 6, 30), note="Checked twice")

    assert b"Checked twice" in _body(_api().get("/api/v1/measures/", {"page_size": 1000}))
    assert b"Checked twice" not in before


def test_it_shows_a_change_to_an_indicator_no_target_uses(hangzhou_plan):
    indicator = IndicatorFactory(code="lonely")
    ObservationFactory(indicator=indicator, target=None)
    before = _body(_api().get("/api/v1/observations/", {"indicator": "lonely"}))
    listed = _body(_api().get("/api/v1/indicators/", {"code": "lonely"}))

    indicator.name_en = "Renamed"
    indicator.scope = "above-designated-size"
    indicator_save(indicator=indicator)

    assert _body(_api().get("/api/v1/observations/", {"indicator": "lonely"})) != before
    assert b"Renamed" in _body(_api().get("/api/v1/indicators/", {"code": "lonely"})) != listed


def test_it_shows_an_indicator_deleted(hangzhou_plan):
    IndicatorFactory(code="lonely")
    before = _body(_api().get("/api/v1/indicators/", {"page_size": 1000}))

    Indicator.objects.filter(code="lonely").delete()  # the admin's plain delete: no service bumps a version

    assert b"lonely" in before
    assert b"lonely" not in _body(_api().get("/api/v1/indicators/", {"page_size": 1000}))


@pytest.fixture
def pending(zone):
    """An approved patents figure, and the S&T bureau's draft of another beside it."""
    zone["approved"] = ObservationFactory(target=zone["patents"], period_end=dt.date(2020, 12, 31),
                                          value=Decimal("100"))
    reporting_services.round_set_save_draft(round_set=zone["science_set"], rows=[row("patents", "120")],
                                            user=zone["science_user"], expected_version=0)
    zone["draft"] = Observation.objects.get(status=Observation.Status.DRAFT)
    return zone


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content[:300]
    return {figure["id"] for figure in response.json()["results"]}


@pytest.mark.parametrize("reader", ["science_user", "admin"])
def test_it_never_shares_a_list_with_a_reader_who_sees_unapproved_figures(pending, reader, viewer):
    approved, draft = pending["approved"].pk, pending["draft"].pk

    anonymous_before = _ids(_api().get("/api/v1/observations/"))
    theirs = _ids(_api(pending[reader]).get("/api/v1/observations/"))
    theirs_again = _ids(_api(pending[reader]).get("/api/v1/observations/"))
    anonymous_after = _ids(_api().get("/api/v1/observations/"))
    signed_in_viewer = _ids(_api(viewer).get("/api/v1/observations/"))

    assert anonymous_before == anonymous_after == signed_in_viewer == {approved}
    assert theirs == theirs_again == {approved, draft}


def test_it_serves_a_reader_who_sees_unapproved_figures_uncached(pending, django_assert_max_num_queries):
    client = _api(pending["science_user"])
    client.get("/api/v1/plans/")

    with django_assert_max_num_queries(20) as captured:
        client.get("/api/v1/plans/")

    assert any('FROM "targets_plan"' in query["sql"] and "LIMIT" in query["sql"]
               for query in captured.captured_queries)  # the page itself was read again
