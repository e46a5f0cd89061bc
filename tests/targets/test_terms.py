"""The derived terms have one definition (`targets.terms`): the model properties and the
engine's row reader agree on them."""

import datetime as dt

from targets import progress, terms
from targets.models import Indicator, Plan, Target


def test_the_model_properties_and_the_engine_rows_read_the_same_terms():
    plan = Plan(target_date=dt.date(2025, 12, 31))
    flow = Indicator(kind=Indicator.Kind.FLOW, reporting_period="quarter", scope="city")
    target = Target(plan=plan, indicator=flow, target_date=None, scope="", baseline_scope="district")
    assert (target.aggregation, target.due_date, flow.period_days, target.effective_scope) == (
        progress.SUM, dt.date(2025, 12, 31), 92, "city")
    assert target.baseline_comparable is False
    assert terms.baseline_comparable("district", terms.effective_scope("district", "city"))
    # A target with no indicator (named items): the latest figure, a year's period, no scope.
    bare = Target(plan=plan, target_date=dt.date(2024, 6, 30), baseline_scope="")
    assert (bare.aggregation, bare.due_date, bare.effective_scope, bare.baseline_comparable) == (
        progress.LATEST, dt.date(2024, 6, 30), "", True)
    assert terms.period_days(None) == 366
