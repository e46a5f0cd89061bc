"""Reads for the dashboard pages that `targets.selectors` does not already offer.

Each page reads a fixed number of queries whatever the number of targets or
measures (tests pin the counts). Nothing here computes progress: the pages show the
snapshots the progress engine stored.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.utils.translation import gettext_lazy as _

from measures.models import Area, AreaRollup, Measure, MeasureUpdate
from reporting.models import RoundSet
from snapshots.models import Rollup, Snapshot
from snapshots.selectors import snapshot_dates, snapshot_history, snapshot_of, targets_with_snapshot
from targets.models import Indicator, Objective, Observation, ObservationRevision, Plan, Target
from targets.progress.dates import zone_today
from targets.progress.updates import status_from_updates
from targets.selectors import observations_of, plans_in_force_first, synthetic_figures, target_items_of

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a label: text, or text translated when shown

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


# Every status a target can have on a date, in the order the pages list them.
STATUSES = [*Snapshot.Status.choices, (NOT_COMPUTED, NOT_COMPUTED_LABEL)]


@dataclass
class ObjectiveSummary:
    """One objective on one date: its roll-up, how many targets it has and how many stand in
    each status (those without a snapshot on the date as NOT_COMPUTED)."""

    objective: Objective
    rollup: Rollup | None
    target_count: int
    counts: dict[str, int]
    targets: list[Target] = field(default_factory=list)  # filled where the page lists them

    @property
    def status_counts(self) -> list[tuple[str, StrOrPromise, int]]:
        """(status, label, count) of the statuses this objective's targets have."""
        return [(status, label, self.counts[status]) for status, label in STATUSES if self.counts.get(status)]


@dataclass
class Overview:
    plan: Plan
    objectives: list[ObjectiveSummary]
    status_counts: Sequence[tuple[str, StrOrPromise, int]]  # (status, label, count) in status order
    plan_rollup: Rollup | None
    computed_at: object
    newest_data_date: date | None
    stale_count: int
    target_count: int

    def count(self, *, objective: Objective | None = None, status: str | None = None) -> int:
        """How many targets of one objective (or all) stand in one status (or any)."""
        groups = [group for group in self.objectives if objective is None or group.objective.pk == objective.pk]
        if status is None:
            return sum(group.target_count for group in groups)
        return sum(group.counts.get(status, 0) for group in groups)


def overview_read(*, plan: Plan, as_of: date | None) -> Overview:
    """The plan on `as_of`, summed up: per objective, its roll-up and its targets per status;
    for the plan, its roll-up, the counts per status and how fresh the data is. Three
    queries, whatever the number of targets: the counts come from one aggregate of the
    snapshots, not from reading them (`overview_targets` reads the targets a page lists)."""
    objectives = list(Objective.objects.filter(plan=plan).select_related("plan").annotate(target_count=Count("targets"))
                      .order_by("number"))
    rollups = {rollup.objective_id: rollup for rollup in Rollup.objects.filter(plan=plan, as_of=as_of)} \
        if as_of else {}
    groups = (
        Snapshot.objects.filter(as_of=as_of, target__objective__plan=plan)
        .values("target__objective_id", "status")
        .annotate(
            count=Count("id"), computed=Max("computed_at"), data_date=Max("data_date"),
            stale=Count("id", filter=Q(is_data_stale=True)),
        )
        .order_by()
    ) if as_of else []
    counts: dict[int, Counter[str]] = {objective.pk: Counter() for objective in objectives}
    computed, data_dates, stale = [], [], 0
    for group in groups:
        counts[group["target__objective_id"]][group["status"]] += group["count"]
        computed.append(group["computed"])
        if group["data_date"]:
            data_dates.append(group["data_date"])
        stale += group["stale"]
    summaries = []
    for objective in objectives:
        found = counts[objective.pk]
        found[NOT_COMPUTED] = objective.target_count - sum(found.values())
        summaries.append(ObjectiveSummary(objective, rollups.get(objective.pk), objective.target_count, dict(found)))
    totals = sum((Counter(summary.counts) for summary in summaries), Counter())
    return Overview(
        plan=plan,
        objectives=summaries,
        status_counts=[(status, label, totals[status]) for status, label in Snapshot.Status.choices]
        + ([(NOT_COMPUTED, NOT_COMPUTED_LABEL, totals[NOT_COMPUTED])] if totals[NOT_COMPUTED] else []),
        plan_rollup=rollups.get(None),
        computed_at=max(computed, default=None),
        newest_data_date=max(data_dates, default=None),
        stale_count=stale,
        target_count=sum(summary.target_count for summary in summaries),
    )


