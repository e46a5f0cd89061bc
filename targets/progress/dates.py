"""Calendar arithmetic of the engine: years between dates, the straight-line expectation,
the series of as-of dates of a history, and today in the zone."""

from __future__ import annotations

import calendar
import math
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

# The plans' dates are Hangzhou dates; a worker whose clock runs in UTC must still know
# which day it is there.
ZONE_TIME_ZONE = ZoneInfo("Asia/Shanghai")

BACKFILL_STEPS = {"month": 1, "quarter": 3, "year": 12}


def utc_now() -> datetime:
    """The clock (a function, so that tests can set it)."""
    return datetime.now(UTC)


def zone_today() -> date:
    """Today in Hangzhou: the one definition of "today" for the engine, the jobs and the pages,
    whatever time zone the process runs in."""
    return utc_now().astimezone(ZONE_TIME_ZONE).date()


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def years_between(start: date, end: date) -> float:
    """Whole calendar years plus the fraction of the next one.

    31 Dec 2019 to 31 Dec 2020 is exactly one year (not 366/365.25), so growth over
    yearly figures reads as the sources state it (1,500 / 1,157.69 - 1 = 29.57 %). The rule
    is `calendar.years_between`, which the engine applies to many dates at once.
    """
    from targets.progress.calendar import years_between as years_between_days
    from targets.progress.figures import day_number

    return float(years_between_days(np.array([day_number(start)]), np.array([day_number(end)]))[0])


def date_after_years(start: date, years: float) -> date:
    whole = math.floor(years)
    anniversary = add_years(start, whole)
    following = add_years(start, whole + 1)
    return anniversary + timedelta(days=round((years - whole) * (following - anniversary).days))


def expected_progress(*, baseline_date: date, target_date: date, as_of: date) -> float:
    """Share of the way a straight line from baseline to target date has covered by `as_of`."""
    span = (target_date - baseline_date).days
    if span <= 0:
        return 1.0
    return min(max((as_of - baseline_date).days / span, 0.0), 1.0)



def backfill_dates(*, since: date, until: date, every: str = "month") -> list[date]:
    """`since`, then every step after it up to `until`, and `until`. A month-end start keeps
    to month ends (31 Jan, 28 Feb, 31 Mar...)."""
    if every not in BACKFILL_STEPS:
        raise ValueError(f"Unknown step {every!r}: use one of {', '.join(BACKFILL_STEPS)}.")
    if since > until:
        raise ValueError(f"The start {since} is after the end {until}.")
    month_end = since.day == calendar.monthrange(since.year, since.month)[1]
    dates, step = [], 0
    while True:
        months = since.year * 12 + since.month - 1 + step * BACKFILL_STEPS[every]
        year, month = divmod(months, 12)
        last_day = calendar.monthrange(year, month + 1)[1]
        day = date(year, month + 1, last_day if month_end else min(since.day, last_day))
        if day > until:
            break
        dates.append(day)
        step += 1
    if dates[-1] != until:
        dates.append(until)
    return dates


def iso_or_none(day: date | None) -> str | None:
    """ISO text of a date, or None for no date or one outside what a date column holds."""
    if day is None or day.year > 9999 or day.year < 1:
        return None
    return day.isoformat()
