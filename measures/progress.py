"""A measure's status on a date and the work areas' roll-ups: plain rows in, plain rows out.

Measures own this rule: the area roll-ups (`measures.services.area_rollups_recompute`), the
measure's stored current status and the measures page all call `measure_status_on`, so the
counts agree with the list.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from targets.progress.codes import NOT_REPORTED


def measure_status_on(*, updates: Iterable[tuple[date, str]], as_of: date | None = None) -> str:
    """A measure's status on `as_of` (by default: now): the one its last update dated on or
    before it set; with none, "not reported" — no evidence, no judgement.

    `updates`: (date, status) of its updates, in date and entry order; an update without a
    status (a note) changes nothing.
    """
    status = NOT_REPORTED
    for day, update_status in updates:  # in date order: the last one wins
        if update_status and (as_of is None or day <= as_of):
            status = update_status
    return status


def area_rollups_compute(
    *, areas: list[int], measures: list[tuple[int, int]], updates: list[tuple[int, date, str]], as_of: date,
) -> list[dict]:
    """Measures per status per area on `as_of`, each measure's status by `measure_status_on`.

    `measures`: (measure_id, area_id); `updates`: (measure_id, date, status) of updates that
    set a status, ordered by date and entry order.
    """
    updates_of: dict[int, list[tuple[date, str]]] = {}
    for measure_id, day, status in updates:
        updates_of.setdefault(measure_id, []).append((day, status))
    counts: dict[int, dict[str, int]] = {area_id: {} for area_id in areas}
    for measure_id, area_id in measures:
        status = measure_status_on(updates=updates_of.get(measure_id, ()), as_of=as_of)
        area_counts = counts.setdefault(area_id, {})
        area_counts[status] = area_counts.get(status, 0) + 1
    return [
        {"area_id": area_id, "measure_count": sum(c.values()), "status_counts": dict(sorted(c.items()))}
        for area_id, c in sorted(counts.items())
    ]
