"""The work areas' roll-ups: plain rows in, plain rows out.

A measure's status on a date is the core's rule for anything with dated updates
(`targets.progress.status_from_updates`, shared with the named items): the area roll-ups
(`measures.services.area_rollups_store`), the measure's stored current status and the measures
page all call it, so the counts agree with the list.
"""

from __future__ import annotations

from datetime import date

from targets.progress.updates import status_from_updates


def area_rollups_compute(
    *, areas: list[int], measures: list[tuple[int, int]], updates: list[tuple[int, date, str]], as_of: date,
) -> list[dict]:
    """Measures per status per area on `as_of`, each measure's status by `status_from_updates`.

    `measures`: (measure_id, area_id); `updates`: (measure_id, date, status) of updates that
    set a status, ordered by date and entry order.
    """
    updates_of: dict[int, list[tuple[date, str]]] = {}
    for measure_id, day, status in updates:
        updates_of.setdefault(measure_id, []).append((day, status))
    counts: dict[int, dict[str, int]] = {area_id: {} for area_id in areas}
    for measure_id, area_id in measures:
        status = status_from_updates(updates_of.get(measure_id, ()), as_of)
        area_counts = counts.setdefault(area_id, {})
        area_counts[status] = area_counts.get(status, 0) + 1
    return [
        {"area_id": area_id, "measure_count": sum(c.values()), "status_counts": dict(sorted(c.items()))}
        for area_id, c in sorted(counts.items())
    ]
