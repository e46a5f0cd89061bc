"""Every target's snapshot on each as-of date, from plain rows: the engine's public entry.

`snapshots_compute` judges every (target, date) pair at once (`judging.judge_pairs`) and
writes out one row per pair, with the inputs that explain it.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from targets.progress.codes import AT_MOST, EXACT, METHODS, NO_FORECAST, QUALIFIERS, QUALITATIVE, STATUSES, SUM
from targets.progress.dates import date_after_years, iso_or_none
from targets.progress.figures import MAX_POINTS_KEPT, Figures, day_number, day_of, standing
from targets.progress.items import items_snapshot
from targets.progress.judging import STALE_AFTER_DAYS, Judgement, Terms, judge_pairs
from targets.progress.numbers import decimal_text, rounded, to_decimal, value_text

# The order notes are written in: how the figures were read, then how they were judged.
NOTE_ORDER = (
    "mixed_bounds", "partial_period_lower_bound", "points_truncated", "target_equals_baseline",
    "first_point_as_base", "one_point_pace", "bound_not_conclusive", "deadline_passed_without_data", "too_early",
)
FORECAST_METHODS = (None, "linear_trend", "compound_growth")


def snapshots_compute(
    *, targets: list[dict], entries: Figures, item_statuses: dict[int, list[str]], as_of: date
) -> list[dict]:
    """One snapshot row per target as of `as_of` (see `history_compute`)."""
    return history_compute(targets=targets, entries=entries, item_statuses=item_statuses, dates=[as_of])


def history_compute(
    *, targets: list[dict], entries: Figures, item_statuses: dict[int, list[str]], dates: list[date]
) -> list[dict]:
    """One snapshot row per target and date, in target order then date order.

    `targets`: dicts with id, kind, target_value, baseline_value, baseline_date,
    direction, aggregation, plan_target_date, on_track_threshold, acceleration_threshold.
    `entries`: `entries_frame(...)` of (at least) these targets' figures.
    `item_statuses`: the named items' statuses of each qualitative target.
    Deterministic: the same rows give the same result, whatever other targets or dates
    are computed with them.
    """
    dates = sorted(dates)
    quantitative = sorted((t for t in targets if t["kind"] != QUALITATIVE), key=lambda t: t["id"])
    rows_of: dict[int, list[dict]] = {}
    if quantitative:
        rows_of.update(_quantitative_rows(quantitative, entries, dates))
    for target in targets:
        if target["kind"] == QUALITATIVE:
            items = item_statuses.get(target["id"], [])
            rows_of[target["id"]] = [items_snapshot(target, items, day) for day in dates]
    return [row for target in targets for row in rows_of[target["id"]]]


def _quantitative_rows(targets: list[dict], figures: Figures, dates: list[date]) -> dict[int, list[dict]]:
    target_ids = np.array([t["id"] for t in targets], dtype=np.int64)
    baseline = np.array([np.nan if t["baseline_value"] is None else float(t["baseline_value"]) for t in targets])
    baseline_day = np.array([day_number(t["baseline_date"]) for t in targets], dtype=np.int64)
    date_days = np.array([day_number(d) for d in dates], dtype=np.int64)
    pair_target = np.repeat(np.arange(len(targets)), len(dates))
    pair_day = np.tile(date_days, len(targets))
    terms = Terms(
        is_sum=np.array([t["aggregation"] == SUM for t in targets])[pair_target],
        at_most=np.array([t["direction"] == AT_MOST for t in targets])[pair_target],
        baseline=baseline[pair_target], baseline_day=baseline_day[pair_target],
        goal=np.array([float(t["target_value"]) for t in targets])[pair_target],
        target_day=np.array([day_number(t["plan_target_date"]) for t in targets], dtype=np.int64)[pair_target],
        on_track=np.array([float(t["on_track_threshold"]) for t in targets])[pair_target],
        acceleration=np.array([float(t["acceleration_threshold"]) for t in targets])[pair_target],
    )
    found = standing(figures, target_ids=target_ids, baseline=baseline, baseline_day=baseline_day,
                     pair_target=pair_target, pair_day=pair_day)
    judged = judge_pairs(figures, found, terms, pair_day)
    return _Writer(targets, figures, found, judged, dates).rows()


class _Writer:
    """Writes the judged arrays out as rows; each figure's point is formatted once."""

    def __init__(self, targets, figures, found, judged: Judgement, dates):
        self.targets, self.figures, self.found, self.judged, self.dates = targets, figures, found, judged, dates
        self._points: dict[int, dict] = {}

    def point(self, index: int) -> dict:
        point = self._points.get(index)
        if point is None:
            point = self._points[index] = {
                "period_end": day_of(self.figures.day[index]).isoformat(),
                "value": value_text(float(self.figures.value[index])),
                "qualifier": QUALIFIERS[self.figures.qualifier[index]],
                "synthetic": bool(self.figures.synthetic[index]),
            }
        return point

    def rows(self) -> dict[int, list[dict]]:
        j, found = self.judged, self.found
        columns = {
            name: getattr(j, name).tolist() for name in (
                "has_data", "expected", "attained", "qualifier", "data_day", "progress", "ratio", "observed",
                "required", "method", "status", "has_synthetic", "start", "forecast_kind", "forecast_value",
                "forecast_reach_day", "forecast_reach_years",
            )
        }
        notes = {name: flags.tolist() for name, flags in j.notes.items()}
        last, first, count = found.last.tolist(), found.first.tolist(), found.count.tolist()
        result: dict[int, list[dict]] = {}
        pair = 0
        for target in self.targets:
            fixed = _fixed_inputs(target)
            rows = result[target["id"]] = []
            for as_of in self.dates:
                rows.append(self._row(target, fixed, as_of, pair, columns, notes, last, first, count))
                pair += 1
        return result

    def _row(self, target, fixed, as_of, k, c, notes, last, first, count) -> dict:
        has = c["has_data"][k]
        attained = c["attained"][k] if has else None
        qualifier = QUALIFIERS[c["qualifier"][k]] if has else ""
        data_date = day_of(c["data_day"][k]) if has else None
        method = METHODS[c["method"][k]]
        row_notes = [] if fixed["baseline_known"] else ["baseline_unknown"]
        row_notes += [name for name in NOTE_ORDER if notes[name][k]]
        if not has:
            points = []
        elif target["aggregation"] == SUM:
            points = [self.point(i) for i in range(max(first[k], last[k] - MAX_POINTS_KEPT + 1), last[k] + 1)]
        elif c["start"][k] == 1:
            points = [fixed["baseline_point"], self.point(last[k])]
        elif c["start"][k] == 2:
            points = [self.point(first[k]), self.point(last[k])]
        else:
            points = [self.point(last[k])]
        forecast = self._forecast(c, k, data_date)
        data_age = (as_of - data_date).days if data_date else None
        progress, expected, ratio = c["progress"][k], c["expected"][k], c["ratio"][k]
        inputs = {
            "method": method,
            "baseline": fixed["baseline"],
            "baseline_known": fixed["baseline_known"],
            "baseline_date": fixed["baseline_date"],
            "target": fixed["target"],
            "target_date": fixed["target_date"],
            "direction": target["direction"],
            "aggregation": target["aggregation"],
            "attained": decimal_text(to_decimal(attained)) if attained is not None else None,
            "attained_qualifier": qualifier,
            "data_date": data_date.isoformat() if data_date else None,
            "progress": rounded(progress),
            "expected": rounded(expected),
            "ratio": rounded(ratio),
            "observed_cagr": rounded(c["observed"][k]),
            "required_cagr": rounded(c["required"][k]),
            "thresholds": fixed["thresholds"],
            "points_used": points,
            "points_count": count[k],
            "forecast": forecast,
            "notes": row_notes,
        }
        return {
            "target_id": target["id"],
            "as_of": as_of,
            "attained": to_decimal(attained),
            "attained_qualifier": qualifier,
            "data_date": data_date,
            "baseline_known": fixed["baseline_known"],
            "progress": rounded(progress, 12),
            "expected": rounded(expected, 12),
            "ratio": rounded(ratio, 12),
            "method": method,
            "status": STATUSES[c["status"][k]],
            "forecast_value": to_decimal(forecast["value"]) if forecast["value"] is not None else None,
            "forecast_reach_date": date.fromisoformat(forecast["reach_date"]) if forecast["reach_date"] else None,
            "data_age_days": data_age,
            "is_data_stale": data_age is not None and data_age > STALE_AFTER_DAYS,
            "has_synthetic": bool(c["has_synthetic"][k]),
            "inputs": inputs,
        }

    @staticmethod
    def _forecast(c, k, data_date) -> dict:
        kind = c["forecast_kind"][k]
        if not kind:
            return dict(NO_FORECAST)
        reach_day, reach_years = c["forecast_reach_day"][k], c["forecast_reach_years"][k]
        if reach_day >= 0:
            reach = day_of(reach_day)
        elif reach_years == reach_years:  # not NaN: compound growth reaches it that many years on
            reach = date_after_years(data_date, reach_years)
        else:
            reach = None
        return {"value": rounded(c["forecast_value"][k], 4), "reach_date": iso_or_none(reach),
                "method": FORECAST_METHODS[kind]}


def _fixed_inputs(target: dict) -> dict:
    """The inputs that are the same on every date of a target."""
    known = target["baseline_value"] is not None
    return {
        "baseline": decimal_text(target["baseline_value"]),
        "baseline_known": known,
        "baseline_date": target["baseline_date"].isoformat(),
        "baseline_point": {
            "period_end": target["baseline_date"].isoformat(), "value": decimal_text(target["baseline_value"]),
            "qualifier": EXACT, "synthetic": False, "baseline": True,
        } if known else None,
        "target": decimal_text(target["target_value"]),
        "target_date": target["plan_target_date"].isoformat(),
        "thresholds": {"on_track": float(target["on_track_threshold"]),
                       "acceleration": float(target["acceleration_threshold"])},
    }

