"""The engine's formulas: growth rates, the status bands, whether a figure proves a target
met or missed, the share of the way, and the rule for the bound of a sum of figures."""

from __future__ import annotations

from collections.abc import Iterable

from targets.progress.codes import (
    AT_LEAST,
    AT_MOST,
    EXACT,
    MOVING_AWAY,
    NEEDS_ACCELERATION,
    NOTE_MIXED_BOUNDS,
    NOTE_PARTIAL_PERIOD_LOWER_BOUND,
    NOTE_TARGET_EQUALS_BASELINE,
    OFF_TRACK,
    ON_TRACK,
    PARTIAL_PERIOD,
)

# Open SDG replaces a zero base or target by this in growth rates.
ZERO_REPLACEMENT = 0.001


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



def share_of_way(attained: float, baseline: float | None, goal: float, notes: list[str]) -> float | None:
    """Progress as the share of the way from baseline to target (of the target itself when
    the baseline is unknown); None when the way has no length."""
    if baseline is None:
        return attained / goal if goal else None
    if goal == baseline:
        notes.append(NOTE_TARGET_EQUALS_BASELINE)
        return None
    return (attained - baseline) / (goal - baseline)


def sum_bound(*, any_at_least: bool, any_at_most: bool, any_partial: bool) -> tuple[str, tuple[str, ...]]:
    """The qualifier of a sum of figures, with the notes that explain it — the one rule that
    the engine's snapshots and the charts' running sums both follow.

    A sum is a lower bound if any part is one: a "more than" figure, or a figure covering
    only part of its period (it understates the period). Lower and upper bounds together
    make it neither; it is then read as exact, with a note saying so.
    """
    lower = any_at_least or any_partial
    if lower and any_at_most:
        return EXACT, (NOTE_MIXED_BOUNDS,)
    if lower:
        return AT_LEAST, ((NOTE_PARTIAL_PERIOD_LOWER_BOUND,) if any_partial else ())
    if any_at_most:
        return AT_MOST, ()
    return EXACT, ()


def running_sum_bounds(qualifiers: Iterable[str]) -> list[str]:
    """The qualifier of each running sum of figures taken in period order (by `sum_bound`)."""
    any_at_least = any_at_most = any_partial = False
    bounds = []
    for qualifier in qualifiers:
        any_at_least |= qualifier == AT_LEAST
        any_at_most |= qualifier == AT_MOST
        any_partial |= qualifier == PARTIAL_PERIOD
        bounds.append(sum_bound(any_at_least=any_at_least, any_at_most=any_at_most, any_partial=any_partial)[0])
    return bounds
