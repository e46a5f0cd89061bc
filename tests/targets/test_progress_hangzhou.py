"""The engine on the real plans, through the database (`snapshots_recompute`): industry size
as the published figures allow it to be judged, the growth-ratio worked example on the plan's
own numbers, the 2025 plan's core-industry target on the shared indicator, and the
explanations in both languages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from snapshots.explain import snapshot_explanation
from snapshots.models import Snapshot
from snapshots.services import snapshots_recompute
from targets.models import Observation, Target

pytestmark = pytest.mark.django_db


def snapshot(target, as_of):
    snapshots_recompute(as_of=as_of, target_ids=[target.pk])
    return Snapshot.objects.get(target=target, as_of=as_of)


def english(result) -> list[str]:
    with translation.override("en"):
        return snapshot_explanation(result)


def test_industry_size_in_2021_is_judged_by_pace_without_the_baseline_of_another_definition(hangzhou_plan):
    """The 2019 figure counts only enterprises above designated size: no growth is computed
    from it. One figure of the target's definition (≥ 1,500 亿元 for 2020) against 2,000:
    75 % of the target after 547 of the plan's 1,461 days (37.44 %)."""
    industry = Target.objects.get(code="industry-size")

    result = snapshot(industry, dt.date(2021, 6, 30))

    assert result.method == Snapshot.Method.PACE
    assert result.attained == Decimal("1500") and result.attained_qualifier == "at_least"
    assert result.progress == pytest.approx(1500 / 2000)
    assert result.expected == pytest.approx(547 / 1461)
    # Achieved at 2,000 or more; below, one figure without a comparable baseline shows no pace.
    assert result.status == Snapshot.Status.NOT_DETERMINED and result.ratio is None
    assert result.inputs["status_range"] == ["achieved", "not_determined"]
    assert result.confidence == "medium"  # a high-confidence figure, lowered once: it is a lower bound
    assert result.forecast_value is None and result.forecast_reach_date is None  # one comparable figure
    assert "observed_cagr" not in result.inputs or result.inputs["observed_cagr"] is None
    sentences = english(result)
    assert "Baseline of another definition: RMB 115.77 billion on 31 Dec 2019 — shown, not compared." in sentences
    assert "A forecast needs at least two figures of the target's definition; there is only one." in sentences


def test_the_growth_ratio_worked_example_if_the_baseline_were_comparable(hangzhou_plan):
    """The plan's own numbers through the growth-ratio method, with the 2019 figure read as the
    same definition and the 2020 figure as exact (neither is, which is why the real target above
    is judged by pace and not determined): required (2000 / 1157.69)^(1/4) − 1 = 14.65 % a
    year, observed 1500 / 1157.69 − 1 = 29.57 %, ratio 2.02."""
    industry = Target.objects.get(code="industry-size")
    Target.objects.filter(pk=industry.pk).update(baseline_scope="")
    Observation.objects.filter(indicator=industry.indicator, period_end=dt.date(2020, 12, 31),
                               scope="").update(qualifier="exact")

    result = snapshot(industry, dt.date(2021, 6, 30))

    assert result.method == Snapshot.Method.GROWTH_RATIO
    assert round(result.inputs["required_cagr"] * 100, 2) == 14.65
    assert round(result.inputs["observed_cagr"] * 100, 2) == 29.57
    assert round(result.ratio, 2) == 2.02
    assert result.status == Snapshot.Status.ON_TRACK
    assert result.progress == pytest.approx((1500 - 1157.69) / (2000 - 1157.69))
    assert (
        "Required growth to reach RMB 200 billion by 31 Dec 2023 is 14.65 % a year; observed growth is "
        "29.57 % a year; their ratio 2.02 is at or above the on-track threshold 0.95."
    ) in english(result)


@pytest.mark.parametrize("as_of", [dt.date(2024, 6, 30), dt.date(2025, 1, 1), dt.date(2026, 11, 28)])
def test_industry_size_after_its_deadline_is_not_determined_whatever_came_later(hangzhou_plan, as_of):
    """No figure of the target's definition for 2022 or 2023: the 2023 target can be neither
    achieved nor missed. The 2024 core-industry figure (≥ 3,000 亿元) is after the deadline
    and of another definition: context only."""
    industry = Target.objects.get(code="industry-size")

    result = snapshot(industry, as_of)

    assert result.status == Snapshot.Status.NOT_DETERMINED
    assert result.confidence == "low"
    assert "figure_too_old_at_deadline" in result.inputs["notes"]
    assert result.forecast_value is None and result.forecast_reach_date is None
    sentences = english(result)
    assert "Status: not determined." in sentences
    assert not any("pace" in sentence.lower() for sentence in sentences)
    if as_of >= dt.date(2025, 1, 1):
        assert Decimal(result.inputs["other_scope"]["value"]) == 3000
        assert any("at least RMB 300 billion for 31 Dec 2024" in sentence for sentence in sentences)


def test_the_2025_core_industry_target_reads_only_its_own_scope(hangzhou_plan):
    """The same indicator, the narrower scope: ≥ 3,000 亿元 for 2024 is its only figure; the
    2020 ≥ 1,500 亿元 of "the AI industry" is context. After its deadline the lower bound below
    3,900 can show neither a success nor a miss."""
    core = Target.objects.get(code="ai-core-industry-revenue")

    before = snapshot(core, dt.date(2025, 6, 30))
    after = snapshot(core, dt.date(2026, 11, 28))

    assert before.attained == Decimal("3000") and before.data_date == dt.date(2024, 12, 31)
    assert Decimal(before.inputs["other_scope"]["value"]) == 1500
    assert after.status == Snapshot.Status.NOT_DETERMINED
    assert "bound_not_conclusive" in after.inputs["notes"]


def test_explanation_in_chinese_uses_chinese_quantities(hangzhou_plan):
    industry = Target.objects.get(code="industry-size")
    result = snapshot(industry, dt.date(2025, 1, 1))

    with translation.override("zh-hans"):
        text = " ".join(snapshot_explanation(result))

    assert "3,000 亿元" in text and "1,500 亿元" in text and "1,157.69 亿元" in text


@pytest.mark.parametrize("as_of", [dt.date(2025, 1, 31), dt.date(2025, 10, 31)])
def test_a_lone_lower_bound_leaves_the_2025_target_not_determined_with_its_range(hangzhou_plan, as_of):
    """Issue 18, finding 2: the 2025 plan's ≥ 3,900 亿元 has only "≥ 3,000, dated 2024-12-31".
    It read on_track (ratio 9.06) in January 2025 and needs_acceleration from October 2025, with
    nothing changed but the calendar. A lower bound below the target cannot show slow progress:
    the status is open, between achieved (the true value may be 3,900 or more) and the status
    the bound itself would give."""
    core = Target.objects.get(code="ai-core-industry-revenue")

    result = snapshot(core, as_of)

    assert result.status == Snapshot.Status.NOT_DETERMINED
    assert result.inputs["status_range"][0] == "achieved"
    assert result.inputs["status_range"][1] in {"on_track", "needs_acceleration", "off_track", "not_determined"}
    with translation.override("en"):
        assert any(sentence.startswith("Status: not determined — target achieved at some of the values the figure for "
                                       "31 Dec 2024 (at least RMB 300 billion) allows")
                   for sentence in snapshot_explanation(result))
    assert result.ratio is None and result.forecast_value is None
    assert "status_range" in result.inputs["notes"]
