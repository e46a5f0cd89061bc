"""Reads for plans, targets, indicators, observations and snapshots.

Every page and API list reads through these functions, so each costs a fixed number
of queries however many targets a plan has (tests pin the counts).
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Count, Max, Min, Prefetch, QuerySet

from targets.models import Indicator, Objective, Observation, Plan, Rollup, Snapshot, Target


def plan_default() -> Plan | None:
    """The plan shown when none is named: the most recently published one."""
    return Plan.objects.order_by("-published_on", "code").first()


def baseline_earliest() -> date | None:
    """The earliest baseline date of any plan: where a full snapshot history starts."""
    return Plan.objects.aggregate(earliest=Min("baseline_date"))["earliest"]


def snapshot_latest_date(*, plan: Plan | None = None) -> date | None:
    """The newest as-of date with snapshots, in one plan or across all plans."""
    snapshots = Snapshot.objects.all() if plan is None else Snapshot.objects.filter(target__objective__plan=plan)
    return snapshots.aggregate(latest=Max("as_of"))["latest"]


def snapshot_dates(*, plan: Plan) -> list[date]:
    """Every as-of date with snapshots for the plan, newest first (for date pickers)."""
    return list(
        Snapshot.objects.filter(target__objective__plan=plan)
        .values_list("as_of", flat=True).distinct().order_by("-as_of")
    )


def targets_with_snapshot(*, plan: Plan | None = None, as_of: date | None = None) -> QuerySet[Target]:
    """Targets (with objective and plan) each carrying `.snapshot`: its snapshot on
    `as_of`, or None where there is none. Two queries, whatever the number of targets.
    """
    targets = Target.objects.select_related("objective", "plan", "indicator").order_by(
        "plan", "objective__number", "order", "code"
    )
    if plan is not None:
        targets = targets.filter(plan=plan)
    snapshots = Snapshot.objects.filter(as_of=as_of) if as_of else Snapshot.objects.none()
    return targets.prefetch_related(Prefetch("snapshots", queryset=snapshots, to_attr="_snapshot_on_date"))


def snapshot_of(target: Target) -> Snapshot | None:
    """The snapshot prefetched by `targets_with_snapshot`."""
    found = getattr(target, "_snapshot_on_date", None)
    return found[0] if found else None


def snapshots_on(*, as_of: date, plan: Plan | None = None) -> QuerySet[Snapshot]:
    """All snapshots of one as-of date, with their targets, in plan order."""
    snapshots = Snapshot.objects.filter(as_of=as_of).select_related("target__objective", "target__plan",
                                                                     "target__indicator")
    if plan is not None:
        snapshots = snapshots.filter(target__objective__plan=plan)
    return snapshots.order_by("target__objective__number", "target__order", "target__code")


def snapshot_history(*, target: Target, since: date | None = None, until: date | None = None) -> QuerySet[Snapshot]:
    """A target's snapshots in date order, optionally within [since, until]."""
    history = Snapshot.objects.filter(target=target)
    if since:
        history = history.filter(as_of__gte=since)
    if until:
        history = history.filter(as_of__lte=until)
    return history.order_by("as_of")


def observations_of(*, target: Target) -> list[Observation]:
    """The figures of a target's indicator, in date order, each with `.counts` — whether it is
    of the target's own definition (scope) and so part of its status — and every other one
    marked as context. Empty for a qualitative target. One query."""
    if target.indicator_id is None:
        return []
    scope = target.effective_scope
    observations = list(
        Observation.objects.filter(indicator_id=target.indicator_id).select_related("entered_by", "indicator")
        .order_by("period_end")
    )
    for observation in observations:
        observation.counts = observation.effective_scope == scope
    return observations


def objectives_with_rollups(*, plan: Plan, as_of: date | None) -> QuerySet[Objective]:
    """The plan's objectives, each with `.rollup` for `as_of` (None if not computed)."""
    rollups = Rollup.objects.filter(as_of=as_of) if as_of else Rollup.objects.none()
    return Objective.objects.filter(plan=plan).order_by("number").prefetch_related(
        Prefetch("rollups", queryset=rollups, to_attr="_rollup_on_date")
    )


def rollup_of(objective: Objective) -> Rollup | None:
    found = getattr(objective, "_rollup_on_date", None)
    return found[0] if found else None


def plan_rollup(*, plan: Plan, as_of: date | None) -> Rollup | None:
    if as_of is None:
        return None
    return Rollup.objects.filter(plan=plan, objective__isnull=True, as_of=as_of).first()


def synthetic_data_exists() -> bool:
    """Whether any synthetic (demo) figure is in the database: every page must say so."""
    return Observation.objects.filter(is_synthetic=True).exists()


# Reads for the REST API (targets.api).


def snapshots_last_computed() -> tuple[datetime | None, int]:
    """When any snapshot was last computed, and how many there are (a deletion changes
    the count): what a polling client needs to know whether anything changed."""
    found = Snapshot.objects.aggregate(latest=Max("computed_at"), count=Count("id"))
    return found["latest"], found["count"]


def observations_last_changed() -> tuple[datetime | None, int]:
    found = Observation.objects.aggregate(latest=Max("updated_at"), count=Count("id"))
    return found["latest"], found["count"]


def targets_last_changed() -> datetime | None:
    """When a target's own fields last changed (from its history: every save is recorded)."""
    return Target.history.aggregate(latest=Max("history_date"))["latest"]


def plans_all() -> QuerySet[Plan]:
    return Plan.objects.order_by("-published_on", "code")


def objectives_all() -> QuerySet[Objective]:
    return Objective.objects.select_related("plan").order_by("plan__code", "number")


def observations_all() -> QuerySet[Observation]:
    return Observation.objects.select_related("indicator").order_by("indicator__code", "period_end")


def indicators_all() -> QuerySet[Indicator]:
    """Indicators with their observations and the targets (of every plan) that use them."""
    return Indicator.objects.order_by("code").prefetch_related(
        Prefetch("observations", queryset=Observation.objects.order_by("period_end")),
        # Oldest plan first: the order in which the zone adopted them.
        Prefetch("targets", queryset=Target.objects.select_related("plan").order_by(
            "plan__published_on", "plan__code", "objective__number", "order", "code")),
    )


def target_items_of(*, target: Target):
    """A target's named items, each with `.updates_in_order` (its dated updates, by date)."""
    from targets.models import ItemUpdate

    return target.items.order_by("order", "code").prefetch_related(
        Prefetch("updates", queryset=ItemUpdate.objects.order_by("date", "id"), to_attr="updates_in_order")
    )


def snapshots_all() -> QuerySet[Snapshot]:
    return Snapshot.objects.select_related("target__objective", "target__plan", "target__indicator")


def targets_all() -> QuerySet[Target]:
    return Target.objects.select_related("objective", "plan", "indicator")
