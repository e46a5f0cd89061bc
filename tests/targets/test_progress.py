"""Hand-computed cases of the progress engine, called directly with plain rows: no
database, so each runs in milliseconds. (The real plan's cases, through the database, are
in test_progress_hangzhou.py.)

Every target here runs from 31 Dec 2019 (baseline) to 31 Dec 2023 (target date): 1,461 days.
"""

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from snapshots.explain import snapshot_explanation
from snapshots.models import Snapshot
from targets import progress
from targets.models import Indicator, Target, TargetItem
from targets.progress import years_between

SPAN_DAYS = 1461  # 31 Dec 2019 → 31 Dec 2023
_ids = itertools.count(1)


@dataclass
class Case:
    """One target's terms and its figures (or named items), as the engine receives them."""

    target: dict
    entries: list = field(default_factory=list)
    items: list = field(default_factory=list)
    unit: str = "patent"


def a_target(*, target_value="300", baseline_value="0", aggregation="sum", direction="at_least", unit="patent",
           kind="quantitative") -> Case:
    return Case(target={
        "id": next(_ids), "objective_id": 1, "plan_id": 1, "kind": kind,
        "target_value": None if target_value is None else Decimal(target_value),
        "baseline_value": None if baseline_value is None else Decimal(baseline_value),
        "baseline_date": dt.date(2019, 12, 31), "direction": direction, "aggregation": aggregation,
        "target_date": dt.date(2023, 12, 31),
        "on_track_threshold": Decimal("0.95"), "acceleration_threshold": Decimal("0.6"),
    }, unit=unit)


def items_target(*statuses, on=dt.date(2021, 6, 30)) -> Case:
    """A qualitative target whose named items were each reported once, on `on`, with these
    statuses ("not_reported": an item without any update)."""
    case = a_target(target_value=None, baseline_value=None, aggregation="latest", kind="qualitative", unit="item")
    case.items = [[] if status == "not_reported" else [(on, status)] for status in statuses]
    return case


def entry(case, period_end, value, qualifier="exact", is_synthetic=False):
    case.entries.append([case.target["id"], period_end, float(value), qualifier, is_synthetic])
    return case.entries[-1]


def snapshot(case, as_of):
    """The engine's row for this target on `as_of`, with attribute access."""
    row = progress.snapshots_compute(
        targets=[case.target], entries=progress.entries_frame(case.entries),
        item_statuses={case.target["id"]: case.items}, as_of=as_of,
    )[0]
    return SimpleNamespace(**row)


def explained(case, result, language="en"):
    """The sentences an official reads beside this result (an unsaved Snapshot: no database)."""
    row = {k: v for k, v in vars(result).items() if k != "target_id"}
    indicator = None if case.unit == "item" else Indicator(unit=case.unit)
    with translation.override(language):
        return snapshot_explanation(Snapshot(target=Target(indicator=indicator), **row))


# --- counts (sum targets): pace ------------------------------------------------------

def test_count_target_part_way_is_on_track_by_pace():
    # 120 of 300 patents after one year of four: progress 0.4, expected 366/1461.
    patents = a_target()
    entry(patents, dt.date(2020, 12, 31), "120")

    result = snapshot(patents, dt.date(2020, 12, 31))

    assert result.method == Snapshot.Method.PACE
    assert result.attained == Decimal("120")
    assert result.attained_qualifier == "exact"
    assert result.data_date == dt.date(2020, 12, 31)
    assert result.progress == pytest.approx(0.4)
    assert result.expected == pytest.approx(366 / SPAN_DAYS)
    assert result.ratio == pytest.approx(0.4 / (366 / SPAN_DAYS))  # 1.597
    assert result.status == Snapshot.Status.ON_TRACK
    # One figure is no trend: a forecast needs two figures of the target's definition.
    assert result.forecast_value is None and result.forecast_reach_date is None
    assert "forecast_needs_two_figures" in result.inputs["notes"]
    assert result.confidence == "high"
    assert result.data_age_days == 0 and not result.is_data_stale
    assert result.inputs["points_used"] == [
        {"period_end": "2020-12-31", "value": "120", "qualifier": "exact", "synthetic": False}
    ]


def test_count_target_behind_needs_acceleration_then_off_track():
    patents = a_target()
    entry(patents, dt.date(2020, 12, 31), "60")  # progress 0.2 against expected 0.2505: pace 0.798

    assert snapshot(patents, dt.date(2020, 12, 31)).status == Snapshot.Status.NEEDS_ACCELERATION
    # A year later with nothing new: expected 731/1461, pace 0.4 → off track, data a year old.
    later = snapshot(patents, dt.date(2021, 12, 31))
    assert later.ratio == pytest.approx(0.2 / (731 / SPAN_DAYS))
    assert later.status == Snapshot.Status.OFF_TRACK
    assert later.data_age_days == 365 and not later.is_data_stale
    assert snapshot(patents, dt.date(2022, 1, 1)).is_data_stale


