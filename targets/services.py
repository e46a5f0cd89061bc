"""Writes for plans, targets and progress entries.

Every entry point — admin, API, import, management command, task — changes data
through these functions, so the rules in `targets.validation` are applied once and the
same way everywhere.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from targets import permissions
from targets.models import ProgressEntry, Snapshot, Target
from targets.progress.dates import ZONE_TIME_ZONE, backfill_dates, zone_today
from targets.validation import validate_synthetic_origin

ENTRY_FIELDS = (
    "target", "period_end", "value", "qualifier", "source_title", "source_url", "quote",
    "definition_note", "confidence", "confidence_note",
)


@transaction.atomic
def progress_entry_create(
    *,
    target: Target,
    period_end: date,
    value: Decimal,
    source_title: str,
    qualifier: str = ProgressEntry.Qualifier.EXACT,
    source_url: str = "",
    quote: str = "",
    definition_note: str = "",
    confidence: str = ProgressEntry.Confidence.HIGH,
    confidence_note: str = "",
    is_synthetic: bool = False,
    entered_by: AbstractBaseUser | None = None,
) -> ProgressEntry:
    """Validates and stores one figure; raises ValidationError and writes nothing if it is bad."""
    entry = ProgressEntry(
        target=target, period_end=period_end, value=value, qualifier=qualifier,
        source_title=source_title, source_url=source_url, quote=quote,
        definition_note=definition_note, confidence=confidence,
        confidence_note=confidence_note, is_synthetic=is_synthetic, entered_by=entered_by,
    )
    return progress_entry_save(entry=entry, user=entered_by)


@transaction.atomic
def progress_entry_update(*, entry: ProgressEntry, data: dict, user: AbstractBaseUser | None = None) -> ProgressEntry:
    """Changes the given fields of an entry; on a validation error nothing is written."""
    unknown = set(data) - set(ENTRY_FIELDS)
    if unknown:
        raise ValueError(f"Not changeable through this service: {', '.join(sorted(unknown))}")
    for field, value in data.items():
        setattr(entry, field, value)
    return progress_entry_save(entry=entry, user=user)


@transaction.atomic
def progress_entry_save(*, entry: ProgressEntry, user: AbstractBaseUser | None = None) -> ProgressEntry:
    """Validates and saves an entry that a form or serializer has filled in.

    Guarantees: with a user, nothing is written unless `targets.permissions` lets them add
    (no stored row) or change it (PermissionDenied otherwise); the entry obeys every rule in
    `targets.validation` (among them: an entry stays with its target) or nothing is written;
    a save by a person (`user` given) never makes a figure synthetic — only the demo module,
    which passes no user, creates demo figures.
    """
    previous = (
        ProgressEntry.objects.filter(pk=entry.pk).values("is_synthetic").first()
        if entry.pk else None
    )
    # A row that no longer exists (reverting a deleted entry from its history) is an addition.
    permissions.entry_write_check(user=user, action="add" if previous is None else "change", entry=entry)
    if entry.pk is None and entry.entered_by_id is None and user is not None and user.is_authenticated:
        entry.entered_by = user
    validate_synthetic_origin(entry, by_person=user is not None,
                              was_synthetic=previous is not None and previous["is_synthetic"])
    entry.full_clean()
    entry.save()
    _entries_changed({entry.target_id})
    return entry


@transaction.atomic
def progress_entry_delete(*, entry: ProgressEntry, user: AbstractBaseUser | None = None) -> None:
    """Deletes an entry and queues its target's recompute; with a user, only if
    `targets.permissions` lets them (PermissionDenied otherwise, nothing deleted)."""
    permissions.entry_write_check(user=user, action="delete", entry=entry)
    target_id = entry.target_id
    entry.delete()
    _entries_changed({target_id})


def _entries_changed(target_ids: set[int]) -> None:
    """Queues the recompute of these targets once the current transaction commits.

    After the commit, not before: a worker must never read figures that may still roll
    back, and a rolled-back change queues nothing.
    """
    for target_id in sorted(target_ids):
        transaction.on_commit(partial(target_recompute_queue, target_id=target_id))


@transaction.atomic
def plan_load(*, data: dict) -> dict[str, int]:
    """Creates the plan, objectives, targets, named items and entries described by `data`.

    Guarantees: creates only what is missing, matched by natural keys (plan code,
    objective number, target code, item code, entry period); never changes an existing
    row, so an administrator's edits survive every reload. Every object is validated;
    one bad object raises ValidationError and nothing is written. Returns counts of
    created rows per kind.
    """
    from targets.models import Objective, Plan, TargetItem

    created = {"plans": 0, "objectives": 0, "targets": 0, "items": 0, "entries": 0}
    plan_fields = dict(data["plan"])
    code = plan_fields.pop("code")
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        plan = _create_validated(Plan(code=code, **plan_fields))
        created["plans"] += 1

    for objective_data in data["objectives"]:
        objective_fields = {k: v for k, v in objective_data.items() if k != "targets"}
        number = objective_fields.pop("number")
        objective = Objective.objects.filter(plan=plan, number=number).first()
        if objective is None:
            objective = _create_validated(Objective(plan=plan, number=number, **objective_fields))
            created["objectives"] += 1
        for target_data in objective_data["targets"]:
            target_fields = {k: v for k, v in target_data.items() if k != "items"}
            target = Target.objects.filter(code=target_fields["code"]).first()
            if target is None:
                target = _create_validated(Target(objective=objective, **target_fields))
                created["targets"] += 1
            existing_items = set(target.items.values_list("code", flat=True))
            for order, item_data in enumerate(target_data.get("items", []), start=1):
                if item_data["code"] not in existing_items:
                    _create_validated(TargetItem(target=target, order=order, **item_data))
                    created["items"] += 1

    for entry_data in data.get("entries", []):
        fields = dict(entry_data)
        target = Target.objects.get(code=fields.pop("target"))
        if not target.entries.filter(period_end=fields["period_end"]).exists():
            progress_entry_create(target=target, **fields)
            created["entries"] += 1
    return created


def _create_validated(instance):
    instance.full_clean()
    instance.save()
    return instance


# Roles. Permissions are named by "app_label.codename"; the data-entry role may add,
# change and delete figures and measure updates, and read everything else.
ROLE_ZONE_ADMINISTRATOR = "Zone administrator"
ROLE_DATA_ENTRY = "Data entry"
ROLE_VIEWER = "Viewer"
ROLE_APPS = ("targets", "measures")
DATA_ENTRY_MODELS = {("targets", "progressentry"), ("measures", "measureupdate")}
# Exporting (measures, from the admin) is a read: it gives a file of what the admin's list
# already shows and the API's CSV gives anyone who may read. So every role that may view
# may export; importing writes, and stays with the zone administrators.
READ_ACTIONS = {"view", "export"}
# Apps outside ROLE_APPS whose every permission the zone administrators hold: API tokens,
# the recompute schedule, and the login lockout (unlocking is deleting access attempts).
ADMINISTRATOR_APPS = ("authtoken", "django_celery_beat", "axes")


@transaction.atomic
def roles_sync() -> dict[str, int]:
    """Creates or updates the three user groups with exactly their permissions.

    Idempotent: running it again leaves the same groups and permissions. Returns the
    number of permissions each group holds.
    """
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # Permissions are normally created after `migrate`; make sure they exist even
    # when this runs inside the same process (tests, first start).
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)

    role_permissions = Permission.objects.filter(content_type__app_label__in=ROLE_APPS).select_related("content_type")
    wanted: dict[str, list] = {ROLE_ZONE_ADMINISTRATOR: [], ROLE_DATA_ENTRY: [], ROLE_VIEWER: []}
    for permission in role_permissions:
        model = (permission.content_type.app_label, permission.content_type.model)
        action = permission.codename.split("_", 1)[0]
        wanted[ROLE_ZONE_ADMINISTRATOR].append(permission)
        if action in READ_ACTIONS or model in DATA_ENTRY_MODELS:
            wanted[ROLE_DATA_ENTRY].append(permission)
        if action in READ_ACTIONS:
            wanted[ROLE_VIEWER].append(permission)
    wanted[ROLE_ZONE_ADMINISTRATOR] += list(Permission.objects.filter(content_type__app_label__in=ADMINISTRATOR_APPS))
    counts = {}
    for name, granted in wanted.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(granted)
        counts[name] = len(granted)
    return counts


@transaction.atomic
def administrator_ensure(*, username: str, password: str | None) -> tuple[bool, str | None]:
    """Creates a superuser in the zone-administrator group unless any superuser exists.

    Returns (created, generated_password); the password is generated only when none
    was given, and is returned so that the caller can show it once.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils.crypto import get_random_string

    user_model = get_user_model()
    if user_model.objects.filter(is_superuser=True).exists():
        return False, None
    generated = None
    if not password:
        generated = password = get_random_string(20)
    user = user_model.objects.create_superuser(username=username, email="", password=password)
    group = Group.objects.filter(name=ROLE_ZONE_ADMINISTRATOR).first()
    if group is not None:
        user.groups.add(group)
    return True, generated


