"""Every target's snapshot on each as-of date, from plain rows: the engine's public entry.

`snapshots_compute` judges every (target, date) pair at once (`judging.judge_pairs`) and
writes out one row per pair, with the inputs that explain it.
"""

from __future__ import annotations

import dataclasses
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
    CODE_AT_MOST,
    CODE_EXACT,
    MAX_POINTS_KEPT,
    UNBOUNDED,
    Figures,
    Standing,
    day_number,
    day_of,
    interval_end,
    standing,
)
from targets.progress.items import items_snapshot
from targets.progress.judging import (
    STALE_AFTER_DAYS,
    START_BASELINE,
    START_FIRST,
    Judgement,
    Terms,
    interval_verdict,
    judge_pairs,
)
from targets.progress.numbers import decimal_text, rounded_all, to_decimals, value_text

# The order notes are written in: how the figures were read, then how they were judged.
NOTE_ORDER = (
    "mixed_bounds", "partial_period_lower_bound", "points_truncated", "target_equals_baseline",
    "first_point_as_base", "one_point_pace", "forecast_needs_two_figures", "pace_needs_two_points", "status_range", "bound_not_conclusive",
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
                     pair_target=pair_target, pair_day=pair_day, terms=terms, later_day=later_day,
                     evidence=evidence)
    return _Writer(targets, figures, evidence, judged, dates, later, pair_day, terms.is_sum).rows()


