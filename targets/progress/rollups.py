"""Objective and plan roll-ups of the targets' snapshots on one date."""

from __future__ import annotations

import math

from targets.progress.codes import NO_DATA, STATUSES


def rollups_compute(*, targets: list[dict], snapshots: dict[int, dict]) -> list[dict]:
    """Objective and plan roll-ups: mean of progress capped to [0, 1], and targets per status.

    Capping keeps one exceeded target from hiding another that is behind. A target
    without a snapshot counts as "no data"; targets without a progress figure are left
    out of the mean (`progress_count` says how many it covers). Plain Python: a plan has
    tens of targets, and a pandas group-by would cost more in fixed overhead than it saves.
    """
    scopes: dict[tuple[int, int | None], list[tuple[str, float | None]]] = {}
    for target in targets:
        snapshot = snapshots.get(target["id"]) or {}
        progress_value = snapshot.get("progress")
        capped = None if progress_value is None else min(max(float(progress_value), 0.0), 1.0)
        judged = (snapshot.get("status") or NO_DATA, capped)
        scopes.setdefault((target["plan_id"], None), []).append(judged)
        scopes.setdefault((target["plan_id"], target["objective_id"]), []).append(judged)
    rows = []
    for (plan_id, objective_id), judged in sorted(scopes.items(), key=lambda item: (item[0][0], item[0][1] or 0)):
        capped_values = [capped for _, capped in judged if capped is not None]
        counts = {status: sum(1 for s, _ in judged if s == status) for status in STATUSES}
        rows.append({
            "plan_id": plan_id,
            "objective_id": objective_id,
            "mean_capped_progress": round(math.fsum(capped_values) / len(capped_values), 12) if capped_values else None,
            "target_count": len(judged),
            "progress_count": len(capped_values),
            "status_counts": {status: count for status, count in counts.items() if count},
        })
    return rows