def test_sum_adds_baseline_and_only_entries_up_to_the_date():
    target = a_target(baseline_value="100")
    entry(target, dt.date(2020, 12, 31), "50")
    entry(target, dt.date(2021, 12, 31), "30", qualifier="at_least", is_synthetic=True)

    before = snapshot(target, dt.date(2021, 6, 30))
    after = snapshot(target, dt.date(2021, 12, 31))

    assert before.attained == Decimal("150") and before.progress == pytest.approx(0.25)
    assert before.attained_qualifier == "exact" and not before.has_synthetic
    assert after.attained == Decimal("180") and after.progress == pytest.approx(0.4)
    # One lower-bound entry makes the whole sum a lower bound; one synthetic entry marks it.
    assert after.attained_qualifier == "at_least"
    assert after.has_synthetic


def test_unknown_baseline_uses_attained_over_target_and_says_so():
    target = a_target(target_value="80", baseline_value=None)
    entry(target, dt.date(2020, 12, 31), "20")

    result = snapshot(target, dt.date(2020, 12, 31))

    assert not result.baseline_known
    assert result.progress == pytest.approx(0.25)
    assert "baseline_unknown" in result.inputs["notes"]
    # Where the count stood at the baseline is unknown, so one figure shows no pace (issue 18).
    assert result.status == Snapshot.Status.NOT_DETERMINED and result.ratio is None
    assert "pace_needs_two_points" in result.inputs["notes"]


# --- levels (latest targets): growth-rate ratio ---------------------------------------

def test_at_most_target_judged_by_falling_level():
    # A level to bring down from 100 to 80 by 2023. At 90 after two years:
    # required (80/100)^(1/4) - 1 = -5.43 %, observed (90/100)^(1/2) - 1 = -5.13 %, R = 0.946.
    target = a_target(unit="item", direction="at_most", aggregation="latest", baseline_value="100", target_value="80")
    entry(target, dt.date(2021, 12, 31), "90")

    result = snapshot(target, dt.date(2022, 6, 30))

    required = 0.8 ** 0.25 - 1
    observed = 0.9 ** 0.5 - 1
    assert result.ratio == pytest.approx(-observed / abs(required))
    assert result.ratio == pytest.approx(0.9458, abs=1e-4)
    assert result.status == Snapshot.Status.NEEDS_ACCELERATION
    assert result.progress == pytest.approx(0.5)


def test_at_most_target_achieved_only_by_a_figure_that_proves_it():
    target = a_target(unit="item", direction="at_most", aggregation="latest", baseline_value="100", target_value="80")
    lower_bound = entry(target, dt.date(2021, 12, 31), "79", qualifier="at_least")
    # "At least 79" may be 85: it does not prove "at most 80".
    assert snapshot(target, dt.date(2022, 1, 31)).status != Snapshot.Status.ACHIEVED
    lower_bound[3] = "at_most"
    assert snapshot(target, dt.date(2022, 1, 31)).status == Snapshot.Status.ACHIEVED


def test_rising_level_of_at_most_target_is_moving_away():
    target = a_target(unit="item", direction="at_most", aggregation="latest", baseline_value="100", target_value="80")
    entry(target, dt.date(2020, 12, 31), "110")

    result = snapshot(target, dt.date(2021, 3, 31))

    assert result.ratio < 0
    assert result.status == Snapshot.Status.MOVING_AWAY
    assert result.progress == pytest.approx(-0.5)  # stored raw, below zero


# --- no data, one point, the start ---------------------------------------------------

def test_no_data():
    target = a_target()

    result = snapshot(target, dt.date(2021, 6, 30))

    assert result.status == Snapshot.Status.NO_DATA
    assert result.method == Snapshot.Method.NONE
    assert result.attained is None and result.progress is None and result.ratio is None
    assert result.data_date is None and result.data_age_days is None
    assert result.expected == pytest.approx(547 / SPAN_DAYS)


