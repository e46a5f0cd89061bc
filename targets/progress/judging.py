"""Judging quantitative targets: every (target, as-of date) pair at once, on arrays.

What a status may rest on (no evidence, no judgement):
- only figures of the target's own definition (the store passes no other), dated after its
  baseline date and — for the verdict — on or before its target date; a later figure is
  context ("reached ≥ 3,000 亿元 by 2024, after the deadline"), never the verdict;
- after the target date, "achieved" or "not achieved" rests on a figure at most one
  reporting period older than the target date (a count already past the target is achieved
  for good); without one the status is "not determined at the deadline";
- a lower bound can prove "achieved" but never a miss, an upper bound the reverse;
- a baseline alone is no figure: "no data".

Before the target date, counts (`sum` targets) are judged by pace against a straight line
from the baseline date to the target date; levels (`latest` targets) by the growth-rate
ratio, observed over required compound annual growth, which needs two points (a known
baseline of the same definition is one of them) and falls back to the pace with one.
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
    NO_DATA,
    NONE,
    NOT_ACHIEVED,
    NOT_DETERMINED,
    NOTE_PACE_NEEDS_TWO_POINTS,
    NOTE_STATUS_RANGE,
    PACE,
    STATUSES,
)
from targets.progress.figures import MAX_POINTS_KEPT, Figures, Standing
from targets.progress.formulas import (
    QUALIFIER_AT_LEAST,
    QUALIFIER_AT_MOST,
    QUALIFIER_EXACT,
    bands,
    cagrs,
    proves_met,
    proves_miss,
    sum_bounds,
)

STALE_AFTER_DAYS = 365
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
    baseline: np.ndarray  # NaN when unknown, or of another definition (not computed from)
    baseline_day: np.ndarray
    goal: np.ndarray
    target_day: np.ndarray
    period_days: np.ndarray  # one reporting period of the indicator
    on_track: np.ndarray
    acceleration: np.ndarray

    def select(self, keep: np.ndarray) -> Terms:
        return Terms(**{name: column[keep] for name, column in vars(self).items()})


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
    confidence: np.ndarray  # index into codes.CONFIDENCES, -1 without figures
    has_synthetic: np.ndarray
    start: np.ndarray  # START_* for levels
    forecast_kind: np.ndarray  # 0 none, 1 linear trend, 2 compound growth
    forecast_value: np.ndarray
    forecast_reach_day: np.ndarray  # -1: none
    forecast_reach_years: np.ndarray  # compound growth: years after the data date (NaN otherwise)
    notes: dict[str, np.ndarray]
    # Where the figures' intervals allow more than one status (`interval_verdict`): the best
    # and the worst of them as status codes (-1 where the status holds for every value).
    status_best: np.ndarray | None = None
    status_worst: np.ndarray | None = None


def judge_pairs(figures: Figures, standing: Standing, terms: Terms, pair_day: np.ndarray,
                later_day: np.ndarray) -> Judgement:
    """`standing` is taken on each pair's evidence day (the as-of date, or the target date
    once it has passed); `later_day` is the day of the pair's latest figure after the target
    date up to the as-of date (-1 without one): context, never the verdict."""
    has = standing.count > 0
    known = ~np.isnan(terms.baseline)
    base0 = np.nan_to_num(terms.baseline, nan=0.0)
    after = pair_day >= terms.target_day  # the deadline day itself gets the verdict
    evidence_day = np.minimum(pair_day, terms.target_day)
    span = terms.target_day - terms.baseline_day
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(span <= 0, 1.0, np.clip((pair_day - terms.baseline_day) / span, 0.0, 1.0))
    last = np.where(has, standing.last, 0)
    first = np.where(has, standing.first, 0)
    empty = len(figures) == 0
    values = np.zeros(1) if empty else figures.value
    qualifiers = np.zeros(1, dtype=np.int8) if empty else figures.qualifier
    synthetic = np.zeros(1, dtype=bool) if empty else figures.synthetic
    confidences = np.zeros(1, dtype=np.int8) if empty else figures.confidence
    days = np.zeros(1, dtype=np.int64) if empty else figures.day
    last_day = np.where(has, days[last], -1)
    first_day = np.where(has, days[first], -1)
    is_sum, is_level = terms.is_sum & has, ~terms.is_sum & has

    # Counts: the baseline plus every figure so far, a bound if any part is one.
    sum_qualifier, mixed, partial_lower = sum_bounds(standing.any_at_least, standing.any_at_most,
                                                     standing.any_partial)
    attained = np.where(is_sum, base0 + standing.total, np.where(is_level, values[last], np.nan))
    qualifier = np.where(is_sum, sum_qualifier, np.where(is_level, qualifiers[last], QUALIFIER_EXACT))

    # Progress: the share of the way from baseline to target (of the target when the baseline
    # is unknown or of another definition).
    equal = known & (terms.goal == terms.baseline)
    with np.errstate(divide="ignore", invalid="ignore"):
        progress = np.where(
            known, np.where(equal, np.nan, (attained - base0) / (terms.goal - base0)),
            np.where(terms.goal != 0, attained / terms.goal, np.nan),
        )
        progress = np.where(has, progress, np.nan)
        pace = np.where((expected > 0) & np.isfinite(progress), progress / expected, np.nan)

    # Levels: growth from the baseline, else from the first figure, else no growth rate.
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
    # A figure recent enough to speak for the target date: one reporting period at most.
    recent = has & (evidence_day - last_day <= terms.period_days)
    stale = has & (evidence_day - last_day > STALE_AFTER_DAYS)
    confidence = _confidence(standing, confidences, last, first, is_sum, start, qualifier, stale)
    forecast = _forecasts(standing, terms, attained, observed, last_day, met, is_sum, growing, after, pair_day)
    status, judge_notes = _judge(has, met, recent, ratio, attained, qualifier, terms, after, later_day)
    # An unknown baseline is unknown, not zero: one figure then shows where the value stands, not
    # how fast it moved, so a pace needs a second point (growth from the first figure) — unless
    # the figure already meets the target.
    unanchored = has & ~known & (standing.count < 2) & ~after & ~met & (status != STATUS_CODE[NO_DATA])
    status = np.where(unanchored, STATUS_CODE[NOT_DETERMINED], status)
    ratio = np.where(unanchored, np.nan, ratio)
    notes = {
        "mixed_bounds": is_sum & mixed,
        "partial_period_lower_bound": is_sum & partial_lower,
        "points_truncated": is_sum & (standing.count > MAX_POINTS_KEPT),
        "target_equals_baseline": has & equal,
        "first_point_as_base": start == START_FIRST,
        "one_point_pace": is_level & ~growing,
        "forecast_needs_two_figures": has & ~after & ~met & (standing.count < 2),
        NOTE_STATUS_RANGE: np.zeros_like(has),  # set by `interval_verdict`
        NOTE_PACE_NEEDS_TWO_POINTS: unanchored,
        **judge_notes,
    }
    return Judgement(
        has_data=has, expected=expected, attained=attained, qualifier=qualifier, data_day=last_day,
        progress=progress, ratio=ratio, observed=observed, required=required, method=method, status=status,
        confidence=confidence, has_synthetic=has_synthetic, start=start, forecast_kind=forecast[0],
        forecast_value=forecast[1], forecast_reach_day=forecast[2], forecast_reach_years=forecast[3], notes=notes,
    )


def _confidence(standing: Standing, confidences: np.ndarray, last: np.ndarray, first: np.ndarray,
                is_sum: np.ndarray, start: np.ndarray, qualifier: np.ndarray, stale: np.ndarray) -> np.ndarray:
    """The lowest confidence among the figures the status rests on, one step lower for stale
    data and one for a bound (never below low); -1 without figures."""
    rests_on = np.where(
        is_sum, standing.lowest_confidence,
        np.where(start == START_FIRST, np.minimum(confidences[last], confidences[first]), confidences[last]),
    )
    bound = (qualifier == QUALIFIER_AT_LEAST) | (qualifier == QUALIFIER_AT_MOST)
    lowered = np.maximum(rests_on - stale.astype(np.int8) - bound.astype(np.int8), 0)
    confidence: np.ndarray = np.where(standing.count > 0, lowered, -1)
    return confidence


def _forecasts(standing: Standing, terms: Terms, attained: np.ndarray, observed: np.ndarray, last_day: np.ndarray,
               met: np.ndarray, is_sum: np.ndarray, growing: np.ndarray, after: np.ndarray,
               pair_day: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where the trend leads: a linear trend of the running total for counts, compound growth
    for levels. Only before the target date, from two figures of the target's definition at
    least, and only for a target not yet met. A reach date already past is no forecast (a
    target reached is "achieved", from its figures). Returns (kind, value at the target date,
    reach day, reach in years after the data date)."""
    possible = ~after & ~met & (standing.count >= 2)
    linear = possible & is_sum & np.isfinite(standing.slope)
    compound = possible & growing & np.isfinite(observed)
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
    linear_day = terms.baseline_day + np.where(np.isfinite(days), days, 0).astype(np.int64)
    linear_reaches = linear & (slope != 0) & ((slope > 0) == rising) & (days >= 0) & (
        days <= FORECAST_HORIZON_YEARS * 366) & (linear_day > pair_day)
    compound_reaches = (
        compound & (growth > 0) & (growth != 1) & (attained > 0) & (terms.goal > 0)
        & ((growth > 1) == rising) & (reach_years > 0) & (reach_years <= FORECAST_HORIZON_YEARS)
    )
    reach_day = np.where(linear_reaches, linear_day, -1)
    return kind, value, reach_day, np.where(compound_reaches, reach_years, np.nan)


