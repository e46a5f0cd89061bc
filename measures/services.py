"""Writes for work areas, measures and measure updates (see targets.services), and the
recompute of the work areas' roll-ups.

Every change to a measure or an update refreshes its plan's area roll-ups in the same
transaction: they are a few rows per date, cheap enough that no page ever shows counts
that disagree with the list beside them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.utils import timezone

from edge.transactions import conflicts_retried
from measures import progress
from measures.models import Area, AreaRollup, Measure, MeasureUpdate
from measures.permissions import measure_update_write_check
from snapshots.models import SnapshotDate
from targets.models import Plan
from targets.progress.updates import status_from_updates
from targets.selectors import agencies_by_name, agency_named
from targets.services.locks import plans_lock_for_change, versions_bump


@transaction.atomic
def areas_load(*, data: dict) -> dict[str, int]:
    """Creates the plan's work areas and measures described by `data` where missing.

    Guarantees: matched by (plan, area number) and (plan, measure number); an existing
    row is never changed, so official wording entered by an administrator survives
    every reload. One invalid object raises ValidationError and nothing is written.
    """
    plan = Plan.objects.get(code=data["plan"])
    created = {"areas": 0, "measures": 0}
    existing_numbers = set(Measure.objects.filter(area__plan=plan).values_list("number", flat=True))
    for area_data in data["areas"]:
        fields = {k: v for k, v in area_data.items() if k != "measures"}
        area = Area.objects.filter(plan=plan, number=fields["number"]).first()
        if area is None:
            area = Area(plan=plan, **fields)
            area.full_clean()
            area.save()
            created["areas"] += 1
        for measure_data in area_data["measures"]:
            if measure_data["number"] in existing_numbers:
                continue
            measure = Measure(area=area, **measure_data)
            measure.full_clean()
            measure.save()
            created["measures"] += 1
    area_rollups_recompute(plan_ids=[plan.pk])
    return created


@transaction.atomic
def lead_agencies_link() -> int:
    """Links each measure whose lead agency, as written, names a known agency to that agency.

    Guarantees: a measure gets its lead agency only while it has none (an administrator's
    assignment survives every reload). Returns the number of measures linked."""
    names = agencies_by_name()
    linked = 0
    for measure in Measure.objects.filter(lead_agency__isnull=True).exclude(lead_agency_text=""):
        agency = agency_named(measure.lead_agency_text, names=names)
        if agency is not None:
            linked += Measure.objects.filter(pk=measure.pk).update(lead_agency=agency)
    return linked


@transaction.atomic
def area_save(*, area: Area) -> Area:
    """Validates and saves a work area; its plan's pages show its title, so the plan's data
    version is bumped. On a validation error nothing is written."""
    previous_plan_id = Area.objects.filter(pk=area.pk).values_list("plan_id", flat=True).first() if area.pk else None
    area.full_clean()
    plans_lock_for_change({area.plan_id, previous_plan_id})  # the lock order: plans first
    area.save()
    versions_bump({area.plan_id, previous_plan_id} - {None})
    return area


@transaction.atomic
def area_delete(*, area: Area) -> None:
    """Deletes a work area with its measures, their updates and roll-ups."""
    plan_id = area.plan_id
    plans_lock_for_change([plan_id])  # the lock order: plans first (its roll-ups go with it)
    area.delete()
    versions_bump([plan_id])


@conflicts_retried
@transaction.atomic
def measure_save(*, measure: Measure) -> Measure:
    """Validates and saves a measure and refreshes its plan's area roll-ups; on a validation
    error nothing is written. Its status is never taken from the caller: it is what its dated
    updates give (not reported without one)."""
    previous_plan_id = (
        Measure.objects.filter(pk=measure.pk).values_list("area__plan_id", flat=True).first() if measure.pk else None
    )
    measure.full_clean()
    plans_lock_for_change({measure.area.plan_id, previous_plan_id})  # the lock order: plans first
    _measure_status_set(measure)
    measure.save()
    area_rollups_recompute(plan_ids={measure.area.plan_id, previous_plan_id} - {None})
    return measure


@conflicts_retried
@transaction.atomic
def measure_delete(*, measure: Measure) -> None:
    """Deletes a measure with its updates and refreshes its plan's area roll-ups."""
    plan_id = measure.area.plan_id
    plans_lock_for_change([plan_id])  # the lock order: plans first
    measure.delete()
    area_rollups_recompute(plan_ids=[plan_id])


