"""The progress engine's computation: plain rows in, plain rows out, no database.

`targets.services.snapshots_recompute` reads the rows (a constant number of queries),
calls `snapshots_compute` and `rollups_compute` here, and writes what they return.
Methods and thresholds follow `progress-methods.md` (Open SDG / Statistics Canada):

- counts (`sum` targets) and named items are judged by pace: progress over the
  progress expected on a straight line from the baseline date to the plan's target date;
- levels (`latest` targets) by the growth-rate ratio: observed over required compound
  annual growth, which needs two points (a known baseline is one of them).

Figures are computed as float64 (fast, vectorised); attained values are rounded back to
the four decimals the database keeps, which is exact for values below 10^11.

Extension point: expected progress is a straight line. Yearly milestones are not in the
data model yet; when they are, `expected_progress` is the one function to change.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

# Statuses and methods as stored in Snapshot.status / Snapshot.method (kept as plain
# strings so this module needs no Django models).
ACHIEVED = "achieved"
ON_TRACK = "on_track"
NEEDS_ACCELERATION = "needs_acceleration"
OFF_TRACK = "off_track"
MOVING_AWAY = "moving_away"
MISSED = "missed"
NO_DATA = "no_data"
STATUSES = (ACHIEVED, ON_TRACK, NEEDS_ACCELERATION, OFF_TRACK, MOVING_AWAY, MISSED, NO_DATA)

PACE = "pace"
GROWTH_RATIO = "growth_ratio"
ITEMS = "items"
NONE = "none"

EXACT = "exact"
AT_LEAST = "at_least"
AT_MOST = "at_most"
PARTIAL_PERIOD = "partial_period"

STALE_AFTER_DAYS = 365
# A figure for the last period before the target date still speaks to it if it is this recent.
MISS_EVIDENCE_WINDOW_DAYS = 366
# Open SDG replaces a zero base or target by this in growth rates.
ZERO_REPLACEMENT = 0.001
# inputs.points_used keeps the most recent points; a count with years of monthly
# entries would otherwise store hundreds of points in every snapshot.
MAX_POINTS_KEPT = 12

# A trend that reaches the target only after this many years is reported as never reaching it.
FORECAST_HORIZON_YEARS = 100
# Snapshot.forecast_value holds 20 digits before the point; a trend beyond that is no forecast.
MAX_FORECAST_VALUE = 1e19

# Short codes stored in inputs.notes; `targets.explain` turns them into sentences.
NOTE_BASELINE_UNKNOWN = "baseline_unknown"
NOTE_TOO_EARLY = "too_early"
NOTE_DEADLINE_PASSED_WITHOUT_DATA = "deadline_passed_without_data"
NOTE_BOUND_NOT_CONCLUSIVE = "bound_not_conclusive"
NOTE_ONE_POINT_PACE = "one_point_pace"
NOTE_FIRST_POINT_AS_BASE = "first_point_as_base"
NOTE_PARTIAL_PERIOD_LOWER_BOUND = "partial_period_lower_bound"
NOTE_MIXED_BOUNDS = "mixed_bounds"
NOTE_POINTS_TRUNCATED = "points_truncated"
NOTE_TARGET_EQUALS_BASELINE = "target_equals_baseline"
NOTE_NO_ITEMS = "no_items"
NOTE_ITEMS_CURRENT_STATUS = "items_current_status"

ENTRY_COLUMNS = ["target_id", "period_end", "value", "qualifier", "is_synthetic"]


# --- dates -------------------------------------------------------------------------

def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def years_between(start: date, end: date) -> float:
    """Whole calendar years plus the fraction of the next one.

    31 Dec 2019 to 31 Dec 2020 is exactly one year (not 366/365.25), so growth over
    yearly figures reads as the sources state it (1,500 / 1,157.69 - 1 = 29.57 %).
    """
    if end < start:
        return -years_between(end, start)
    whole = end.year - start.year
    anniversary = _add_years(start, whole)
    if anniversary > end:
        whole -= 1
        anniversary = _add_years(start, whole)
    following = _add_years(start, whole + 1)
    return whole + (end - anniversary).days / (following - anniversary).days


def date_after_years(start: date, years: float) -> date:
    whole = math.floor(years)
    anniversary = _add_years(start, whole)
    following = _add_years(start, whole + 1)
    return anniversary + timedelta(days=round((years - whole) * (following - anniversary).days))


def expected_progress(*, baseline_date: date, target_date: date, as_of: date) -> float:
    """Share of the way a straight line from baseline to target date has covered by `as_of`."""
    span = (target_date - baseline_date).days
    if span <= 0:
        return 1.0
    return min(max((as_of - baseline_date).days / span, 0.0), 1.0)


# --- small formulas ----------------------------------------------------------------

def cagr(end_value: float, start_value: float, years: float) -> float | None:
    """Compound annual growth from start to end over `years` (Open SDG: zero → 0.001)."""
    if years <= 0:
        return None
    end_value = end_value or ZERO_REPLACEMENT
    start_value = start_value or ZERO_REPLACEMENT
    if end_value < 0 or start_value < 0:
        return None
    try:
        return (end_value / start_value) ** (1 / years) - 1
    except OverflowError:  # growth over a few days, read as a yearly rate
        return None


def status_from_ratio(ratio: float, *, on_track: float, acceleration: float) -> str:
    if ratio >= on_track:
        return ON_TRACK
    if ratio >= acceleration:
        return NEEDS_ACCELERATION
    if ratio >= 0:
        return OFF_TRACK
    return MOVING_AWAY


def target_met(*, attained: float, qualifier: str, target: float, direction: str) -> bool:
    """Whether the attained figure proves the target met.

    A lower bound at or above an "at least" target proves it; an upper bound never does
    (the true value may be lower). Mirror-wise for "at most" targets.
    """
    if direction == AT_MOST:
        return attained <= target and qualifier != AT_LEAST
    return attained >= target and qualifier != AT_MOST


def figure_proves_miss(*, attained: float, qualifier: str, target: float, direction: str) -> bool:
    """Whether a figure shows the target not met: a bound on the right side proves nothing."""
    if direction == AT_MOST:
        return attained > target and qualifier != AT_MOST
    return attained < target and qualifier != AT_LEAST


def _number(value: float | None, digits: int = 10) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def _decimal_text(value) -> str | None:
    if value is None:
        return None
    return format(Decimal(str(value)).normalize(), "f")


def to_decimal(value: float | None) -> Decimal | None:
    """A computed float as the four-decimal figure the database stores."""
    if value is None or not math.isfinite(value):
        return None
    return Decimal(str(round(value, 4))).quantize(Decimal("0.0001"))


# --- entries -----------------------------------------------------------------------

def entries_frame(rows: Iterable) -> pd.DataFrame:
    """Entries as a frame sorted by target and period, from tuples in ENTRY_COLUMNS order
    (target_id, period_end as a date or ISO text, value, qualifier, is_synthetic) or dicts
    with those keys."""
    rows = list(rows)
    if rows and isinstance(rows[0], dict):
        rows = [tuple(row[column] for column in ENTRY_COLUMNS) for row in rows]
    frame = pd.DataFrame(rows, columns=ENTRY_COLUMNS)
    days = frame["period_end"]
    if len(days) and isinstance(days.iloc[0], str):
        frame["period_end"] = pd.to_datetime(days, format="%Y-%m-%d")
    else:
        frame["period_end"] = pd.to_datetime(days)
    frame = frame.astype({"target_id": "int64", "value": "float64", "is_synthetic": bool,
                          "period_end": "datetime64[ns]"})
    return frame.sort_values(["target_id", "period_end"], kind="stable").reset_index(drop=True)


def _value_text(value: float) -> str:
    """A figure rounded to four decimals, without trailing zeros ("1157.69", "120")."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@dataclass