def test_one_data_point_of_a_level_without_a_baseline_shows_no_pace():
    """Issue 18: an unknown baseline is unknown, not zero. 150 of 300 after two of four years
    read "on track" (pace 0.5 / 0.5), as if the level had started at 0; it may have stood at
    149. Where it stands is known (50 % of the target), how fast it moves is not."""
    target = a_target(aggregation="latest", baseline_value=None)
    entry(target, dt.date(2021, 12, 31), "150")

    result = snapshot(target, dt.date(2021, 12, 31))

    assert result.method == Snapshot.Method.PACE
    assert result.progress == pytest.approx(0.5)
    assert result.status == Snapshot.Status.NOT_DETERMINED and result.ratio is None
    assert {"one_point_pace", "pace_needs_two_points"} <= set(result.inputs["notes"])
    assert result.forecast_value is None and result.forecast_reach_date is None
    assert any("one figure shows where the value stands but not how fast" in sentence
               for sentence in explained(target, result))


def test_second_point_without_baseline_measures_growth_from_the_first():
    target = a_target(aggregation="latest", baseline_value=None, target_value="400")
    entry(target, dt.date(2020, 12, 31), "100")
    entry(target, dt.date(2021, 12, 31), "200")

    result = snapshot(target, dt.date(2021, 12, 31))

    # observed: doubling in a year (100 %); required: 100 → 400 in three years (58.74 %).
    assert result.method == Snapshot.Method.GROWTH_RATIO
    assert result.inputs["observed_cagr"] == pytest.approx(1.0)
    assert result.inputs["required_cagr"] == pytest.approx(4 ** (1 / 3) - 1, abs=1e-6)
    assert "first_point_as_base" in result.inputs["notes"]


def test_at_the_baseline_date_pace_is_undefined_and_not_divided_by_zero():
    # A level on the baseline date is a figure (its starting point), but no progress is due yet.
    target = a_target(aggregation="latest", baseline_value=None)
    entry(target, dt.date(2019, 12, 31), "10")

    result = snapshot(target, dt.date(2019, 12, 31))

    assert result.expected == 0
    assert result.ratio is None
    assert result.status == Snapshot.Status.NO_DATA
    assert "too_early" in result.inputs["notes"]


def test_a_count_reported_on_its_baseline_date_is_outside_its_window():
    # A sum counts what was added after the baseline date: a figure dated on it is not part of it.
    target = a_target()
    entry(target, dt.date(2019, 12, 31), "10")

    result = snapshot(target, dt.date(2020, 6, 30))

    assert result.attained is None and result.status == Snapshot.Status.NO_DATA
    assert "no_figure_since_baseline" in result.inputs["notes"]


def test_met_at_the_baseline_date_is_achieved():
    target = a_target(target_value="10", aggregation="latest", baseline_value=None)
    entry(target, dt.date(2019, 12, 31), "10")

    assert snapshot(target, dt.date(2019, 12, 31)).status == Snapshot.Status.ACHIEVED


def test_a_baseline_alone_is_no_data():
    result = snapshot(a_target(aggregation="latest", baseline_value="100", target_value="200"), dt.date(2021, 6, 30))

    assert result.status == Snapshot.Status.NO_DATA and result.progress is None
    assert result.inputs["notes"] == ["no_figure_since_baseline"]
    assert result.confidence == ""


# --- after the target date -------------------------------------------------------------

def test_deadline_passed_and_met():
    target = a_target()
    entry(target, dt.date(2020, 12, 31), "120")
    entry(target, dt.date(2021, 12, 31), "100")
    entry(target, dt.date(2022, 12, 31), "90")

    result = snapshot(target, dt.date(2024, 3, 31))

    assert result.attained == Decimal("310")
    assert result.status == Snapshot.Status.ACHIEVED
    # Reached: the figures say so (data date 31 Dec 2022); a reached target has no forecast.
    assert result.data_date == dt.date(2022, 12, 31)
    assert result.forecast_value is None and result.forecast_reach_date is None


def test_deadline_passed_and_missed():
    target = a_target()
    entry(target, dt.date(2020, 12, 31), "120")
    entry(target, dt.date(2023, 12, 31), "100")

    result = snapshot(target, dt.date(2024, 3, 31))

    assert result.attained == Decimal("220")
    assert result.status == Snapshot.Status.NOT_ACHIEVED


def test_deadline_passed_with_a_lower_bound_below_target_is_not_a_miss():
    target = a_target()
    entry(target, dt.date(2023, 12, 31), "220", qualifier="at_least")

    result = snapshot(target, dt.date(2024, 3, 31))

    assert result.status == Snapshot.Status.NOT_DETERMINED
    assert "bound_not_conclusive" in result.inputs["notes"]
    assert result.confidence == "medium"  # a bound: one step below the figure's high


def test_deadline_passed_with_only_old_figures_is_not_a_miss():
    target = a_target()
    entry(target, dt.date(2021, 12, 31), "100")  # two years before the target date

    result = snapshot(target, dt.date(2024, 3, 31))

    assert result.status == Snapshot.Status.NOT_DETERMINED
    assert result.inputs["notes"] == ["figure_too_old_at_deadline"]
    assert result.is_data_stale


