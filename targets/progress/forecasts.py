"""Where the trend leads: the value at the target date and the date it reaches the target.

Linear for sums (least squares of the running total), compound growth for levels.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from targets.progress.codes import AT_MOST
from targets.progress.dates import date_after_years, iso_or_none, years_between
from targets.progress.formulas import target_met
from targets.progress.frames import Summary
from targets.progress.numbers import rounded

# A trend that reaches the target only after this many years is reported as never reaching it.
FORECAST_HORIZON_YEARS = 100
# Snapshot.forecast_value holds 20 digits before the point; a trend beyond that is no forecast.
MAX_FORECAST_VALUE = 1e19

NO_FORECAST = {"value": None, "reach_date": None, "method": None}


def linear_forecast(summary: Summary, baseline_date: date, target_date: date, goal: float, direction: str,
                    attained: float, qualifier: str) -> dict:
    trend = summary.trend
    if trend is None:
        return dict(NO_FORECAST)
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
    return {"value": rounded(value, 4), "reach_date": iso_or_none(reach), "method": "linear_trend"}


def compound_forecast(attained: float, observed: float | None, data_date: date, target_date: date, goal: float,
                      direction: str, qualifier: str) -> dict:
    if observed is None:
        return dict(NO_FORECAST)
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
    return {"value": rounded(value, 4), "reach_date": iso_or_none(reach), "method": "compound_growth"}
