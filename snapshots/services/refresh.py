"""Keeping the snapshots fresh: the recomputes, the nightly run, and proof that they are right.

The route of a change: the core's service that writes it calls `recompute_request`
(`targets.services.requests`, the outbox) in the same transaction — a row in the outbox, and
the target's snapshots marked awaiting recompute by `snapshots_mark_outdated`, which this app
registers there; after the commit the request is sent to the workers by task name
(`snapshots.tasks`); the task calls `target_snapshots_refresh` or `plan_snapshots_refresh`,
which recompute every date of the target or plan and clear the request. If the broker is
down, or a message is lost, or a worker dies, the request stays, and the sweep
(`requests_sweep`, every few minutes) sends it again.

Each plan has a calendar: its month ends (strictly: monthly steps) from its baseline date
up to today, and today. The nightly job computes today, fills any gap and drops the
previous day's date; `snapshots_verify` recomputes every stored snapshot and roll-up in memory and
lists (or repairs) any that differ.

What is derived per plan and date is registered in `snapshots.services.derived`: the targets'
snapshots with their roll-ups (`core_derivers_register`), and whatever an app above
registers from its AppConfig.ready() (measures' area roll-ups). Computing a plan on its
calendar, pruning it and verifying it go through every registered deriver, so the pipeline runs
them without naming them. A target's own recompute (`target_snapshots_refresh`) computes the
targets' snapshots only: nothing else registered reads a target's figures.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from edge.transactions import conflicts_retried
from snapshots.models import Rollup, Snapshot, SnapshotDate
from snapshots.services import store
from snapshots.services.derived import deriver_register, derivers
from targets.models import Plan, RecomputeRequest, Target
from targets.progress.dates import backfill_dates, zone_today
from targets.progress.rollups import Judged, rollups_compute
from targets.services.locks import plans_lock, plans_lock_for_change, versions_bump
from targets.services.requests import outdated_marker_register, requests_sweep

logger = logging.getLogger(__name__)


def snapshots_mark_outdated(*, plan_id: int, target_ids: list[int] | None) -> None:
    """Marks these targets' snapshots (None: the whole plan's) awaiting recompute: called by
    the core's `recompute_request`, in the transaction of the change (registered by
    `core_derivers_register`)."""
    marked = Snapshot.objects.filter(is_outdated=False)
    marked = marked.filter(target__objective__plan_id=plan_id) if target_ids is None else marked.filter(
        target_id__in=target_ids)
    marked.update(is_outdated=True)

def _request_done(key: str, requested_at: datetime | None, target_ids: list[int] | None, plan_id: int) -> None:
    """Clears a request after its recompute, unless a newer change came in meanwhile: then the
    request stays and the snapshots just written are marked awaiting it (its own message follows)."""
    if requested_at is None:
        return
    if not RecomputeRequest.objects.filter(key=key, requested_at=requested_at).delete()[0]:
        newer = Snapshot.objects.filter(is_outdated=False)
        newer = newer.filter(target_id__in=target_ids) if target_ids else newer.filter(target__objective__plan_id=plan_id)
        newer.update(is_outdated=True)


# --- recomputing -----------------------------------------------------------------------

def plan_calendar(plan: Plan, *, today: date | None = None) -> list[date]:
    """A plan's snapshot dates: monthly steps from its baseline date up to today, and today."""
    today = today or zone_today()
    if plan.baseline_date > today:
        return []
    return backfill_dates(since=plan.baseline_date, until=today, every="month")


@conflicts_retried
@transaction.atomic
def target_snapshots_refresh(*, target_id: int) -> int:
    """Recomputes one target on every date of its plan's calendar, and the plan's roll-ups on
    those dates (shifted by the target's old and new snapshots), then clears its request.

    Guarantees: the same figures give the same snapshots, so running it twice (a redelivered
    task) is harmless; a target deleted since the task was queued is skipped; a constant
    number of queries whatever the number of targets and dates, and no read of the other
    targets' snapshots. Returns the number of rows written (snapshots and roll-ups).
    """
    target = Target.objects.select_related("objective__plan").filter(pk=target_id).first()
    key = f"target:{target_id}"
    if target is None:
        RecomputeRequest.objects.filter(key=key).delete()
        return 0
    plan = target.objective.plan
    # The plan first (the lock order), then the request: a change that committed while this
    # waited is computed here, and its request is cleared with it.
    plans_lock([plan.pk])
    requested_at = RecomputeRequest.objects.filter(key=key).values_list("requested_at", flat=True).first()
    dates = sorted(set(SnapshotDate.objects.filter(plan=plan).values_list("as_of", flat=True)))
    if not dates:  # a plan without history yet: build all of it, with all else registered
        written = derived_compute(dates_of={plan.pk: plan_calendar(plan)})
    else:
        written = snapshots_compute_and_store(dates_of={plan.pk: dates}, target_ids=[target_id])
    _request_done(key, requested_at, [target_id], plan.pk)
    return written