def test_the_deadline_day_itself_gets_a_final_verdict():
    """Issue 18, finding 1: the provincial target of >= 1,000 patents by 2024-12-31, with figures
    that sum to exactly 950 on that day, read "on track" (ratio 0.95, a forecast of 910 reached in
    2025) on the deadline and "not_achieved" only a month later. On the target date there is no pace
    and no forecast any more: only a verdict."""
    target = a_target(target_value="1000")
    target.target.update(baseline_date=dt.date(2021, 12, 31), target_date=dt.date(2024, 12, 31))
    entry(target, dt.date(2022, 12, 31), "300")
    entry(target, dt.date(2023, 12, 31), "300")
    entry(target, dt.date(2024, 12, 31), "350")

    on_the_day, a_day_before = snapshot(target, dt.date(2024, 12, 31)), snapshot(target, dt.date(2024, 12, 30))

    assert on_the_day.attained == Decimal("950")
    assert on_the_day.status == Snapshot.Status.NOT_ACHIEVED
    assert on_the_day.forecast_value is None and on_the_day.forecast_reach_date is None
    assert on_the_day.status == snapshot(target, dt.date(2025, 1, 31)).status
    assert explained(target, on_the_day)[0].startswith("Judged at the target date, 31 Dec 2024")
    assert a_day_before.status != Snapshot.Status.NOT_ACHIEVED  # the day before is still mid-course


def test_figure_for_the_last_period_before_the_deadline_can_prove_a_miss():
    target = a_target()
    entry(target, dt.date(2023, 6, 30), "100")

    assert snapshot(target, dt.date(2024, 1, 31)).status == Snapshot.Status.NOT_ACHIEVED


# --- qualitative targets ---------------------------------------------------------------

def test_qualitative_target_is_share_of_items_achieved_judged_by_pace():
    fields = items_target(*["achieved"] * 3, "in_progress", "not_started", "not_started")

    result = snapshot(fields, dt.date(2021, 12, 31))

    assert result.method == Snapshot.Method.ITEMS
    assert result.progress == pytest.approx(0.5)
    assert result.attained == Decimal("3")
    assert result.ratio == pytest.approx(0.5 / (731 / SPAN_DAYS))
    assert result.status == Snapshot.Status.ON_TRACK
    assert result.inputs["items_total"] == 6 and result.inputs["items_achieved"] == 3


def test_qualitative_target_achieved_when_every_item_is():
    fields = items_target("achieved", "achieved")

    assert snapshot(fields, dt.date(2021, 12, 31)).status == Snapshot.Status.ACHIEVED


def test_qualitative_target_without_items_has_no_data():
    result = snapshot(items_target(), dt.date(2021, 12, 31))

    assert result.status == Snapshot.Status.NO_DATA
    assert result.progress is None


def test_items_without_any_dated_report_are_no_evidence_and_no_judgement():
    fields = items_target("not_reported", "not_reported", "not_reported")

    result = snapshot(fields, dt.date(2022, 6, 30))

    assert result.status == Snapshot.Status.NO_DATA  # not "off track": nobody reported anything
    assert result.progress is None and result.method == Snapshot.Method.NONE
    assert result.inputs["notes"] == ["no_item_reported"]


def test_an_item_counts_only_from_the_date_of_its_report():
    fields = items_target("achieved", "achieved", on=dt.date(2022, 3, 1))

    assert snapshot(fields, dt.date(2021, 12, 31)).status == Snapshot.Status.NO_DATA
    assert snapshot(fields, dt.date(2022, 3, 1)).status == Snapshot.Status.ACHIEVED


def test_after_the_deadline_items_not_all_reported_leave_the_verdict_open():
    open_ = items_target("achieved", "not_reported", on=dt.date(2022, 3, 1))
    closed = items_target("achieved", "in_progress", on=dt.date(2022, 3, 1))

    undetermined = snapshot(open_, dt.date(2024, 6, 30))
    assert undetermined.status == Snapshot.Status.NOT_DETERMINED
    assert "items_not_all_reported_by_deadline" in undetermined.inputs["notes"]
    assert snapshot(closed, dt.date(2024, 6, 30)).status == Snapshot.Status.NOT_ACHIEVED


# --- helpers ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("start", "end", "years"),
    [
        (dt.date(2019, 12, 31), dt.date(2020, 12, 31), 1.0),
        (dt.date(2019, 12, 31), dt.date(2023, 12, 31), 4.0),
        (dt.date(2020, 2, 29), dt.date(2021, 2, 28), 1.0),
        (dt.date(2021, 1, 1), dt.date(2021, 7, 2), 182 / 365),
        (dt.date(2023, 12, 31), dt.date(2019, 12, 31), -4.0),
    ],
)
def test_years_between_counts_calendar_years(start, end, years):
    assert years_between(start, end) == pytest.approx(years)


