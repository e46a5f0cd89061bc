"""A measure's status on a date and the work areas' roll-ups: plain rows in, plain rows out.

Measures own this rule: the area roll-ups (`measures.services.area_rollups_recompute`) and
the measures page both call `measure_status_on`, so the counts agree with the list.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date


def measure_status_on(*, current: str, updates: Iterable[tuple[date, str]], as_of: date | None, today: date) -> str:
    """A measure's status on `as_of` — the one rule the roll-ups and the measures page share.

    `updates`: (date, status) of its updates, in date and entry order. Before `today` the
    status is the one set by its last update dated on or before `as_of`, where there is
    one, else its current status (measures have no other dated history). For today and
    later it is the current status.
    """
    if as_of is None or as_of >= today:
        return current
    status = current
    for day, update_status in updates:  # in date order: the last one wins
        if day <= as_of and update_status:
            status = update_status
    return status


def area_rollups_compute(
    *, areas: list[int], measures: list[tuple[int, int, str]], updates: list[tuple[int, date, str]],
    as_of: date, today: date,
) -> list[dict]:
    """Measures per status per area, each measure's status by `measure_status_on`.

    `measures`: (measure_id, area_id, current status); `updates`: (measure_id, date,
    status) of updates that set a status, ordered by date and entry order.
    """
    updates_of: dict[int, list[tuple[date, str]]] = {}
    for measure_id, day, status in updates:
        updates_of.setdefault(measure_id, []).append((day, status))
    counts: dict[int, dict[str, int]] = {area_id: {} for area_id in areas}
    for measure_id, area_id, current in measures:
        status = measure_status_on(current=current, updates=updates_of.get(measure_id, ()), as_of=as_of, today=today)
        area_counts = counts.setdefault(area_id, {})
        area_counts[status] = area_counts.get(status, 0) + 1
    return [
        {"area_id": area_id, "measure_count": sum(c.values()), "status_counts": dict(sorted(c.items()))}
        for area_id, c in sorted(counts.items())
    ]
