"""Writes for plans, objectives, targets and named items: loading a plan from its file,
and the administrators' changes. A change that alters what the snapshots show (a target's
terms, a plan's dates or thresholds, a target added, moved or removed, an item's status)
asks for the recompute in the same transaction; every change bumps the plan's data version
there too (`locks.versions_bump`: a title shows on the pages even when no snapshot changes).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from targets.models import Indicator, Objective, Observation, Plan, Target, TargetItem
from targets.services import locks
from targets.services.observations import observation_create, targets_of_indicator_recompute
from targets.services.requests import recompute_request


@transaction.atomic
def plan_load(*, data: dict) -> dict[str, int]:
    """Creates the indicators, plan, objectives, targets, named items and observations
    described by `data` (the format of fixtures/*.json).

    Guarantees: creates only what is missing, matched by natural keys (indicator code, plan
    code, objective number, target code within the plan, item code, observation period);
    never changes an existing row, so an administrator's edits survive every reload. Every
    object is validated; one bad object raises ValidationError and nothing is written. A plan
    that gains anything has its history recomputed. Returns counts of created rows per kind.
    """
    created = {"indicators": 0, "plans": 0, "objectives": 0, "targets": 0, "items": 0, "observations": 0}
    for indicator_data in data.get("indicators", []):
        if not Indicator.objects.filter(code=indicator_data["code"]).exists():
            _create_validated(Indicator(**indicator_data))
            created["indicators"] += 1

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
            target_fields = {k: v for k, v in target_data.items() if k not in ("items", "indicator")}
            target = Target.objects.filter(plan=plan, code=target_fields["code"]).first()
            if target is None:
                indicator = Indicator.objects.get(code=target_data["indicator"]) if target_data.get("indicator") else None
                target = _create_validated(Target(plan=plan, objective=objective, indicator=indicator, **target_fields))
                created["targets"] += 1
            existing_items = set(target.items.values_list("code", flat=True))
            for order, item_data in enumerate(target_data.get("items", []), start=1):
                if item_data["code"] not in existing_items:
                    _create_validated(TargetItem(target=target, order=order, **item_data))
                    created["items"] += 1

    for observation_data in data.get("observations", []):
        fields = dict(observation_data)
        indicator = Indicator.objects.get(code=fields.pop("indicator"))
        if not indicator.observations.filter(period_end=fields["period_end"]).exists():
            observation_create(indicator=indicator, **fields)
            created["observations"] += 1
    if any(created.values()):
        recompute_request(plan_id=plan.pk)  # a new plan gets its monthly history
    return created


def _create_validated(instance):
    instance.full_clean()
    instance.save()
    return instance


# The fields whose change alters a target's snapshots (its name and wording do not).
TARGET_TERMS = (
    "objective_id", "indicator_id", "kind", "target_value", "target_date", "direction", "scope",
    "baseline_value", "baseline_date", "baseline_scope",
)
PLAN_TERMS = ("baseline_date", "target_date", "on_track_threshold", "acceleration_threshold")


@transaction.atomic
def plan_save(*, plan: Plan) -> Plan:
    """Validates and saves a plan. Guarantees: nothing is written if it is invalid; a new plan,
    or a change to its dates or thresholds, asks for the recompute of the whole plan (its
    monthly history from its baseline date)."""
    before = Plan.objects.filter(pk=plan.pk).values(*PLAN_TERMS, *PICKER_TERMS).first() if plan.pk else None
    plan.full_clean()
    every_plan = before is None or any(before[field] != getattr(plan, field) for field in PICKER_TERMS)
    # The lock order (`locks`): the plans whose versions move, in id order, before any write.
    locks.plans_lock_for_change(Plan.objects.values_list("pk", flat=True) if every_plan else [plan.pk])
    plan.save()
    if every_plan:
        # Every plan's overview lists the others in its picker: all their pages change.
        locks.versions_bump(Plan.objects.values_list("pk", flat=True))
    else:
        locks.versions_bump([plan.pk])
    if before is None or any(before[field] != getattr(plan, field) for field in PLAN_TERMS):
        recompute_request(plan_id=plan.pk)
    return plan


INDICATOR_TERMS = ("kind", "scope", "reporting_period")
# What the plan picker on every plan's overview shows of a plan.
PICKER_TERMS = ("code", "title_zh", "title_en", "stage", "baseline_date", "target_date", "published_on")


@transaction.atomic
def indicator_save(*, indicator: Indicator) -> Indicator:
    """Validates and saves an indicator; a change to how its figures add up, its scope or its
    reporting period recomputes every target on it."""
    before = Indicator.objects.filter(pk=indicator.pk).values(*INDICATOR_TERMS).first() if indicator.pk else None
    indicator.full_clean()
    if indicator.pk:
        locks.indicator_plans_lock([indicator.pk])  # the lock order: its plans first
    indicator.save()
    # Its names and definition show on the pages of every plan that targets it; one that no
    # target uses shows only in the API's lists of indicators and figures, which are versioned
    # by every plan's version (`selectors.observations_last_changed`): then every plan's.
    plan_ids = list(Target.objects.filter(indicator=indicator).values_list("plan_id", flat=True).distinct())
    locks.versions_bump(plan_ids or Plan.objects.values_list("id", flat=True))
    if before is not None and any(before[field] != getattr(indicator, field) for field in INDICATOR_TERMS):
        targets_of_indicator_recompute(indicator_id=indicator.pk)
    return indicator


@transaction.atomic
def objective_save(*, objective: Objective) -> Objective:
    """Validates and saves an objective (its number and title: no snapshot changes, but
    its plan's pages show them)."""
    objective.full_clean()
    locks.plans_lock_for_change([objective.plan_id])  # the lock order: its plan first
    objective.save()
    locks.versions_bump([objective.plan_id])
    return objective


@transaction.atomic
def objective_delete(*, objective: Objective) -> None:
    """Deletes an objective with its targets; the plan's roll-ups are recomputed."""
    plan_id = objective.plan_id
    locks.plans_lock_for_change([plan_id])  # the lock order: its plan first
    objective.delete()
    recompute_request(plan_id=plan_id)


@transaction.atomic
def target_save(*, target: Target) -> Target:
    """Validates and saves a target. Guarantees: nothing is written if it is invalid; a new
    target gets its history on every date of its plan, a change to its terms recomputes
    them; a target moved to another plan leaves that plan's roll-ups recomputed too."""
    before = Target.objects.filter(pk=target.pk).values(*TARGET_TERMS, "plan_id", "indicator_id").first() \
        if target.pk else None
    target.full_clean()
    plan_id = target.plan_id
    # Its own plan's pages, and those of the plans whose targets on the same indicator (before
    # and after) link to it ("also tracked in"). All locked first, together (the lock order).
    indicators = {target.indicator_id, before and before["indicator_id"]} - {None}
    touched = {plan_id, before and before["plan_id"], *Target.objects.filter(indicator_id__in=indicators)
               .values_list("plan_id", flat=True)}
    locks.plans_lock_for_change(touched)
    target.save()
    locks.versions_bump({plan_id, *Target.objects.filter(indicator_id__in=indicators).values_list("plan_id", flat=True)})
    if before is not None and before["plan_id"] != plan_id:
        recompute_request(plan_id=before["plan_id"])
    if before is not None and before["objective_id"] != target.objective_id:
        # The whole plan: a target's roll-up shift takes its old contribution out of the objective
        # it is in now, which holds only while it stays there (two targets swapping objectives
        # keep every objective's count, so the shift could not even tell).
        recompute_request(plan_id=plan_id)
    elif before is None or any(before[field] != getattr(target, field) for field in TARGET_TERMS):
        recompute_request(plan_id=plan_id, target_ids=[target.pk])
    return target


@transaction.atomic
def target_delete(*, target: Target) -> None:
    """Deletes a target with its snapshots (its indicator's figures stay); its plan's roll-ups
    are recomputed, and the pages of the plans whose targets linked to it change."""
    plan_id = target.plan_id
    sharing = list(Target.objects.filter(indicator_id=target.indicator_id).exclude(pk=target.pk)
                   .values_list("plan_id", flat=True)) if target.indicator_id else []
    locks.plans_lock_for_change({plan_id, *sharing})  # the lock order: the plans first
    target.delete()
    locks.versions_bump(sharing)
    recompute_request(plan_id=plan_id)


@transaction.atomic
def target_item_save(*, item: TargetItem) -> TargetItem:
    """Validates and saves a named item; its target (judged by its items) is recomputed."""
    item.full_clean()
    locks.plans_lock_for_change([item.target.plan_id])  # the lock order: its plan first
    item.save()
    recompute_request(plan_id=item.target.plan_id, target_ids=[item.target_id])
    return item


@transaction.atomic
def target_item_delete(*, item: TargetItem) -> None:
    target = item.target
    locks.plans_lock_for_change([target.plan_id])  # the lock order: its plan first
    item.delete()
    recompute_request(plan_id=target.plan_id, target_ids=[target.pk])


SPLIT_PERMISSIONS = ("targets.add_indicator", "targets.change_indicator", "targets.change_observation",
                     "targets.change_target")


@transaction.atomic
def indicator_split(
    *, indicator: Indicator, code: str, name_zh: str, name_en: str, scope: str, since: date | None = None,
    user=None,
) -> Indicator:
    """Splits an indicator in two at a break in its definition: a new indicator, whose own
    scope is `scope`, takes every observation of that scope (from `since` on, if given) and
    every target that counts that scope.

    Guarantees: with a user, nothing is written unless they hold SPLIT_PERMISSIONS
    (PermissionDenied); the new indicator obeys the indicator rules and `scope` is another
    scope than the indicator's own (ValidationError, nothing written); each moved row is
    saved with its history, so the split shows in every record's history; every target on
    either indicator is asked to recompute. The only way a figure changes indicator: the
    observation rules refuse a move by hand."""
    from django.core.exceptions import PermissionDenied, ValidationError

    if user is not None and not (user.is_active and user.has_perms(SPLIT_PERMISSIONS)):
        raise PermissionDenied(_("You may not split indicators."))
    if not scope or scope == indicator.scope:
        raise ValidationError({"scope": [_(
            "Choose the other definition that breaks away: “%(scope)s” is the indicator's own scope."
        ) % {"scope": indicator.scope}]})
    locks.indicator_plans_lock([indicator.pk])  # the lock order: every plan it touches, first
    new = Indicator(
        code=code, name_zh=name_zh, name_en=name_en, unit=indicator.unit, kind=indicator.kind,
        reporting_period=indicator.reporting_period, scope=scope, zh_is_translation=indicator.zh_is_translation,
    )
    new.full_clean()
    new.save()
    observations = Observation.objects.filter(indicator=indicator, scope=scope)
    if since is not None:
        observations = observations.filter(period_end__gte=since)
    for observation in observations:
        observation.indicator, observation.scope = new, ""
        # django-simple-history's per-save reason; the model's type does not declare it.
        observation._change_reason = f"split from {indicator.code} into {new.code}"  # type: ignore[attr-defined]
        observation.save()
    for target in Target.objects.filter(indicator=indicator, scope=scope):
        target.indicator, target.scope = new, ""
        target._change_reason = f"split from {indicator.code} into {new.code}"  # type: ignore[attr-defined]
        target.save()
        locks.versions_bump([target.plan_id])
    targets_of_indicator_recompute(indicator_id=indicator.pk)
    targets_of_indicator_recompute(indicator_id=new.pk)
    return new


@transaction.atomic
def agencies_load(*, data: dict) -> dict[str, int]:
    """Creates the agencies described by `data` (fixtures/agencies.json) and assigns them their
    indicators. (Measures are linked to their lead agencies by `measures.services`: loading
    the agencies with both is `operations.services.agencies_load`.)

    Guarantees: creates only what is missing and never changes an existing agency; an
    indicator gets its agency only while it has none (an administrator's assignment survives
    every reload); an indicator code the
    database does not know is skipped (its plan may not be loaded); every agency is validated,
    one bad one raises ValidationError and nothing is written. Returns counts per kind.
    """
    from targets.models import Agency

    created = {"agencies": 0, "indicators assigned": 0}
    for agency_data in data["agencies"]:
        fields = {k: v for k, v in agency_data.items() if k != "indicators"}
        agency = Agency.objects.filter(code=fields["code"]).first()
        if agency is None:
            agency = _create_validated(Agency(**fields))
            created["agencies"] += 1
        for assignment in agency_data.get("indicators", []):
            assigned = Indicator.objects.filter(code=assignment["code"], agency__isnull=True).update(
                agency=agency, agency_provisional=bool(assignment.get("provisional", False)))
            created["indicators assigned"] += assigned
    return created


@transaction.atomic
def agency_save(*, agency) -> object:
    """Validates and saves an agency (its members are saved by the caller's form, after it).
    Its name shows on the pages: every plan's version is bumped."""
    agency.full_clean()
    locks.plans_lock_for_change(Plan.objects.values_list("id", flat=True))  # the lock order
    agency.save()
    locks.versions_bump(Plan.objects.values_list("id", flat=True))
    return agency