# --- explanations ----------------------------------------------------------------------

def test_explanation_of_a_count_states_pace_and_thresholds():
    patents = a_target()
    entry(patents, dt.date(2020, 12, 31), "60")
    result = snapshot(patents, dt.date(2020, 12, 31))

    sentences = explained(patents, result)

    assert "Attained by 31 Dec 2020 (baseline plus 1 reported figure): 60 patents." in sentences
    assert (
        "The pace, 0.80, is below the on-track threshold 0.95 but at or above the needs-acceleration "
        "threshold 0.6."
    ) in sentences
    assert "Status: needs acceleration." in sentences


def test_explanation_of_a_snapshot_without_data_or_inputs():
    fields = items_target()
    empty_sentences = explained(fields, snapshot(fields, dt.date(2021, 12, 31)))
    bare = Snapshot(target=Target(indicator=Indicator(unit="patent")), as_of=dt.date(2021, 12, 31),
                    status=Snapshot.Status.NO_DATA)
    with translation.override("en"):
        bare_sentences = snapshot_explanation(bare)

    assert "No named items have been entered for this target yet." in empty_sentences
    assert bare_sentences == ["No figure has been reported up to 31 Dec 2021.", "Status: no data."]


def test_the_status_on_a_date_comes_from_the_last_update_by_then():
    from targets.progress import status_from_updates

    updates = [(dt.date(2021, 3, 1), "in_progress"), (dt.date(2021, 9, 1), ""), (dt.date(2022, 3, 1), "completed")]

    def on(day):
        return status_from_updates(updates, day)

    assert on(dt.date(2021, 1, 1)) == "not_reported"  # no dated update yet: no evidence, no judgement
    assert on(dt.date(2021, 12, 31)) == "in_progress"  # the update without a status changes nothing
    assert on(dt.date(2022, 3, 1)) == "completed"
    assert status_from_updates(updates) == "completed"  # with every update
    assert status_from_updates([]) == "not_reported"
    # Two updates on one day: the one entered last wins.
    assert status_from_updates([(dt.date(2021, 3, 1), "not_started"), (dt.date(2021, 3, 1), "achieved")]) == "achieved"


def test_named_items_and_measures_share_the_one_status_rule():
    """Issue 17: the rule was written twice (items in the engine, measures in their app) and
    could drift; both now call the core's one function, and answer alike."""
    from measures import progress as measures_progress
    from measures import services as measures_services
    from snapshots.api import serializers
    from targets.progress import items
    from targets.progress.updates import status_from_updates

    for module in (items, measures_progress, measures_services, serializers):
        assert module.status_from_updates is status_from_updates
    for name in ("item_status_on", "measure_status_on"):
        assert not hasattr(items, name) and not hasattr(measures_progress, name)

    # A qualitative target's item and a measure with the same dated updates: the same status.
    updates = [(dt.date(2021, 3, 1), "in_progress"), (dt.date(2022, 3, 1), "not_started")]
    target = {"id": 1, "baseline_date": dt.date(2020, 12, 31), "target_date": dt.date(2025, 12, 31),
              "on_track_threshold": 0.95, "acceleration_threshold": 0.7}
    on = dt.date(2021, 12, 31)
    assert items.items_snapshot(target, [updates], on)["inputs"]["items_reported"] == 1
    rollup = measures_progress.area_rollups_compute(
        areas=[7], measures=[(3, 7)], updates=[(3, day, status) for day, status in updates], as_of=on)
    assert rollup == [{"area_id": 7, "measure_count": 1, "status_counts": {"in_progress": 1}}]


# --- one vocabulary, one rule ----------------------------------------------------------

def test_the_models_take_their_codes_from_the_engine():
    from targets.models import Observation

    assert tuple(Snapshot.Status.values) == progress.STATUSES
    assert tuple(Snapshot.Method.values) == progress.METHODS
    assert tuple(Observation.Qualifier.values) == progress.QUALIFIERS
    assert set(Target.Direction.values) == {progress.AT_LEAST, progress.AT_MOST}
    assert progress.NOT_REPORTED in TargetItem.Status.values
    assert progress.QUALITATIVE in Target.Kind.values


