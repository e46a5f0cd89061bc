"""Judging a quantitative target on one date.

Each method reads the figures into a `Reading`: counts (`sum` targets) by pace against a
straight line from the baseline date to the target date; levels (`latest` targets) by the
growth-rate ratio, observed over required compound annual growth, which needs two points
(a known baseline is one of them) and falls back to the pace with one. `judge` then turns
a reading into a status, and `quantitative_snapshot` into the stored row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from targets.progress.codes import (
    ACHIEVED,
    AT_MOST,
    EXACT,
    GROWTH_RATIO,
    MISSED,
    NO_DATA,
    NONE,
    NOTE_BASELINE_UNKNOWN,
    NOTE_BOUND_NOT_CONCLUSIVE,
    NOTE_DEADLINE_PASSED_WITHOUT_DATA,
    NOTE_FIRST_POINT_AS_BASE,
    NOTE_ONE_POINT_PACE,
    NOTE_POINTS_TRUNCATED,
    NOTE_TOO_EARLY,
    PACE,
    SUM,
)
from targets.progress.dates import expected_progress, years_between
from targets.progress.forecasts import NO_FORECAST, compound_forecast, linear_forecast
from targets.progress.formulas import (
    cagr,
    figure_proves_miss,
    share_of_way,
    status_from_ratio,
    sum_bound,
    target_met,
)
from targets.progress.frames import Summary
from targets.progress.numbers import decimal_text, rounded, to_decimal, value_text

STALE_AFTER_DAYS = 365
# A figure for the last period before the target date still speaks to it if it is this recent.
MISS_EVIDENCE_WINDOW_DAYS = 366


@dataclass
class Goal:
    """A target's terms, as floats."""

    baseline: float | None
    baseline_date: date
    value: float
    target_date: date
    direction: str
    thresholds: tuple[float, float]  # (on track, needs acceleration)


@dataclass
class Reading:
    """What a method made of a target's figures up to the as-of date."""

    method: str = NONE
    attained: float | None = None
    qualifier: str | None = None
    data_date: date | None = None
    progress: float | None = None
    ratio: float | None = None
    observed: float | None = None
    required: float | None = None
    has_synthetic: bool = False
    points: list = field(default_factory=list)
    forecast: dict = field(default_factory=lambda: dict(NO_FORECAST))


def _pace(progress: float | None, expected: float) -> float | None:
    return progress / expected if expected > 0 and progress is not None else None


def read_sum(summary: Summary, goal: Goal, expected: float, notes: list[str]) -> Reading:
    """A count: the baseline plus every figure so far, judged by pace."""
    attained = (goal.baseline or 0.0) + summary.total
    qualifier, bound_notes = sum_bound(
        any_at_least=summary.any_at_least, any_at_most=summary.any_at_most, any_partial=summary.any_partial
    )
    notes.extend(bound_notes)
    if summary.count > len(summary.points):
        notes.append(NOTE_POINTS_TRUNCATED)
    progress = share_of_way(attained, goal.baseline, goal.value, notes)
    return Reading(
        method=PACE, attained=attained, qualifier=qualifier, data_date=summary.last_date, progress=progress,
        ratio=_pace(progress, expected), has_synthetic=summary.any_synthetic, points=summary.points,
        forecast=linear_forecast(summary, goal.baseline_date, goal.target_date, goal.value, goal.direction,
                                 attained, qualifier),
    )


def read_level(summary: Summary, goal: Goal, expected: float, notes: list[str]) -> Reading:
    """A level: the latest figure, judged by the growth-rate ratio (by pace with one point)."""
    attained, qualifier, data_date = summary.last_value, summary.last_qualifier, summary.last_date
    progress = share_of_way(attained, goal.baseline, goal.value, notes)
    reading = Reading(attained=attained, qualifier=qualifier, data_date=data_date, progress=progress,
                      has_synthetic=summary.last_synthetic)
    start = _growth_start(summary, goal, notes)
    if start is None:
        notes.append(NOTE_ONE_POINT_PACE)  # no growth rate from one point: the straight line instead
        reading.method, reading.ratio, reading.points = PACE, _pace(progress, expected), summary.points[-1:]
        return reading
    start_value, start_date, start_point = start
    base, base_date = (goal.baseline, goal.baseline_date) if goal.baseline is not None else (start_value, start_date)
    reading.method = GROWTH_RATIO
    reading.observed = cagr(attained, start_value, years_between(start_date, data_date))
    reading.required = cagr(goal.value, base, years_between(base_date, goal.target_date))
    if reading.observed is not None and reading.required:
        sign = -1 if goal.direction == AT_MOST else 1
        reading.ratio = sign * reading.observed / abs(reading.required)
    reading.points = [start_point, summary.points[-1]]
    reading.has_synthetic = reading.has_synthetic or start_point.get("synthetic", False)
    reading.forecast = compound_forecast(attained, reading.observed, data_date, goal.target_date, goal.value,
                                         goal.direction, qualifier)
    return reading


