"""The plan rows' locks and data versions: every write of a plan's data, in the core or in
the apps above it (the snapshots, the measures), takes these locks in this order and bumps the
plan's data version in its own transaction (page caches and ETags derive from it).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import F
from django.db.models.functions import Now

from targets.models import Plan, Target

# The lock order, everywhere: a transaction that writes a plan's derived rows (its snapshots,
# their marks, its recompute requests, roll-ups, calendar, data version) first locks the rows of
# every plan it will touch, in id order, and only then writes. A save that marked snapshots
# before locking its plan, against a recompute that held the plan and wrote those snapshots,
# deadlocked (issue 16). `edge.transactions` retries the rare conflict left.

def plans_lock(plan_ids: Iterable[int]) -> None:
    """The recompute's lock: FOR UPDATE on the plan rows, in id order. Two workers recomputing
    the same plan (the nightly run and a figure's recompute) would both replace its roll-ups;
    the second waits, and so does every change to the plan (`plans_lock_for_change`)."""
    list(Plan.objects.select_for_update().filter(id__in=sorted(plan_ids)).order_by("id").values_list("id", flat=True))


def plans_lock_for_change(plan_ids: Iterable[int | None]) -> None:
    """A change's lock: FOR NO KEY UPDATE on the plan rows, in id order, taken before the change
    writes anything of theirs. The mode of the data version's own UPDATE (`versions_bump`), so
    taking it first adds no waiting: changes to one plan wait for each other and for a
    recompute (FOR UPDATE), and never for a reader or a foreign key check (KEY SHARE)."""
    ids = sorted({plan_id for plan_id in plan_ids if plan_id is not None})
    # Outside a transaction a lock would end with its own statement: nothing to order.
    if ids and connection.in_atomic_block:
        list(Plan.objects.select_for_update(no_key=True).filter(id__in=ids).order_by("id").values_list("id", flat=True))


def indicator_plans_lock(indicator_ids: Iterable[int | None]) -> list[int]:
    """Locks for a change (`plans_lock_for_change`) every plan with a target on these
    indicators: a figure serves every plan that tracks its indicator. Returns their ids."""
    ids = sorted(set(Target.objects.filter(indicator_id__in=list(indicator_ids)).values_list("plan_id", flat=True)))
    plans_lock_for_change(ids)
    return ids




def versions_bump(plan_ids: Iterable[int | None]) -> None:
    """A new data version for these plans: their cached pages and ETags are stale. Called in
    the transaction of the change, so the new version is seen exactly when the change is.
    A None (no previous plan) is skipped."""
    plan_ids = [plan_id for plan_id in plan_ids if plan_id is not None]
    if len(plan_ids) > 1:
        plans_lock_for_change(plan_ids)  # in id order: an UPDATE locks its rows in the order it finds them
    Plan.objects.filter(id__in=list(plan_ids)).update(data_version=F("data_version") + 1, data_changed_at=Now())
