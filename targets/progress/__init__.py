"""The progress engine's computation: plain rows in, plain rows out, no Django.

`targets.services` reads the rows (a constant number of queries), calls
`snapshots_compute` and `rollups_compute` here, and writes what they return. Methods and
thresholds follow `progress-methods.md` (Open SDG / Statistics Canada):

- counts (`sum` targets) and named items are judged by pace: progress over the
  progress expected on a straight line from the baseline date to the plan's target date;
- levels (`latest` targets) by the growth-rate ratio: observed over required compound
  annual growth, which needs two points (a known baseline is one of them).

Figures are computed as float64 (fast, vectorised); attained values are rounded back to
the four decimals the database keeps, which is exact for values below 10^11.

Modules, by concern: `codes` (the vocabulary), `dates`, `formulas` (growth, thresholds,
the bound of a sum), `frames` (figures as a frame, per-target aggregates), `forecasts`,
`quantitative` and `items` (judging one target), `snapshots` (every target on a date),
`rollups`, `updates` (the status dated updates give: named items and measures). This package re-exports what its callers use.

Extension point: expected progress is a straight line. Yearly milestones are not in the
data model yet; when they are, `dates.expected_progress` is the one function to change.
"""

from targets.progress.codes import *  # noqa: F403 — the vocabulary, re-exported by name
from targets.progress.dates import backfill_dates, expected_progress, years_between, zone_today
from targets.progress.figures import ENTRY_COLUMNS, entries_frame
from targets.progress.formulas import (
    cagr,
    figure_proves_miss,
    running_sum_bounds,
    status_from_ratio,
    sum_bounds,
    target_met,
)
from targets.progress.rollups import rollups_compute
from targets.progress.snapshots import history_compute, snapshots_compute
from targets.progress.updates import status_from_updates

__all__ = [
    "ENTRY_COLUMNS", "backfill_dates", "cagr", "entries_frame", "expected_progress", "figure_proves_miss",
    "history_compute", "rollups_compute", "running_sum_bounds", "snapshots_compute", "status_from_ratio",
    "status_from_updates",
    "sum_bounds", "target_met", "years_between", "zone_today",
]
