"""Writes for plans, targets and figures, by concern:

- `observations`: the indicators' reported figures, and named items' dated updates;
- `plans`: loading a plan, and administrators' changes to plans, targets and named items;
- `requests`: the recompute requests (the outbox the `snapshots` app consumes);
- `locks`: the plan rows' locks, in their one order, and the plans' data versions.

Every entry point — admin, API, import, management command, task — changes data through
these functions, so the rules in `targets.validation` and `targets.permissions` are applied
once and the same way everywhere. This module re-exports what the entry points call.
"""

from targets.services.observations import (
    OBSERVATION_FIELDS,
    item_update_delete,
    item_update_save,
    observation_approve,
    observation_create,
    observation_delete,
    observation_save,
    observation_update,
    observations_status_set,
)
from targets.services.plans import (
    SPLIT_PERMISSIONS,
    agencies_load,
    agency_save,
    indicator_save,
    indicator_split,
    objective_delete,
    objective_save,
    plan_load,
    plan_save,
    target_delete,
    target_item_delete,
    target_item_save,
    target_save,
)
from targets.services.requests import recompute_request, requests_publish, requests_sweep

__all__ = [
    "OBSERVATION_FIELDS", "indicator_save", "indicator_split", "SPLIT_PERMISSIONS", "objective_delete", "objective_save",
    "item_update_delete", "item_update_save", "agencies_load", "agency_save", "observation_approve", "observation_create", "observation_delete", "observation_save",
    "observation_update", "observations_status_set", "plan_load", "plan_save", "recompute_request",
    "requests_publish", "requests_sweep", "target_delete", "target_item_delete", "target_item_save", "target_save",
]