class _Summary:
    """Per-target aggregates of the entries up to the as-of date."""

    count: int
    total: float
    last_value: float
    last_qualifier: str
    last_date: date
    last_synthetic: bool
    first_value: float
    first_qualifier: str
    first_date: date
    first_synthetic: bool
    any_at_least: bool
    any_at_most: bool
    any_partial: bool
    any_synthetic: bool
    points: list
    trend: tuple[float, float] | None = None  # (slope per day, intercept) of the cumulative values


def _summaries(frame: pd.DataFrame, as_of: date, baselines: dict[int, tuple]) -> dict[int, _Summary]:
    """Per-target aggregates of the entries up to `as_of`, vectorised over all targets.

    The frame is sorted by target and period, so each target is one contiguous run of
    rows: numpy's `reduceat` over the run starts gives every sum, count and flag in one
    pass (a pandas named aggregation costs far more fixed time per call).
    """
    used = frame[frame["period_end"] <= pd.Timestamp(as_of)]
    if used.empty:
        return {}
    ids = used["target_id"].to_numpy()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    ends = np.r_[starts[1:], len(ids)] - 1
    values = used["value"].to_numpy()
    qualifiers = used["qualifier"].to_numpy()
    synthetic = used["is_synthetic"].to_numpy()
    totals = np.add.reduceat(values, starts)
    any_at_least = np.logical_or.reduceat(qualifiers == AT_LEAST, starts)
    any_at_most = np.logical_or.reduceat(qualifiers == AT_MOST, starts)
    any_partial = np.logical_or.reduceat(qualifiers == PARTIAL_PERIOD, starts)
    any_synthetic = np.logical_or.reduceat(synthetic, starts)
    # Only the points kept (the last few of each target) and the first are turned into
    # Python objects: formatting all 100,000 entries would cost more than the arithmetic.
    kept = np.zeros(len(ids), dtype=bool)
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        kept[max(start, end - MAX_POINTS_KEPT + 1):end + 1] = True
    kept[starts] = True
    kept_index = np.flatnonzero(kept)
    kept_days = used["period_end"].to_numpy()[kept_index].astype("datetime64[D]").astype(str).tolist()
    days = dict(zip(kept_index.tolist(), kept_days, strict=True))
    texts = dict(zip(kept_index.tolist(), [_value_text(v) for v in values[kept_index].tolist()], strict=True))
    qualifier_list, synthetic_list = qualifiers.tolist(), synthetic.tolist()
    trends = _linear_trends(used, ids, starts, values, baselines)

    summaries = {}
    for run, (start, end) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        target_id = int(ids[start])
        points = [
            {"period_end": days[i], "value": texts[i], "qualifier": qualifier_list[i],
             "synthetic": synthetic_list[i]}
            for i in range(max(start, end - MAX_POINTS_KEPT + 1), end + 1)
        ]
        summaries[target_id] = _Summary(
            count=end - start + 1, total=float(totals[run]),
            last_value=float(values[end]), last_qualifier=qualifier_list[end],
            last_date=date.fromisoformat(days[end]), last_synthetic=synthetic_list[end],
            first_value=float(values[start]), first_qualifier=qualifier_list[start],
            first_date=date.fromisoformat(days[start]), first_synthetic=synthetic_list[start],
            any_at_least=bool(any_at_least[run]), any_at_most=bool(any_at_most[run]),
            any_partial=bool(any_partial[run]), any_synthetic=bool(any_synthetic[run]),
            points=points, trend=trends.get(target_id),
        )
    return summaries


