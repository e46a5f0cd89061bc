"""Reads for plans, targets, indicators and observations (the snapshots' are `snapshots.selectors`).

Every page and API list reads through these functions, so each costs a fixed number
of queries however many targets a plan has (tests pin the counts).
"""

from __future__ import annotations

from datetime import date

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from targets.models import Agency, Indicator, Objective, Observation, Plan, Target


def plans_newest_first() -> QuerySet[Plan]:
    """Plans, the most recently published first: the first is the plan shown when none is named."""
    return Plan.objects.order_by("-published_on", "code")


def plans_in_force_first(*, today: date) -> QuerySet[Plan]:
    """Plans, the one in force on `today` first (adopted, its target date not
    passed; the newest if several), then the rest newest first: the first is the plan shown
    when none is named. Once every plan has ended, that is the most recent one."""
    in_force = Case(
        When(stage=Plan.Stage.ADOPTED, target_date__gte=today, then=Value(0)),
        default=Value(1),
    )
    return Plan.objects.annotate(in_force_rank=in_force).order_by("in_force_rank", "-published_on", "code")


def plan_default(*, today: date) -> Plan | None:
    """The plan shown when none is named (`plans_in_force_first`)."""
    return plans_in_force_first(today=today).first()


def baseline_earliest() -> date | None:
    """The earliest baseline date of any plan: where a full snapshot history starts."""
    return Plan.objects.aggregate(earliest=Min("baseline_date"))["earliest"]


def observations_published() -> QuerySet[Observation]:
    """The approved figures: the only ones the dashboard, the exports and the public API show
    and the engine reads (`snapshots.services.store`). Drafts and submitted figures wait for a
    zone administrator."""
    return Observation.objects.filter(status=Observation.Status.APPROVED)


def observations_of(*, target: Target) -> list[Observation]:
    """The approved figures of a target's indicator, in date order, each with `.counts` — whether it is
    of the target's own definition (scope) and so part of its status — and every other one
    marked as context. Empty for a qualitative target. One query."""
    if target.indicator_id is None:
        return []
    scope = target.effective_scope
    observations = list(
        observations_published().filter(indicator_id=target.indicator_id).select_related("entered_by", "indicator")
        .order_by("period_end")
    )
    for observation in observations:
        observation.counts = observation.effective_scope == scope  # type: ignore[attr-defined]  # for the page; not a model field
    return observations


def synthetic_data_exists() -> bool:
    """Whether any synthetic (demo) figure is in the database: every page must say so."""
    return synthetic_figures().exists()


def synthetic_figures() -> QuerySet[Observation]:
    return Observation.objects.filter(is_synthetic=True)


# Reads for the REST API (targets.api).


def plans_data_versions() -> tuple:
    """Every plan's id and data version, and when the newest of them changed: one read of
    the plans table, whatever the size of the figures and snapshots. Every change to a
    plan's figures, snapshots, terms or titles bumps its version (`targets.services.locks.versions_bump`), and
    a plan added or deleted changes the list: what a polling client needs to know whether
    any list of plans, targets, figures or snapshots changed."""
    rows = list(Plan.objects.order_by("id").values_list("id", "data_version", "data_changed_at"))
    versions = ",".join(f"{plan_id}:{version}" for plan_id, version, _changed in rows)
    return versions, max((changed for *_rest, changed in rows if changed is not None), default=None)


def _indicators_count() -> Subquery:
    return Subquery(Indicator.objects.order_by().annotate(all=Value(1, output_field=IntegerField())).values(
        "all").annotate(count=Count("id")).values("count"))


def published_figures_version() -> tuple:
    """The version of what a reader who sees approved figures only is shown of the figures and
    indicators: how many plans, the sum of their data versions and their newest change, and how
    many indicators. One read of the plans table, whatever the number of figures. Every approved
    figure written or deleted bumps its indicator's plans' versions, every plan's when no target
    uses it (`targets_of_indicator_recompute`), and so does an indicator saved (`indicator_save`):
    a change raises the sum; a plan added (`plan_save` bumps it) moves the newest change, one
    deleted the count; an indicator deleted (with its figures) the indicators' count."""
    indicators = _indicators_count()
    found = Plan.objects.aggregate(
        plans=Count("id"), versions=Sum("data_version"), changed=Max("data_changed_at"),
        # Not an aggregate of the plans: in Coalesce so that aggregate() takes it, and so that
        # it is there when no plan is (MAX of no rows is NULL).
        indicators=Coalesce(Max(indicators), indicators))
    return found["plans"], found["versions"], found["changed"], found["indicators"]


