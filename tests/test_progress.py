"""Hand-computed cases of the progress engine, through `snapshots_recompute`.

Every plan here runs from 31 Dec 2019 (baseline) to 31 Dec 2023 (target date): 1,461 days.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from targets.explain import snapshot_explanation
from targets.models import ProgressEntry, Snapshot, Target
from targets.progress import years_between
from targets.services import snapshots_recompute
from tests.factories import ProgressEntryFactory, QualitativeTargetFactory, TargetFactory, TargetItemFactory

pytestmark = pytest.mark.django_db

SPAN_DAYS = 1461  # 31 Dec 2019 → 31 Dec 2023


def snapshot(target, as_of):
    snapshots_recompute(as_of=as_of, target_ids=[target.pk])
    return Snapshot.objects.get(target=target, as_of=as_of)


def entry(target, period_end, value, qualifier=ProgressEntry.Qualifier.EXACT, **extra):
    return ProgressEntryFactory(target=target, period_end=period_end, value=Decimal(value), qualifier=qualifier, **extra)


# --- counts (sum targets): pace ------------------------------------------------------

def test_count_target_part_way_is_on_track_by_pace():
    # 120 of 300 patents after one year of four: progress 0.4, expected 366/1461.
    patents = TargetFactory(target_value=Decimal("300"), baseline_value=Decimal("0"))
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
    # Linear trend through (0, 0) and (366, 120): 479.0 on 31 Dec 2023; 300 after 915 days.
    assert result.forecast_value == pytest.approx(Decimal("479.0164"), abs=Decimal("0.0001"))
    assert result.forecast_reach_date == dt.date(2022, 7, 3)
    assert result.data_age_days == 0 and not result.is_data_stale
    assert result.inputs["points_used"] == [
        {"period_end": "2020-12-31", "value": "120", "qualifier": "exact", "synthetic": False}
    ]


def test_count_target_behind_needs_acceleration_then_off_track():
    patents = TargetFactory(target_value=Decimal("300"), baseline_value=Decimal("0"))
    entry(patents, dt.date(2020, 12, 31), "60")  # progress 0.2 against expected 0.2505: pace 0.798

    assert snapshot(patents, dt.date(2020, 12, 31)).status == Snapshot.Status.NEEDS_ACCELERATION
    # A year later with nothing new: expected 731/1461, pace 0.4 → off track, data a year old.
    later = snapshot(patents, dt.date(2021, 12, 31))
    assert later.ratio == pytest.approx(0.2 / (731 / SPAN_DAYS))
    assert later.status == Snapshot.Status.OFF_TRACK
    assert later.data_age_days == 365 and not later.is_data_stale
    assert snapshot(patents, dt.date(2022, 1, 1)).is_data_stale


def test_sum_adds_baseline_and_only_entries_up_to_the_date():
    target = TargetFactory(target_value=Decimal("300"), baseline_value=Decimal("100"))
    entry(target, dt.date(2020, 12, 31), "50")
    entry(target, dt.date(2021, 12, 31), "30", qualifier=ProgressEntry.Qualifier.AT_LEAST, is_synthetic=True)

    before = snapshot(target, dt.date(2021, 6, 30))
    after = snapshot(target, dt.date(2021, 12, 31))

    assert before.attained == Decimal("150") and before.progress == pytest.approx(0.25)
    assert before.attained_qualifier == "exact" and not before.has_synthetic
    assert after.attained == Decimal("180") and after.progress == pytest.approx(0.4)
    # One lower-bound entry makes the whole sum a lower bound; one synthetic entry marks it.
    assert after.attained_qualifier == "at_least"
    assert after.has_synthetic


def test_unknown_baseline_uses_attained_over_target_and_says_so():
    target = TargetFactory(target_value=Decimal("80"), baseline_value=None)
    entry(target, dt.date(2020, 12, 31), "20")

    result = snapshot(target, dt.date(2020, 12, 31))

    assert not result.baseline_known
    assert result.progress == pytest.approx(0.25)
    assert "baseline_unknown" in result.inputs["notes"]


# --- levels (latest targets): growth-rate ratio ---------------------------------------

def test_industry_size_worked_example(hangzhou_plan):
    industry = Target.objects.get(code="industry-size")

    result = snapshot(industry, dt.date(2021, 6, 30))

    assert result.method == Snapshot.Method.GROWTH_RATIO
    assert result.attained == Decimal("1500") and result.attained_qualifier == "at_least"
    assert result.data_date == dt.date(2020, 12, 31)
    assert result.inputs["required_cagr"] == pytest.approx((2000 / 1157.69) ** 0.25 - 1)
    assert round(result.inputs["required_cagr"] * 100, 2) == 14.65
    assert round(result.inputs["observed_cagr"] * 100, 2) == 29.57
    assert round(result.ratio, 2) == 2.02
    assert result.status == Snapshot.Status.ON_TRACK
    assert result.progress == pytest.approx((1500 - 1157.69) / (2000 - 1157.69))
    assert [p["period_end"] for p in result.inputs["points_used"]] == ["2019-12-31", "2020-12-31"]
    assert result.forecast_reach_date == dt.date(2022, 2, 9)


def test_industry_size_is_achieved_from_the_2024_figure_on(hangzhou_plan):
    industry = Target.objects.get(code="industry-size")

    result = snapshot(industry, dt.date(2025, 1, 1))

    assert result.status == Snapshot.Status.ACHIEVED
    assert result.attained == Decimal("3000") and result.attained_qualifier == "at_least"
    # Before that figure the 2020 one is too old to say anything about the 2023 target.
    undecided = snapshot(industry, dt.date(2024, 6, 30))
    assert undecided.status == Snapshot.Status.NO_DATA
    assert "deadline_passed_without_data" in undecided.inputs["notes"]


def test_industry_size_explanation_in_english(hangzhou_plan):
    industry = Target.objects.get(code="industry-size")
    result = snapshot(industry, dt.date(2021, 6, 30))

    with translation.override("en"):
        sentences = snapshot_explanation(result)

    assert (
        "Required growth to reach RMB 200 billion by 31 Dec 2023 is 14.65 % a year; observed growth is at "
        "least 29.57 % a year; their ratio 2.02 is at or above the on-track threshold 0.95."
    ) in sentences
    assert "Status: on track." in sentences


def test_explanation_in_chinese_uses_chinese_quantities(hangzhou_plan):
    industry = Target.objects.get(code="industry-size")
    result = snapshot(industry, dt.date(2025, 1, 1))

    with translation.override("zh-hans"):
        text = " ".join(snapshot_explanation(result))

    assert "3,000 亿元" in text and "2,000 亿元" in text


def test_at_most_target_judged_by_falling_level():
    # A level to bring down from 100 to 80 by 2023. At 90 after two years:
    # required (80/100)^(1/4) - 1 = -5.43 %, observed (90/100)^(1/2) - 1 = -5.13 %, R = 0.946.
    target = TargetFactory(
        unit="item", direction=Target.Direction.AT_MOST, aggregation=Target.Aggregation.LATEST,
        baseline_value=Decimal("100"), target_value=Decimal("80"),
    )
    entry(target, dt.date(2021, 12, 31), "90")

    result = snapshot(target, dt.date(2022, 6, 30))

    required = 0.8 ** 0.25 - 1
    observed = 0.9 ** 0.5 - 1
    assert result.ratio == pytest.approx(-observed / abs(required))
    assert result.ratio == pytest.approx(0.9458, abs=1e-4)
    assert result.status == Snapshot.Status.NEEDS_ACCELERATION
    assert result.progress == pytest.approx(0.5)


def test_at_most_target_achieved_only_by_a_figure_that_proves_it():
    target = TargetFactory(
        unit="item", direction=Target.Direction.AT_MOST, aggregation=Target.Aggregation.LATEST,
        baseline_value=Decimal("100"), target_value=Decimal("80"),
    )
    lower_bound = entry(target, dt.date(2021, 12, 31), "79", qualifier=ProgressEntry.Qualifier.AT_LEAST)
    # "At least 79" may be 85: it does not prove "at most 80".
    assert snapshot(target, dt.date(2022, 1, 31)).status != Snapshot.Status.ACHIEVED
    lower_bound.qualifier = ProgressEntry.Qualifier.AT_MOST
    lower_bound.save()
    assert snapshot(target, dt.date(2022, 1, 31)).status == Snapshot.Status.ACHIEVED


def test_rising_level_of_at_most_target_is_moving_away():
    target = TargetFactory(
        unit="item", direction=Target.Direction.AT_MOST, aggregation=Target.Aggregation.LATEST,
        baseline_value=Decimal("100"), target_value=Decimal("80"),
    )
    entry(target, dt.date(2020, 12, 31), "110")

    result = snapshot(target, dt.date(2021, 3, 31))

    assert result.ratio < 0
    assert result.status == Snapshot.Status.MOVING_AWAY
    assert result.progress == pytest.approx(-0.5)  # stored raw, below zero


# --- no data, one point, the start ---------------------------------------------------

def test_no_data():
    target = TargetFactory()

    result = snapshot(target, dt.date(2021, 6, 30))

    assert result.status == Snapshot.Status.NO_DATA
    assert result.method == Snapshot.Method.NONE
    assert result.attained is None and result.progress is None and result.ratio is None
    assert result.data_date is None and result.data_age_days is None
    assert result.expected == pytest.approx(547 / SPAN_DAYS)


def test_one_data_point_of_a_level_falls_back_to_pace():
    # A level with no known baseline and one figure: no growth rate, so pace.
    target = TargetFactory(aggregation=Target.Aggregation.LATEST, baseline_value=None, target_value=Decimal("300"))
    entry(target, dt.date(2021, 12, 31), "150")

    result = snapshot(target, dt.date(2021, 12, 31))

    assert result.method == Snapshot.Method.PACE
    assert result.progress == pytest.approx(0.5)
    assert result.ratio == pytest.approx(0.5 / (731 / SPAN_DAYS))
    assert result.status == Snapshot.Status.ON_TRACK
    assert "one_point_pace" in result.inputs["notes"]
    assert result.forecast_value is None and result.forecast_reach_date is None


def test_second_point_without_baseline_measures_growth_from_the_first():
    target = TargetFactory(aggregation=Target.Aggregation.LATEST, baseline_value=None, target_value=Decimal("400"))
    entry(target, dt.date(2020, 12, 31), "100")
    entry(target, dt.date(2021, 12, 31), "200")

    result = snapshot(target, dt.date(2021, 12, 31))

    # observed: doubling in a year (100 %); required: 100 → 400 in three years (58.74 %).
    assert result.method == Snapshot.Method.GROWTH_RATIO
    assert result.inputs["observed_cagr"] == pytest.approx(1.0)
    assert result.inputs["required_cagr"] == pytest.approx(4 ** (1 / 3) - 1, abs=1e-6)
    assert "first_point_as_base" in result.inputs["notes"]


def test_at_the_baseline_date_pace_is_undefined_and_not_divided_by_zero():
    target = TargetFactory()
    entry(target, dt.date(2019, 12, 31), "10")

    result = snapshot(target, dt.date(2019, 12, 31))

    assert result.expected == 0
    assert result.ratio is None
    assert result.status == Snapshot.Status.NO_DATA
    assert "too_early" in result.inputs["notes"]


def test_met_at_the_baseline_date_is_achieved():
    target = TargetFactory(target_value=Decimal("10"))
    entry(target, dt.date(2019, 12, 31), "10")

    assert snapshot(target, dt.date(2019, 12, 31)).status == Snapshot.Status.ACHIEVED


# --- after the target date -------------------------------------------------------------

def test_deadline_passed_and_met():
    target = TargetFactory(target_value=Decimal("300"))
    entry(target, dt.date(2020, 12, 31), "120")
    entry(target, dt.date(2021, 12, 31), "100")
    entry(target, dt.date(2022, 12, 31), "90")

    result = snapshot(target, dt.date(2024, 3, 31))

    assert result.attained == Decimal("310")
    assert result.status == Snapshot.Status.ACHIEVED
    assert result.forecast_reach_date == dt.date(2022, 12, 31)  # already reached then


def test_deadline_passed_and_missed():
    target = TargetFactory(target_value=Decimal("300"))
    entry(target, dt.date(2020, 12, 31), "120")
    entry(target, dt.date(2023, 12, 31), "100")

    result = snapshot(target, dt.date(2024, 3, 31))

    assert result.attained == Decimal("220")
    assert result.status == Snapshot.Status.MISSED


def test_deadline_passed_with_a_lower_bound_below_target_is_not_a_miss():
    target = TargetFactory(target_value=Decimal("300"))
    entry(target, dt.date(2023, 12, 31), "220", qualifier=ProgressEntry.Qualifier.AT_LEAST)

    result = snapshot(target, dt.date(2024, 3, 31))

    assert result.status == Snapshot.Status.NO_DATA
    assert {"bound_not_conclusive", "deadline_passed_without_data"} <= set(result.inputs["notes"])


def test_deadline_passed_with_only_old_figures_is_not_a_miss():
    target = TargetFactory(target_value=Decimal("300"))
    entry(target, dt.date(2021, 12, 31), "100")  # two years before the target date

    result = snapshot(target, dt.date(2024, 3, 31))

    assert result.status == Snapshot.Status.NO_DATA
    assert result.inputs["notes"] == ["deadline_passed_without_data"]
    assert result.is_data_stale


def test_figure_for_the_last_period_before_the_deadline_can_prove_a_miss():
    target = TargetFactory(target_value=Decimal("300"))
    entry(target, dt.date(2023, 6, 30), "100")

    assert snapshot(target, dt.date(2024, 1, 31)).status == Snapshot.Status.MISSED


# --- qualitative targets ---------------------------------------------------------------

def test_qualitative_target_is_share_of_items_achieved_judged_by_pace():
    fields = QualitativeTargetFactory()
    for status in ["achieved"] * 3 + ["in_progress", "not_started", "not_started"]:
        TargetItemFactory(target=fields, status=status)

    result = snapshot(fields, dt.date(2021, 12, 31))

    assert result.method == Snapshot.Method.ITEMS
    assert result.progress == pytest.approx(0.5)
    assert result.attained == Decimal("3")
    assert result.ratio == pytest.approx(0.5 / (731 / SPAN_DAYS))
    assert result.status == Snapshot.Status.ON_TRACK
    assert result.inputs["items_total"] == 6 and result.inputs["items_achieved"] == 3


def test_qualitative_target_achieved_when_every_item_is():
    fields = QualitativeTargetFactory()
    TargetItemFactory.create_batch(2, target=fields, status="achieved")

    assert snapshot(fields, dt.date(2021, 12, 31)).status == Snapshot.Status.ACHIEVED


def test_qualitative_target_without_items_has_no_data():
    result = snapshot(QualitativeTargetFactory(), dt.date(2021, 12, 31))

    assert result.status == Snapshot.Status.NO_DATA
    assert result.progress is None


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
    patents = TargetFactory(target_value=Decimal("300"), baseline_value=Decimal("0"))
    entry(patents, dt.date(2020, 12, 31), "60")
    result = snapshot(patents, dt.date(2020, 12, 31))

    with translation.override("en"):
        sentences = snapshot_explanation(result)

    assert "Attained by 31 Dec 2020 (baseline plus 1 reported figure): 60 patents." in sentences
    assert (
        "The pace, 0.80, is below the on-track threshold 0.95 but at or above the needs-acceleration "
        "threshold 0.6."
    ) in sentences
    assert "Status: needs acceleration." in sentences


def test_explanation_of_a_snapshot_without_data_or_inputs():
    empty = snapshot(QualitativeTargetFactory(), dt.date(2021, 12, 31))
    bare = Snapshot(target=TargetFactory(), as_of=dt.date(2021, 12, 31), status=Snapshot.Status.NO_DATA)

    with translation.override("en"):
        empty_sentences = snapshot_explanation(empty)
        bare_sentences = snapshot_explanation(bare)

    assert "No named items have been entered for this target yet." in empty_sentences
    assert bare_sentences == ["No figure has been reported up to 31 Dec 2021.", "Status: no data."]


def test_a_measure_status_on_a_past_date_comes_from_its_last_update_by_then():
    from targets.progress import measure_status_on

    updates = [(dt.date(2021, 3, 1), "in_progress"), (dt.date(2021, 9, 1), ""), (dt.date(2022, 3, 1), "completed")]
    today = dt.date(2026, 11, 27)

    def on(day):
        return measure_status_on(current="delayed", updates=updates, as_of=day, today=today)

    assert on(dt.date(2021, 1, 1)) == "delayed"  # no update yet: the current status
    assert on(dt.date(2021, 12, 31)) == "in_progress"  # the update without a status changes nothing
    assert on(dt.date(2022, 3, 1)) == "completed"
    assert on(today) == "delayed"  # today: the current status