def _judge(has: np.ndarray, met: np.ndarray, recent: np.ndarray, ratio: np.ndarray, attained: np.ndarray,
           qualifier: np.ndarray, terms: Terms, after: np.ndarray,
           later_day: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The status, from what is known. Never divides by an undefined pace."""
    # A count already past its target stays past it; a level must be shown at the deadline.
    achieved = met & (~after | terms.is_sum | recent)
    missed = after & has & ~achieved & recent & proves_miss(attained, qualifier, terms.goal, terms.at_most)
    has_later = later_day >= 0
    undetermined = after & ~achieved & ~missed & (has | has_later)
    too_early = has & ~after & ~achieved & ~np.isfinite(ratio)
    status = np.select(
        [achieved, missed, undetermined, ~has, too_early],
        [STATUS_CODE[ACHIEVED], STATUS_CODE[NOT_ACHIEVED], STATUS_CODE[NOT_DETERMINED], STATUS_CODE[NO_DATA],
         STATUS_CODE[NO_DATA]],
        default=bands(np.nan_to_num(ratio), terms.on_track, terms.acceleration),
    )
    notes = {
        "bound_not_conclusive": undetermined & has & recent,
        "figure_too_old_at_deadline": undetermined & has & ~recent,
        "no_figure_by_deadline": undetermined & ~has,
        "after_deadline_figure": after & has_later,
        "no_figure_since_baseline": ~has & ~has_later,
        "too_early": too_early,
    }
    return status, notes


def interval_verdict(judged: Judgement, low: np.ndarray, high: np.ndarray, pairs: np.ndarray) -> None:
    """Keeps a status only where it holds for every value the figures allow (issue 18): `low`
    and `high` are the statuses of the `pairs` (a mask) judged with every figure at the low and
    at the high end of its interval (`figures.interval_end`). A status is monotonic in each
    value, so where the two ends agree every value between agrees; where they differ the pair
    is "not determined", with the two ends kept as the range it would take. Its pace, growth
    ratio and forecast go with it: a bound is no exact start of growth, nor an exact end."""
    n = len(judged.status)
    best, worst = np.full(n, -1, dtype=np.int64), np.full(n, -1, dtype=np.int64)
    # The order of STATUSES runs from the best verdict (achieved) to the worst (missed).
    best[pairs], worst[pairs] = np.minimum(low, high), np.maximum(low, high)
    open_ = best != worst
    judged.status = np.where(open_, STATUS_CODE[NOT_DETERMINED], judged.status)
    judged.ratio = np.where(open_, np.nan, judged.ratio)
    judged.observed = np.where(open_, np.nan, judged.observed)
    judged.forecast_kind = np.where(open_, 0, judged.forecast_kind)
    judged.forecast_value = np.where(open_, np.nan, judged.forecast_value)
    judged.forecast_reach_day = np.where(open_, -1, judged.forecast_reach_day)
    judged.forecast_reach_years = np.where(open_, np.nan, judged.forecast_reach_years)
    # After the deadline a bound that cannot decide has its note already; before it, this one.
    judged.notes[NOTE_STATUS_RANGE] = open_ & ~judged.notes["bound_not_conclusive"]
    judged.status_best, judged.status_worst = np.where(open_, best, -1), np.where(open_, worst, -1)
