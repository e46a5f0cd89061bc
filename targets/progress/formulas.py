"""The engine's formulas: growth rates, the status bands, whether a figure proves a target
met or missed, and the rule for the bound of a sum of figures.

Each rule is written once, on arrays (the engine judges many pairs at once); the scalar
forms used by the charts and the explanations call the same functions with one element.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from targets.progress.codes import (
    AT_LEAST,
    AT_MOST,
    EXACT,
    MOVING_AWAY,
    NEEDS_ACCELERATION,
    OFF_TRACK,
    ON_TRACK,
    PARTIAL_PERIOD,
    QUALIFIERS,
    STATUSES,
)

# Open SDG replaces a zero base or target by this in growth rates.
ZERO_REPLACEMENT = 0.001
QUALIFIER_EXACT, QUALIFIER_AT_LEAST, QUALIFIER_AT_MOST, QUALIFIER_PARTIAL = (
    QUALIFIERS.index(q) for q in (EXACT, AT_LEAST, AT_MOST, PARTIAL_PERIOD)
)
# What the array rules take: arrays, or one number for the scalar forms (np.float64 or a float).
Numbers = np.ndarray | np.floating | np.integer | np.bool_ | float
_BANDS = [STATUSES.index(s) for s in (ON_TRACK, NEEDS_ACCELERATION, OFF_TRACK, MOVING_AWAY)]


def cagrs(end_value: Numbers, start_value: Numbers, years: Numbers) -> np.ndarray:
    """Compound annual growth from start to end over `years` (Open SDG: zero → 0.001);
    NaN where there is none (no time, a negative value, or a rate beyond a float)."""
    end_value = np.where(end_value == 0, ZERO_REPLACEMENT, end_value)
    start_value = np.where(start_value == 0, ZERO_REPLACEMENT, start_value)
    with np.errstate(all="ignore"):
        rate = (end_value / start_value) ** (1 / np.asarray(years, dtype=np.float64)) - 1
    valid = (np.asarray(years) > 0) & (end_value >= 0) & (start_value >= 0) & np.isfinite(rate)
    result: np.ndarray = np.where(valid, rate, np.nan)
    return result


def cagr(end_value: float, start_value: float, years: float) -> float | None:
    rate = float(cagrs(np.float64(end_value), np.float64(start_value), np.float64(years)))
    return rate if np.isfinite(rate) else None


def bands(ratio: Numbers, on_track: Numbers, acceleration: Numbers) -> np.ndarray:
    """The status band of a ratio (observed over required progress): status codes."""
    return np.select(
        [ratio >= on_track, ratio >= acceleration, ratio >= 0], _BANDS[:3], default=_BANDS[3]
    )


def status_from_ratio(ratio: float, *, on_track: float, acceleration: float) -> str:
    return STATUSES[int(bands(np.float64(ratio), on_track, acceleration))]


def proves_met(attained: Numbers, qualifier: Numbers, target: Numbers,
               at_most: Numbers) -> np.ndarray:
    """Whether the attained figure proves the target met. A lower bound at or above an
    "at least" target proves it; an upper bound never does (the true value may be lower).
    Mirror-wise for "at most" targets."""
    return np.where(at_most, (attained <= target) & (qualifier != QUALIFIER_AT_LEAST),
                    (attained >= target) & (qualifier != QUALIFIER_AT_MOST))


def proves_miss(attained: Numbers, qualifier: Numbers, target: Numbers,
                at_most: Numbers) -> np.ndarray:
    """Whether a figure shows the target not met: a bound on the right side proves nothing."""
    return np.where(at_most, (attained > target) & (qualifier != QUALIFIER_AT_MOST),
                    (attained < target) & (qualifier != QUALIFIER_AT_LEAST))


def target_met(*, attained: float, qualifier: str, target: float, direction: str) -> bool:
    return bool(proves_met(attained, QUALIFIERS.index(qualifier), target, direction == AT_MOST))


def figure_proves_miss(*, attained: float, qualifier: str, target: float, direction: str) -> bool:
    return bool(proves_miss(attained, QUALIFIERS.index(qualifier), target, direction == AT_MOST))


def sum_bounds(any_at_least: Numbers, any_at_most: Numbers,
               any_partial: Numbers) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The qualifier of a sum of figures — the one rule that the engine's snapshots and the
    charts' running sums both follow — with whether it is mixed and whether a partial
    period made it a lower bound (the notes that explain it).

    A sum is a lower bound if any part is one: a "more than" figure, or a figure covering
    only part of its period (it understates the period). Lower and upper bounds together
    make it neither; it is then read as exact, with a note saying so.
    """
    lower = np.asarray(any_at_least) | np.asarray(any_partial)
    mixed = lower & np.asarray(any_at_most)
    qualifier = np.select([mixed, lower, np.asarray(any_at_most)],
                          [QUALIFIER_EXACT, QUALIFIER_AT_LEAST, QUALIFIER_AT_MOST], default=QUALIFIER_EXACT)
    return qualifier, mixed, lower & ~mixed & np.asarray(any_partial)


def running_sum_bounds(qualifiers: Iterable[str]) -> list[str]:
    """The qualifier of each running sum of figures taken in period order (by `sum_bounds`)."""
    codes = np.array([QUALIFIERS.index(q) for q in qualifiers], dtype=np.int8)
    if not len(codes):
        return []
    bound, _mixed, _partial = sum_bounds(
        np.maximum.accumulate(codes == QUALIFIER_AT_LEAST), np.maximum.accumulate(codes == QUALIFIER_AT_MOST),
        np.maximum.accumulate(codes == QUALIFIER_PARTIAL),
    )
    return [QUALIFIERS[code] for code in bound]
