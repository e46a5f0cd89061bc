"""The terms derived from a target's and a figure's stored fields, as pure functions of plain
values: the model properties (`Target.aggregation`, `Target.due_date`, `Indicator.period_days`,
the `effective_scope`s, `Target.baseline_comparable`) and the engine's row reader
(`snapshots.services.store.engine_targets`) both call these, so each term has one definition.
Imports no models: the models import it."""

from __future__ import annotations

from datetime import date

from targets import progress

# `Indicator.Kind.FLOW`'s value (the model's choices take it from here).
FLOW = "flow"

# One reporting period in days, by `Indicator.ReportingPeriod` (a year is 366: a leap year still counts).
PERIOD_DAYS = {"year": 366, "half_year": 184, "quarter": 92, "month": 31}


def aggregation(indicator_kind: str | None) -> str:
    """How the engine reads an indicator's figures: summed (a flow) or the latest (a stock, and
    a target with no indicator)."""
    return progress.SUM if indicator_kind == FLOW else progress.LATEST


def due_date(target_date: date | None, plan_target_date: date) -> date:
    """The target's own date, else its plan's."""
    return target_date or plan_target_date


def period_days(reporting_period: str | None) -> int:
    """One reporting period in days; a year when there is none (a target with no indicator)."""
    return PERIOD_DAYS.get(reporting_period or "", PERIOD_DAYS["year"])


def effective_scope(own: str, indicator_scope: str | None) -> str:
    """The definition a target or figure counts by: its own scope, else its indicator's."""
    return own or indicator_scope or ""


def baseline_comparable(baseline_scope: str, scope: str) -> bool:
    """Whether the baseline counts what the target counts (`scope`, the target's effective
    scope): if not, it is shown and never used for progress or growth."""
    return not baseline_scope or baseline_scope == scope