@conflicts_retried
@transaction.atomic
def measure_update_create(
    *,
    measure: Measure,
    date: date,
    note: str,
    evidence_url: str = "",
    status: str = "",
    entered_by: User | None = None,
) -> MeasureUpdate:
    """Records a dated update; an update that carries a status moves the measure to it."""
    update = MeasureUpdate(
        measure=measure, date=date, note=note, evidence_url=evidence_url, status=status,
        entered_by=entered_by,
    )
    return measure_update_save(update=update, user=entered_by)


@conflicts_retried
@transaction.atomic
def measure_update_save(*, update: MeasureUpdate, user: AbstractBaseUser | None = None) -> MeasureUpdate:
    """Validates and saves an update filled in by a form or serializer.

    Guarantees: with a user, nothing is written unless `measures.permissions` lets them add
    (no stored row) or change it (PermissionDenied otherwise); the update obeys
    `measures.validation` or nothing is written; the measure's status becomes the one its
    updates give now (`targets.progress.status_from_updates`), and the plan's area roll-ups
    are refreshed (an update may change a past date's count).
    """
    stored = update.pk is not None and MeasureUpdate.objects.filter(pk=update.pk).exists()
    measure_update_write_check(user=user, action="change" if stored else "add", update=update)
    if update.pk is None and update.entered_by_id is None and user is not None and user.is_authenticated:
        update.entered_by = user
    update.full_clean()
    plans_lock_for_change([update.measure.area.plan_id])  # the lock order: plans first
    update.save()
    _measure_status_refresh(update.measure)
    return update


def _measure_status_set(measure: Measure) -> None:
    """Sets (does not save) the status and completion date its dated updates give now."""
    updates = (
        list(measure.updates.exclude(status="").order_by("date", "id").values_list("date", "status"))
        if measure.pk else []
    )
    status = status_from_updates(updates)
    completed = [day for day, update_status in updates if update_status == Measure.Status.COMPLETED]
    measure.status = status
    # The completion date is the last update that completed it; reopened, there is none.
    measure.completed_on = completed[-1] if status == Measure.Status.COMPLETED else None


def _measure_status_refresh(measure: Measure) -> None:
    """After any change to a measure's updates: its status, and its plan's area roll-ups."""
    measure_save(measure=measure)


@conflicts_retried
@transaction.atomic
def measure_update_delete(*, update: MeasureUpdate, user: AbstractBaseUser | None = None) -> None:
    """Deletes an update and refreshes its plan's area roll-ups (past dates may count
    differently); with a user, only if `measures.permissions` lets them (PermissionDenied
    otherwise, nothing deleted)."""
    measure_update_write_check(user=user, action="delete", update=update)
    measure = update.measure
    plans_lock_for_change([measure.area.plan_id])  # the lock order: plans first
    update.delete()
    _measure_status_refresh(measure)


@conflicts_retried
@transaction.atomic
def area_rollups_recompute(*, plan_ids: Iterable[int] | None = None, dates: Iterable[date] | None = None) -> int:
    """Computes and stores how many measures of each work area stood in each status, for
    the plans given (all plans by default) on the given dates (by default the plan's
    calendar: the dates its pages offer, kept by the snapshot pipeline).

    Guarantees: as `area_rollups_store`. Every change to a measure or an update comes
    through here, in its transaction, so the counts beside the measures list never disagree
    with it and cached measures pages and ETags follow it. Returns the number of rows written.
    """
    plans = Plan.objects.all() if plan_ids is None else Plan.objects.filter(pk__in=list(plan_ids))
    plan_list = list(plans.values_list("pk", flat=True))
    if not plan_list:
        return 0
    if dates is None:
        dates_of: dict[int, list[date]] = {}
        for plan_id, as_of in SnapshotDate.objects.filter(plan_id__in=plan_list).values_list("plan_id", "as_of"):
            dates_of.setdefault(plan_id, []).append(as_of)
    else:
        wanted = sorted(set(dates))
        dates_of = {plan_id: wanted for plan_id in plan_list}
    plans_lock_for_change(plan_list)  # the lock order: plans first, then their roll-ups
    written = area_rollups_store(dates_of=dates_of)
    versions_bump(plan_list)
    return written