def _linear_trends(used, ids, starts, values, baselines) -> dict[int, tuple[float, float]]:
    """Least squares of cumulative value on time for each `sum` target, from run sums.

    Points: the baseline (when known) at its date, then baseline + running total at each
    period end; x is days since the baseline date. Needs two points at distinct dates.
    """
    run_ids = ids[starts]
    counts = np.diff(np.r_[starts, len(ids)])
    info = [baselines.get(int(t), (None, None, None)) for t in run_ids]
    is_sum = np.array([aggregation == "sum" for _, _, aggregation in info])
    if not is_sum.any():
        return {}
    base_value = np.array([0.0 if value is None else value for value, _, _ in info])
    known = np.array([value is not None for value, _, _ in info])
    base_day = np.array([(day or date(1970, 1, 1)).toordinal() for _, day, _ in info], dtype="float64")
    x = used["period_end"].to_numpy().astype("datetime64[D]").astype("float64") + 719163.0  # → ordinal
    x = x - np.repeat(base_day, counts)
    y = np.repeat(base_value, counts) + used.groupby("target_id", sort=False)["value"].cumsum().to_numpy()
    n = counts + known  # the baseline point (x = 0, y = B) where the baseline is known
    sx = np.add.reduceat(x, starts)
    sy = np.add.reduceat(y, starts) + np.where(known, base_value, 0.0)
    sxx = np.add.reduceat(x * x, starts)
    sxy = np.add.reduceat(x * y, starts)
    with np.errstate(divide="ignore", invalid="ignore"):
        denominator = n * sxx - sx * sx
        slope = (n * sxy - sx * sy) / denominator
        intercept = (sy - slope * sx) / n
    valid = is_sum & (n >= 2) & (np.abs(denominator) > 1e-9) & np.isfinite(slope)
    return {
        int(t): (float(a), float(b))
        for t, a, b in zip(run_ids[valid], slope[valid], intercept[valid], strict=True)
    }


