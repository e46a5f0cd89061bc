"""Keeping the snapshots fresh: what to recompute, when, and proof that it was.

The route of a change: the service that writes it calls `recompute_request` in the same
transaction (a row in the outbox, and the target's snapshots marked awaiting recompute);
after the commit the request is sent to the workers (`snapshots.tasks`, addressed by name so
that no service imports the task module, which imports the services); the task calls
`target_snapshots_refresh` or `plan_snapshots_refresh`, which recompute every date of the
target or plan and clear the request. If the broker is down, or a message is lost, or a
worker dies, the request stays, and `requests_sweep` (every few minutes) sends it again.

Each plan has a calendar: its month ends (strictly: monthly steps) from its baseline date
up to today, and today. The nightly job computes today, fills any gap and drops the
previous day's date; `snapshots_verify` recomputes every stored snapshot and roll-up in memory and
lists (or repairs) any that differ.

What is derived per plan and date is registered in `snapshots.services.derived`: the core's
target snapshots with their roll-ups (`core_derivers_register`), and whatever an app above
registers from its AppConfig.ready() (measures' area roll-ups). Computing a plan on its
calendar, pruning it and verifying it go through every registered deriver, so the core runs
them without naming them. A target's own recompute (`target_snapshots_refresh`) computes the
core's snapshots only: nothing else registered reads a target's figures.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from edge.transactions import conflicts_retried
from targets.models import Plan, RecomputeRequest, Rollup, Snapshot, SnapshotDate, Target
from targets.progress.dates import backfill_dates, zone_today
from targets.progress.rollups import Judged, rollups_compute
from snapshots.services import store
from snapshots.services.derived import deriver_register, derivers

logger = logging.getLogger(__name__)

TARGET_TASK = "targets.refresh_target_snapshots"
PLAN_TASK = "targets.refresh_plan_snapshots"
# A request not done within this time is sent again: longer than a recompute takes, short
# enough that a lost message or a dead worker heals within minutes.
REQUEST_RESEND_AFTER = timedelta(minutes=5)


# --- requests (the outbox) -------------------------------------------------------------

def recompute_request(*, plan_id: int, target_ids: Iterable[int] | None = None) -> None:
    """Records, in the current transaction, that these targets' snapshots (by default the
    whole plan's) must be recomputed, marks them awaiting recompute, and sends the request
    to the workers once the transaction commits.

    Guarantees: if the transaction commits, the request is stored with the change (it
    survives a broker that is down and a worker that dies); if it rolls back, nothing was
    requested. Repeated requests for the same target are one row, and one message per
    transaction. The plan's data version is bumped with the change (its entries, its
    snapshots' marks), so ETags and cached pages change when the change commits, not only
    when its recompute runs. The plan row is locked before anything is written (the lock
    order: `store.plans_lock_for_change`).
    """
    store.plans_lock_for_change([plan_id])
    now = timezone.now()
    ids = None if target_ids is None else sorted(set(target_ids))
    keys: list[tuple[str, int, int | None]] = [(f"plan:{plan_id}", plan_id, None)] if ids is None else [
        (f"target:{target_id}", plan_id, target_id) for target_id in ids
    ]
    RecomputeRequest.objects.bulk_create(
        [RecomputeRequest(key=key, plan_id=plan, target_id=target, requested_at=now) for key, plan, target in keys],
        update_conflicts=True, unique_fields=["key"], update_fields=["requested_at", "plan"],
    )
    marked = Snapshot.objects.filter(is_outdated=False)
    marked = marked.filter(target__objective__plan_id=plan_id) if ids is None else marked.filter(target_id__in=ids)
    marked.update(is_outdated=True)
    store.versions_bump([plan_id])
    _publish_on_commit([key for key, _plan, _target in keys])


class _Pending:
    """The requests of one transaction, sent together once it commits."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.sent = False

    def send(self) -> None:
        self.sent = True
        requests_publish(sorted(self.keys))