def observations_last_changed(*, pending_agency_ids: frozenset[int] | None = frozenset()) -> tuple:
    """When any figure the reader may see last changed, how many there are (a deletion changes
    the count), and which they may see (`observations_visible`): computed from those figures
    only, so that a validator (ETag, Last-Modified) never moves for a figure the reader cannot
    see. With the indicators' count: a figure shows its indicator's code. One query. A reader
    who sees approved figures only is answered by `published_figures_version`, which reads no
    figure."""
    indicators = _indicators_count()
    found = observations_visible(pending_agency_ids=pending_agency_ids).aggregate(
        latest=Max("updated_at"), count=Count("id"), indicators=Coalesce(Max(indicators), indicators))
    scope = "all" if pending_agency_ids is None else ",".join(str(pk) for pk in sorted(pending_agency_ids))
    return found["latest"], found["count"], scope, found["indicators"]


def plans_all() -> QuerySet[Plan]:
    return plans_newest_first()


def objectives_all() -> QuerySet[Objective]:
    return Objective.objects.select_related("plan").order_by("plan__code", "number")


def observations_visible(*, pending_agency_ids: frozenset[int] | None = frozenset()) -> QuerySet[Observation]:
    """The figures a reader may see: approved ones, and the unapproved ones of the agencies in
    `pending_agency_ids` (None: of every agency). Pass `permissions.pending_figures_agency_ids(user)`."""
    if pending_agency_ids is None:
        return Observation.objects.all()
    if not pending_agency_ids:
        return observations_published()
    return Observation.objects.filter(
        Q(status=Observation.Status.APPROVED) | Q(indicator__agency_id__in=sorted(pending_agency_ids)))


def observations_all(*, pending_agency_ids: frozenset[int] | None = frozenset()) -> QuerySet[Observation]:
    """Figures for the API's list: those the reader may see (`observations_visible`), with their status."""
    return observations_visible(pending_agency_ids=pending_agency_ids).select_related("indicator").order_by(
        "indicator__code", "period_end")


def indicators_all() -> QuerySet[Indicator]:
    """Indicators with their observations and the targets (of every plan) that use them."""
    return Indicator.objects.order_by("code").prefetch_related(
        Prefetch("observations", queryset=observations_published().order_by("period_end")),
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


def targets_all() -> QuerySet[Target]:
    return Target.objects.select_related("objective", "plan", "indicator")


def agencies_by_name() -> dict[str, Agency]:
    """Every agency under each name it goes by — code, Chinese and English name and short
    names, compared case-blind and trimmed — for linking text that names one (a measure's lead
    agency as written). One query."""
    found: dict[str, Agency] = {}
    for agency in Agency.objects.order_by("code"):
        for name in (agency.code, agency.name_zh, agency.name_en, agency.short_name_zh, agency.short_name_en):
            if name:
                found.setdefault(name.strip().casefold(), agency)
    return found


def agency_named(text: str, *, names: dict[str, Agency] | None = None) -> Agency | None:
    """The agency `text` names (see `agencies_by_name`), or None."""
    names = agencies_by_name() if names is None else names
    return names.get((text or "").strip().casefold())


def revisions_of(*, observation_ids) -> dict[int, list]:
    """The revisions of these figures, oldest first, by figure id: what a page shows beside a
    revised figure (`ObservationRevision.describe()`: "revised from … to … on …: reason").
    One query."""
    from targets.models import ObservationRevision

    found: dict[int, list] = {}
    revisions = (
        ObservationRevision.objects.filter(observation_id__in=list(observation_ids))
        .select_related("observation__indicator").order_by("revised_at", "id")
    )
    for revision in revisions:
        found.setdefault(revision.observation_id, []).append(revision)
    return found