@conflicts_retried
@transaction.atomic
def plan_snapshots_refresh(*, plan_id: int) -> int:
    """Recomputes every target of a plan on every date of its calendar (and drops dates no
    longer on it), then clears the plan's request. Returns the number of rows written."""
    plan = Plan.objects.filter(pk=plan_id).first()
    key = f"plan:{plan_id}"
    if plan is None:
        RecomputeRequest.objects.filter(key=key).delete()
        return 0
    plans_lock([plan.pk])  # the plan first, then its request (as in target_snapshots_refresh)
    requested_at = RecomputeRequest.objects.filter(key=key).values_list("requested_at", flat=True).first()
    calendar = plan_calendar(plan)
    written = derived_compute(dates_of={plan.pk: calendar})
    _calendar_prune(plan.pk, keep=calendar)
    _request_done(key, requested_at, None, plan.pk)
    return written


@conflicts_retried
@transaction.atomic
def snapshots_refresh(*, as_of: date | None = None) -> dict[str, int]:
    """The nightly run: every plan's targets, and all else registered, on today (or `as_of`)
    and on any calendar date missing; what is off the calendar (the previous day's date)
    dropped; then every request still open sent again.

    Guarantees: idempotent; afterwards each plan's stored dates are its calendar. Returns the
    rows written and the requests sent again.
    """
    today = as_of or zone_today()
    written = 0
    for plan in Plan.objects.order_by("id"):
        calendar = plan_calendar(plan, today=today)
        if calendar:
            stored = set(SnapshotDate.objects.filter(plan=plan).values_list("as_of", flat=True))
            written += derived_compute(dates_of={plan.pk: sorted((set(calendar) - stored) | {today})})
        _calendar_prune(plan.pk, keep=calendar)
    return {"written": written, "resent": requests_sweep()}


def _calendar_prune(plan_id: int, *, keep: list[date]) -> None:
    """Drops every registered deriver's rows of the plan on dates off its calendar (yesterday's
    "today", a one-off date): the history keeps monthly steps and the latest day."""
    if sum(deriver.prune(plan_id=plan_id, keep=keep) for deriver in derivers()):
        versions_bump([plan_id])


def _target_snapshots_prune(*, plan_id: int, keep: list[date]) -> int:
    """The core's prune: the plan's snapshots, roll-ups and calendar entries off `keep`."""
    drop = list(SnapshotDate.objects.filter(plan_id=plan_id).exclude(as_of__in=keep).values_list("as_of", flat=True))
    if not drop:
        return 0
    plans_lock_for_change([plan_id])  # held already after a recompute; the lock order otherwise
    dropped = Snapshot.objects.filter(target__objective__plan_id=plan_id, as_of__in=drop).delete()[0]
    dropped += Rollup.objects.filter(plan_id=plan_id, as_of__in=drop).delete()[0]
    return dropped + SnapshotDate.objects.filter(plan_id=plan_id, as_of__in=drop).delete()[0]


@conflicts_retried
@transaction.atomic
def derived_compute(*, dates_of: dict[int, list[date]]) -> int:
    """Computes and stores everything registered (`snapshots.services.derived`) for these plans
    on their dates: the core's snapshots, roll-ups and calendar first, then each app's own.

    Guarantees: all or nothing; each deriver's rows replaced where they exist; the dates join
    the plans' calendars. Returns the number of rows written."""
    dates_of = {plan_id: sorted(set(dates)) for plan_id, dates in dates_of.items() if dates}
    if not dates_of:
        return 0
    return sum(deriver.compute(dates_of=dates_of) for deriver in derivers())


