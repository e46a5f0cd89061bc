"""Judging a qualitative target: the share of its named items achieved, by pace like a count.

Each item's status on a date is the one its last dated update gave by then
(`updates.status_from_updates`, the rule measures share); an item without one is "not reported" — no evidence, no judgement. A target none of whose items has been
reported has no data; after its target date, the verdict rests on the items' statuses on
that date.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from targets.progress.codes import (
    ACHIEVED,
    AT_LEAST,
    EXACT,
    ITEMS,
    NO_DATA,
    NO_FORECAST,
    NONE,
    NOT_ACHIEVED,
    NOT_DETERMINED,
    NOT_REPORTED,
    NOTE_ITEMS_NOT_ALL_REPORTED_BY_DEADLINE,
    NOTE_ITEMS_NOT_REPORTED,
    NOTE_NO_ITEM_REPORTED,
    NOTE_NO_ITEMS,
    NOTE_TOO_EARLY,
)
from targets.progress.dates import expected_progress
from targets.progress.formulas import status_from_ratio
from targets.progress.numbers import rounded
from targets.progress.updates import status_from_updates


def items_snapshot(target: dict[str, Any], items: list[list[tuple[date, str]]], as_of: date) -> dict[str, Any]:
    """The snapshot row of one qualitative target on `as_of`. `items`: each named item's dated
    (date, status) updates, in date order."""
    target_date = target["target_date"]
    thresholds = (float(target["on_track_threshold"]), float(target["acceleration_threshold"]))
    expected = expected_progress(baseline_date=target["baseline_date"], target_date=target_date, as_of=as_of)
    after = as_of >= target_date  # the deadline day itself gets the verdict
    statuses = [status_from_updates(updates, min(as_of, target_date)) for updates in items]
    total = len(statuses)
    reported = sum(1 for status in statuses if status != NOT_REPORTED)
    achieved = sum(1 for status in statuses if status == ACHIEVED)
    data_days = [day for updates in items for day, _ in updates if day <= min(as_of, target_date)]
    notes: list[str] = []
    progress = ratio = None
    if total == 0:
        notes.append(NOTE_NO_ITEMS)
        status = NO_DATA
    elif reported == 0:
        notes.append(NOTE_NO_ITEM_REPORTED)
        status = NO_DATA
    else:
        if reported < total:
            notes.append(NOTE_ITEMS_NOT_REPORTED)
        progress = achieved / total
        ratio = progress / expected if expected > 0 else None
        if achieved == total:
            status = ACHIEVED
        elif after:
            # On the target date: every item reported and not all achieved is a miss; an item
            # never reported leaves the verdict open.
            status = NOT_ACHIEVED if reported == total else NOT_DETERMINED
            if status == NOT_DETERMINED:
                notes.append(NOTE_ITEMS_NOT_ALL_REPORTED_BY_DEADLINE)
        elif ratio is None:
            notes.append(NOTE_TOO_EARLY)
            status = NO_DATA
        else:
            status = status_from_ratio(ratio, on_track=thresholds[0], acceleration=thresholds[1])
    data_date = max(data_days) if data_days else None
    inputs = {
        "method": ITEMS, "baseline": None, "baseline_known": False,
        "baseline_date": target["baseline_date"].isoformat(), "target": str(total),
        "target_date": target_date.isoformat(), "direction": AT_LEAST, "aggregation": "items",
        "attained": str(achieved) if reported else None, "attained_qualifier": EXACT if reported else "",
        "data_date": data_date.isoformat() if data_date else None,
        "progress": rounded(progress), "expected": rounded(expected), "ratio": rounded(ratio),
        "observed_cagr": None, "required_cagr": None,
        "thresholds": {"on_track": thresholds[0], "acceleration": thresholds[1]},
        "points_used": [], "points_count": 0, "items_total": total, "items_achieved": achieved,
        "items_reported": reported, "forecast": dict(NO_FORECAST), "confidence": "", "notes": notes,
    }
    data_age = (as_of - data_date).days if data_date else None
    return {
        "target_id": target["id"], "as_of": as_of,
        "attained": Decimal(achieved).quantize(Decimal("0.0001")) if reported else None,
        "attained_qualifier": EXACT if reported else "", "data_date": data_date, "baseline_known": False,
        "progress": rounded(progress, 12), "expected": rounded(expected, 12), "ratio": rounded(ratio, 12),
        "method": ITEMS if reported else NONE, "status": status, "confidence": "", "forecast_value": None,
        "forecast_reach_date": None, "data_age_days": data_age, "is_data_stale": data_age is not None and data_age > 365,
        "has_synthetic": False, "inputs": inputs,
    }