def _judge_intervals(judged: Judgement, figures: Figures, *, target_ids: np.ndarray, baseline: np.ndarray,
                     baseline_day: np.ndarray, pair_target: np.ndarray, pair_day: np.ndarray, terms: Terms,
                     later_day: np.ndarray, evidence: Standing | None = None) -> None:
    """`judging.interval_verdict` for the pairs of targets with a bound among their figures,
    judged again with every figure at the low and at the high end of its interval. An exact
    figure is its own interval: the targets with only exact figures are not judged again."""
    if not len(figures):
        return
    bounded = np.unique(figures.target_id[figures.qualifier != CODE_EXACT])
    pairs = np.isin(target_ids[pair_target], bounded)
    if not pairs.any():
        return
    if not (figures.qualifier == CODE_AT_MOST).any() and evidence is not None:
        # Only lower bounds: the low end is every figure as reported, so the evidence stands as
        # it is, read as exact; at the high end a sum holding a bound, or a level whose last
        # figure is one, is beyond any target. No second pass over the figures is needed.
        found = evidence.select(pairs)
        exact = dataclasses.replace(found, any_at_least=np.zeros_like(found.any_at_least),
                                    any_at_most=np.zeros_like(found.any_at_most),
                                    any_partial=np.zeros_like(found.any_partial))
        high = dataclasses.replace(exact, total=np.where(found.any_at_least | found.any_partial,
                                                         found.total + UNBOUNDED, found.total))
        terms = terms.select(pairs)
        low_status = judge_pairs(interval_end(figures, high=False), exact, terms, pair_day[pairs],
                                 later_day[pairs]).status
        high_status = judge_pairs(interval_end(figures, high=True), high, terms, pair_day[pairs],
                                  later_day[pairs]).status
        interval_verdict(judged, low_status, high_status, pairs)
        return
    figures, terms = figures.select(np.isin(figures.target_id, bounded)), terms.select(pairs)
    ends = []
    for high_end in (False, True):
        at_end = interval_end(figures, high=high_end)
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
    """Writes the judged arrays out as rows.

    A history is 100,000 pairs or more, and per-pair Python work was most of its cost: so
    every field that can be is turned into a list (one element per pair) column by column,
    each figure a row shows is formatted once into a point shared by every row showing it,
    each day once into a date, and the loop over pairs only assembles the rows.
    """

    def __init__(self, targets: list[dict[str, Any]], figures: Figures, found: Standing, judged: Judgement,
                 dates: list[date], later: np.ndarray, pair_day: np.ndarray, is_sum: np.ndarray) -> None:
        self.targets, self.figures, self.found, self.judged, self.dates = targets, figures, found, judged, dates
        self.later, self.pair_day, self.is_sum = later, pair_day, is_sum

    def _points(self, first_shown: np.ndarray) -> list[dict[str, Any] | None]:
        """The point of every figure some row shows (None for the others), by index into `figures`:
        a count's last points from `first_shown` to its last figure, a level's last (and first,
        when its growth starts there), a figure after the deadline."""
        figures, found, j = self.figures, self.found, self.judged
        count = len(figures)
        if not count:
            return []
        # +1 where a run of shown figures starts, -1 past its end: a running sum > 0 is shown.
        edges = np.zeros(count + 1, dtype=np.int64)
        counts = self.is_sum & j.has_data
        np.add.at(edges, first_shown[counts], 1)
        np.add.at(edges, found.last[counts] + 1, -1)
        shown = np.cumsum(edges[:-1]) > 0
        levels = ~self.is_sum & j.has_data
        shown[found.last[levels]] = True
        shown[found.first[levels & (j.start == START_FIRST)]] = True
        shown[self.later[self.later >= 0]] = True
        indices = np.flatnonzero(shown)
        days = figures.day[indices].tolist()
        period_end = {day: day_of(day).isoformat() for day in set(days)}
        texts: dict[float, str] = {}
        points: list[dict[str, Any] | None] = [None] * count
        for index, day, value, qualifier, synthetic in zip(
            indices.tolist(), days, figures.value[indices].tolist(), figures.qualifier[indices].tolist(),
            figures.synthetic[indices].tolist(), strict=True,
        ):
            text = texts.get(value)
            if text is None:
                text = texts[value] = value_text(value)
            points[index] = {"period_end": period_end[day], "value": text, "qualifier": QUALIFIERS[qualifier],
                             "synthetic": synthetic}
        return points

    def rows(self) -> dict[int, list[dict[str, Any]]]:
        j, found = self.judged, self.found
        has = j.has_data.tolist()
        data_day = j.data_day.tolist()
        dates_of_days = {day: day_of(day) for day in set(j.data_day[j.has_data].tolist())}
        iso_of_days = {day: as_date.isoformat() for day, as_date in dates_of_days.items()}
        data_date = [dates_of_days[day] if known else None for known, day in zip(has, data_day, strict=True)]
        data_iso = [iso_of_days[day] if known else None for known, day in zip(has, data_day, strict=True)]
        data_age = [age if known else None for known, age in zip(has, (self.pair_day - j.data_day).tolist(),
                                                                 strict=True)]
        attained = to_decimals(np.where(j.has_data, j.attained, np.nan))
        attained_text = [None if value is None else format(value.normalize(), "f") for value in attained]
        qualifier = [QUALIFIERS[code] if known else "" for known, code in zip(has, j.qualifier.tolist(), strict=True)]
        method = np.array(METHODS, dtype=object)[j.method].tolist()
        status = np.array(STATUSES, dtype=object)[j.status].tolist()
        # -1 (no figures) picks the "" appended last.
        confidence = np.array([*CONFIDENCES, ""], dtype=object)[j.confidence].tolist()
        shown = {name: rounded_all(getattr(j, name)) for name in ("progress", "expected", "ratio", "observed",
                                                                  "required")}
        stored = {name: rounded_all(getattr(j, name), 12) for name in ("progress", "expected", "ratio")}
        # The notes of each pair as one number (a bit per note), each distinct set listed once.
        note_bits = np.zeros(len(has), dtype=np.int64)
        for bit, name in enumerate(NOTE_ORDER):
            note_bits |= j.notes[name].astype(np.int64) << bit
        note_codes = note_bits.tolist()
        notes_of = {code: [name for bit, name in enumerate(NOTE_ORDER) if code >> bit & 1] for code in set(note_codes)}
        forecast_shown = rounded_all(j.forecast_value, 4)
        forecast_stored = to_decimals(np.array([np.nan if value is None else value for value in forecast_shown]))
        forecast = (j.forecast_kind.tolist(), forecast_shown, j.forecast_reach_day.tolist(),
                    j.forecast_reach_years.tolist())
        first_shown = np.maximum(found.first, found.last - MAX_POINTS_KEPT + 1)
        points_of = self._points(first_shown)
        first_shown_list, last, first = first_shown.tolist(), found.last.tolist(), found.first.tolist()
        count, start = found.count.tolist(), j.start.tolist()
        has_synthetic, later = j.has_synthetic.tolist(), self.later.tolist()
        # The best and the worst status the figures' intervals allow, where they differ.
        ranges: list[list[str] | None] = [None] * len(has)
        if j.status_best is not None and j.status_worst is not None:
            ranges = [[STATUSES[best], STATUSES[worst]] if best >= 0 else None
                      for best, worst in zip(j.status_best.tolist(), j.status_worst.tolist(), strict=True)]

        result: dict[int, list[dict[str, Any]]] = {}
        k = 0
        fixed_of: dict[tuple[Any, ...], dict[str, Any]] = {}
        for target in self.targets:
            terms_key = tuple(target.get(name) for name in FIXED_TERMS)
            fixed = fixed_of.get(terms_key)
            if fixed is None:  # targets of the same terms share them (nothing writes to them)
                fixed = fixed_of[terms_key] = _fixed_inputs(target)
            notes_first = [] if fixed["baseline_known"] else ["baseline_unknown"]
            if fixed["baseline_known"] and not fixed["baseline_comparable"]:
                notes_first.append("baseline_other_scope")
            counts_points = target["aggregation"] == SUM
            others = target.get("other_scope") or []
            rows = result[target["id"]] = []
            for as_of in self.dates:
                if not has[k]:
                    points = []
                elif counts_points:
                    points = points_of[first_shown_list[k]:last[k] + 1]
                elif start[k] == START_BASELINE:
                    points = [fixed["baseline_point"], points_of[last[k]]]
                elif start[k] == START_FIRST:
                    points = [points_of[first[k]], points_of[last[k]]]
                else:
                    points = [points_of[last[k]]]
                row_forecast, reach = _forecast(forecast, k, data_date[k], as_of)
                inputs = {
                    "method": method[k],
                    "baseline": fixed["baseline"],
                    "baseline_known": fixed["baseline_known"],
                    "baseline_date": fixed["baseline_date"],
                    "target": fixed["target"],
                    "target_date": fixed["target_date"],
                    "direction": target["direction"],
                    "aggregation": target["aggregation"],
                    "attained": attained_text[k],
                    "attained_qualifier": qualifier[k],
                    "data_date": data_iso[k],
                    "progress": shown["progress"][k],
                    "expected": shown["expected"][k],
                    "ratio": shown["ratio"][k],
                    "observed_cagr": shown["observed"][k],
                    "required_cagr": shown["required"][k],
                    "thresholds": fixed["thresholds"],
                    "points_used": points,
                    "points_count": count[k],
                    "forecast": row_forecast,
                    "confidence": confidence[k],
                    "after_deadline": points_of[later[k]] if later[k] >= 0 else None,
                    "other_scope": _latest_by(others, as_of) if others else None,
                    "baseline_comparable": fixed["baseline_comparable"],
                    "status_range": ranges[k],
                    "notes": notes_first + notes_of[note_codes[k]],
                }
                age = data_age[k]
                rows.append({
                    "target_id": target["id"],
                    "as_of": as_of,
                    "attained": attained[k],
                    "attained_qualifier": qualifier[k],
                    "data_date": data_date[k],
                    "baseline_known": fixed["baseline_known"],
                    "progress": stored["progress"][k],
                    "expected": stored["expected"][k],
                    "ratio": stored["ratio"][k],
                    "method": method[k],
                    "status": status[k],
                    "confidence": confidence[k],
                    "forecast_value": forecast_stored[k],
                    "forecast_reach_date": reach,
                    "data_age_days": age,
                    "is_data_stale": age is not None and age > STALE_AFTER_DAYS,
                    "has_synthetic": has_synthetic[k],
                    "inputs": inputs,
                })
                k += 1
        return result


def _forecast(columns: tuple[list[Any], list[Any], list[Any], list[Any]], k: int, data_date: date | None,
              as_of: date) -> tuple[dict[str, Any], date | None]:
    """The pair's forecast as shown in its inputs, and the date it reaches the target (None without one)."""
    kinds, values, reach_days, reach_years_all = columns
    kind = kinds[k]
    if not kind:
        return dict(NO_FORECAST), None
    reach_day, reach_years = reach_days[k], reach_years_all[k]
    if reach_day >= 0:
        reach = day_of(reach_day)
    elif reach_years == reach_years and data_date:  # not NaN: compound growth reaches it that many years on
        reach = date_after_years(data_date, reach_years)
    else:
        reach = None
    if reach is not None and reach <= as_of:
        reach = None  # a date already past is "reached" from figures, or nothing: never "will reach"
    iso = iso_or_none(reach)
    return ({"value": values[k], "reach_date": iso, "method": FORECAST_METHODS[kind]},
            reach if iso is not None else None)


# What `_fixed_inputs` reads of a target.
FIXED_TERMS = ("baseline_value", "baseline_comparable", "baseline_date", "target_value", "target_date",
               "on_track_threshold", "acceleration_threshold")


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