def _growth_start(summary: Summary, goal: Goal, notes: list[str]):
    """The first of the two points of a growth rate: the baseline, else the first figure."""
    if goal.baseline is not None and summary.last_date > goal.baseline_date:
        point = {"period_end": goal.baseline_date.isoformat(), "value": decimal_text(goal.baseline),
                 "qualifier": EXACT, "synthetic": False, "baseline": True}
        return goal.baseline, goal.baseline_date, point
    if goal.baseline is None and summary.count >= 2 and summary.first_date < summary.last_date:
        notes.append(NOTE_FIRST_POINT_AS_BASE)
        point = {"period_end": summary.first_date.isoformat(), "value": value_text(summary.first_value),
                 "qualifier": summary.first_qualifier, "synthetic": summary.first_synthetic}
        return summary.first_value, summary.first_date, point
    return None


def judge(reading: Reading, goal: Goal, as_of: date, notes: list[str]) -> str:
    """The status, from what is known. Never divides by an undefined pace."""
    if reading.attained is None:
        if as_of > goal.target_date:
            notes.append(NOTE_DEADLINE_PASSED_WITHOUT_DATA)
        return NO_DATA
    if target_met(attained=reading.attained, qualifier=reading.qualifier, target=goal.value,
                  direction=goal.direction):
        return ACHIEVED
    if as_of > goal.target_date:
        recent_enough = (
            reading.data_date is not None
            and (goal.target_date - reading.data_date).days <= MISS_EVIDENCE_WINDOW_DAYS
        )
        if recent_enough and figure_proves_miss(
            attained=reading.attained, qualifier=reading.qualifier, target=goal.value, direction=goal.direction
        ):
            return MISSED
        if recent_enough:
            notes.append(NOTE_BOUND_NOT_CONCLUSIVE)
        notes.append(NOTE_DEADLINE_PASSED_WITHOUT_DATA)
        return NO_DATA
    if reading.ratio is None:
        notes.append(NOTE_TOO_EARLY)
        return NO_DATA
    return status_from_ratio(reading.ratio, on_track=goal.thresholds[0], acceleration=goal.thresholds[1])


def quantitative_snapshot(target: dict, summary: Summary | None, as_of: date) -> dict:
    """The snapshot row of one quantitative target on `as_of`, with the inputs that explain it."""
    goal = Goal(
        baseline=None if target["baseline_value"] is None else float(target["baseline_value"]),
        baseline_date=target["baseline_date"], value=float(target["target_value"]),
        target_date=target["plan_target_date"], direction=target["direction"],
        thresholds=(float(target["on_track_threshold"]), float(target["acceleration_threshold"])),
    )
    expected = expected_progress(baseline_date=goal.baseline_date, target_date=goal.target_date, as_of=as_of)
    notes: list[str] = [NOTE_BASELINE_UNKNOWN] if goal.baseline is None else []
    if summary is None:
        reading = Reading()
    elif target["aggregation"] == SUM:
        reading = read_sum(summary, goal, expected, notes)
    else:
        reading = read_level(summary, goal, expected, notes)
    status = judge(reading, goal, as_of, notes)
    data_date, forecast = reading.data_date, reading.forecast
    data_age = (as_of - data_date).days if data_date else None
    inputs = {
        "method": reading.method,
        "baseline": decimal_text(target["baseline_value"]),
        "baseline_known": goal.baseline is not None,
        "baseline_date": goal.baseline_date.isoformat(),
        "target": decimal_text(target["target_value"]),
        "target_date": goal.target_date.isoformat(),
        "direction": goal.direction,
        "aggregation": target["aggregation"],
        "attained": decimal_text(to_decimal(reading.attained)) if reading.attained is not None else None,
        "attained_qualifier": reading.qualifier or "",
        "data_date": data_date.isoformat() if data_date else None,
        "progress": rounded(reading.progress),
        "expected": rounded(expected),
        "ratio": rounded(reading.ratio),
        "observed_cagr": rounded(reading.observed),
        "required_cagr": rounded(reading.required),
        "thresholds": {"on_track": goal.thresholds[0], "acceleration": goal.thresholds[1]},
        "points_used": reading.points,
        "points_count": summary.count if summary else 0,
        "forecast": forecast,
        "notes": notes,
    }
    return {
        "target_id": target["id"],
        "as_of": as_of,
        "attained": to_decimal(reading.attained),
        "attained_qualifier": reading.qualifier or "",
        "data_date": data_date,
        "baseline_known": goal.baseline is not None,
        "progress": rounded(reading.progress, 12),
        "expected": rounded(expected, 12),
        "ratio": rounded(reading.ratio, 12),
        "method": reading.method,
        "status": status,
        "forecast_value": to_decimal(forecast["value"]) if forecast["value"] is not None else None,
        "forecast_reach_date": date.fromisoformat(forecast["reach_date"]) if forecast["reach_date"] else None,
        "data_age_days": data_age,
        "is_data_stale": data_age is not None and data_age > STALE_AFTER_DAYS,
        "has_synthetic": bool(reading.has_synthetic),
        "inputs": inputs,
    }
