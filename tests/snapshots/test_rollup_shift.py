"""A save's roll-ups, shifted by its target's old and new snapshots (issue 17: work proportional
to what changed), equal the roll-ups computed from every snapshot; the nightly verify catches a
roll-up that drifted; the per-save task reads nothing of the other targets."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from snapshots.models import Rollup, SnapshotDate
from snapshots.services import (
    plan_snapshots_refresh,
    snapshots_compute_and_store,
    snapshots_verify,
    store,
    target_snapshots_refresh,
)
from snapshots.services.refresh import ROLLUP_MEAN_TOLERANCE, _calendar_prune
from targets.models import Observation, RecomputeRequest, Target
from targets.progress.dates import backfill_dates
from targets.services import target_save
from tests.factories import ObjectiveFactory, ObservationFactory, PlanFactory, TargetFactory

pytestmark = pytest.mark.django_db

DATES = backfill_dates(since=dt.date(2019, 12, 31), until=dt.date(2022, 6, 30), every="month")


def build_plan(target_count: int = 9):
    plan = PlanFactory()
    objectives = ObjectiveFactory.create_batch(3, plan=plan)
    targets = [
        TargetFactory(objective=objectives[i % 3], aggregation="latest" if i % 4 == 3 else "sum",
                      baseline_value=Decimal("100") if i % 4 == 3 else Decimal("0"))
        for i in range(target_count)
    ]
    for i, target in enumerate(targets[:-2]):  # the last two have no figure: no data
        ObservationFactory(target=target, period_end=dt.date(2020, 12, 31), value=Decimal(30 * (i + 1)))
        ObservationFactory(target=target, period_end=dt.date(2021, 12, 31), value=Decimal(20 * i))
    snapshots_compute_and_store(dates_of={plan.pk: DATES})
    return plan, targets


def rollups(plan) -> list[tuple]:
    return sorted(
        (r.objective_id or 0, r.as_of, r.target_count, r.progress_count, tuple(sorted(r.status_counts.items())),
         r.mean_capped_progress)
        for r in Rollup.objects.filter(plan=plan)
    )


def assert_same_as_a_full_rebuild(plan):
    shifted = rollups(plan)
    snapshots_compute_and_store(dates_of={plan.pk: sorted(SnapshotDate.objects.filter(plan=plan)
                                                           .values_list("as_of", flat=True))})
    rebuilt = rollups(plan)
    assert [row[:-1] for row in shifted] == [row[:-1] for row in rebuilt]
    for (*_, mean), (*_, fresh) in zip(shifted, rebuilt, strict=True):
        assert (mean is None) == (fresh is None)
        assert mean is None or abs(mean - fresh) <= ROLLUP_MEAN_TOLERANCE


@pytest.fixture
def no_full_rollups(monkeypatch):
    """Fails if the roll-ups are computed from every snapshot instead of shifted."""
    def refuse(**kwargs):
        raise AssertionError("the roll-ups were rebuilt from every target")
    monkeypatch.setattr(store, "plan_members", refuse)


def test_a_save_shifts_the_roll_ups_to_what_a_full_rebuild_gives(no_full_rollups):
    plan, targets = build_plan()
    before = rollups(plan)
    # A status that changes category (a sum far past its target from mid-2021: achieved), a target
    # with no data that gets a figure, and a figure taken away (back to no data before 2021).
    ObservationFactory(target=targets[0], period_end=dt.date(2021, 6, 30), value=Decimal("1000"))
    ObservationFactory(target=targets[-1], period_end=dt.date(2020, 6, 30), value=Decimal("90"))
    Observation.objects.filter(indicator=targets[4].indicator, period_end=dt.date(2020, 12, 31)).delete()
    for target in (targets[0], targets[-1], targets[4]):
        target_snapshots_refresh(target_id=target.pk)

    assert rollups(plan) != before
    assert snapshots_verify() == []
    assert_same_as_a_full_rebuild(plan)


def test_the_shift_follows_the_calendar_when_dates_come_and_go(no_full_rollups):
    plan, targets = build_plan()
    snapshots_compute_and_store(dates_of={plan.pk: [dt.date(2022, 7, 15)]})  # a day added
    _calendar_prune(plan.pk, keep=[day for day in DATES if day != dt.date(2021, 3, 31)] + [dt.date(2022, 7, 15)])
    ObservationFactory(target=targets[1], period_end=dt.date(2022, 7, 1), value=Decimal("2000"))

    target_snapshots_refresh(target_id=targets[1].pk)

    assert snapshots_verify() == []
    assert_same_as_a_full_rebuild(plan)


def test_roll_ups_that_cannot_be_shifted_are_computed_from_every_snapshot():
    plan, targets = build_plan()
    # A target added to an objective (its plan's recompute not run yet), and a date's roll-ups lost.
    TargetFactory(objective=targets[2].objective)
    Rollup.objects.filter(plan=plan, as_of=dt.date(2020, 6, 30)).delete()
    ObservationFactory(target=targets[2], period_end=dt.date(2020, 3, 31), value=Decimal("500"))

    target_snapshots_refresh(target_id=targets[2].pk)

    assert_same_as_a_full_rebuild(plan)


def test_the_nightly_verify_catches_a_roll_up_that_drifted_and_repairs_it():
    plan, targets = build_plan()
    drifted = Rollup.objects.get(plan=plan, objective__isnull=True, as_of=dt.date(2021, 12, 31))
    drifted.mean_capped_progress += 1e-6
    drifted.status_counts = {**drifted.status_counts, "achieved": drifted.status_counts.get("achieved", 0) + 1}
    drifted.save()
    Rollup.objects.filter(objective=targets[0].objective, as_of=dt.date(2020, 1, 31)).delete()

    found = snapshots_verify()

    assert {(d["subject"], d["as_of"]) for d in found} == {
        (f"roll-up of {plan.code}", dt.date(2021, 12, 31)),
        (f"roll-up of {plan.code} objective {targets[0].objective_id}", dt.date(2020, 1, 31)),
    }
    assert set(found[0]["fields"]) | set(found[1]["fields"]) == {"mean_capped_progress", "status_counts", "roll-up"}
    snapshots_verify(repair=True)
    assert snapshots_verify() == []


def test_the_per_save_task_reads_nothing_of_the_other_targets():
    """The same queries, of the same size, in a plan of 10 targets and of 200."""
    def task_queries(target_count: int) -> list[str]:
        plan, targets = build_plan(target_count)
        with CaptureQueriesContext(connection) as captured:
            target_snapshots_refresh(target_id=targets[0].pk)
        return [query["sql"] for query in captured.captured_queries]

    small, large = task_queries(10), task_queries(200)

    assert len(small) == len(large)
    # Every read of targets or snapshots by id names the one target saved, none of the others.
    lists = [found for sql in large for found in re.findall(r'"(?:target_id|id)" IN \(([^)]*)\)', sql)
             if "targets_target" in sql or "snapshots_snapshot" in sql]
    assert lists and all("," not in found for found in lists), lists
    assert Target.objects.count() == 210


def test_two_targets_that_swap_objectives_in_one_transaction_leave_true_roll_ups():
    """A swap keeps every objective's count of targets, so a shift could not notice that each
    target's old contribution sits in the other objective: the move asks for the whole plan."""
    plan, targets = build_plan()
    first, second = targets[0], targets[1]
    first_objective, second_objective = first.objective, second.objective
    RecomputeRequest.objects.all().delete()

    with transaction.atomic():
        first.objective = second_objective
        target_save(target=first)
        second.objective = first_objective
        target_save(target=second)
    for key in RecomputeRequest.objects.values_list("key", flat=True):
        kind, _, id_ = key.partition(":")
        if kind == "target":
            target_snapshots_refresh(target_id=int(id_))
        else:
            plan_snapshots_refresh(plan_id=int(id_))

    assert snapshots_verify() == []
    assert_same_as_a_full_rebuild(plan)
