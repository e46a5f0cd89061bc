"""Judging a qualitative target: the share of its named items achieved, by pace like a count."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from targets.progress.codes import (
    ACHIEVED,
    AT_LEAST,
    EXACT,
    ITEMS,
    NO_DATA,
    NO_FORECAST,
    NONE,
    NOTE_DEADLINE_PASSED_WITHOUT_DATA,
    NOTE_ITEMS_CURRENT_STATUS,
    NOTE_NO_ITEMS,
    NOTE_TOO_EARLY,
)
from targets.progress.dates import expected_progress
from targets.progress.formulas import status_from_ratio
from targets.progress.numbers import rounded


def items_snapshot(target: dict, items: list[str], as_of: date) -> dict:
    """Share of named items achieved, judged by pace like a count.

    Items have no dated history: their current status is used for every as-of date.
    """
    target_date = target["plan_target_date"]
    thresholds = (float(target["on_track_threshold"]), float(target["acceleration_threshold"]))
    expected = expected_progress(baseline_date=target["baseline_date"], target_date=target_date, as_of=as_of)
    notes = [NOTE_ITEMS_CURRENT_STATUS]
    total, achieved = len(items), sum(1 for status in items if status == ACHIEVED)
    if total == 0:
        notes.append(NOTE_NO_ITEMS)
        progress = ratio = None
        status = NO_DATA
    else:
        progress = achieved / total
        ratio = progress / expected if expected > 0 else None
        if achieved == total:
            status = ACHIEVED
        elif as_of > target_date:
            # Item statuses carry no date: nothing shows they were still open on the
            # target date, so a miss would be a guess.
            notes.append(NOTE_DEADLINE_PASSED_WITHOUT_DATA)
            status = NO_DATA
        elif ratio is None:
            notes.append(NOTE_TOO_EARLY)
            status = NO_DATA
        else:
            status = status_from_ratio(ratio, on_track=thresholds[0], acceleration=thresholds[1])
    inputs = {
        "method": ITEMS, "baseline": None, "baseline_known": False,
        "baseline_date": target["baseline_date"].isoformat(), "target": str(total),
        "target_date": target_date.isoformat(), "direction": AT_LEAST, "aggregation": "items",
        "attained": str(achieved), "attained_qualifier": EXACT, "data_date": None,
        "progress": rounded(progress), "expected": rounded(expected), "ratio": rounded(ratio),
        "observed_cagr": None, "required_cagr": None,
        "thresholds": {"on_track": thresholds[0], "acceleration": thresholds[1]},
        "points_used": [], "points_count": 0, "items_total": total, "items_achieved": achieved,
        "forecast": dict(NO_FORECAST), "notes": notes,
    }
    return {
        "target_id": target["id"], "as_of": as_of,
        "attained": Decimal(achieved).quantize(Decimal("0.0001")) if total else None,
        "attained_qualifier": EXACT if total else "", "data_date": None, "baseline_known": False,
        "progress": rounded(progress, 12), "expected": rounded(expected, 12), "ratio": rounded(ratio, 12),
        "method": ITEMS if total else NONE, "status": status, "forecast_value": None,
        "forecast_reach_date": None, "data_age_days": None, "is_data_stale": False, "has_synthetic": False,
        "inputs": inputs,
    }