# Background jobs: queueing recomputes, repairing outdated snapshots, the nightly schedule.
NIGHTLY_RECOMPUTE_TASK = "targets.refresh_snapshots"
NIGHTLY_RECOMPUTE_NAME = "Nightly snapshot recompute"

logger = logging.getLogger(__name__)


def target_recompute_queue(*, target_id: int) -> bool:
    """Sends the recompute of one target to the workers (without a broker: runs it here).

    Guarantees: never raises. If the task cannot be sent (the broker is unreachable) or
    its in-process run fails, the failure is logged and the target's snapshots are marked
    outdated, for the nightly run to repair. Returns whether the recompute was queued.
    """
    from targets.tasks import refresh_target_snapshots

    try:
        refresh_target_snapshots.delay(target_id)
    except Exception:
        # This runs after the commit: the figures are saved and the save can no longer
        # be refused, so any failure to queue (kombu's OperationalError, a timeout, a
        # failed eager run) must leave a mark for the repair rather than an error page.
        logger.exception("Could not queue the recompute of target %s; marking its snapshots outdated", target_id)
        snapshots_outdated_mark(target_ids=[target_id])
        return False
    return True


def snapshots_outdated_mark(*, target_ids: Iterable[int], before: date | None = None) -> int:
    """Marks the snapshots of these targets (those dated before `before`, if given) as
    awaiting recompute; never raises.

    Conditional update: rows already marked are not written again. By default all the
    target's dates are marked, not only the latest: a changed figure may alter any of them.
    Returns the number of rows marked.
    """
    snapshots = Snapshot.objects.filter(target_id__in=list(target_ids), is_outdated=False)
    if before is not None:
        snapshots = snapshots.filter(as_of__lt=before)
    try:
        return snapshots.update(is_outdated=True)
    except Exception:
        # Database down as well: today's snapshots are still rebuilt by the nightly run.
        logger.exception("Could not mark the snapshots of targets %s outdated", sorted(target_ids))
        return 0


