"""The data-entry grid: an agency's rows as the page shows them and reads them back, and the
one write the page adds to `reporting.services` — saving and submitting in one step.

The form names each field "<indicator code>-<field>"; `rows_from_form` turns a POST back
into the rows `round_set_save_draft` takes, so the page validates nothing itself.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from reporting import services
from reporting.models import RoundSet
from targets.models import Observation

# The fields a person types in: the figure's, and why it revises an approved one.
GRID_FIELDS = (*Observation.EDITABLE_FIELDS, "revision_reason")


def rows_from_form(data, codes: list[str]) -> list[dict]:
    """The rows of a submitted grid, one per indicator code of the set (fields left out of
    the form are left out of the row, so the service keeps what was stored)."""
    rows = []
    for code in codes:
        row: dict = {"indicator": code}
        for field in GRID_FIELDS:
            key = f"{code}-{field}"
            if key in data:
                row[field] = data.get(key, "").strip()
        row["confirm_outlier"] = data.get(f"{code}-confirm_outlier") == "on"
        rows.append(row)
    return rows


def grid_rows_shown(grid: list[dict], *, posted=None, errors: dict | None = None) -> list[dict]:
    """The selector's rows with the values each input shows: what was just posted (after an
    error), else this round's figure, else empty; and each row's errors by field."""
    errors = errors or {}
    shown = []
    for row in grid:
        code = row["indicator"].code
        current: Observation | None = row["current"]
        values = {}
        for field in GRID_FIELDS:
            if posted is not None and f"{code}-{field}" in posted:
                values[field] = posted.get(f"{code}-{field}", "")
            elif field == "revision_reason":
                values[field] = row["entry"].revision_reason
            elif current is not None:
                value = getattr(current, field)
                if field == "value":
                    value = f"{value.normalize():f}"
                values[field] = "" if value is None else value
            else:
                values[field] = {"qualifier": Observation.Qualifier.EXACT,
                                 "confidence": Observation.Confidence.HIGH}.get(field, "")
        shown.append({**row, "code": code, "values": values, "errors": errors.get(code, {}),
                      "confirm_outlier": posted is not None and posted.get(f"{code}-confirm_outlier") == "on"})
    return shown


@transaction.atomic
def round_set_save_and_submit(*, round_set: RoundSet, rows: list[dict], user: AbstractBaseUser | None,
                              expected_version: int) -> RoundSet:
    """Saves the grid as drafts and submits the set, together: all or nothing (a refused
    submit leaves the drafts unsaved too). Guarantees those of `round_set_save_draft` and
    `round_set_submit`."""
    saved = services.round_set_save_draft(round_set=round_set, rows=rows, user=user, expected_version=expected_version)
    return services.round_set_submit(round_set=saved, user=user, expected_version=saved.version)