def area_rollups_store(*, dates_of: dict[int, list[date]]) -> int:
    """The area roll-ups' compute in the snapshot pipeline (`snapshots.services.derived`, registered
    in MeasuresConfig.ready()): the rows of these plans on their dates, stored in the caller's
    transaction (the pipeline holds the plans' lock and bumps their versions).

    Guarantees: one row per area and date, replaced if it exists; each measure's status by
    `targets.progress.status_from_updates`, the rule the measures page shows; a constant
    number of queries whatever the number of areas, measures and dates. Returns the number of
    rows written."""
    now = timezone.now()
    rows = [AreaRollup(computed_at=now, **row) for row in _area_rollups_compute(dates_of)]
    AreaRollup.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["area", "as_of"],
        update_fields=["computed_at", "measure_count", "status_counts"],
    )
    return len(rows)


def area_rollups_prune(*, plan_id: int, keep: list[date]) -> int:
    """The area roll-ups' prune in the snapshot pipeline: the plan's rows on dates off its
    calendar (yesterday's "today"), so the table holds the calendar's dates only."""
    stale = AreaRollup.objects.filter(area__plan_id=plan_id).exclude(as_of__in=keep)
    if not stale.exists():
        return 0
    plans_lock_for_change([plan_id])  # held already in the pipeline; the lock order otherwise
    return stale.delete()[0]


# Everything a roll-up stores but the time of computing.
AREA_ROLLUP_FIELDS = ("measure_count", "status_counts")


def area_rollups_verify(*, plan_id: int, dates: list[date], repair: bool = False) -> list[dict]:
    """The area roll-ups' verify in the snapshot pipeline: recomputes the plan's rows on `dates`
    in memory and lists each stored one that differs or is missing; with `repair`, stores the
    fresh rows of the dates that differ. Read-only unless `repair`; four queries."""
    computed = _area_rollups_compute({plan_id: dates})
    stored = {
        (row["area_id"], row["as_of"]): row
        for row in AreaRollup.objects.filter(area__plan_id=plan_id, as_of__in=dates).values(
            "area_id", "as_of", *AREA_ROLLUP_FIELDS)
    }
    numbers = dict(Area.objects.filter(plan_id=plan_id).values_list("id", "number"))
    differences = []
    for row in computed:
        found = stored.get((row["area_id"], row["as_of"]))
        fields = (
            {"area_rollup": (None, "missing")} if found is None
            else {f: (found[f], row[f]) for f in AREA_ROLLUP_FIELDS if found[f] != row[f]}
        )
        if fields:
            differences.append({"deriver": AREA_ROLLUPS, "subject": f"area {numbers[row['area_id']]}",
                                "as_of": row["as_of"], "fields": fields})
    if repair and differences:
        area_rollups_store(dates_of={plan_id: sorted({difference["as_of"] for difference in differences})})
    return differences


AREA_ROLLUPS = "measures.area_rollups"


def _area_rollups_compute(dates_of: dict[int, list[date]]) -> list[dict]:
    """The rows (area_id, as_of, counts) of these plans on their dates: three queries."""
    plan_list = [plan_id for plan_id, dates in dates_of.items() if dates]
    if not plan_list:
        return []
    areas = list(Area.objects.filter(plan_id__in=plan_list).values_list("id", "plan_id"))
    measures = list(Measure.objects.filter(area__plan_id__in=plan_list).order_by("id").values_list("id", "area_id"))
    updates = list(
        MeasureUpdate.objects.filter(measure__area__plan_id__in=plan_list).exclude(status="")
        .order_by("date", "id").values_list("measure_id", "date", "status")
    )
    plan_of_area = dict(areas)
    rows = []
    for plan_id in plan_list:
        plan_areas = [area_id for area_id, area_plan in areas if area_plan == plan_id]
        plan_measures = [m for m in measures if plan_of_area[m[1]] == plan_id]
        for as_of in sorted(set(dates_of[plan_id])):
            rows += [
                {"as_of": as_of, **row}
                for row in progress.area_rollups_compute(
                    areas=plan_areas, measures=plan_measures, updates=updates, as_of=as_of
                )
            ]
    return rows