def target_snapshots_refresh(*, target_id: int, as_of: date | None = None) -> int:
    """Recomputes one target on `as_of`; by default on the plan's latest snapshot date (the
    one the dashboard shows; today in Hangzhou when there is none), marking the target's
    older snapshots outdated for the nightly repair.

    Older dates are left to the nightly run because each costs a full recompute of the
    plan's roll-ups (measured: 0.1 s a date, 7.5 s for a 7-year monthly history), and
    without a broker this runs while the administrator waits for the save.

    Guarantees: the same figures give the same snapshots, so running it twice (a redelivered
    task) is harmless; a target deleted since the task was queued is skipped. Returns the
    number of rows written (snapshots and roll-ups).
    """
    from targets.selectors import snapshot_latest_date

    target = Target.objects.select_related("objective__plan").filter(pk=target_id).first()
    if target is None:
        return 0
    if as_of is not None:
        return snapshots_recompute(as_of=as_of, target_ids=[target_id])
    latest = snapshot_latest_date(plan=target.objective.plan) or zone_today()
    written = snapshots_recompute(as_of=latest, target_ids=[target_id])
    snapshots_outdated_mark(target_ids=[target_id], before=latest)
    return written


def snapshots_refresh(*, as_of: date | None = None) -> dict[str, int]:
    """The nightly run: recomputes every target on `as_of` (today in Hangzhou by default),
    then every snapshot still marked outdated, on its own date.

    Guarantees: afterwards no snapshot is marked outdated unless a figure changed during
    the run. Idempotent. Returns the numbers of rows written for the date and in repairs.
    """
    written = snapshots_recompute(as_of=as_of or zone_today())
    return {"written": written, "repaired": snapshots_outdated_repair()}