def overview_targets(
    *, plan: Plan, as_of: date | None, objective: Objective | None = None, status: str | None = None,
    offset: int = 0, limit: int | None = None,
) -> list[Target]:
    """The plan's targets (of one objective, in one status), in plan order, each with
    `.snapshot` on `as_of`; `limit` of them from `offset`. Two queries."""
    targets = targets_with_snapshot(plan=plan, as_of=as_of)
    if objective is not None:
        targets = targets.filter(objective=objective)
    if status is not None:
        # Without a date nothing is computed: as_of=None (IS NULL, which Django's exact lookup
        # takes and the stubs refuse) matches no snapshot.
        on_date = Snapshot.objects.filter(target=OuterRef("pk"), as_of=as_of)  # type: ignore[misc]
        targets = targets.exclude(Exists(on_date)) if status == NOT_COMPUTED \
            else targets.filter(Exists(on_date.filter(status=status)))
    found = list(targets[offset:None if limit is None else offset + limit])
    for target in found:
        target.snapshot = snapshot_of(target)  # type: ignore[attr-defined]  # for the page; not a model field
    return found


def target_by_code(*, code: str, plan_code: str | None = None) -> Target | None:
    """The target with this code in the plan with `plan_code` (codes are unique per plan;
    without a plan, the newest plan's), with its objective, plan and indicator, and
    `synthetic_data_present` (whether any demo figure exists: the banner every page carries)
    read in the same query."""
    targets = Target.objects.select_related("objective", "plan", "indicator").filter(code=code)
    if plan_code is not None:
        targets = targets.filter(plan__code=plan_code)
    return targets.annotate(synthetic_data_present=Exists(synthetic_figures())).order_by(
        "-plan__published_on").first()


@dataclass(frozen=True)
class PlanShown:
    """What a page needs to know before it knows whether its cached copy will do."""

    id: int
    code: str
    data_version: int
    synthetic_data_present: bool  # whether any demo figure exists: the banner every page carries
    rounds_token: str = ""  # changes with any reporting round's state (the overview's round states)


@functools.lru_cache(maxsize=8)
def _plan_shown_sql(today: date, by_code: bool) -> tuple[str, tuple]:
    plans = Plan.objects.filter(code="-") if by_code else plans_in_force_first(today=today)
    # The reporting rounds' state in the same query: the overview shows each target's round
    # state, which changes without the plan's data (a set submitted, returned), so it keys the
    # cached overview too (every action on a set bumps its version; a new round adds sets).
    sets = RoundSet.objects.order_by().annotate(all=Value(1)).values("all")
    query = plans.annotate(
        banner=Exists(synthetic_figures()),
        round_versions=Subquery(sets.annotate(total=Sum("version")).values("total")),
        round_sets=Subquery(sets.annotate(last=Max("id")).values("last")),
        round_count=Subquery(sets.annotate(number=Count("id")).values("number")),
    ).values_list("id", "code", "data_version", "banner", "round_versions", "round_sets", "round_count")[:1]
    return query.query.sql_with_params()


