"""Writes for plans, targets, figures and snapshots, by concern:

- `observations`: the indicators' reported figures, and named items' dated updates;
- `plans`: loading a plan, and administrators' changes to plans, targets and named items;
- `snapshots`: keeping the snapshots fresh (recompute requests, the recomputes, the
  nightly run, verification), with `store` for the engine's reads and writes.

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
from snapshots.services.refresh import (
    history_rebuild,
    plan_calendar,
    plan_snapshots_refresh,
    recompute_request,
    requests_publish,
    requests_sweep,
    snapshots_backfill,
    snapshots_compute_and_store,
    snapshots_recompute,
    snapshots_refresh,
    snapshots_verify,
    target_snapshots_refresh,
)

__all__ = [
    "OBSERVATION_FIELDS", "indicator_save", "indicator_split", "SPLIT_PERMISSIONS", "history_rebuild", "objective_delete", "objective_save",
    "item_update_delete", "item_update_save", "agencies_load", "agency_save", "observation_approve", "observation_create", "observation_delete", "observation_save",
    "observation_update", "observations_status_set", "plan_calendar", "plan_load", "plan_save", "plan_snapshots_refresh", "recompute_request",
    "requests_publish", "requests_sweep", "snapshots_backfill",
    "snapshots_compute_and_store", "snapshots_recompute", "snapshots_refresh", "snapshots_verify",
    "target_delete", "target_item_delete", "target_item_save", "target_save", "target_snapshots_refresh",
]
