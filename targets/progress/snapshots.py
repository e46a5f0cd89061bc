"""Every target's snapshot on each as-of date, from plain rows: the engine's public entry.

`snapshots_compute` judges every (target, date) pair at once (`judging.judge_pairs`) and
writes out one row per pair, with the inputs that explain it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from targets.progress.codes import (
    AT_MOST,
    CONFIDENCES,
    EXACT,
    METHODS,
    NO_FORECAST,
    QUALIFIERS,
    QUALITATIVE,
    STATUSES,
    SUM,
)
from targets.progress.dates import date_after_years, iso_or_none
from targets.progress.figures import (
    CODE_EXACT,
    MAX_POINTS_KEPT,
    Figures,
    Standing,
    day_number,
    day_of,
    interval_end,
    standing,
)
from targets.progress.items import items_snapshot
from targets.progress.judging import STALE_AFTER_DAYS, Judgement, Terms, interval_verdict, judge_pairs
from targets.progress.numbers import decimal_text, rounded, to_decimal, value_text

# The order notes are written in: how the figures were read, then how they were judged.
NOTE_ORDER = (
    "mixed_bounds", "partial_period_lower_bound", "points_truncated", "target_equals_baseline",
    "first_point_as_base", "one_point_pace", "forecast_needs_two_figures", "status_range", "bound_not_conclusive",
    "figure_too_old_at_deadline", "no_figure_by_deadline", "after_deadline_figure", "no_figure_since_baseline",
    "too_early",
)
FORECAST_METHODS = (None, "linear_trend", "compound_growth")


def snapshots_compute(
    *, targets: list[dict[str, Any]], entries: Figures, item_statuses: dict[int, list[list[tuple[date, str]]]], as_of: date
) -> list[dict[str, Any]]:
    """One snapshot row per target as of `as_of` (see `history_compute`)."""
    return history_compute(targets=targets, entries=entries, item_statuses=item_statuses, dates=[as_of])


def history_compute(
    *, targets: list[dict[str, Any]], entries: Figures, item_statuses: dict[int, list[list[tuple[date, str]]]], dates: list[date]
) -> list[dict[str, Any]]:
    """One snapshot row per target and date, in target order then date order.

    `targets`: dicts with id, kind, target_value, baseline_value, baseline_date, direction,
    aggregation, target_date (the target's own or its plan's), on_track_threshold,
    acceleration_threshold, and optionally period_days (one reporting period; a year by
    default), baseline_comparable (False: the baseline is of another definition) and
    other_scope (the latest figure of another definition, shown as context).
    `entries`: `entries_frame(...)` of (at least) these targets' figures of their own definition.
    `item_statuses`: each qualitative target's named items, each a list of its dated
    (date, status) updates in date order.
    Deterministic: the same rows give the same result, whatever other targets or dates
    are computed with them.
    """
    dates = sorted(dates)
    quantitative = sorted((t for t in targets if t["kind"] != QUALITATIVE), key=lambda t: t["id"])
    rows_of: dict[int, list[dict[str, Any]]] = {}
    if quantitative:
        rows_of.update(_quantitative_rows(quantitative, entries, dates))
    for target in targets:
        if target["kind"] == QUALITATIVE:
            items = item_statuses.get(target["id"], [])
            rows_of[target["id"]] = [items_snapshot(target, items, day) for day in dates]
    return [row for target in targets for row in rows_of[target["id"]]]


def _quantitative_rows(targets: list[dict[str, Any]], figures: Figures, dates: list[date]) -> dict[int, list[dict[str, Any]]]:
    target_ids = np.array([t["id"] for t in targets], dtype=np.int64)
    # A baseline of another definition is shown but never computed from: as if unknown.
    baseline = np.array([
        np.nan if t["baseline_value"] is None or not t.get("baseline_comparable", True) else float(t["baseline_value"])
        for t in targets
    ])
    baseline_day = np.array([day_number(t["baseline_date"]) for t in targets], dtype=np.int64)
    target_day = np.array([day_number(t["target_date"]) for t in targets], dtype=np.int64)
    # A target's window opens at its baseline date: a flow counts what was added after it; a
    # stock's level on the baseline date itself is a figure too (its starting point).
    if len(figures):
        figure_target = np.searchsorted(target_ids, figures.target_id).clip(0, len(targets) - 1)
        is_flow = np.array([t["aggregation"] == SUM for t in targets])[figure_target]
        opens = baseline_day[figure_target]
        figures = figures.select((target_ids[figure_target] == figures.target_id)
                                 & ((figures.day > opens) | (~is_flow & (figures.day == opens))))
    date_days = np.array([day_number(d) for d in dates], dtype=np.int64)
    pair_target = np.repeat(np.arange(len(targets)), len(dates))
    pair_day = np.tile(date_days, len(targets))
    terms = Terms(
        is_sum=np.array([t["aggregation"] == SUM for t in targets])[pair_target],
        at_most=np.array([t["direction"] == AT_MOST for t in targets])[pair_target],
        baseline=baseline[pair_target], baseline_day=baseline_day[pair_target],
        goal=np.array([float(t["target_value"]) for t in targets])[pair_target],
        target_day=target_day[pair_target],
        period_days=np.array([t.get("period_days", 366) for t in targets], dtype=np.int64)[pair_target],
        on_track=np.array([float(t["on_track_threshold"]) for t in targets])[pair_target],
        acceleration=np.array([float(t["acceleration_threshold"]) for t in targets])[pair_target],
    )
    # The verdict rests on figures up to the target date; later ones are context.
    evidence = standing(figures, target_ids=target_ids, baseline=baseline, baseline_day=baseline_day,
                        pair_target=pair_target, pair_day=np.minimum(pair_day, terms.target_day))
    later = _latest_after_deadline(figures, target_ids, pair_target, pair_day, terms.target_day)
    later_day = np.where(later >= 0, figures.day[later] if len(figures) else -1, -1)
    judged = judge_pairs(figures, evidence, terms, pair_day, later_day)
    _judge_intervals(judged, figures, target_ids=target_ids, baseline=baseline, baseline_day=baseline_day,
                     pair_target=pair_target, pair_day=pair_day, terms=terms, later_day=later_day)
    return _Writer(targets, figures, evidence, judged, dates, later).rows()


def _judge_intervals(judged: Judgement, figures: Figures, *, target_ids: np.ndarray, baseline: np.ndarray,
                     baseline_day: np.ndarray, pair_target: np.ndarray, pair_day: np.ndarray, terms: Terms,
                     later_day: np.ndarray) -> None:
    """`judging.interval_verdict` for the pairs of targets with a bound among their figures,
    judged again with every figure at the low and at the high end of its interval. An exact
    figure is its own interval: the targets with only exact figures are not judged again."""
    if not len(figures):
        return
    bounded = np.unique(figures.target_id[figures.qualifier != CODE_EXACT])
    pairs = np.isin(target_ids[pair_target], bounded)
    if not pairs.any():
        return
    figures, terms = figures.select(np.isin(figures.target_id, bounded)), terms.select(pairs)
    ends = []
    for high in (False, True):
        at_end = interval_end(figures, high=high)
        evidence = standing(at_end, target_ids=target_ids, baseline=baseline, baseline_day=baseline_day,
                            pair_target=pair_target[pairs], pair_day=np.minimum(pair_day[pairs], terms.target_day))
        ends.append(judge_pairs(at_end, evidence, terms, pair_day[pairs], later_day[pairs]).status)
    interval_verdict(judged, ends[0], ends[1], pairs)


def _latest_after_deadline(figures: Figures, target_ids: np.ndarray, pair_target: np.ndarray, pair_day: np.ndarray,
                           target_day: np.ndarray) -> np.ndarray:
    """Each pair's latest figure dated after its target date and up to its as-of date (an
    index into `figures`), or -1."""
    if not len(figures):
        return np.full(len(pair_day), -1, dtype=np.int64)
    keys = figures.target_id * (1 << 32) + figures.day
    pair_ids = target_ids[pair_target]
    last = np.searchsorted(keys, pair_ids * (1 << 32) + pair_day, side="right") - 1
    at = last.clip(0, len(figures) - 1)
    found = (last >= 0) & (figures.target_id[at] == pair_ids) & (figures.day[at] > target_day)
    return np.where(found, last, -1)


class _Writer:
    """Writes the judged arrays out as rows; each figure's point is formatted once."""

    def __init__(self, targets: list[dict[str, Any]], figures: Figures, found: Standing, judged: Judgement,
                 dates: list[date], later: np.ndarray) -> None:
        self.targets, self.figures, self.found, self.judged, self.dates = targets, figures, found, judged, dates
        self.later = later.tolist()
        self._points: dict[int, dict[str, Any]] = {}

    def point(self, index: int) -> dict[str, Any]:
        point = self._points.get(index)
        if point is None:
            point = self._points[index] = {
                "period_end": day_of(self.figures.day[index]).isoformat(),
                "value": value_text(float(self.figures.value[index])),
                "qualifier": QUALIFIERS[self.figures.qualifier[index]],
                "synthetic": bool(self.figures.synthetic[index]),
            }
        return point

    def rows(self) -> dict[int, list[dict[str, Any]]]:
        j, found = self.judged, self.found
        columns = {
            name: getattr(j, name).tolist() for name in (
                "has_data", "expected", "attained", "qualifier", "data_day", "progress", "ratio", "observed",
                "required", "method", "status", "confidence", "has_synthetic", "start", "forecast_kind",
                "forecast_value",
                "forecast_reach_day", "forecast_reach_years",
            )
        }
        notes = {name: flags.tolist() for name, flags in j.notes.items()}
        none = [-1] * len(j.status)
        columns["status_best"] = none if j.status_best is None else j.status_best.tolist()
        columns["status_worst"] = none if j.status_worst is None else j.status_worst.tolist()
        last, first, count = found.last.tolist(), found.first.tolist(), found.count.tolist()
        result: dict[int, list[dict[str, Any]]] = {}
        pair = 0
        for target in self.targets:
            fixed = _fixed_inputs(target)
            rows = result[target["id"]] = []
            for as_of in self.dates:
                rows.append(self._row(target, fixed, as_of, pair, columns, notes, last, first, count))
                pair += 1
        return result

    def _row(self, target: dict[str, Any], fixed: dict[str, Any], as_of: date, k: int, c: dict[str, list[Any]],
             notes: dict[str, list[bool]], last: list[int], first: list[int], count: list[int]) -> dict[str, Any]:
        has = c["has_data"][k]
        attained = c["attained"][k] if has else None
        qualifier = QUALIFIERS[c["qualifier"][k]] if has else ""
        data_date = day_of(c["data_day"][k]) if has else None
        method = METHODS[c["method"][k]]
        row_notes = [] if fixed["baseline_known"] else ["baseline_unknown"]
        if fixed["baseline_known"] and not fixed["baseline_comparable"]:
            row_notes.append("baseline_other_scope")
        row_notes += [name for name in NOTE_ORDER if notes[name][k]]
        confidence = CONFIDENCES[c["confidence"][k]] if c["confidence"][k] >= 0 else ""
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
        forecast = self._forecast(c, k, data_date, as_of)
        data_age = (as_of - data_date).days if data_date else None
        progress, expected, ratio = c["progress"][k], c["expected"][k], c["ratio"][k]
        attained_decimal = to_decimal(attained)
        inputs = {
            "method": method,
            "baseline": fixed["baseline"],
            "baseline_known": fixed["baseline_known"],
            "baseline_date": fixed["baseline_date"],
            "target": fixed["target"],
            "target_date": fixed["target_date"],
            "direction": target["direction"],
            "aggregation": target["aggregation"],
            "attained": decimal_text(attained_decimal) if attained is not None else None,
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
            "confidence": confidence,
            "after_deadline": self.point(self.later[k]) if self.later[k] >= 0 else None,
            "other_scope": _latest_by(target.get("other_scope") or [], as_of),
            "baseline_comparable": fixed["baseline_comparable"],
            # The best and the worst status the figures' intervals allow, where they differ.
            "status_range": [STATUSES[c["status_best"][k]], STATUSES[c["status_worst"][k]]]
            if c["status_best"][k] >= 0 else None,
            "notes": row_notes,
        }
        return {
            "target_id": target["id"],
            "as_of": as_of,
            "attained": attained_decimal,
            "attained_qualifier": qualifier,
            "data_date": data_date,
            "baseline_known": fixed["baseline_known"],
            "progress": rounded(progress, 12),
            "expected": rounded(expected, 12),
            "ratio": rounded(ratio, 12),
            "method": method,
            "status": STATUSES[c["status"][k]],
            "confidence": confidence,
            "forecast_value": to_decimal(forecast["value"]) if forecast["value"] is not None else None,
            "forecast_reach_date": date.fromisoformat(forecast["reach_date"]) if forecast["reach_date"] else None,
            "data_age_days": data_age,
            "is_data_stale": data_age is not None and data_age > STALE_AFTER_DAYS,
            "has_synthetic": bool(c["has_synthetic"][k]),
            "inputs": inputs,
        }

    @staticmethod
    def _forecast(c: dict[str, list[Any]], k: int, data_date: date | None, as_of: date) -> dict[str, Any]:
        kind = c["forecast_kind"][k]
        if not kind:
            return dict(NO_FORECAST)
        reach_day, reach_years = c["forecast_reach_day"][k], c["forecast_reach_years"][k]
        if reach_day >= 0:
            reach = day_of(reach_day)
        elif reach_years == reach_years and data_date:  # not NaN: compound growth reaches it that many years on
            reach = date_after_years(data_date, reach_years)
        else:
            reach = None
        if reach is not None and reach <= as_of:
            reach = None  # a date already past is "reached" from figures, or nothing: never "will reach"
        return {"value": rounded(c["forecast_value"][k], 4), "reach_date": iso_or_none(reach),
                "method": FORECAST_METHODS[kind]}


def _fixed_inputs(target: dict[str, Any]) -> dict[str, Any]:
    """The inputs that are the same on every date of a target."""
    known = target["baseline_value"] is not None
    return {
        "baseline": decimal_text(target["baseline_value"]),
        "baseline_known": known,
        "baseline_comparable": target.get("baseline_comparable", True),
        "baseline_date": target["baseline_date"].isoformat(),
        "baseline_point": {
            "period_end": target["baseline_date"].isoformat(), "value": decimal_text(target["baseline_value"]),
            "qualifier": EXACT, "synthetic": False, "baseline": True,
        } if known else None,
        "target": decimal_text(target["target_value"]),
        "target_date": target["target_date"].isoformat(),
        "thresholds": {"on_track": float(target["on_track_threshold"]),
                       "acceleration": float(target["acceleration_threshold"])},
    }


def _latest_by(points: list[dict[str, Any]], as_of: date) -> dict[str, Any] | None:
    """The latest of these points (in date order) dated on or before `as_of`."""
    day = as_of.isoformat()
    found = None
    for point in points:
        if point["period_end"] <= day:
            found = point
    return found

