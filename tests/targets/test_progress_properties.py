"""Properties of the progress engine over generated targets and figures (hypothesis)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from snapshots.models import Rollup, Snapshot
from snapshots.services import snapshots_recompute
from targets import progress
from targets.models import Observation
from tests.factories import ObjectiveFactory, TargetFactory

BASELINE_DATE = dt.date(2019, 12, 31)
TARGET_DATE = dt.date(2023, 12, 31)

amounts = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)
qualifiers = st.sampled_from(["exact", "at_least", "at_most"])
period_ends = st.dates(min_value=BASELINE_DATE, max_value=dt.date(2028, 12, 31))
as_of_dates = st.dates(min_value=BASELINE_DATE, max_value=dt.date(2026, 12, 31))


@st.composite
def targets_and_entries(draw):
    aggregation = draw(st.sampled_from(["sum", "latest"]))
    direction = draw(st.sampled_from(["at_least", "at_most"]))
    baseline = draw(st.one_of(st.none(), amounts))
    goal = draw(amounts.filter(lambda value: baseline is None or value != baseline))
    if baseline is None and goal == 0:
        goal = Decimal(1)
    target = {
        "id": 1, "kind": "quantitative", "target_value": goal, "baseline_value": baseline,
        "baseline_date": BASELINE_DATE, "direction": direction, "aggregation": aggregation,
        "target_date": TARGET_DATE, "on_track_threshold": Decimal("0.95"),
        "acceleration_threshold": Decimal("0.6"),
    }
    days = draw(st.lists(period_ends, max_size=6, unique=True))
    entries = [(1, day, draw(amounts), draw(qualifiers), draw(st.booleans())) for day in sorted(days)]
    return target, entries


def compute(target, entries, as_of):
    [row] = progress.snapshots_compute(
        targets=[target], entries=progress.entries_frame(entries), item_statuses={}, as_of=as_of
    )
    return row


@given(case=targets_and_entries(), as_of=as_of_dates)
@settings(max_examples=250, deadline=None)
def test_status_never_contradicts_the_figures(case, as_of):
    target, entries = case
    row = compute(target, entries, as_of)

    if row["attained"] is None:
        # No figure by the deadline: no data, or — with a later figure — not determined.
        assert row["status"] in (progress.NO_DATA, progress.NOT_DETERMINED)
        return
    met = progress.target_met(
        attained=float(row["attained"]), qualifier=row["attained_qualifier"],
        target=float(target["target_value"]), direction=target["direction"],
    )
    # Achieved only when the figures prove it; before the deadline, whenever they do (after
    # it, a level must also be recent enough to speak for the target date).
    if row["status"] == progress.ACHIEVED:
        assert met
    if as_of <= TARGET_DATE:
        assert (row["status"] == progress.ACHIEVED) == met
    # With exact figures and a known baseline on the far side of the target, achieved is
    # exactly "progress reached 100 %".
    baseline, goal = target["baseline_value"], target["target_value"]
    improving = baseline is not None and (goal > baseline) == (target["direction"] == "at_least")
    if row["attained_qualifier"] == "exact" and improving and row["progress"] is not None and as_of <= TARGET_DATE:
        assert (row["status"] == progress.ACHIEVED) == (row["progress"] >= 1 - 1e-9)
    if row["status"] == progress.NOT_ACHIEVED:
        assert as_of > TARGET_DATE
    if row["status"] in (progress.ON_TRACK, progress.NEEDS_ACCELERATION, progress.OFF_TRACK, progress.MOVING_AWAY):
        assert row["ratio"] is not None and as_of <= TARGET_DATE


@given(case=targets_and_entries(), as_of=as_of_dates, extra=st.decimals(min_value=0, max_value=1000, places=2))
@settings(max_examples=250, deadline=None)
def test_progress_rises_with_the_attained_value(case, as_of, extra):
    target, entries = case
    # The figures the attained value rests on: in the target's window, up to the as-of date
    # (or the target date, once passed).
    opens = (lambda day: day > BASELINE_DATE) if target["aggregation"] == "sum" else (lambda day: day >= BASELINE_DATE)
    used = [e for e in entries if opens(e[1]) and e[1] <= min(as_of, TARGET_DATE)]
    if not used:
        return
    # Raise the figure the attained value rests on (the last one; for sums any would do).
    raised = [*entries]
    index = entries.index(used[-1])
    raised[index] = (*used[-1][:2], used[-1][2] + extra, *used[-1][3:])

    before, after = compute(target, entries, as_of), compute(target, raised, as_of)

    assert after["attained"] >= before["attained"]
    if before["progress"] is None:
        return
    if target["baseline_value"] is None or target["target_value"] > target["baseline_value"]:
        assert after["progress"] >= before["progress"] - 1e-12
    else:  # a target below its baseline: more is further away
        assert after["progress"] <= before["progress"] + 1e-12


@given(case=targets_and_entries(), as_of=as_of_dates)
@settings(max_examples=100, deadline=None)
def test_computing_twice_gives_the_same_rows(case, as_of):
    target, entries = case

    assert compute(target, entries, as_of) == compute(target, entries, as_of)


@pytest.mark.django_db
@given(
    figures=st.lists(st.tuples(period_ends, amounts, qualifiers), max_size=5, unique_by=lambda f: f[0]),
    as_of=as_of_dates,
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_recomputing_twice_stores_identical_snapshots(figures, as_of):
    objective = ObjectiveFactory()
    targets = [
        TargetFactory(objective=objective, aggregation="sum"),
        TargetFactory(objective=objective, aggregation="latest", baseline_value=Decimal("50")),
    ]
    Observation.objects.bulk_create(
        Observation(indicator=target.indicator, period_end=day, value=value, qualifier=qualifier,
                    source_title="generated")
        for target in targets for day, value, qualifier in figures
    )

    def stored():
        return (
            [{k: v for k, v in model_to_dict(s).items() if k not in ("id", "computed_at")}
             for s in Snapshot.objects.filter(target__in=targets).order_by("target_id")],
            list(Rollup.objects.filter(plan=objective.plan).order_by("objective_id")
                 .values("objective_id", "mean_capped_progress", "target_count", "status_counts")),
        )

    snapshots_recompute(as_of=as_of)
    first = stored()
    snapshots_recompute(as_of=as_of)

    assert stored() == first
    assert len(first[0]) == 2