# --- one target --------------------------------------------------------------------

def _judge(*, progress, ratio, met, as_of, target_date, data_date, attained, qualifier, target_value,
           direction, thresholds, notes):
    """The status, from what is known. Never divides by an undefined pace."""
    if attained is None:
        if as_of > target_date:
            notes.append(NOTE_DEADLINE_PASSED_WITHOUT_DATA)
        return NO_DATA
    if met:
        return ACHIEVED
    if as_of > target_date:
        recent_enough = data_date is not None and (target_date - data_date).days <= MISS_EVIDENCE_WINDOW_DAYS
        if recent_enough and figure_proves_miss(
            attained=attained, qualifier=qualifier, target=target_value, direction=direction
        ):
            return MISSED
        if recent_enough:
            notes.append(NOTE_BOUND_NOT_CONCLUSIVE)
        notes.append(NOTE_DEADLINE_PASSED_WITHOUT_DATA)
        return NO_DATA
    if ratio is None:
        notes.append(NOTE_TOO_EARLY)
        return NO_DATA
    return status_from_ratio(ratio, on_track=thresholds[0], acceleration=thresholds[1])


def _quantitative(target: dict, summary: _Summary | None, as_of: date) -> dict:
    baseline = None if target["baseline_value"] is None else float(target["baseline_value"])
    goal = float(target["target_value"])
    baseline_date, target_date = target["baseline_date"], target["plan_target_date"]
    direction, aggregation = target["direction"], target["aggregation"]
    thresholds = (float(target["on_track_threshold"]), float(target["acceleration_threshold"]))
    expected = expected_progress(baseline_date=baseline_date, target_date=target_date, as_of=as_of)
    notes: list[str] = []
    if baseline is None:
        notes.append(NOTE_BASELINE_UNKNOWN)

    attained = qualifier = data_date = None
    progress = ratio = observed = required = None
    method = NONE
    has_synthetic = False
    points: list = []
    forecast = {"value": None, "reach_date": None, "method": None}

    if summary is not None:
        data_date = summary.last_date
        if aggregation == "sum":
            attained = (baseline or 0.0) + summary.total
            qualifier = _sum_qualifier(summary, notes)
            has_synthetic = summary.any_synthetic
            points = summary.points
            if summary.count > len(points):
                notes.append(NOTE_POINTS_TRUNCATED)
        else:
            attained = summary.last_value
            qualifier = summary.last_qualifier
            has_synthetic = summary.last_synthetic
        progress = _progress(attained, baseline, goal, notes)

        if aggregation == "sum":
            method = PACE
            ratio = progress / expected if expected > 0 and progress is not None else None
            forecast = _linear_forecast(summary, baseline_date, target_date, goal, direction, attained, qualifier)
        else:
            start = _growth_start(summary, baseline, baseline_date, notes)
            if start is not None:
                start_value, start_date, start_point = start
                method = GROWTH_RATIO
                base_for_required = baseline if baseline is not None else start_value
                base_date_for_required = baseline_date if baseline is not None else start_date
                observed = cagr(attained, start_value, years_between(start_date, data_date))
                required = cagr(goal, base_for_required, years_between(base_date_for_required, target_date))
                sign = -1 if direction == AT_MOST else 1
                if observed is not None and required:
                    ratio = sign * observed / abs(required)
                points = [start_point, summary.points[-1]] if start_point else [summary.points[-1]]
                has_synthetic = has_synthetic or (start_point or {}).get("synthetic", False)
                forecast = _compound_forecast(attained, observed, data_date, target_date, goal, direction, qualifier)
            else:
                method = PACE  # one point: no growth rate, so fall back to the straight line
                notes.append(NOTE_ONE_POINT_PACE)
                ratio = progress / expected if expected > 0 and progress is not None else None
                points = summary.points[-1:]

    met = attained is not None and target_met(attained=attained, qualifier=qualifier, target=goal, direction=direction)
    status = _judge(
        progress=progress, ratio=ratio, met=met, as_of=as_of, target_date=target_date, data_date=data_date,
        attained=attained, qualifier=qualifier, target_value=goal, direction=direction,
        thresholds=thresholds, notes=notes,
    )
    data_age = (as_of - data_date).days if data_date else None
    inputs = {
        "method": method,
        "baseline": _decimal_text(target["baseline_value"]),
        "baseline_known": baseline is not None,
        "baseline_date": baseline_date.isoformat(),
        "target": _decimal_text(target["target_value"]),
        "target_date": target_date.isoformat(),
        "direction": direction,
        "aggregation": aggregation,
        "attained": _decimal_text(to_decimal(attained)) if attained is not None else None,
        "attained_qualifier": qualifier or "",
        "data_date": data_date.isoformat() if data_date else None,
        "progress": _number(progress),
        "expected": _number(expected),
        "ratio": _number(ratio),
        "observed_cagr": _number(observed),
        "required_cagr": _number(required),
        "thresholds": {"on_track": thresholds[0], "acceleration": thresholds[1]},
        "points_used": points,
        "points_count": summary.count if summary else 0,
        "forecast": forecast,
        "notes": notes,
    }
    return {
        "target_id": target["id"],
        "as_of": as_of,
        "attained": to_decimal(attained),
        "attained_qualifier": qualifier or "",
        "data_date": data_date,
        "baseline_known": baseline is not None,
        "progress": _number(progress, 12),
        "expected": _number(expected, 12),
        "ratio": _number(ratio, 12),
        "method": method,
        "status": status,
        "forecast_value": to_decimal(forecast["value"]) if forecast["value"] is not None else None,
        "forecast_reach_date": date.fromisoformat(forecast["reach_date"]) if forecast["reach_date"] else None,
        "data_age_days": data_age,
        "is_data_stale": data_age is not None and data_age > STALE_AFTER_DAYS,
        "has_synthetic": bool(has_synthetic),
        "inputs": inputs,
    }