def snapshots_outdated_repair() -> int:
    """Recomputes every snapshot marked outdated, grouped by as-of date (one recompute per
    date, not per snapshot). Returns the number of rows written (snapshots and roll-ups)."""
    targets_by_date: dict[date, list[int]] = defaultdict(list)
    for as_of, target_id in Snapshot.objects.filter(is_outdated=True).values_list("as_of", "target_id"):
        targets_by_date[as_of].append(target_id)
    return sum(
        snapshots_recompute(as_of=as_of, target_ids=target_ids)
        for as_of, target_ids in sorted(targets_by_date.items())
    )


@transaction.atomic
def recompute_schedule_ensure() -> bool:
    """Creates the nightly recompute (02:30 Hangzhou time) in django-celery-beat unless a
    periodic task already runs it.

    Guarantees: never changes or duplicates an existing one, so a schedule that an
    administrator changed or disabled in the admin stays as they left it. Returns whether
    it was created.
    """
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    if PeriodicTask.objects.filter(task=NIGHTLY_RECOMPUTE_TASK).exists():
        return False
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone=ZONE_TIME_ZONE,
    )
    PeriodicTask.objects.create(
        name=NIGHTLY_RECOMPUTE_NAME, task=NIGHTLY_RECOMPUTE_TASK, crontab=crontab, kwargs="{}",
        description="Recomputes every target's snapshot for today and repairs snapshots marked outdated.",
    )
    return True


# --- The progress engine: snapshots and roll-ups -----------------------------------
# Reads every row it needs in a constant number of queries (never one per target),
# computes with pandas in `targets.progress`, and writes with bulk upserts in one
# transaction. Computation lives in `targets.progress`; this section only reads and writes.

SNAPSHOT_UPDATE_FIELDS = [
    "computed_at", "attained", "attained_qualifier", "data_date", "baseline_known", "progress", "expected",
    "ratio", "method", "status", "forecast_value", "forecast_reach_date", "data_age_days", "is_data_stale",
    "has_synthetic", "is_outdated", "inputs",
]


@transaction.atomic
def snapshots_recompute(*, as_of: date, target_ids: Iterable[int] | None = None) -> int:
    """Computes and stores the snapshots of every target (or of `target_ids`) as of a date,
    with the objective and plan roll-ups of their plans for that date.

    Guarantees: one snapshot per target and date, replaced if it exists, with
    `is_outdated` cleared; the same figures give the same rows (only `computed_at`
    changes); all or nothing (one transaction); a constant number of queries whatever the
    number of targets. Returns the number of rows written (snapshots and roll-ups).
    """
    return _snapshots_compute_and_store(as_of_dates=[as_of], target_ids=target_ids)


@transaction.atomic
def snapshots_backfill(*, since: date, until: date, every: str = "month", on_date_done=None) -> int:
    """Recomputes every target on a series of dates: `since`, then every month (or
    "quarter", "year") after it, and `until` itself.

    Guarantees: the same rows as `snapshots_recompute` on each of those dates, computed
    from one read of the figures; all or nothing. `on_date_done(as_of)` is called after
    each date (for a progress bar). Returns the number of rows written.
    """
    return _snapshots_compute_and_store(
        as_of_dates=backfill_dates(since=since, until=until, every=every), on_date_done=on_date_done
    )


