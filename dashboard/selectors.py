"""Reads for the dashboard pages that `targets.selectors` does not already offer.

Each page reads a fixed number of queries whatever the number of targets or
measures (tests pin the counts). Nothing here computes progress: the pages show the
snapshots the progress engine stored.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from measures.models import Area, AreaRollup, Measure, MeasureUpdate
from measures.progress import measure_status_on
from targets.models import Objective, Observation, Plan, Snapshot, Target
from targets.progress.dates import zone_today
from targets.progress.items import item_status_on
from targets.selectors import (
    objectives_with_rollups,
    observations_of,
    plan_rollup,
    rollup_of,
    snapshot_dates,
    snapshot_history,
    snapshot_of,
    target_items_of,
    targets_with_snapshot,
)

# A target added after the date's recompute has no snapshot on that date: shown as such,
# not as "no data", which is a computed status.
NOT_COMPUTED = "not_computed"
NOT_COMPUTED_LABEL = _("not computed on this date")


@dataclass
class AsOf:
    """The as-of date a page shows, and whether snapshots exist for it."""

    dates: list[date]
    requested: date | None
    date: date | None  # the date shown: the requested one, or the newest snapshot date

    @property
    def has_snapshot(self) -> bool:
        return self.date is not None and self.date in self.dates


def as_of_resolve(*, plan: Plan, requested: date | None) -> AsOf:
    """The requested date, or the newest snapshot date when none was asked for. One query."""
    dates = snapshot_dates(plan=plan)
    shown = requested or (dates[0] if dates else None)
    return AsOf(dates=dates, requested=requested, date=shown)


@dataclass
class ObjectiveRows:
    objective: Objective
    rollup: object
    targets: list[Target] = field(default_factory=list)


@dataclass
class Overview:
    plan: Plan
    objectives: list[ObjectiveRows]
    status_counts: list[tuple[str, str, int]]  # (status, label, count) in status order
    plan_rollup: object
    computed_at: object
    newest_data_date: date | None
    stale_count: int


def overview_read(*, plan: Plan, as_of: date | None) -> Overview:
    """Every target of the plan with its snapshot on `as_of`, grouped by objective,
    with counts per status and how fresh the data is. Five queries."""
    targets = list(targets_with_snapshot(plan=plan, as_of=as_of))
    objectives = list(objectives_with_rollups(plan=plan, as_of=as_of))
    by_objective = {objective.pk: ObjectiveRows(objective, rollup_of(objective)) for objective in objectives}
    counts: Counter[str] = Counter()
    computed, data_dates, stale = [], [], 0
    for target in targets:
        snapshot = target.snapshot = snapshot_of(target)
        by_objective[target.objective_id].targets.append(target)
        if snapshot is None:
            counts[NOT_COMPUTED] += 1
            continue
        counts[snapshot.status] += 1
        computed.append(snapshot.computed_at)
        if snapshot.data_date:
            data_dates.append(snapshot.data_date)
        stale += snapshot.is_data_stale
    return Overview(
        plan=plan,
        objectives=list(by_objective.values()),
        status_counts=[(status, label, counts[status]) for status, label in Snapshot.Status.choices]
        + ([(NOT_COMPUTED, NOT_COMPUTED_LABEL, counts[NOT_COMPUTED])] if counts[NOT_COMPUTED] else []),
        plan_rollup=plan_rollup(plan=plan, as_of=as_of),
        computed_at=max(computed, default=None),
        newest_data_date=max(data_dates, default=None),
        stale_count=stale,
    )


def target_by_code(*, code: str, plan: Plan | None = None) -> Target | None:
    """The target with this code (in `plan`, where codes repeat across plans)."""
    targets = Target.objects.select_related("objective", "plan", "indicator").filter(code=code)
    if plan is not None:
        targets = targets.filter(plan=plan)
    return targets.order_by("-plan__published_on").first()


@dataclass
class TargetDetail:
    target: Target
    snapshot: Snapshot | None
    history: list[Snapshot]
    entries: list[Observation]  # the indicator's figures up to the date; `.counts`: of the target's scope
    items: list


def target_detail_read(*, target: Target, as_of: date | None) -> TargetDetail:
    """A target's snapshot on `as_of`, its snapshot history up to then, and the figures
    reported for periods ending by then (nothing from after the date). Four queries."""
    items = list(target_items_of(target=target))
    for item in items:
        item.status_shown = item_status_on([(u.date, u.status) for u in item.updates_in_order],
                                           as_of or zone_today())
        item.latest_update = item.updates_in_order[-1] if item.updates_in_order else None
    if as_of is None:
        return TargetDetail(target, None, [], [], items)
    snapshot = Snapshot.objects.filter(target=target, as_of=as_of).first()
    if snapshot is not None:
        snapshot.target = target  # the explanation reads it: no second fetch
    return TargetDetail(
        target=target,
        snapshot=snapshot,
        history=list(snapshot_history(target=target, until=as_of)),
        entries=[observation for observation in observations_of(target=target) if observation.period_end <= as_of],
        items=items,
    )


@dataclass
class AreaMeasures:
    area: Area
    measures: list[Measure]
    status_counts: dict[str, int]


def _measures_with_links(*, as_of: date | None) -> QuerySet[Measure]:
    updates = MeasureUpdate.objects.order_by("-date", "-id")
    if as_of is not None:
        updates = updates.filter(date__lte=as_of)
    return (
        Measure.objects.order_by("number")
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.order_by("objective__number", "order", "code")),
            Prefetch("updates", queryset=updates, to_attr="updates_by_date"),
        )
    )


def measures_read(*, plan: Plan, as_of: date | None) -> list[AreaMeasures]:
    """The plan's work areas with their measures, linked targets and the updates dated up
    to `as_of`, and the measures per status from the area roll-ups stored for `as_of`
    (counted from the list where none is stored).

    A measure's status on a past date follows the rule of the stored roll-ups
    (`targets.progress.measure_status_on`), so the list agrees with the counts.
    Five queries.
    """
    rollups = AreaRollup.objects.filter(as_of=as_of) if as_of else AreaRollup.objects.none()
    areas = Area.objects.filter(plan=plan).order_by("number").prefetch_related(
        Prefetch("measures", queryset=_measures_with_links(as_of=as_of), to_attr="measures_in_order"),
        Prefetch("rollups", queryset=rollups, to_attr="rollup_on_date"),
    )
    result = []
    for area in areas:
        for measure in area.measures_in_order:
            measure.latest_update = measure.updates_by_date[0] if measure.updates_by_date else None
            measure.status_shown = measure_status_on(
                as_of=as_of,
                updates=[(u.date, u.status) for u in reversed(measure.updates_by_date)],
            )
        if area.rollup_on_date:
            counts = area.rollup_on_date[0].status_counts
        else:  # not computed for this date (e.g. the areas were loaded after the last recompute)
            counts = dict(Counter(measure.status_shown for measure in area.measures_in_order))
        result.append(AreaMeasures(area=area, measures=area.measures_in_order, status_counts=counts))
    return result
