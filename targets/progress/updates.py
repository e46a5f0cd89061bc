"""The status a thing's dated updates give: one rule for the named items of a target and the
measures of a plan (issue 17: it was written twice, once in each app).

Plain rows in, a status out, no Django: the engine's item judging, the measures' stored status
and area roll-ups, the pages and the API all call `status_from_updates`, so their answers agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from targets.progress.codes import NOT_REPORTED


def status_from_updates(updates: Iterable[tuple[date, str]], as_of: date | None = None) -> str:
    """The status on `as_of` (by default: with every update) that the last update dated on or
    before it set; with none, "not reported" — no evidence, no judgement.

    `updates`: (date, status) pairs in date and entry order (the last one of a day wins); an
    update without a status (a measure's note) changes nothing.
    """
    status = NOT_REPORTED
    for day, update_status in updates:
        if update_status and (as_of is None or day <= as_of):
            status = update_status
    return status