def _sum_qualifier(summary: _Summary, notes: list[str]) -> str:
    """A sum is a lower bound if any part is one (a partial period understates its period)."""
    lower = summary.any_at_least or summary.any_partial
    if lower and summary.any_at_most:
        notes.append(NOTE_MIXED_BOUNDS)
        return EXACT
    if summary.any_partial:
        notes.append(NOTE_PARTIAL_PERIOD_LOWER_BOUND)
    if lower:
        return AT_LEAST
    if summary.any_at_most:
        return AT_MOST
    return EXACT


def _progress(attained: float, baseline: float | None, goal: float, notes: list[str]) -> float | None:
    if baseline is None:
        return attained / goal if goal else None
    if goal == baseline:
        notes.append(NOTE_TARGET_EQUALS_BASELINE)
        return None
    return (attained - baseline) / (goal - baseline)


def _growth_start(summary: _Summary, baseline, baseline_date, notes):
    """The first of the two points of a growth rate: the baseline, else the first entry."""
    if baseline is not None and summary.last_date > baseline_date:
        point = {"period_end": baseline_date.isoformat(), "value": _decimal_text(baseline),
                 "qualifier": EXACT, "synthetic": False, "baseline": True}
        return baseline, baseline_date, point
    if baseline is None and summary.count >= 2 and summary.first_date < summary.last_date:
        notes.append(NOTE_FIRST_POINT_AS_BASE)
        point = {"period_end": summary.first_date.isoformat(), "value": _value_text(summary.first_value),
                 "qualifier": summary.first_qualifier, "synthetic": summary.first_synthetic}
        return summary.first_value, summary.first_date, point
    return None


def _linear_forecast(summary, baseline_date, target_date, goal, direction, attained, qualifier):
    trend = summary.trend
    if trend is None:
        return {"value": None, "reach_date": None, "method": None}
    slope, intercept = trend
    value = intercept + slope * (target_date - baseline_date).days
    if abs(value) >= MAX_FORECAST_VALUE:
        value = None
    if target_met(attained=attained, qualifier=qualifier, target=goal, direction=direction):
        reach = summary.last_date
    elif slope != 0 and (slope > 0) == (direction != AT_MOST):
        # Rounded first so that float noise (915.0000000001) does not add a day.
        days = math.ceil(round((goal - intercept) / slope, 6))
        reach = baseline_date + timedelta(days=days) if 0 <= days <= FORECAST_HORIZON_YEARS * 366 else None
    else:
        reach = None
    return {"value": _number(value, 4), "reach_date": _iso(reach), "method": "linear_trend"}


