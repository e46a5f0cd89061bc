"""Judging quantitative targets: every (target, as-of date) pair at once, on arrays.

Each method reads a pair's figures: counts (`sum` targets) by pace against a straight line
from the baseline date to the target date; levels (`latest` targets) by the growth-rate
ratio, observed over required compound annual growth, which needs two points (a known
baseline is one of them) and falls back to the pace with one. `judge` then gives the status.
Methods and thresholds follow `progress-methods.md` (Open SDG / Statistics Canada).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from targets.progress.calendar import years_between
from targets.progress.codes import (
    ACHIEVED,
    GROWTH_RATIO,
    METHODS,
    MISSED,
    NO_DATA,
    NONE,
    PACE,
    STATUSES,
)
from targets.progress.figures import MAX_POINTS_KEPT, Figures, Standing
from targets.progress.formulas import (
    QUALIFIER_EXACT,
    bands,
    cagrs,
    proves_met,
    proves_miss,
    sum_bounds,
)

STALE_AFTER_DAYS = 365
# A figure for the last period before the target date still speaks to it if it is this recent.
MISS_EVIDENCE_WINDOW_DAYS = 366
# A trend that reaches the target only after this many years is reported as never reaching it.
FORECAST_HORIZON_YEARS = 100
# Snapshot.forecast_value holds 20 digits before the point; a trend beyond that is no forecast.
MAX_FORECAST_VALUE = 1e19

STATUS_CODE = {status: code for code, status in enumerate(STATUSES)}
METHOD_CODE = {method: code for code, method in enumerate(METHODS)}
# How a level's growth starts: from the baseline, from the first figure, or not at all.
START_NONE, START_BASELINE, START_FIRST = 0, 1, 2


@dataclass
class Terms:
    """The targets' terms, one element per pair (each pair takes its target's)."""

    is_sum: np.ndarray
    at_most: np.ndarray  # direction: less is better
    baseline: np.ndarray  # NaN when unknown
    baseline_day: np.ndarray
    goal: np.ndarray
    target_day: np.ndarray
    on_track: np.ndarray
    acceleration: np.ndarray


@dataclass
class Judgement:
    """Everything the engine concludes for each pair (arrays), and the flags its notes come from."""

    has_data: np.ndarray
    expected: np.ndarray
    attained: np.ndarray
    qualifier: np.ndarray
    data_day: np.ndarray
    progress: np.ndarray
    ratio: np.ndarray
    observed: np.ndarray
    required: np.ndarray
    method: np.ndarray
    status: np.ndarray
    has_synthetic: np.ndarray
    start: np.ndarray  # START_* for levels
    forecast_kind: np.ndarray  # 0 none, 1 linear trend, 2 compound growth
    forecast_value: np.ndarray
    forecast_reach_day: np.ndarray  # -1: none
    forecast_reach_years: np.ndarray  # compound growth: years after the data date (NaN otherwise)
    notes: dict[str, np.ndarray]


def judge_pairs(figures: Figures, standing: Standing, terms: Terms, pair_day: np.ndarray) -> Judgement:
    has = standing.count > 0
    known = ~np.isnan(terms.baseline)
    base0 = np.nan_to_num(terms.baseline, nan=0.0)
    span = terms.target_day - terms.baseline_day
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(span <= 0, 1.0, np.clip((pair_day - terms.baseline_day) / span, 0.0, 1.0))
    last = np.where(has, standing.last, 0)
    first = np.where(has, standing.first, 0)
    last_day = np.where(has, figures.day[last] if len(figures) else 0, -1)
    is_sum, is_level = terms.is_sum & has, ~terms.is_sum & has

    # Counts: the baseline plus every figure so far, a bound if any part is one.
    sum_qualifier, mixed, partial_lower = sum_bounds(standing.any_at_least, standing.any_at_most,
                                                     standing.any_partial)
    values = figures.value if len(figures) else np.zeros(1)
    qualifiers = figures.qualifier if len(figures) else np.zeros(1, dtype=np.int8)
    synthetic = figures.synthetic if len(figures) else np.zeros(1, dtype=bool)
    attained = np.where(is_sum, base0 + standing.total, np.where(is_level, values[last], np.nan))
    qualifier = np.where(is_sum, sum_qualifier, np.where(is_level, qualifiers[last], QUALIFIER_EXACT))

    # Progress: the share of the way from baseline to target (of the target when unknown).
    equal = known & (terms.goal == terms.baseline)
    with np.errstate(divide="ignore", invalid="ignore"):
        progress = np.where(
            known, np.where(equal, np.nan, (attained - base0) / (terms.goal - base0)),
            np.where(terms.goal != 0, attained / terms.goal, np.nan),
        )
        progress = np.where(has, progress, np.nan)
        pace = np.where((expected > 0) & np.isfinite(progress), progress / expected, np.nan)

    # Levels: growth from the baseline, else from the first figure, else no growth rate.
    first_day = np.where(has, figures.day[first] if len(figures) else 0, -1)
    start = np.where(
        is_level & known & (last_day > terms.baseline_day), START_BASELINE,
        np.where(is_level & ~known & (standing.count >= 2) & (first_day < last_day), START_FIRST, START_NONE),
    )
    growing = start != START_NONE
    start_value = np.where(start == START_BASELINE, base0, values[first])
    start_day = np.where(start == START_BASELINE, terms.baseline_day, first_day)
    base_value = np.where(known, base0, start_value)
    base_day = np.where(known, terms.baseline_day, start_day)
    observed = np.where(growing, cagrs(attained, start_value, years_between(start_day, last_day)), np.nan)
    required = np.where(growing, cagrs(terms.goal, base_value, years_between(base_day, terms.target_day)), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth_ratio = np.where(
            np.isfinite(observed) & np.isfinite(required) & (required != 0),
            np.where(terms.at_most, -1.0, 1.0) * observed / np.abs(required), np.nan,
        )
    method = np.where(~has, METHOD_CODE[NONE], np.where(growing, METHOD_CODE[GROWTH_RATIO], METHOD_CODE[PACE]))
    ratio = np.where(growing, growth_ratio, np.where(has, pace, np.nan))
    has_synthetic = np.where(
        is_sum, standing.any_synthetic,
        is_level & (synthetic[last] | ((start == START_FIRST) & synthetic[first])),
    )

    met = has & proves_met(attained, qualifier, terms.goal, terms.at_most)
    forecast = _forecasts(standing, terms, attained, observed, last_day, met, is_sum, growing)
    status, judge_notes = _judge(has, met, ratio, attained, qualifier, last_day, terms, pair_day)
    notes = {
        "mixed_bounds": is_sum & mixed,
        "partial_period_lower_bound": is_sum & partial_lower,
        "points_truncated": is_sum & (standing.count > MAX_POINTS_KEPT),
        "target_equals_baseline": has & equal,
        "first_point_as_base": start == START_FIRST,
        "one_point_pace": is_level & ~growing,
        **judge_notes,
    }
    return Judgement(
        has_data=has, expected=expected, attained=attained, qualifier=qualifier, data_day=last_day,
        progress=progress, ratio=ratio, observed=observed, required=required, method=method, status=status,
        has_synthetic=has_synthetic, start=start, forecast_kind=forecast[0], forecast_value=forecast[1],
        forecast_reach_day=forecast[2], forecast_reach_years=forecast[3], notes=notes,
    )


def _forecasts(standing, terms, attained, observed, last_day, met, is_sum, growing):
    """Where the trend leads: a linear trend of the running total for counts, compound
    growth for levels. Returns (kind, value at the target date, reach day, reach in years)."""
    linear = is_sum & np.isfinite(standing.slope)
    compound = growing & np.isfinite(observed)
    kind = np.where(linear, 1, np.where(compound, 2, 0))
    slope, intercept = standing.slope, standing.intercept
    rising = ~terms.at_most
    with np.errstate(all="ignore"):
        linear_value = intercept + slope * (terms.target_day - terms.baseline_day)
        # Rounded first so that float noise (915.0000000001) does not add a day.
        days = np.ceil(np.round((terms.goal - intercept) / slope, 6))
        growth = 1 + observed
        compound_value = np.where(
            growth > 0, attained * growth ** years_between(last_day, terms.target_day), np.nan
        )
        reach_years = np.log(terms.goal / attained) / np.log(growth)
    value = np.where(linear, linear_value, np.where(compound, compound_value, np.nan))
    value = np.where(np.isfinite(value) & (np.abs(value) < MAX_FORECAST_VALUE), value, np.nan)
    linear_reaches = linear & ~met & (slope != 0) & ((slope > 0) == rising) & (days >= 0) & (
        days <= FORECAST_HORIZON_YEARS * 366)
    compound_reaches = (
        compound & ~met & (growth > 0) & (growth != 1) & (attained > 0) & (terms.goal > 0)
        & ((growth > 1) == rising) & (reach_years >= 0) & (reach_years <= FORECAST_HORIZON_YEARS)
    )
    reach_day = np.where(
        (linear | compound) & met, last_day,
        np.where(linear_reaches, terms.baseline_day + np.where(linear_reaches, days, 0).astype(np.int64), -1),
    )
    return kind, value, reach_day, np.where(compound_reaches, reach_years, np.nan)


def _judge(has, met, ratio, attained, qualifier, last_day, terms, pair_day):
    """The status, from what is known. Never divides by an undefined pace."""
    after = pair_day > terms.target_day
    recent = has & (terms.target_day - last_day <= MISS_EVIDENCE_WINDOW_DAYS)
    missed = after & has & ~met & recent & proves_miss(attained, qualifier, terms.goal, terms.at_most)
    undecided_after = after & has & ~met & ~missed
    too_early = has & ~met & ~after & ~np.isfinite(ratio)
    status = np.select(
        [~has, met, missed, undecided_after, too_early],
        [STATUS_CODE[NO_DATA], STATUS_CODE[ACHIEVED], STATUS_CODE[MISSED], STATUS_CODE[NO_DATA],
         STATUS_CODE[NO_DATA]],
        default=bands(np.nan_to_num(ratio), terms.on_track, terms.acceleration),
    )
    notes = {
        "bound_not_conclusive": undecided_after & recent,
        "deadline_passed_without_data": (after & ~has) | undecided_after,
        "too_early": too_early,
    }
    return status, notes

