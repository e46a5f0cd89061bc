"""Objective and plan roll-ups of the targets' snapshots, for every date at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from targets.progress.codes import NO_DATA, STATUSES
from targets.progress.figures import day_number

STATUS_CODE = {status: code for code, status in enumerate(STATUSES)}


@dataclass
class Judged:
    """Snapshots as columns: one element per target and date (status as codes, NaN progress
    where there is none)."""

    target_id: np.ndarray
    day: np.ndarray
    status: np.ndarray
    progress: np.ndarray

    @classmethod
    def of_rows(cls, rows: list[dict[str, Any]]) -> Judged:
        """From snapshot rows as the engine returns them (each distinct date counted in days once)."""
        days = {as_of: day_number(as_of) for as_of in {row["as_of"] for row in rows}}
        return cls(
            target_id=np.fromiter((row["target_id"] for row in rows), np.int64, len(rows)),
            day=np.fromiter((days[row["as_of"]] for row in rows), np.int64, len(rows)),
            status=np.fromiter((STATUS_CODE[row["status"]] for row in rows), np.int64, len(rows)),
            # None (no progress) becomes NaN.
            progress=np.array([row["progress"] for row in rows], dtype=np.float64),
        )

    def __add__(self, other: Judged) -> Judged:
        return Judged(*(np.concatenate((a, b)) for a, b in (
            (self.target_id, other.target_id), (self.day, other.day), (self.status, other.status),
            (self.progress, other.progress),
        )))


def rollups_compute(*, targets: list[dict[str, Any]], snapshots: Judged, dates: list[date]) -> list[dict[str, Any]]:
    """Objective and plan roll-ups on each date: mean of progress capped to [0, 1], and
    targets per status.

    `targets`: dicts with id, objective_id, plan_id (every target of one plan); `snapshots`:
    the plan's snapshots on those dates (others are ignored). Capping keeps one exceeded
    target from hiding another that is behind. A target without a snapshot on a date counts
    as "no data"; targets without a progress figure are left out of the mean
    (`progress_count` says how many it covers). Counted with `bincount` over (date,
    objective, status): the cost does not grow with the number of groups.
    """
    if not targets or not dates:
        return []
    plan_id = targets[0]["plan_id"]
    objectives = sorted({t["objective_id"] for t in targets})
    ids = np.array(sorted(t["id"] for t in targets), dtype=np.int64)
    objective_of = dict((t["id"], objectives.index(t["objective_id"])) for t in targets)
    target_objective = np.array([objective_of[i] for i in ids], dtype=np.int64)
    days = np.array([day_number(d) for d in dates], dtype=np.int64)

    position = np.searchsorted(ids, snapshots.target_id).clip(0, len(ids) - 1)
    date_index = np.searchsorted(days, snapshots.day).clip(0, len(days) - 1)
    keep = (ids[position] == snapshots.target_id) & (days[date_index] == snapshots.day)
    group = (date_index * len(objectives) + target_objective[position])[keep]
    groups = len(days) * len(objectives)
    statuses = len(STATUSES)
    counts = np.bincount(group * statuses + snapshots.status[keep], minlength=groups * statuses)
    counts = counts.reshape(len(days), len(objectives), statuses)
    progress = snapshots.progress[keep]
    measured = ~np.isnan(progress)
    sums = np.bincount(group[measured], weights=np.clip(progress[measured], 0.0, 1.0), minlength=groups)
    measured_counts = np.bincount(group[measured], minlength=groups)
    sums = sums.reshape(len(days), len(objectives))
    measured_counts = measured_counts.reshape(len(days), len(objectives))
    sizes = np.bincount(target_objective, minlength=len(objectives))

    rows = []
    for d, as_of in enumerate(dates):
        scopes = [(None, counts[d].sum(axis=0), sums[d].sum(), measured_counts[d].sum(), sizes.sum())] + [
            (objective_id, counts[d, o], sums[d, o], measured_counts[d, o], sizes[o])
            for o, objective_id in enumerate(objectives)
        ]
        for objective_id, status_counts, total, measured_count, size in scopes:
            by_status = {status: int(status_counts[code]) for code, status in enumerate(STATUSES)}
            by_status[NO_DATA] += int(size) - int(status_counts.sum())
            rows.append({
                "plan_id": plan_id,
                "objective_id": objective_id,
                "as_of": as_of,
                "mean_capped_progress": round(float(total) / int(measured_count), 12) if measured_count else None,
                "target_count": int(size),
                "progress_count": int(measured_count),
                "status_counts": {status: count for status, count in by_status.items() if count},
            })
    return rows


def rollups_shift(*, stored: Sequence[Mapping[str, Any]], sizes: dict[int | None, int], objective_of: dict[int, int],
                  old: Judged, new: Judged, dates: list[date]) -> list[dict[str, Any]] | None:
    """The roll-ups of one plan after some of its targets changed, from the stored roll-ups and
    those targets' old and new snapshots alone: each changed target's old status and capped
    progress taken out, its new ones put in. The result is `rollups_compute`'s over every
    target (the mean up to float rounding, ~1e-12), at a cost that does not grow with the
    plan's other targets.

    `stored`: the plan's roll-up rows on `dates` for the plan (objective None) and the changed
    targets' objectives; `sizes`: today's number of targets per objective (None: the plan);
    `objective_of`: changed target -> objective. A target without an old (or new) snapshot on
    a date counts as "no data" there. Returns the replaced rows, or None when the stored rows
    cannot be shifted (a row missing, or a count of targets that changed since): then the
    roll-ups must be computed from every snapshot.
    """
    scopes = [None, *sorted(set(objective_of.values()))]
    found = {(row["as_of"], row["objective_id"]): row for row in stored}
    state = {}
    for as_of in dates:
        for scope in scopes:
            row = found.get((as_of, scope))
            if row is None or row["target_count"] != sizes.get(scope):
                return None
            counts = dict(row["status_counts"])
            counts[NO_DATA] = counts.get(NO_DATA, 0) + row["target_count"] - sum(row["status_counts"].values())
            total = (row["mean_capped_progress"] or 0.0) * row["progress_count"]
            state[as_of, scope] = [counts, total, row["progress_count"]]
    day_of = {day_number(as_of): as_of for as_of in dates}

    def contributions(judged: Judged) -> dict[tuple[int, date], tuple[str, float]]:
        return {
            (int(target_id), day_of[int(day)]): (STATUSES[int(status)], float(progress))
            for target_id, day, status, progress in zip(judged.target_id, judged.day, judged.status,
                                                        judged.progress, strict=True)
            if int(target_id) in objective_of and int(day) in day_of
        }

    before, after = contributions(old), contributions(new)
    missing = (NO_DATA, float("nan"))
    for target_id, objective_id in objective_of.items():
        for as_of in dates:
            for sign, (status, progress) in ((-1, before.get((target_id, as_of), missing)),
                                             (1, after.get((target_id, as_of), missing))):
                for scope in (None, objective_id):
                    counts, total, measured = state[as_of, scope]
                    counts[status] = counts.get(status, 0) + sign
                    if not np.isnan(progress):
                        state[as_of, scope][1] = total + sign * min(max(progress, 0.0), 1.0)
                        state[as_of, scope][2] = measured + sign
    rows = []
    for (as_of, scope), (counts, total, measured) in state.items():
        if any(count < 0 for count in counts.values()):
            return None  # the stored roll-ups did not hold these targets' old snapshots
        rows.append({
            "plan_id": found[as_of, scope]["plan_id"], "objective_id": scope, "as_of": as_of,
            "mean_capped_progress": round(total / measured, 12) if measured else None,
            "target_count": sizes[scope], "progress_count": measured,
            "status_counts": {status: counts[status] for status in STATUSES if counts.get(status)},
        })
    return rows