@pytest.mark.parametrize(
    ("ratio", "phrase"),
    [
        (0.95, "is at or above the on-track threshold"),
        (0.9499, "but at or above the needs-acceleration"),
        (0.6, "but at or above the needs-acceleration"),
        (0.5999, "is below the needs-acceleration threshold"),
        (0.0, "is below the needs-acceleration threshold"),
        (-0.01, "moving away from the target"),
    ],
)
def test_the_explanation_names_the_band_the_engine_judged(ratio, phrase):
    from snapshots.explain import _threshold_comparison

    with translation.override("en"):
        assert phrase in _threshold_comparison(ratio, 0.95, 0.6)


def test_the_explanation_asks_the_engine_for_the_band(monkeypatch):
    """The sentence follows the engine's comparison: change that, and the sentence follows."""
    from snapshots.explain import _threshold_comparison

    monkeypatch.setattr(progress, "status_from_ratio", lambda ratio, **thresholds: progress.MOVING_AWAY)
    with translation.override("en"):
        assert "moving away" in _threshold_comparison(2.0, 0.95, 0.6)


@pytest.mark.parametrize(
    ("qualifiers", "bound", "note"),
    [
        (["exact", "exact"], "exact", None),
        (["exact", "at_least"], "at_least", None),
        (["exact", "partial_period"], "at_least", progress.NOTE_PARTIAL_PERIOD_LOWER_BOUND),
        (["at_least", "at_most"], "exact", progress.NOTE_MIXED_BOUNDS),
        (["partial_period", "at_most"], "exact", progress.NOTE_MIXED_BOUNDS),
        (["at_most", "exact"], "at_most", None),
    ],
)
def test_the_bound_of_a_sum(qualifiers, bound, note):
    patents = a_target()
    for year, qualifier in zip((2020, 2021), qualifiers, strict=True):
        entry(patents, dt.date(year, 12, 31), "50", qualifier=qualifier)

    result = snapshot(patents, dt.date(2021, 12, 31))

    assert result.attained_qualifier == bound
    assert progress.running_sum_bounds(qualifiers)[-1] == bound
    if note:
        assert note in result.inputs["notes"]


# --- no evidence, no judgement: definitions, deadlines, bounds, forecasts, confidence --------
# The industry-size target of the 2020 plan, in its own figures: 2,000 亿元 by 31 Dec 2023;
# baseline 1,157.69 亿元 (2019) of another scope (enterprises above designated size); 2020 at
# least 1,500 (the AI industry: the target's scope); 2024 at least 3,000 — the AI *core*
# industry, another scope, which the store passes as context, not as a figure.

def industry_size() -> Case:
    case = a_target(target_value="2000", baseline_value="1157.69", aggregation="latest", unit="yi_yuan")
    case.target["baseline_comparable"] = False
    case.target["other_scope"] = [
        {"period_end": "2024-12-31", "value": "3000", "qualifier": "at_least", "scope": "ai-core-industry", "note": ""},
    ]
    entry(case, dt.date(2020, 12, 31), "1500", qualifier="at_least")
    return case


def test_a_baseline_of_another_definition_is_never_computed_from():
    result = snapshot(industry_size(), dt.date(2021, 6, 30))

    # Progress is the attained value as a share of the target (1,500 / 2,000), never growth
    # from 1,157.69: that figure counts something else.
    assert result.progress == pytest.approx(0.75)
    assert result.method == Snapshot.Method.PACE and result.inputs["observed_cagr"] is None
    # At 1,500 the pace is 0.75 / (547 / 1,461) = 2.00, on track; the true value may be 2,000 or
    # more, achieved. A lower bound below the target decides neither (issue 18, finding 2).
    assert result.status == Snapshot.Status.NOT_DETERMINED and result.ratio is None
    # And one figure without a comparable baseline shows no pace: not determined below 2,000 either.
    assert result.inputs["status_range"] == ["achieved", "not_determined"]
    assert {"baseline_other_scope", "one_point_pace", "forecast_needs_two_figures",
            "status_range"} <= set(result.inputs["notes"])
    assert result.forecast_value is None  # one figure of its definition: no trend
    assert result.confidence == "medium"  # a high-confidence figure, but a lower bound


def test_after_the_deadline_a_figure_of_another_definition_is_context_not_achievement():
    result = snapshot(industry_size(), dt.date(2026, 11, 28))

    # 2024's "at least 3,000" is above the target, but it counts the core industry and comes a
    # year after the deadline: the verdict rests on 2020's figure, three years before it.
    assert result.status == Snapshot.Status.NOT_DETERMINED
    assert "figure_too_old_at_deadline" in result.inputs["notes"]
    assert result.inputs["other_scope"]["period_end"] == "2024-12-31"
    assert result.inputs["after_deadline"] is None  # nothing of its own definition after the deadline
    assert result.confidence == "low"  # stale at the deadline and a bound
    with translation.override("en"):
        text = " ".join(explained(industry_size(), result))
    assert ("A figure of another definition, the AI core industry (人工智能核心产业): at least RMB 300 billion for 31 Dec 2024 — shown "
            "as context, never part of the status or a growth rate.") in text


