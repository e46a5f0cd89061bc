"""Writes of the snapshot machinery, by concern:

- `refresh`: keeping the snapshots fresh (the recomputes the core's requests ask for, the
  nightly run, the history, verification, the calendar);
- `store`: the engine's reads and writes;
- `derived`: the registry of what each app derives per plan and date.

This module re-exports what the entry points call.
"""

from snapshots.services import store
from snapshots.services.refresh import (
    derived_compute,
    history_rebuild,
    plan_calendar,
    plan_snapshots_refresh,
    snapshots_backfill,
    snapshots_compute_and_store,
    snapshots_mark_outdated,
    snapshots_recompute,
    snapshots_refresh,
    snapshots_verify,
    target_snapshots_refresh,
)

__all__ = [
    "derived_compute", "history_rebuild", "plan_calendar", "plan_snapshots_refresh", "snapshots_backfill",
    "snapshots_compute_and_store", "snapshots_mark_outdated", "snapshots_recompute", "snapshots_refresh",
    "snapshots_verify", "store", "target_snapshots_refresh",
]