def _snapshots_compute_and_store(*, as_of_dates: list[date], target_ids: Iterable[int] | None = None,
                                 on_date_done=None) -> int:
    from django.db import connection
    from django.db.models import CharField, FloatField
    from django.db.models.functions import Cast

    from targets import progress
    from targets.models import Plan, Rollup, TargetItem

    only = None if target_ids is None else sorted(set(target_ids))
    plan_targets = _engine_targets(only)
    if not plan_targets:
        return 0
    computed = plan_targets if only is None else [t for t in plan_targets if t["id"] in set(only)]
    computed_ids = [t["id"] for t in computed]
    plan_ids = sorted({t["plan_id"] for t in plan_targets})
    latest = max(as_of_dates)
    # Two workers recomputing the same plan (the nightly run and an entry's recompute)
    # would both replace its roll-ups; locking the plan rows makes the second wait.
    list(Plan.objects.select_for_update().filter(id__in=plan_ids).order_by("id").values_list("id", flat=True))

    entries = ProgressEntry.objects.filter(period_end__lte=latest)
    items = TargetItem.objects.filter(target__kind=Target.Kind.QUALITATIVE)
    if only is not None:
        entries = entries.filter(target_id__in=computed_ids)
        items = items.filter(target_id__in=computed_ids)
    # Floats, not Decimals: the computation is float64 anyway. The ORM builds the SQL, but
    # the rows are fetched raw: Django's per-row converters cost more than the query for
    # 100,000 entries, and `entries_frame` parses dates and flags column by column instead.
    # Dates as ISO text: parsed in one vectorised call instead of 100,000 date objects.
    entry_rows = entries.order_by().values_list(
        "target_id", Cast("period_end", CharField()), Cast("value", FloatField()), "qualifier", "is_synthetic"
    )
    with connection.cursor() as cursor:
        cursor.execute(*entry_rows.query.sql_with_params())
        frame = progress.entries_frame(cursor.fetchall())
    item_statuses: dict[int, list[str]] = defaultdict(list)
    for target_id, status in items.order_by("target_id", "order", "code").values_list("target_id", "status"):
        item_statuses[target_id].append(status)

    written = 0
    for as_of in sorted(as_of_dates):
        now = timezone.now()
        rows = progress.snapshots_compute(targets=computed, entries=frame, item_statuses=item_statuses, as_of=as_of)
        Snapshot.objects.bulk_create(
            [Snapshot(computed_at=now, is_outdated=False, **row) for row in rows],
            update_conflicts=True, unique_fields=["target", "as_of"], update_fields=SNAPSHOT_UPDATE_FIELDS,
        )
        by_target = {row["target_id"]: row for row in rows}
        if only is not None:
            # The roll-ups cover the whole plan: read the other targets' stored snapshots.
            others = Snapshot.objects.filter(
                as_of=as_of, target__objective__plan_id__in=plan_ids
            ).exclude(target_id__in=computed_ids).values("target_id", "status", "progress")
            by_target.update({row["target_id"]: row for row in others})
        rollups = progress.rollups_compute(targets=plan_targets, snapshots=by_target)
        Rollup.objects.filter(plan_id__in=plan_ids, as_of=as_of).delete()
        Rollup.objects.bulk_create([Rollup(as_of=as_of, computed_at=now, **row) for row in rollups])
        written += len(rows) + len(rollups)
        if on_date_done is not None:
            on_date_done(as_of)
    return written


def _engine_targets(only: list[int] | None) -> list[dict]:
    """Every target of the plans concerned (all plans, or the plans of `only`), with the
    plan's dates and thresholds: one query."""
    targets = Target.objects.all()
    if only is not None:
        targets = targets.filter(
            objective__plan_id__in=Target.objects.filter(id__in=only).values("objective__plan_id")
        )
    return [
        {
            "id": row["id"], "objective_id": row["objective_id"], "plan_id": row["objective__plan_id"],
            "kind": row["kind"], "target_value": row["target_value"], "baseline_value": row["baseline_value"],
            "baseline_date": row["baseline_date"], "direction": row["direction"],
            "aggregation": row["aggregation"], "plan_target_date": row["objective__plan__target_date"],
            "on_track_threshold": row["objective__plan__on_track_threshold"],
            "acceleration_threshold": row["objective__plan__acceleration_threshold"],
        }
        for row in targets.order_by("id").values(
            "id", "objective_id", "objective__plan_id", "kind", "target_value", "baseline_value",
            "baseline_date", "direction", "aggregation", "objective__plan__target_date",
            "objective__plan__on_track_threshold", "objective__plan__acceleration_threshold",
        )
    ]