def _compound_forecast(attained, observed, data_date, target_date, goal, direction, qualifier):
    if observed is None:
        return {"value": None, "reach_date": None, "method": None}
    growth = 1 + observed
    try:
        value = attained * growth ** years_between(data_date, target_date) if growth > 0 else None
    except OverflowError:
        value = None
    if value is not None and abs(value) >= MAX_FORECAST_VALUE:
        value = None
    if target_met(attained=attained, qualifier=qualifier, target=goal, direction=direction):
        reach = data_date
    elif growth > 0 and growth != 1 and attained > 0 and goal > 0 and (growth > 1) == (direction != AT_MOST):
        years = math.log(goal / attained) / math.log(growth)
        reach = date_after_years(data_date, years) if 0 <= years <= FORECAST_HORIZON_YEARS else None
    else:
        reach = None
    return {"value": _number(value, 4), "reach_date": _iso(reach), "method": "compound_growth"}


def _iso(day: date | None) -> str | None:
    if day is None:
        return None
    if day.year > 9999 or day.year < 1:
        return None
    return day.isoformat()


def _qualitative(target: dict, items: list[str], as_of: date) -> dict:
    """Share of named items achieved, judged by pace like a count.

    Items have no dated history: their current status is used for every as-of date.
    """
    target_date = target["plan_target_date"]
    thresholds = (float(target["on_track_threshold"]), float(target["acceleration_threshold"]))
    expected = expected_progress(baseline_date=target["baseline_date"], target_date=target_date, as_of=as_of)
    notes = [NOTE_ITEMS_CURRENT_STATUS]
    total, achieved = len(items), sum(1 for status in items if status == ACHIEVED)
    if total == 0:
        notes.append(NOTE_NO_ITEMS)
        progress = ratio = None
        status = NO_DATA
    else:
        progress = achieved / total
        ratio = progress / expected if expected > 0 else None
        if achieved == total:
            status = ACHIEVED
        elif as_of > target_date:
            # Item statuses carry no date: nothing shows they were still open on the
            # target date, so a miss would be a guess.
            notes.append(NOTE_DEADLINE_PASSED_WITHOUT_DATA)
            status = NO_DATA
        elif ratio is None:
            notes.append(NOTE_TOO_EARLY)
            status = NO_DATA
        else:
            status = status_from_ratio(ratio, on_track=thresholds[0], acceleration=thresholds[1])
    inputs = {
        "method": ITEMS, "baseline": None, "baseline_known": False,
        "baseline_date": target["baseline_date"].isoformat(), "target": str(total),
        "target_date": target_date.isoformat(), "direction": AT_LEAST, "aggregation": "items",
        "attained": str(achieved), "attained_qualifier": EXACT, "data_date": None,
        "progress": _number(progress), "expected": _number(expected), "ratio": _number(ratio),
        "observed_cagr": None, "required_cagr": None,
        "thresholds": {"on_track": thresholds[0], "acceleration": thresholds[1]},
        "points_used": [], "points_count": 0, "items_total": total, "items_achieved": achieved,
        "forecast": {"value": None, "reach_date": None, "method": None}, "notes": notes,
    }
    return {
        "target_id": target["id"], "as_of": as_of,
        "attained": Decimal(achieved).quantize(Decimal("0.0001")) if total else None,
        "attained_qualifier": EXACT if total else "", "data_date": None, "baseline_known": False,
        "progress": _number(progress, 12), "expected": _number(expected, 12), "ratio": _number(ratio, 12),
        "method": ITEMS if total else NONE, "status": status, "forecast_value": None,
        "forecast_reach_date": None, "data_age_days": None, "is_data_stale": False, "has_synthetic": False,
        "inputs": inputs,
    }


# --- public ------------------------------------------------------------------------