def plan_shown(*, code: str | None = None) -> PlanShown | None:
    """The plan a page shows — the one with `code`, or else the plan in force
    (`targets.selectors.plans_in_force_first`) — its id and data version, and the banner's
    state, in one query. A page served from the cache costs this query and little else, so
    its SQL is compiled by the ORM once per process and day: compiling it took as long as
    running it."""
    sql, params = _plan_shown_sql(zone_today(), code is not None)
    if code is not None:
        params = tuple(code if param == "-" else param for param in params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else PlanShown(id=row[0], code=row[1], data_version=row[2],
                                              synthetic_data_present=bool(row[3]),
                                              rounds_token=f"{row[4] or 0}-{row[5] or 0}-{row[6] or 0}")


@dataclass(frozen=True)
class PlanChoice:
    """A plan as the plan picker and the list of plans show it."""

    plan: Plan
    status: str
    status_label: str
    target_count: int
    area_count: int


def plans_listed(*, today: date) -> list[PlanChoice]:
    """Every plan, the one in force first, with its status on `today` and how many targets
    and work areas it has. One query."""
    plans = plans_in_force_first(today=today).annotate(
        n_targets=Count("targets", distinct=True), n_areas=Count("areas", distinct=True),
    )
    return [
        PlanChoice(plan, plan.status_on(today), str(Plan.Status(plan.status_on(today)).label), plan.n_targets,
                   plan.n_areas)
        for plan in plans
    ]


def plan_by_id(plan_id: int) -> Plan | None:
    return Plan.objects.filter(pk=plan_id).first()


@dataclass(frozen=True)
class TargetShown:
    """What a target's page needs to know before it knows whether its cached copy will do."""

    id: int
    plan_id: int
    plan_code: str
    data_version: int  # the plan's
    synthetic_data_present: bool  # whether any demo figure exists: the banner every page carries


# Stand-ins for the two codes in the compiled SQL, put in their places on each call.
_TARGET_CODE, _PLAN_CODE = "-target-", "-plan-"


@functools.lru_cache(maxsize=1)
def _target_shown_sql() -> tuple[str, tuple]:
    query = Target.objects.filter(code=_TARGET_CODE, plan__code=_PLAN_CODE).annotate(
        banner=Exists(synthetic_figures()),
    ).values_list("id", "plan_id", "plan__code", "plan__data_version", "banner")[:1]
    return query.query.sql_with_params()


def target_shown(*, code: str, plan_code: str) -> TargetShown | None:
    """The target with this code in the plan with `plan_code`: its id, its plan's id, code and
    data version, and the banner's state, in one query. A target's page served from the cache
    costs this query and little else, so its SQL is compiled by the ORM once per process:
    compiling and reading the whole target, its plan, objective and indicator (`target_by_code`)
    cost four times as long as a page served from the cache."""
    sql, params = _target_shown_sql()
    params = tuple({_TARGET_CODE: code, _PLAN_CODE: plan_code}.get(param, param) for param in params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else TargetShown(id=row[0], plan_id=row[1], plan_code=row[2], data_version=row[3],
                                                synthetic_data_present=bool(row[4]))


def target_by_id(target_id: int) -> Target | None:
    """The target with its objective, plan and indicator (what its page shows of them)."""
    return Target.objects.select_related("objective", "plan", "indicator").filter(pk=target_id).first()


@dataclass
class TargetDetail:
    target: Target
    snapshot: Snapshot | None
    history: list[Snapshot]
    entries: list[Observation]  # the indicator's figures up to the date; `.counts`: of the target's scope
    items: list
    also_tracked: list[Target] = field(default_factory=list)  # other targets on the same indicator


def targets_sharing_indicator(*, target: Target) -> list[Target]:
    """The other targets (of any plan) on this target's indicator, oldest plan first. One query."""
    if target.indicator_id is None:
        return []
    return list(
        Target.objects.filter(indicator_id=target.indicator_id).exclude(pk=target.pk).select_related("plan", "indicator")
        .order_by("plan__published_on", "plan__code", "code")
    )


@dataclass
class IndicatorDetail:
    indicator: Indicator
    observations: list[Observation]
    targets: list[Target]


def indicator_by_code(*, code: str) -> Indicator | None:
    return Indicator.objects.filter(code=code).first()


def indicator_detail_read(*, indicator: Indicator) -> IndicatorDetail:
    """An indicator's whole series and every plan's targets on it. Two queries."""
    observations = list(indicator.observations.filter(status=Observation.Status.APPROVED).order_by("period_end"))
    for observation in observations:
        observation.indicator = indicator
    targets = list(indicator.targets.select_related("plan").order_by("plan__published_on", "plan__code", "code"))
    return IndicatorDetail(indicator, observations, targets)


def target_detail_read(*, target: Target, as_of: date | None) -> TargetDetail:
    """A target's snapshot on `as_of`, its snapshot history up to then, and the figures
    reported for periods ending by then (nothing from after the date), and the other
    targets on its indicator. Six queries."""
    also_tracked = targets_sharing_indicator(target=target)
    items = list(target_items_of(target=target))
    for item in items:
        item.status_shown = status_from_updates([(u.date, u.status) for u in item.updates_in_order],
                                                as_of or zone_today())
        item.latest_update = item.updates_in_order[-1] if item.updates_in_order else None
    if as_of is None:
        return TargetDetail(target, None, [], [], items, also_tracked)
    snapshot = Snapshot.objects.filter(target=target, as_of=as_of).first()
    if snapshot is not None:
        snapshot.target = target  # the explanation reads it: no second fetch
    entries = [observation for observation in observations_of(target=target) if observation.period_end <= as_of]
    _revisions_attach(target, entries)
    return TargetDetail(
        target=target,
        snapshot=snapshot,
        history=list(snapshot_history(target=target, until=as_of)),
        entries=entries,
        items=items,
        also_tracked=also_tracked,
    )


def _revisions_attach(target: Target, entries: list[Observation]) -> None:
    """Each figure's revisions, oldest first, as `.revisions_shown` ("revised from 1,480 to
    1,512 亿元 on 2026-03-02: final statistics"): one query, read by the indicator so that
    its count does not depend on the figures."""
    by_id = {entry.pk: entry for entry in entries}
    for entry in entries:
        entry.revisions_shown = []  # type: ignore[attr-defined]  # for the page; not a model field
    # A qualitative target (no indicator): None (IS NULL) matches no revision; the stubs refuse None.
    revisions = ObservationRevision.objects.filter(
        observation__indicator_id=target.indicator_id).order_by("revised_at", "id")  # type: ignore[misc]
    for revision in revisions:
        revised = by_id.get(revision.observation_id)
        if revised is not None:
            revision.observation = revised  # describe() reads its unit: no second fetch
            revised.revisions_shown.append(revision)  # type: ignore[attr-defined]  # as above


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
        Measure.objects.select_related("lead_agency").order_by("number")
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
    (`targets.progress.status_from_updates`), so the list agrees with the counts.
    Five queries.
    """
    rollups = AreaRollup.objects.filter(as_of=as_of) if as_of else AreaRollup.objects.none()
    areas = Area.objects.filter(plan=plan).order_by("number").prefetch_related(
        Prefetch("measures", queryset=_measures_with_links(as_of=as_of), to_attr="measures_in_order"),
        Prefetch("rollups", queryset=rollups, to_attr="rollup_on_date"),
    )
    result = []
    for area in areas:
        # For the page, not model fields: updates_by_date (the Prefetch's to_attr), latest_update
        # and status_shown.
        for measure in area.measures_in_order:
            updates: list[MeasureUpdate] = measure.updates_by_date  # type: ignore[attr-defined]
            measure.latest_update = updates[0] if updates else None  # type: ignore[attr-defined]
            measure.status_shown = status_from_updates(  # type: ignore[attr-defined]
                as_of=as_of,
                updates=[(u.date, u.status) for u in reversed(updates)],
            )
        if area.rollup_on_date:
            counts = area.rollup_on_date[0].status_counts
        else:  # not computed for this date (e.g. the areas were loaded after the last recompute)
            counts = dict(Counter(measure.status_shown for measure in area.measures_in_order))  # type: ignore[attr-defined]
        result.append(AreaMeasures(area=area, measures=area.measures_in_order, status_counts=counts))
    return result