def test_a_later_figure_of_the_same_definition_is_context_not_the_verdict():
    case = a_target(target_value="2000", baseline_value="1157.69", aggregation="latest", unit="yi_yuan")
    entry(case, dt.date(2020, 12, 31), "1500")
    entry(case, dt.date(2024, 12, 31), "3000", qualifier="at_least")

    result = snapshot(case, dt.date(2025, 6, 30))

    assert result.status == Snapshot.Status.NOT_DETERMINED  # not "achieved" from a 2024 figure
    assert result.data_date == dt.date(2020, 12, 31)
    assert result.inputs["after_deadline"] == {
        "period_end": "2024-12-31", "value": "3000", "qualifier": "at_least", "synthetic": False,
    }
    with translation.override("en"):
        text = " ".join(explained(case, result))
    assert "After the deadline: at least RMB 300 billion by 31 Dec 2024" in text


def test_a_figure_at_the_deadline_decides_and_a_lower_bound_proves_achievement():
    case = a_target(target_value="2000", baseline_value="1157.69", aggregation="latest", unit="yi_yuan")
    entry(case, dt.date(2023, 12, 31), "2100", qualifier="at_least")

    assert snapshot(case, dt.date(2024, 6, 30)).status == Snapshot.Status.ACHIEVED


def test_a_bound_is_never_the_exact_start_of_growth():
    """Issue 18, finding 3: with ≥ 3,000 (2024) and 4,600 (2025) the 2026 target (> 5,500) read
    on_track, growth ratio 1.51 and forecast 7,053. Had 2024 been 4,000 the ratio would be 0.87;
    4,500, 0.21: the bound decides nothing, and nothing may be grown from it."""
    case = a_target(target_value="5500", baseline_value=None, aggregation="latest", unit="yi_yuan")
    case.target.update(baseline_date=dt.date(2024, 6, 30), target_date=dt.date(2026, 12, 31))
    entry(case, dt.date(2024, 12, 31), "3000", qualifier="at_least")
    entry(case, dt.date(2025, 12, 31), "4600")

    result = snapshot(case, dt.date(2026, 1, 31))
    exact = a_target(target_value="5500", baseline_value=None, aggregation="latest", unit="yi_yuan")
    exact.target.update(baseline_date=dt.date(2024, 6, 30), target_date=dt.date(2026, 12, 31))
    entry(exact, dt.date(2024, 12, 31), "4000")
    entry(exact, dt.date(2025, 12, 31), "4600")

    assert result.status == Snapshot.Status.NOT_DETERMINED
    assert result.ratio is None and result.inputs["observed_cagr"] is None
    assert result.forecast_value is None and result.forecast_reach_date is None
    assert result.inputs["status_range"][0] == "on_track"  # from 3,000: ratio 1.51
    assert round(snapshot(exact, dt.date(2026, 1, 31)).ratio, 2) == 0.87  # from 4,000, exact
    assert "Status: not determined — between on track and moving away: the figure for 31 Dec 2024 (at least " \
           "RMB 300 billion) is a bound, and the status differs across the values it allows." in explained(case, result)


def test_an_upper_bound_proves_a_miss_but_never_achievement():
    case = a_target(target_value="2000", baseline_value="1157.69", aggregation="latest", unit="yi_yuan")
    entry(case, dt.date(2023, 12, 31), "1800", qualifier="at_most")

    assert snapshot(case, dt.date(2024, 6, 30)).status == Snapshot.Status.NOT_ACHIEVED
    at_most = a_target(target_value="80", baseline_value="100", aggregation="latest", direction="at_most")
    entry(at_most, dt.date(2023, 12, 31), "70", qualifier="at_most")
    assert snapshot(at_most, dt.date(2024, 6, 30)).status == Snapshot.Status.ACHIEVED


def test_a_count_past_its_target_before_the_deadline_stays_achieved():
    # A count only grows: 320 of 300 in 2021 is achieved for good, even with no later figure.
    case = a_target()
    entry(case, dt.date(2021, 12, 31), "320")

    assert snapshot(case, dt.date(2026, 6, 30)).status == Snapshot.Status.ACHIEVED


def test_a_sum_counts_only_its_window():
    case = a_target()
    entry(case, dt.date(2019, 12, 31), "500")  # before the window opens
    entry(case, dt.date(2022, 6, 30), "100")
    entry(case, dt.date(2024, 12, 31), "500")  # after the target date: context

    result = snapshot(case, dt.date(2025, 3, 31))

    assert result.attained == Decimal("100")
    # The window's last figure is 18 months before the deadline: more than one reporting period.
    assert result.status == Snapshot.Status.NOT_DETERMINED
    assert result.inputs["after_deadline"]["period_end"] == "2024-12-31"


