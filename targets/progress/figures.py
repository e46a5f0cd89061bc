"""Reported figures as columns, and where each (target, as-of date) pair stands in them.

The engine computes every pair of target and as-of date at once: the figures are sorted
by target and period end, so each target's figures are one contiguous run, and the
figures a pair rests on are a prefix of that run (those dated up to the as-of date). One
`searchsorted` finds every pair's last figure; running sums, restarted at each run, give
every total, flag and least-squares sum at that figure. Nothing here loops over pairs in
Python, so a recompute of one date and a ten-year monthly history cost the same per pair.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd

from targets.progress.codes import AT_LEAST, AT_MOST, CONFIDENCES, EXACT, PARTIAL_PERIOD, QUALIFIERS

ENTRY_COLUMNS = ["target_id", "period_end", "value", "qualifier", "is_synthetic", "confidence"]
# inputs.points_used keeps the most recent points; a count with years of monthly
# entries would otherwise store hundreds of points in every snapshot.
MAX_POINTS_KEPT = 12

QUALIFIER_CODE = {qualifier: code for code, qualifier in enumerate(QUALIFIERS)}
# Confidence as a number: low 0, medium 1, high 2 (the lowest of several is their minimum).
CONFIDENCE_CODE = {confidence: code for code, confidence in enumerate(CONFIDENCES)}
CODE_EXACT, CODE_AT_LEAST, CODE_AT_MOST, CODE_PARTIAL = (
    QUALIFIER_CODE[q] for q in (EXACT, AT_LEAST, AT_MOST, PARTIAL_PERIOD))
_EPOCH = date(1970, 1, 1).toordinal()


def day_number(day: date) -> int:
    """Days since 1 Jan 1970: how the engine holds dates."""
    return day.toordinal() - _EPOCH


def day_of(number: int) -> date:
    return date.fromordinal(int(number) + _EPOCH)


@dataclass(frozen=True)
class Figures:
    """Every figure of the targets concerned, as columns sorted by target and period end."""

    target_id: np.ndarray  # int64
    day: np.ndarray  # int64, days since 1970
    value: np.ndarray  # float64
    qualifier: np.ndarray  # int8, index into codes.QUALIFIERS
    synthetic: np.ndarray  # bool
    confidence: np.ndarray  # int8, index into codes.CONFIDENCES

    def __len__(self) -> int:
        return len(self.target_id)

    def select(self, keep: np.ndarray) -> Figures:
        return Figures(*(column[keep] for column in (
            self.target_id, self.day, self.value, self.qualifier, self.synthetic, self.confidence)))


# The open end of a bound's interval, as long as an indicator states no plausible maximum of
# its own: beyond any figure these plans count (亿元, enterprises, patents, EFLOPS), and finite,
# so that growth rates and paces at that end stay numbers.
UNBOUNDED = 1e12


def interval_end(figures: Figures, *, high: bool) -> Figures:
    """The figures at one end of the values their evidence allows, each then read as exact:
    an exact figure is its value at both ends; "at least" (and a partial period, which
    understates its period) runs from its value up to UNBOUNDED; "at most" from zero (or
    -UNBOUNDED for a negative value) up to its value. Judging both ends tells whether a status
    holds for every value the figures allow (`judging.interval_verdict`)."""
    q = figures.qualifier
    if high:
        value = np.where((q == CODE_AT_LEAST) | (q == CODE_PARTIAL), UNBOUNDED, figures.value)
    else:
        value = np.where(q == CODE_AT_MOST, np.where(figures.value >= 0, 0.0, -UNBOUNDED), figures.value)
    return Figures(figures.target_id, figures.day, value, np.full(len(q), CODE_EXACT, dtype=np.int8),
                   figures.synthetic, figures.confidence)


def entries_frame(rows: Iterable[Sequence[object] | dict[str, object]]) -> Figures:
    """Figures from tuples in ENTRY_COLUMNS order (target_id, period_end as a date or ISO
    text, value, qualifier, is_synthetic, and optionally confidence — "high" when left out)
    or dicts with those keys, sorted by target and period end. A figure shared by several
    targets (their indicator's observation) comes once per target."""
    rows = [tuple(row.get(column, "high") for column in ENTRY_COLUMNS) if isinstance(row, dict) else tuple(row)
            for row in rows]
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return Figures(empty, empty, np.zeros(0), np.zeros(0, dtype=np.int8), np.zeros(0, dtype=bool),
                       np.zeros(0, dtype=np.int8))
    rows = [row if len(row) == len(ENTRY_COLUMNS) else (*row, "high") for row in rows]
    target_ids, days, values, qualifiers, synthetic, confidences = zip(*rows, strict=True)
    day_array = np.array([d if isinstance(d, str) else d.isoformat() for d in days], dtype="datetime64[D]")
    figures = Figures(
        target_id=np.array(target_ids, dtype=np.int64),
        day=day_array.astype(np.int64),
        value=np.array(values, dtype=np.float64),
        qualifier=np.array([QUALIFIER_CODE[q] for q in qualifiers], dtype=np.int8),
        synthetic=np.array(synthetic, dtype=bool),
        confidence=np.array([CONFIDENCE_CODE[c] for c in confidences], dtype=np.int8),
    )
    return figures.select(np.lexsort((figures.day, figures.target_id)))


def figures_of_rows(rows: list[tuple[Any, ...]]) -> Figures:
    """`entries_frame` for the rows as the database gives them (`store._figure_rows`: target
    id, period end as ISO text, value as float, qualifier, is_synthetic, confidence, then any
    columns ignored): the same Figures, converted column by column in C loops (a tenth of the
    time, for 100,000 figures) — each distinct date parsed once. Each column is read straight
    from the rows (`itemgetter`): transposing them first built a tuple per column, and took as
    long as all the rest."""
    if not rows:
        return entries_frame([])
    n = len(rows)
    days = list(map(itemgetter(1), rows))
    day_numbers = {text: day_number(date.fromisoformat(text)) for text in set(days)}
    figures = Figures(
        target_id=np.fromiter(map(itemgetter(0), rows), np.int64, n),
        day=np.fromiter(map(day_numbers.__getitem__, days), np.int64, n),
        value=np.fromiter(map(itemgetter(2), rows), np.float64, n),
        qualifier=np.fromiter(map(QUALIFIER_CODE.__getitem__, map(itemgetter(3), rows)), np.int8, n),
        synthetic=np.fromiter(map(itemgetter(4), rows), bool, n),
        confidence=np.fromiter(map(CONFIDENCE_CODE.__getitem__, map(itemgetter(5), rows)), np.int8, n),
    )
    return figures.select(np.lexsort((figures.day, figures.target_id)))


@dataclass
class Standing:
    """For each (target, as-of date) pair, the figures up to that date, in aggregate.

    Arrays have one element per pair; `last` is the index of the pair's last figure in
    `Figures` (-1 when there is none), `first` the index of its target's first figure.
    """

    last: np.ndarray
    first: np.ndarray
    count: np.ndarray
    total: np.ndarray  # sum of the values
    any_at_least: np.ndarray
    any_at_most: np.ndarray
    any_partial: np.ndarray
    any_synthetic: np.ndarray
    lowest_confidence: np.ndarray  # the lowest confidence code among the figures so far (-1: none)
    # Least squares of the running level (baseline plus running total) on days since the
    # baseline date, over the baseline point (when known) and every figure so far.
    slope: np.ndarray
    intercept: np.ndarray

    def select(self, keep: np.ndarray) -> Standing:
        return Standing(**{name: column[keep] for name, column in vars(self).items()})


def standing(figures: Figures, *, target_ids: np.ndarray, baseline: np.ndarray, baseline_day: np.ndarray,
             pair_target: np.ndarray, pair_day: np.ndarray) -> Standing:
    """Aggregates of each pair's figures.

    `target_ids` (sorted, unique), `baseline` (NaN when unknown) and `baseline_day` have one
    element per target; `pair_target` (an index into them) and `pair_day` one per pair.
    """
    pairs = len(pair_target)
    known = ~np.isnan(baseline[pair_target])
    if len(figures) == 0:
        none = np.full(pairs, -1, dtype=np.int64)
        falses, nans = np.zeros(pairs, dtype=bool), np.full(pairs, np.nan)
        return Standing(none, none, np.zeros(pairs, dtype=np.int64), np.zeros(pairs), falses, falses, falses,
                        falses, none.copy(), nans, nans)
    # One sort key for (target, day): a pair's last figure is the last key at or below its own.
    keys = figures.target_id * (1 << 32) + figures.day
    pair_ids = target_ids[pair_target]
    last = np.searchsorted(keys, pair_ids * (1 << 32) + pair_day, side="right") - 1
    first = np.searchsorted(figures.target_id, pair_ids, side="left")
    found = last >= first
    at = np.where(found, last, 0)
    count = np.where(found, last - first + 1, 0)

    # Per figure: x = days since its target's baseline date, y = baseline + running total.
    figure_target = np.searchsorted(target_ids, figures.target_id).clip(0, len(target_ids) - 1)
    x = (figures.day - baseline_day[figure_target]).astype(np.float64)
    base0 = np.nan_to_num(baseline, nan=0.0)
    q = figures.qualifier
    # Running sums and flags restarted at each target (a groupby's cumulative sum): a
    # target's numbers never depend on which other targets were computed with it.
    groups = pd.Series(figures.target_id)
    sums = pd.DataFrame({"value": figures.value, "x": x}).groupby(groups, sort=False).cumsum()
    running_total = sums["value"].to_numpy()
    y = base0[figure_target] + running_total
    trend = pd.DataFrame({"y": y, "xx": x * x, "xy": x * y}).groupby(groups, sort=False).cumsum()
    flags = pd.DataFrame({
        "at_least": q == CODE_AT_LEAST, "at_most": q == CODE_AT_MOST, "partial": q == CODE_PARTIAL,
        "synthetic": figures.synthetic,
    }).astype(np.int8).groupby(groups, sort=False).cummax().to_numpy().astype(bool)[at]
    lowest = pd.Series(figures.confidence).groupby(groups, sort=False).cummin().to_numpy()[at]

    n = count + known
    pair_base = np.where(known, base0[pair_target], 0.0)
    sx = np.where(found, sums["x"].to_numpy()[at], 0.0)
    sy = np.where(found, trend["y"].to_numpy()[at], 0.0) + pair_base
    sxx = np.where(found, trend["xx"].to_numpy()[at], 0.0)
    sxy = np.where(found, trend["xy"].to_numpy()[at], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        denominator = n * sxx - sx * sx
        slope = (n * sxy - sx * sy) / denominator
        intercept = (sy - slope * sx) / n
    valid = found & (n >= 2) & (np.abs(denominator) > 1e-9) & np.isfinite(slope)
    return Standing(
        last=np.where(found, last, -1), first=np.where(found, first, -1), count=count,
        total=np.where(found, running_total[at], 0.0),
        any_at_least=found & flags[:, 0], any_at_most=found & flags[:, 1], any_partial=found & flags[:, 2],
        any_synthetic=found & flags[:, 3], lowest_confidence=np.where(found, lowest, -1),
        slope=np.where(valid, slope, np.nan), intercept=np.where(valid, intercept, np.nan),
    )
