"""Every target's snapshot on one date, from plain rows."""

from __future__ import annotations

from datetime import date

import pandas as pd

from targets.progress.codes import QUALITATIVE
from targets.progress.frames import summaries
from targets.progress.items import items_snapshot
from targets.progress.quantitative import quantitative_snapshot


def snapshots_compute(
    *, targets: list[dict], entries: pd.DataFrame, item_statuses: dict[int, list[str]], as_of: date
) -> list[dict]:
    """One snapshot row per target as of `as_of`.

    `targets`: dicts with id, kind, target_value, baseline_value, baseline_date,
    direction, aggregation, plan_target_date, on_track_threshold, acceleration_threshold.
    `entries`: `entries_frame(...)` of (at least) these targets' entries.
    `item_statuses`: the named items' statuses of each qualitative target.
    Deterministic: the same rows give the same result.
    """
    baselines = {
        t["id"]: (None if t["baseline_value"] is None else float(t["baseline_value"]), t["baseline_date"],
                  t["aggregation"])
        for t in targets if t["kind"] != QUALITATIVE
    }
    by_target = summaries(entries, as_of, baselines)
    rows = []
    for target in targets:
        if target["kind"] == QUALITATIVE:
            rows.append(items_snapshot(target, item_statuses.get(target["id"], []), as_of))
        else:
            rows.append(quantitative_snapshot(target, by_target.get(target["id"]), as_of))
    return rows