def test_a_forecast_agrees_with_its_reach_date_and_never_says_a_past_date():
    case = a_target()
    entry(case, dt.date(2020, 12, 31), "60")
    entry(case, dt.date(2021, 12, 31), "60")

    result = snapshot(case, dt.date(2022, 3, 31))

    due = dt.date(2023, 12, 31)
    value, reach = result.forecast_value, result.forecast_reach_date
    assert value is not None
    # Reached by the deadline exactly when the trend's value there meets the target.
    assert (reach is not None and reach <= due) == (value >= Decimal("300"))
    assert reach is None or reach > dt.date(2022, 3, 31)

    fast = a_target()
    entry(fast, dt.date(2020, 6, 30), "100")
    entry(fast, dt.date(2020, 12, 31), "150")  # 250 by then; the trend crosses 300 in early 2021
    late = snapshot(fast, dt.date(2021, 11, 30))
    assert late.status != Snapshot.Status.ACHIEVED  # the figures show 250, not 300
    assert late.forecast_reach_date is None  # a date already past is not "will reach"
    with translation.override("en"):
        text = " ".join(explained(fast, late))
    assert "would be reached on" not in text


def test_confidence_is_the_lowest_figure_and_lower_for_stale_data():
    case = a_target()
    entry(case, dt.date(2020, 12, 31), "100")
    case.entries[-1].append("medium")
    entry(case, dt.date(2021, 12, 31), "50")

    assert snapshot(case, dt.date(2021, 12, 31)).confidence == "medium"
    assert snapshot(case, dt.date(2023, 6, 30)).confidence == "low"  # more than a year old


def test_figures_of_database_rows_are_the_entries_frame_of_those_rows():
    """The engine's fast conversion of raw rows (issue 17) gives exactly `entries_frame`'s columns,
    sorted by target and date, whatever extra columns (the observation id) trail the six."""
    from targets.progress.figures import figures_of_rows

    rows = [
        (3, "2021-12-31", 5.5, "exact", False, "high", 11), (1, "2020-06-30", 2.0, "at_least", True, "low", 12),
        (3, "2020-12-31", 1.25, "partial_period", False, "medium"), (1, "2019-12-31", 0.0, "at_most", False, "high", 13),
    ]
    fast, reference = figures_of_rows(rows), progress.entries_frame(row[:6] for row in rows)

    for column in ("target_id", "day", "value", "qualifier", "synthetic", "confidence"):
        assert getattr(fast, column).tolist() == getattr(reference, column).tolist()
        assert getattr(fast, column).dtype == getattr(reference, column).dtype
    assert fast.target_id.tolist() == [1, 1, 3, 3]


def test_lower_bounds_take_the_quick_path_to_the_same_verdicts(monkeypatch):
    """With only lower bounds the interval's ends are judged from the evidence already gathered
    (`snapshots._judge_intervals`); a second pass over the figures gives the same statuses and
    ranges, for sums and levels, rising and falling, before and after the deadline."""
    from targets.progress import snapshots as engine

    cases = []
    for aggregation, direction, baseline, values in [
        ("sum", "at_least", "0", ["120", "100"]), ("latest", "at_least", "100", ["150", "250"]),
        ("latest", "at_least", None, ["150", "250"]), ("latest", "at_most", "100", ["90", "85"]),
        ("sum", "at_most", "0", ["50", "20"]), ("latest", "at_least", "100", ["400", "350"]),
    ]:
        case = a_target(aggregation=aggregation, direction=direction, baseline_value=baseline,
                        target_value="80" if direction == "at_most" else "300")
        entry(case, dt.date(2020, 12, 31), values[0], qualifier="at_least")
        entry(case, dt.date(2022, 12, 31), values[1])
        cases.append(case)

    def rows():
        return [(row["status"], row["inputs"]["status_range"]) for case in cases for row in progress.history_compute(
            targets=[case.target], entries=progress.entries_frame(case.entries), item_statuses={},
            dates=[dt.date(2021, 6, 30), dt.date(2023, 3, 31), dt.date(2023, 12, 31), dt.date(2024, 6, 30)])]

    quick = rows()
    judge = engine._judge_intervals
    monkeypatch.setattr(engine, "_judge_intervals", lambda *args, **kwargs: judge(*args, **{**kwargs, "evidence": None}))

    assert rows() == quick
    assert {status for status, _ in quick} >= {"not_determined", "achieved"}
