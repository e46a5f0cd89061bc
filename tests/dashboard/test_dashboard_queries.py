"""Each page costs the same number of queries whatever the number of targets and measures."""

import datetime as dt
from decimal import Decimal

import pytest

from dashboard.views import OVERVIEW_INLINE_TARGETS
from measures.models import Measure
from snapshots.services import snapshots_recompute
from targets.models import Indicator, Observation, Target
from tests.factories import (
    AreaFactory,
    IndicatorFactory,
    MeasureUpdateFactory,
    ObjectiveFactory,
    PlanFactory,
    TargetFactory,
)

AS_OF = dt.date(2021, 12, 31)

# Overview listing targets (every target of a small plan, or a page of those chosen): the
# plan's id and data version (with the demo-data banner's check), then, since no cached copy
# will do, the plan itself, snapshot dates, objectives with their target counts, the roll-ups
# (objectives' and plan's), the snapshots' counts per objective and status, targets, their
# snapshots, the plans for the plan picker, and the targets' latest reporting round states
# (two: `reporting.selectors.targets_round_state`).
OVERVIEW_QUERIES = 11
# Overview of a large plan, each objective summed up: the same without the targets.
OVERVIEW_SUMMARY_QUERIES = 7
# A page served from the page cache, or answered 304: the plan's id and data version (and
# the banner's check), nothing else.
CACHED_PAGE_QUERIES = 1
# Target page: the target's id and its plan's data version (with the banner's check), then,
# since no cached copy will do, the target itself (with its plan, objective and indicator),
# snapshot dates, the other targets on its indicator, items, snapshot, history, figures, the
# figures' revisions.
TARGET_QUERIES = 9
# Measures page: the plan's version (with the banner's check), the plan, snapshot dates,
# areas, measures, their targets, their updates, the areas' roll-ups.
MEASURES_QUERIES = 8


def assert_read_only(captured):
    """Pages read stored snapshots; they never compute or write."""
    assert all(query["sql"].lstrip().upper().startswith("SELECT") for query in captured.captured_queries)


def plan_with(target_count: int):
    """A plan of `target_count` targets with figures and measures linked to targets, computed."""
    plan = PlanFactory()
    objectives = ObjectiveFactory.create_batch(4, plan=plan)
    indicators = Indicator.objects.bulk_create(
        IndicatorFactory.build(code=f"i-{plan.pk}-{i}") for i in range(target_count)
    )
    targets = Target.objects.bulk_create(
        TargetFactory.build(objective=objectives[i % 4], plan=plan, indicator=indicator, code=f"t-{i}")
        for i, indicator in enumerate(indicators)
    )
    Observation.objects.bulk_create(
        Observation(indicator=indicator, period_end=dt.date(2020, 12, 31), value=Decimal(50), source_title="test")
        for indicator in indicators
    )
    area = AreaFactory(plan=plan)
    for number in range(1, 6):
        measure = Measure.objects.create(area=area, number=number, title_zh="措施", title_en="Measure")
        measure.targets.set(targets[number::5])
        MeasureUpdateFactory(measure=measure, date=dt.date(2021, 6, 30), status="in_progress")
    snapshots_recompute(as_of=AS_OF)
    return plan


@pytest.fixture(params=["real plan", "200 targets"])
def computed(request, db):
    if request.param == "real plan":
        request.getfixturevalue("hangzhou_plan")
        snapshots_recompute(as_of=AS_OF)
    else:
        plan_with(200)
    # The real 2020 plan, or the 200-target one.
    return Target.objects.exclude(plan__code="hz-ai-2025").select_related("plan").order_by("code").first()


def test_overview_queries_are_constant(client, computed, django_assert_num_queries):
    listed = Target.objects.filter(plan=computed.plan).count() <= OVERVIEW_INLINE_TARGETS
    with django_assert_num_queries(OVERVIEW_QUERIES if listed else OVERVIEW_SUMMARY_QUERIES) as captured:
        response = client.get(f"/plans/{computed.plan.code}/", {"as_of": "2021-12-31"})
    assert response.status_code == 200
    assert_read_only(captured)


@pytest.mark.parametrize("query", [{"objective": "its own"}, {"status": "its own", "page": 2}, {"page": 1}])
def test_overview_lists_cost_the_same_at_any_size(client, computed, django_assert_num_queries, query):
    # Filters that some target matches (an empty list has no snapshots for Django to fetch).
    if "objective" in query:
        query = {"objective": computed.objective.number}
    if "status" in query:
        query = {**query, "status": computed.snapshots.get(as_of=AS_OF).status}
    with django_assert_num_queries(OVERVIEW_QUERIES) as captured:
        response = client.get(f"/plans/{computed.plan.code}/", {"as_of": "2021-12-31", **query})
    assert response.status_code == 200
    assert_read_only(captured)


@pytest.mark.parametrize("url", ["/", "plan", "measures", "target"])
def test_a_cached_page_and_a_304_read_only_the_plans_version(
    client, computed, django_assert_num_queries, url
):
    plan = f"/plans/{computed.plan.code}"
    url = {"plan": f"{plan}/", "measures": f"{plan}/measures/", "target": f"{plan}/targets/{computed.code}/"}.get(
        url, url)
    first = client.get(url)  # renders and caches the body; sets the CSRF cookie

    with django_assert_num_queries(CACHED_PAGE_QUERIES) as captured:
        again = client.get(url)
    with django_assert_num_queries(CACHED_PAGE_QUERIES):
        not_modified = client.get(url, HTTP_IF_NONE_MATCH=again["ETag"])

    assert (first.status_code, again.status_code, not_modified.status_code) == (200, 200, 304)
    assert_read_only(captured)


def test_target_page_queries_are_constant(client, computed, django_assert_num_queries):
    with django_assert_num_queries(TARGET_QUERIES) as captured:
        response = client.get(f"/plans/{computed.plan.code}/targets/{computed.code}/")
    assert response.status_code == 200
    assert_read_only(captured)


def test_measures_page_queries_are_constant(client, computed, django_assert_num_queries):
    with django_assert_num_queries(MEASURES_QUERIES) as captured:
        response = client.get(f"/plans/{computed.plan.code}/measures/")
    assert response.status_code == 200
    assert_read_only(captured)


@pytest.mark.parametrize("page", ["plan", "target"])
def test_a_pdf_printed_before_reads_only_the_plans_version(client, computed, django_assert_num_queries, settings, page):
    """The PDF is cached by its page's HTML: printed again, it costs what the cached page costs."""
    from pathlib import Path

    from tests.conftest import skip_or_fail

    if not Path(settings.PDF_CHROMIUM).exists():
        skip_or_fail(f"chromium not found at {settings.PDF_CHROMIUM}")
    # The PDF throttle counts each request in the shared cache (the database here, Redis in
    # production): a write of its own, tested in test_pdf.py. This test is about the page.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "pdf_anon": None, "pdf_user": None}}
    plan = f"/plans/{computed.plan.code}"
    url = {"plan": f"{plan}/pdf/", "target": f"{plan}/targets/{computed.code}/pdf/"}[page]
    first = client.get(url)  # printed by the browser

    with django_assert_num_queries(CACHED_PAGE_QUERIES) as captured:
        again = client.get(url, HTTP_IF_NONE_MATCH='"anything"')

    assert (first.status_code, again.status_code) == (200, 200)
    assert again["Content-Type"] == "application/pdf" and again.content == first.content
    assert_read_only(captured)
