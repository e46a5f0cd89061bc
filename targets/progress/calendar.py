"""Calendar arithmetic on arrays of day numbers (days since 1970), for many pairs at once.

The same rules as `targets.progress.dates` (which works on single dates): a year is a
calendar year, so 31 Dec 2019 to 31 Dec 2020 is exactly one year.
"""

from __future__ import annotations

import numpy as np


def _split(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    as_dates = days.astype("datetime64[D]")
    years = as_dates.astype("datetime64[Y]").astype(np.int64) + 1970
    months = as_dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day_of_month = (as_dates - as_dates.astype("datetime64[M]")).astype(np.int64) + 1
    return years, months, day_of_month


def _leap(years: np.ndarray) -> np.ndarray:
    leap: np.ndarray = (years % 4 == 0) & ((years % 100 != 0) | (years % 400 == 0))
    return leap


def _make(years: np.ndarray, months: np.ndarray, day_of_month: np.ndarray) -> np.ndarray:
    month_start = ((years - 1970) * 12 + months - 1).astype("datetime64[M]").astype("datetime64[D]")
    days: np.ndarray = (month_start + (day_of_month - 1)).astype(np.int64)
    return days


def add_years(days: np.ndarray, years_added: np.ndarray) -> np.ndarray:
    """The same day `years_added` years later; 29 February becomes 28 February in a common year."""
    years, months, day_of_month = _split(days)
    new_years = years + years_added
    day_of_month = np.where((months == 2) & (day_of_month == 29) & ~_leap(new_years), 28, day_of_month)
    return _make(new_years, months, day_of_month)


def years_between(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Whole calendar years plus the fraction of the next one (negative when end < start)."""
    start, end = np.asarray(start, dtype=np.int64), np.asarray(end, dtype=np.int64)
    backwards = end < start
    low, high = np.where(backwards, end, start), np.where(backwards, start, end)
    whole = _split(high)[0] - _split(low)[0]
    anniversary = add_years(low, whole)
    over = anniversary > high
    whole = np.where(over, whole - 1, whole)
    anniversary = np.where(over, add_years(low, whole), anniversary)
    following = add_years(low, whole + 1)
    result = whole + (high - anniversary) / (following - anniversary)
    signed: np.ndarray = np.where(backwards, -result, result)
    return signed