@conflicts_retried
def snapshots_compute_and_store(*, dates_of: dict[int, list[date]], target_ids: Iterable[int] | None = None) -> int:
    """Computes and stores the snapshots of every target of these plans (or only `target_ids`)
    on each plan's dates, the plans' roll-ups on those dates, their calendars and versions.

    Guarantees: one snapshot per target and date, replaced if it exists, with `is_outdated`
    cleared; the same figures give the same rows (only `computed_at` changes); all or
    nothing; a constant number of queries whatever the number of targets and dates.
    Returns the number of rows written (snapshots and roll-ups).
    """
    dates_of = {plan_id: sorted(set(dates)) for plan_id, dates in dates_of.items() if dates}
    if not dates_of:
        return 0
    with transaction.atomic():
        plans_lock(dates_of)
        only = None if target_ids is None else set(target_ids)
        computed = store.engine_targets(plan_ids=dates_of, target_ids=only)
        computed_ids = [t["id"] for t in computed]
        items = store.engine_items(target_ids=computed_ids)
        rows = store.engine_history(targets=computed, dates_of=dates_of, item_statuses=items)
        now = timezone.now()
        all_dates = sorted({day for dates in dates_of.values() for day in dates})
        # Some targets only: the roll-ups shift by their old and new snapshots (read before the
        # write), without reading the other targets'; from every snapshot if they cannot.
        before = None if only is None else store.stored_snapshots(target_ids=computed_ids, dates=all_dates)
        written = store.snapshots_write(rows, computed_at=now)
        shifted = None if before is None else store.rollups_shift_write(
            targets=computed, before=before, computed=rows, dates_of=dates_of, computed_at=now)
        if shifted is None:
            members = computed if only is None else store.plan_members(plan_ids=dates_of)
            others = None if only is None else store.stored_snapshots(
                target_ids=[t["id"] for t in members if t["id"] not in only], dates=all_dates)
            shifted = store.rollups_write(targets=members, computed=rows, dates_of=dates_of, others=others,
                                          computed_at=now)
        written += shifted
        store.calendar_write(dates_of)
        versions_bump(dates_of)
    return written


def snapshots_recompute(*, as_of: date, target_ids: Iterable[int] | None = None) -> int:
    """Every target (or `target_ids`) of every plan on one date, with the plans' roll-ups (and,
    for every target, all else registered)."""
    ids = None if target_ids is None else list(target_ids)
    plans = Plan.objects.all() if ids is None else Plan.objects.filter(objectives__targets__id__in=ids)
    dates_of = {plan_id: [as_of] for plan_id in plans.values_list("id", flat=True)}
    if ids is None:  # whole plans: everything registered; some targets: their snapshots and roll-ups
        return derived_compute(dates_of=dates_of)
    return snapshots_compute_and_store(dates_of=dates_of, target_ids=ids)


def snapshots_backfill(*, since: date, until: date, every: str = "month") -> int:
    """Every target of every plan on `since`, then every month (or "quarter", "year") after it,
    and `until` itself: the same rows as `snapshots_recompute` on each of those dates."""
    dates = backfill_dates(since=since, until=until, every=every)
    return derived_compute(dates_of={plan_id: dates for plan_id in Plan.objects.values_list("id", flat=True)})


def history_rebuild(*, until: date | None = None) -> int:
    """Every plan on every date of its calendar up to `until` (today): what `make run` and a
    new deployment build. Returns the number of rows written."""
    return sum(
        derived_compute(dates_of={plan.pk: plan_calendar(plan, today=until)}) for plan in Plan.objects.order_by("id")
    )


# --- verifying -------------------------------------------------------------------------

# Everything but the time of computing. A snapshot still marked awaiting recompute differs
# from a fresh one: the repair does the work owed (a mark left behind clears with it).
VERIFIED_FIELDS = [field for field in store.SNAPSHOT_FIELDS if field != "computed_at"]


def snapshots_verify(*, repair: bool = False) -> list[dict]:
    """Recomputes in memory everything stored for each plan's calendar, by every registered
    deriver (the core's snapshots, each app's own), and lists each row that differs from what
    is stored: {"deriver", "subject", "as_of", "fields": {field: (stored, computed)}}. With
    `repair`, what differs is recomputed and stored.

    Read-only unless `repair`. Constant queries per plan and deriver.
    """
    differences = []
    for plan in Plan.objects.order_by("id"):
        dates = sorted(SnapshotDate.objects.filter(plan=plan).values_list("as_of", flat=True))
        if not dates:
            continue
        for deriver in derivers():
            differences += deriver.verify(plan_id=plan.pk, dates=dates, repair=repair)
    return differences


# A save shifts the roll-ups' mean by its target's old and new progress (not from every
# snapshot), so it may differ from a computation from scratch by float rounding (~1e-12).
ROLLUP_MEAN_TOLERANCE = 1e-9
ROLLUP_VERIFIED_FIELDS = ["mean_capped_progress", "target_count", "progress_count", "status_counts"]


