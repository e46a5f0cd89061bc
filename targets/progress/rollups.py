"""Objective and plan roll-ups of the targets' snapshots, for every date at once."""

from __future__ import annotations

from datetime import date

import pandas as pd

from targets.progress.codes import NO_DATA, STATUSES

SNAPSHOT_COLUMNS = ["target_id", "as_of", "status", "progress"]


def rollups_compute(*, targets: list[dict], snapshots: pd.DataFrame, dates: list[date]) -> list[dict]:
    """Objective and plan roll-ups on each date: mean of progress capped to [0, 1], and
    targets per status.

    `targets`: dicts with id, objective_id, plan_id (every target of the plans concerned);
    `snapshots`: a frame with SNAPSHOT_COLUMNS, one row per target and date computed.
    Capping keeps one exceeded target from hiding another that is behind. A target without
    a snapshot on a date counts as "no data"; targets without a progress figure are left
    out of the mean (`progress_count` says how many it covers).
    """
    if not targets or not dates:
        return []
    members = pd.DataFrame(targets, columns=["id", "objective_id", "plan_id"]).rename(columns={"id": "target_id"})
    judged = snapshots[snapshots["as_of"].isin(dates)].merge(members, on="target_id")
    judged = judged.assign(capped=judged["progress"].astype(float).clip(lower=0.0, upper=1.0))
    rows = []
    for scope in (["plan_id"], ["plan_id", "objective_id"]):
        sizes = members.groupby(scope).size()
        counts = judged.groupby(["as_of", *scope, "status"]).size()
        means = judged.groupby(["as_of", *scope])["capped"].agg(["sum", "count"])
        count_of = counts.to_dict()
        mean_of = means.to_dict(orient="index")
        for key, size in sizes.items():
            key = key if isinstance(key, tuple) else (key,)
            for as_of in dates:
                status_counts = {status: count_of.get((as_of, *key, status), 0) for status in STATUSES}
                status_counts[NO_DATA] += size - sum(status_counts.values())
                mean = mean_of.get((as_of, *key), {"sum": 0.0, "count": 0})
                rows.append({
                    "plan_id": key[0],
                    "objective_id": key[1] if len(key) > 1 else None,
                    "as_of": as_of,
                    "mean_capped_progress": round(mean["sum"] / mean["count"], 12) if mean["count"] else None,
                    "target_count": int(size),
                    "progress_count": int(mean["count"]),
                    "status_counts": {status: int(count) for status, count in status_counts.items() if count},
                })
    return rows


def snapshot_frame(rows: list[dict]) -> pd.DataFrame:
    """The columns the roll-ups need, from snapshot rows as the engine returns them."""
    return pd.DataFrame({column: [row[column] for row in rows] for column in SNAPSHOT_COLUMNS},
                        columns=SNAPSHOT_COLUMNS)