def snapshots_compute(
    *, targets: list[dict], entries: pd.DataFrame, item_statuses: dict[int, list[str]], as_of: date
) -> list[dict]:
    """One snapshot row per target as of `as_of`.

    `targets`: dicts with id, kind, target_value, baseline_value, baseline_date,
    direction, aggregation, plan_target_date, on_track_threshold, acceleration_threshold.
    `entries`: `entries_frame(...)` of (at least) these targets' entries.
    `item_statuses`: the named items' statuses of each qualitative target.
    Deterministic: the same rows give the same result.
    """
    baselines = {
        t["id"]: (None if t["baseline_value"] is None else float(t["baseline_value"]), t["baseline_date"],
                  t["aggregation"])
        for t in targets if t["kind"] != "qualitative"
    }
    summaries = _summaries(entries, as_of, baselines)
    rows = []
    for target in targets:
        if target["kind"] == "qualitative":
            rows.append(_qualitative(target, item_statuses.get(target["id"], []), as_of))
        else:
            rows.append(_quantitative(target, summaries.get(target["id"]), as_of))
    return rows


def rollups_compute(*, targets: list[dict], snapshots: dict[int, dict]) -> list[dict]:
    """Objective and plan roll-ups: mean of progress capped to [0, 1], and targets per status.

    Capping keeps one exceeded target from hiding another that is behind. A target
    without a snapshot counts as "no data"; targets without a progress figure are left
    out of the mean (`progress_count` says how many it covers). Plain Python: a plan has
    tens of targets, and a pandas group-by would cost more in fixed overhead than it saves.
    """
    scopes: dict[tuple[int, int | None], list[tuple[str, float | None]]] = {}
    for target in targets:
        snapshot = snapshots.get(target["id"]) or {}
        progress_value = snapshot.get("progress")
        capped = None if progress_value is None else min(max(float(progress_value), 0.0), 1.0)
        judged = (snapshot.get("status") or NO_DATA, capped)
        scopes.setdefault((target["plan_id"], None), []).append(judged)
        scopes.setdefault((target["plan_id"], target["objective_id"]), []).append(judged)
    rows = []
    for (plan_id, objective_id), judged in sorted(scopes.items(), key=lambda item: (item[0][0], item[0][1] or 0)):
        capped_values = [capped for _, capped in judged if capped is not None]
        counts = {status: sum(1 for s, _ in judged if s == status) for status in STATUSES}
        rows.append({
            "plan_id": plan_id,
            "objective_id": objective_id,
            "mean_capped_progress": round(math.fsum(capped_values) / len(capped_values), 12) if capped_values else None,
            "target_count": len(judged),
            "progress_count": len(capped_values),
            "status_counts": {status: count for status, count in counts.items() if count},
        })
    return rows


def measure_status_on(*, current: str, updates: Iterable[tuple[date, str]], as_of: date | None, today: date) -> str:
    """A measure's status on `as_of` — the one rule the roll-ups and the measures page share.

    `updates`: (date, status) of its updates, in date and entry order. Before `today` the
    status is the one set by its last update dated on or before `as_of`, where there is
    one, else its current status (measures have no other dated history). For today and
    later it is the current status.
    """
    if as_of is None or as_of >= today:
        return current
    status = current
    for day, update_status in updates:  # in date order: the last one wins
        if day <= as_of and update_status:
            status = update_status
    return status


def area_rollups_compute(
    *, areas: list[int], measures: list[tuple[int, int, str]], updates: list[tuple[int, date, str]],
    as_of: date, today: date,
) -> list[dict]:
    """Measures per status per area, each measure's status by `measure_status_on`.

    `measures`: (measure_id, area_id, current status); `updates`: (measure_id, date,
    status) of updates that set a status, ordered by date and entry order.
    """
    updates_of: dict[int, list[tuple[date, str]]] = {}
    for measure_id, day, status in updates:
        updates_of.setdefault(measure_id, []).append((day, status))
    counts: dict[int, dict[str, int]] = {area_id: {} for area_id in areas}
    for measure_id, area_id, current in measures:
        status = measure_status_on(current=current, updates=updates_of.get(measure_id, ()), as_of=as_of, today=today)
        area_counts = counts.setdefault(area_id, {})
        area_counts[status] = area_counts.get(status, 0) + 1
    return [
        {"area_id": area_id, "measure_count": sum(c.values()), "status_counts": dict(sorted(c.items()))}
        for area_id, c in sorted(counts.items())
    ]
