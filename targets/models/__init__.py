"""Plans and their targets, the indicators they measure with their observations, and the
outbox of recompute requests (the computed snapshots are the `snapshots` app's).

A zone works to several plans over time (the 2020 action plan, the 2025 plan...), and the
quantities they measure — industry revenue, patents, enterprises — outlive any one plan.
So an `Indicator` is measured over time, independent of any plan, and its `Observation`s are
entered once; a `Target` belongs to a plan and points at the indicator it is judged on. Two
plans may target the same indicator and read the same observations.

The models live in modules by concept (issue 17): `plans` (plans, objectives, targets and their
named items), `indicators` (agencies, indicators, their figures and revisions), `requests` (the recompute
requests the core writes with each change) and `base` (the abstract
bilingual bases). Every model is exported here: `from targets.models import X` is the way in.
"""

from targets.models.base import BilingualTitleMixin, TranslationFlagMixin
from targets.models.indicators import Agency, Indicator, Observation, ObservationRevision
from targets.models.plans import ItemUpdate, Objective, Plan, Target, TargetItem
from targets.models.requests import RecomputeRequest

__all__ = [
    "Agency",
    "BilingualTitleMixin",
    "Indicator",
    "ItemUpdate",
    "Objective",
    "Observation",
    "ObservationRevision",
    "Plan",
    "RecomputeRequest",
    "Target",
    "TargetItem",
    "TranslationFlagMixin",
]