def _publish_on_commit(keys: list[str]) -> None:
    """One message per request and transaction, sent after the commit: a worker must never
    read figures that may still roll back. Requests join the transaction's pending batch
    while its callback is still due (not sent, not dropped by a rolled-back savepoint)."""
    connection = transaction.get_connection()
    pending: _Pending | None = getattr(connection, "_recompute_pending", None)
    due = pending is not None and not pending.sent and any(
        callback is pending.send for _savepoints, callback, _robust in connection.run_on_commit
    )
    if not due or pending is None:
        pending = connection._recompute_pending = _Pending()
        transaction.on_commit(pending.send, robust=True)
    pending.keys.update(keys)


def requests_publish(keys: Iterable[str]) -> int:
    """Sends these requests to the workers (without a broker: runs them here). Never raises:
    a request that cannot be sent stays in the outbox for the sweep. Gives up on the rest at
    the first broker error, so that a broker that is down or frozen costs the caller one
    send's timeout (settings: CELERY_BROKER_TRANSPORT_OPTIONS), not one per request.
    Returns how many were sent."""
    from celery import current_app
    from kombu.exceptions import OperationalError as BrokerUnavailable

    keys = list(keys)
    sent = 0
    for position, key in enumerate(keys):
        kind, _, number = key.partition(":")
        task, argument = (TARGET_TASK, "target_id") if kind == "target" else (PLAN_TASK, "plan_id")
        try:
            # By name: the task module imports the services, never the other way round. A web
            # process has not imported the task modules yet; the app's autodiscovery does.
            if task not in current_app.tasks:
                current_app.loader.import_default_modules()
            current_app.tasks[task].apply_async(kwargs={argument: int(number)})
        except BrokerUnavailable:
            # After the commit the change is saved and cannot be refused: a broker that is down
            # leaves the requests for the sweep, not an error page, and is not tried again now.
            logger.exception("Could not send the recompute %s; the sweep will send it and %d more again",
                             key, len(keys) - position - 1)
            break
        except Exception:
            # A failed in-process run (no broker): this request stays for the sweep, the others go on.
            logger.exception("Could not send the recompute %s; the sweep will send it again", key)
            continue
        sent += 1
    return sent


def requests_sweep(*, older_than: timedelta = REQUEST_RESEND_AFTER) -> int:
    """Sends again every request neither done nor sent within `older_than` (a lost message,
    a dead worker, a broker that was down). Two sweeps at once never send the same request
    twice (rows claimed under a lock, skipping those another sweep holds). Returns how many
    were sent."""
    from django.db import connection
    from django.db.models import Q

    now = timezone.now()
    cutoff = now - older_than
    with transaction.atomic():
        due = RecomputeRequest.objects.filter(
            Q(published_at__isnull=True) | Q(published_at__lt=cutoff), requested_at__lt=cutoff
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        keys = list(due.values_list("key", flat=True))
        RecomputeRequest.objects.filter(key__in=keys).update(published_at=now)
    return requests_publish(keys)


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
    store.plans_lock([plan.pk])
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
    store.plans_lock([plan.pk])  # the plan first, then its request (as in target_snapshots_refresh)
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
        store.versions_bump([plan_id])


def _target_snapshots_prune(*, plan_id: int, keep: list[date]) -> int:
    """The core's prune: the plan's snapshots, roll-ups and calendar entries off `keep`."""
    drop = list(SnapshotDate.objects.filter(plan_id=plan_id).exclude(as_of__in=keep).values_list("as_of", flat=True))
    if not drop:
        return 0
    store.plans_lock_for_change([plan_id])  # held already after a recompute; the lock order otherwise
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
        store.plans_lock(dates_of)
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
        store.versions_bump(dates_of)
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
    objectives' roll-ups and the calendar (called from TargetsConfig.ready(), before the apps
    above it register theirs)."""
    deriver_register(name=CORE_DERIVER, compute=snapshots_compute_and_store, prune=_target_snapshots_prune,
                     verify=_target_snapshots_verify)


def _same(stored, computed) -> bool:
    if isinstance(stored, float) and isinstance(computed, float):
        return math.isclose(stored, computed, rel_tol=1e-12, abs_tol=1e-15)
    if isinstance(stored, Decimal) or isinstance(computed, Decimal):
        return (stored is None) == (computed is None) and (stored is None or Decimal(stored) == Decimal(computed))
    return stored == computed


# --- the schedule ----------------------------------------------------------------------

SWEEP_TASK = "targets.sweep_recompute_requests"
SWEEP_NAME = "Resend recompute requests not done"
