"""The engine on the real plan, through the database (`snapshots_recompute`): the industry-size
worked example of the plan's own figures, and its explanation in both languages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from targets.explain import snapshot_explanation
from targets.models import Snapshot, Target
from targets.services import snapshots_recompute

pytestmark = pytest.mark.django_db


def snapshot(target, as_of):
    snapshots_recompute(as_of=as_of, target_ids=[target.pk])
    return Snapshot.objects.get(target=target, as_of=as_of)


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