def _rollups_verify(plan: Plan, *, targets: list[dict], computed: list[dict], dates: list[date],
                    repair: bool) -> list[dict]:
    """The plan's stored roll-ups against those of the snapshots computed afresh (as
    `snapshots_verify` lists them, "subject" naming the roll-up); with `repair`, all of the
    plan's are written anew when one differs."""
    fresh = rollups_compute(targets=targets, snapshots=Judged.of_rows(computed), dates=dates)
    stored = {(row["objective_id"], row["as_of"]): row for row in Rollup.objects.filter(
        plan=plan, as_of__in=dates).values("objective_id", "as_of", *ROLLUP_VERIFIED_FIELDS)}
    differences = []
    for row in fresh:
        found = stored.get((row["objective_id"], row["as_of"]))
        fields = {"roll-up": (None, "missing")} if found is None else {
            field: (found[field], row[field]) for field in ROLLUP_VERIFIED_FIELDS
            if not (found[field] == row[field] or field == "mean_capped_progress" and None not in (found[field], row[field])
                    and abs(found[field] - row[field]) <= ROLLUP_MEAN_TOLERANCE)
        }
        if fields:
            scope = f" objective {row['objective_id']}" if row["objective_id"] else ""
            differences.append({"deriver": CORE_DERIVER, "subject": f"roll-up of {plan.code}{scope}", "as_of": row["as_of"],
                                "fields": fields})
    if repair and differences:
        store.rollups_write(targets=targets, computed=computed, dates_of={plan.pk: dates}, others=None,
                            computed_at=timezone.now())
    return differences


def _target_snapshots_verify(*, plan_id: int, dates: list[date], repair: bool = False) -> list[dict]:
    """The core's verify: the plan's target snapshots on `dates` (with `repair`, the targets
    that differ recomputed with the plan's roll-ups)."""
    targets = store.engine_targets(plan_ids=[plan_id])
    ids = [t["id"] for t in targets]
    computed = store.engine_history(targets=targets, dates_of={plan_id: dates},
                                    item_statuses=store.engine_items(target_ids=ids))
    stored = {
        (row["target_id"], row["as_of"]): row
        for row in Snapshot.objects.filter(target_id__in=ids, as_of__in=dates).values(*VERIFIED_FIELDS)
    }
    codes = dict(Target.objects.filter(id__in=ids).values_list("id", "code"))
    differences = []
    wrong_targets = set()
    for row in computed:
        found = stored.get((row["target_id"], row["as_of"]))
        fields = (
            {"snapshot": (None, "missing")} if found is None
            else {f: (found[f], row.get(f, False)) for f in VERIFIED_FIELDS if not _same(found[f], row.get(f, False))}
        )
        if fields:
            differences.append({"deriver": CORE_DERIVER, "subject": codes[row["target_id"]], "as_of": row["as_of"],
                                "fields": fields})
            wrong_targets.add(row["target_id"])
    if repair and wrong_targets:
        snapshots_compute_and_store(dates_of={plan_id: dates}, target_ids=wrong_targets)
    plan = Plan.objects.get(pk=plan_id)
    differences += _rollups_verify(plan, targets=targets, computed=computed, dates=dates, repair=repair)
    return differences


CORE_DERIVER = "targets.snapshots"


def core_derivers_register() -> None:
    """Registers the core's own derived rows: each target's snapshots with the plan's and its
    objectives' roll-ups and the calendar, and the mark of snapshots awaiting recompute (called
    from SnapshotsConfig.ready(), before the apps above it register theirs)."""
    deriver_register(name=CORE_DERIVER, compute=snapshots_compute_and_store, prune=_target_snapshots_prune,
                     verify=_target_snapshots_verify)
    outdated_marker_register(snapshots_mark_outdated)


def _same(stored, computed) -> bool:
    if isinstance(stored, float) and isinstance(computed, float):
        return math.isclose(stored, computed, rel_tol=1e-12, abs_tol=1e-15)
    if isinstance(stored, Decimal) or isinstance(computed, Decimal):
        return (stored is None) == (computed is None) and (stored is None or Decimal(stored) == Decimal(computed))
    return stored == computed


# --- the schedule ----------------------------------------------------------------------

SWEEP_TASK = "snapshots.sweep_recompute_requests"
SWEEP_NAME = "Resend recompute requests not done"
