"""Each page costs the same number of queries whatever the number of targets and measures."""

import datetime as dt
from decimal import Decimal

import pytest

from measures.models import Measure
from targets.models import Observation, Target
from targets.services import snapshots_recompute
from tests.factories import AreaFactory, MeasureUpdateFactory, ObjectiveFactory, PlanFactory, TargetFactory

AS_OF = dt.date(2021, 12, 31)

# Overview: plan, snapshot dates, targets, their snapshots, objectives, their roll-ups,
# the plan roll-up, and the demo-data banner's check.
OVERVIEW_QUERIES = 8
# Target page: target, snapshot dates, snapshot, history, entries, items, banner.
TARGET_QUERIES = 7
# Measures page: plan, snapshot dates, areas, measures, their targets, their updates,
# the areas' roll-ups, banner.
MEASURES_QUERIES = 8


def assert_read_only(captured):
    """Pages read stored snapshots; they never compute or write."""
    assert all(query["sql"].lstrip().upper().startswith("SELECT") for query in captured.captured_queries)


def plan_with(target_count: int):
    """A plan of `target_count` targets with figures and measures linked to targets, computed."""
    plan = PlanFactory()
    objectives = ObjectiveFactory.create_batch(4, plan=plan)
    targets = Target.objects.bulk_create(
        TargetFactory.build(objective=objectives[i % 4], code=f"t-{i}") for i in range(target_count)
    )
    Observation.objects.bulk_create(
        Observation(target=target, period_end=dt.date(2020, 12, 31), value=Decimal(50), source_title="test")
        for target in targets
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
    return Target.objects.order_by("code").first()


def test_overview_queries_are_constant(client, computed, django_assert_num_queries):
    with django_assert_num_queries(OVERVIEW_QUERIES) as captured:
        response = client.get("/", {"as_of": "2021-12-31"})
    assert response.status_code == 200
    assert_read_only(captured)


def test_target_page_queries_are_constant(client, computed, django_assert_num_queries):
    with django_assert_num_queries(TARGET_QUERIES) as captured:
        response = client.get(f"/targets/{computed.code}/")
    assert response.status_code == 200
    assert_read_only(captured)


def test_measures_page_queries_are_constant(client, computed, django_assert_num_queries):
    with django_assert_num_queries(MEASURES_QUERIES) as captured:
        response = client.get("/measures/")
    assert response.status_code == 200
    assert_read_only(captured)
