"""Reads of the snapshots, roll-ups and plan calendars.

Every page and API list reads through these functions, so each costs a fixed number of
queries however many targets a plan has (tests pin the counts).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Max, Prefetch, QuerySet

from snapshots.models import Snapshot, SnapshotDate
from targets.models import Plan, Target


def snapshot_latest_date(*, plan: Plan | None = None) -> date | None:
    """The newest as-of date with snapshots, in one plan or across all plans: from the plans'
    calendars (a few hundred rows), not the snapshots."""
    dates = SnapshotDate.objects.all() if plan is None else SnapshotDate.objects.filter(plan=plan)
    return dates.aggregate(latest=Max("as_of"))["latest"]


def snapshot_dates(*, plan: Plan) -> list[date]:
    """Every as-of date with snapshots for the plan, newest first (for date pickers): the
    plan's calendar, written with the snapshots; one read of its (plan, as_of) index."""
    return list(SnapshotDate.objects.filter(plan=plan).order_by("-as_of").values_list("as_of", flat=True))


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


def snapshots_all() -> QuerySet[Snapshot]:
    return Snapshot.objects.select_related("target__objective", "target__plan", "target__indicator")
