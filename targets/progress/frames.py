"""Figures as a frame, and per-target aggregates of them up to an as-of date."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from targets.progress.codes import AT_LEAST, AT_MOST, PARTIAL_PERIOD, SUM
from targets.progress.numbers import value_text

ENTRY_COLUMNS = ["target_id", "period_end", "value", "qualifier", "is_synthetic"]
# inputs.points_used keeps the most recent points; a count with years of monthly
# entries would otherwise store hundreds of points in every snapshot.
MAX_POINTS_KEPT = 12


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



@dataclass
class Summary:
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


def summaries(frame: pd.DataFrame, as_of: date, baselines: dict[int, tuple]) -> dict[int, Summary]:
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
    texts = dict(zip(kept_index.tolist(), [value_text(v) for v in values[kept_index].tolist()], strict=True))
    qualifier_list, synthetic_list = qualifiers.tolist(), synthetic.tolist()
    trends = _linear_trends(used, ids, starts, values, baselines)

    found = {}
    for run, (start, end) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        target_id = int(ids[start])
        points = [
            {"period_end": days[i], "value": texts[i], "qualifier": qualifier_list[i],
             "synthetic": synthetic_list[i]}
            for i in range(max(start, end - MAX_POINTS_KEPT + 1), end + 1)
        ]
        found[target_id] = Summary(
            count=end - start + 1, total=float(totals[run]),
            last_value=float(values[end]), last_qualifier=qualifier_list[end],
            last_date=date.fromisoformat(days[end]), last_synthetic=synthetic_list[end],
            first_value=float(values[start]), first_qualifier=qualifier_list[start],
            first_date=date.fromisoformat(days[start]), first_synthetic=synthetic_list[start],
            any_at_least=bool(any_at_least[run]), any_at_most=bool(any_at_most[run]),
            any_partial=bool(any_partial[run]), any_synthetic=bool(any_synthetic[run]),
            points=points, trend=trends.get(target_id),
        )
    return found


def _linear_trends(used, ids, starts, values, baselines) -> dict[int, tuple[float, float]]:
    """Least squares of cumulative value on time for each `sum` target, from run sums.

    Points: the baseline (when known) at its date, then baseline + running total at each
    period end; x is days since the baseline date. Needs two points at distinct dates.
    """
    run_ids = ids[starts]
    counts = np.diff(np.r_[starts, len(ids)])
    info = [baselines.get(int(t), (None, None, None)) for t in run_ids]
    is_sum = np.array([aggregation == SUM for _, _, aggregation in info])
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

