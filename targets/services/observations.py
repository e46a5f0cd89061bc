"""Writes for observations (the reported figures of an indicator) and named items' updates.

Every entry point — admin, API, import, management command — changes figures through
these functions, so the rules in `targets.validation` and `targets.permissions` are applied
once and the same way everywhere. A change asks, in the same transaction, for the recompute
of every target that reads the indicator, in whichever plan (`snapshots.recompute_request`):
the work is recorded before anyone is told.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from targets import permissions
from targets.models import Indicator, ItemUpdate, Observation, Target, TargetItem
from targets.services.snapshots import recompute_request
from targets.validation import validate_plausible, validate_synthetic_origin

OBSERVATION_FIELDS = (
    "indicator", "period_end", "value", "qualifier", "scope", "source_title", "source_url", "quote",
    "definition_note", "confidence", "confidence_note",
)


@transaction.atomic
def observation_create(
    *,
    indicator: Indicator,
    period_end: date,
    value: Decimal,
    source_title: str,
    qualifier: str = Observation.Qualifier.EXACT,
    scope: str = "",
    source_url: str = "",
    quote: str = "",
    definition_note: str = "",
    confidence: str = Observation.Confidence.HIGH,
    confidence_note: str = "",
    is_synthetic: bool = False,
    entered_by: AbstractBaseUser | None = None,
    confirm_outlier: bool = False,
) -> Observation:
    """Validates and stores one figure; raises ValidationError and writes nothing if it is bad."""
    observation = Observation(
        indicator=indicator, period_end=period_end, value=value, qualifier=qualifier, scope=scope,
        source_title=source_title, source_url=source_url, quote=quote, definition_note=definition_note,
        confidence=confidence, confidence_note=confidence_note, is_synthetic=is_synthetic, entered_by=entered_by,
    )
    return observation_save(observation=observation, user=entered_by, confirm_outlier=confirm_outlier)


@transaction.atomic
def observation_update(*, observation: Observation, data: dict, user: AbstractBaseUser | None = None,
                       confirm_outlier: bool = False) -> Observation:
    """Changes the given fields of a figure; on a validation error nothing is written."""
    unknown = set(data) - set(OBSERVATION_FIELDS)
    if unknown:
        raise ValueError(f"Not changeable through this service: {', '.join(sorted(unknown))}")
    for field, value in data.items():
        setattr(observation, field, value)
    return observation_save(observation=observation, user=user, confirm_outlier=confirm_outlier)


@transaction.atomic
def observation_save(*, observation: Observation, user: AbstractBaseUser | None = None,
                     confirm_outlier: bool = False) -> Observation:
    """Validates and saves a figure that a form or serializer has filled in.

    Guarantees: with a user, nothing is written unless `targets.permissions` lets them add
    (no stored row) or change it (PermissionDenied otherwise); the figure obeys every rule in
    `targets.validation` (among them: a figure stays with its indicator) or nothing is
    written; a figure far outside what its indicator allows is written only when the person
    confirmed it (system callers — commands, demo data — are not asked); a save by a person
    never makes a figure synthetic — only the demo module, which passes no user, creates demo
    figures; every target reading the indicator is asked to recompute.
    """
    previous = Observation.objects.filter(pk=observation.pk).values("is_synthetic").first() if observation.pk else None
    # A row that no longer exists (reverting a deleted figure from its history) is an addition.
    permissions.entry_write_check(user=user, action="add" if previous is None else "change", entry=observation)
    if observation.pk is None and observation.entered_by_id is None and user is not None and user.is_authenticated:
        observation.entered_by = user
    validate_synthetic_origin(observation, by_person=user is not None,
                              was_synthetic=previous is not None and previous["is_synthetic"])
    observation.full_clean()
    validate_plausible(observation, confirmed=confirm_outlier or user is None)
    observation.save()
    targets_of_indicator_recompute(indicator_id=observation.indicator_id)
    return observation


@transaction.atomic
def observation_delete(*, observation: Observation, user: AbstractBaseUser | None = None) -> None:
    """Deletes a figure and asks for the recompute of the targets reading it; with a user, only
    if `targets.permissions` lets them (PermissionDenied otherwise, nothing deleted)."""
    permissions.entry_write_check(user=user, action="delete", entry=observation)
    indicator_id = observation.indicator_id
    observation.delete()
    targets_of_indicator_recompute(indicator_id=indicator_id)


def targets_of_indicator_recompute(*, indicator_id: int) -> None:
    """Asks for the recompute of every target on the indicator, plan by plan: one observation
    serves every plan that tracks it."""
    by_plan: dict[int, list[int]] = defaultdict(list)
    for target_id, plan_id in Target.objects.filter(indicator_id=indicator_id).values_list(
        "id", "objective__plan_id"
    ):
        by_plan[plan_id].append(target_id)
    for plan_id, target_ids in sorted(by_plan.items()):
        recompute_request(plan_id=plan_id, target_ids=target_ids)


@transaction.atomic
def item_update_save(*, update: ItemUpdate, user: AbstractBaseUser | None = None) -> ItemUpdate:
    """Validates and saves a dated report on a named item; its target is recomputed. With a user,
    only if `targets.permissions` lets them."""
    stored = update.pk is not None and ItemUpdate.objects.filter(pk=update.pk).exists()
    permissions.entry_write_check(user=user, action="change" if stored else "add", entry=update)
    if update.pk is None and update.entered_by_id is None and user is not None and user.is_authenticated:
        update.entered_by = user
    update.full_clean()
    update.save()
    _item_changed(update.item)
    return update


@transaction.atomic
def item_update_delete(*, update: ItemUpdate, user: AbstractBaseUser | None = None) -> None:
    permissions.entry_write_check(user=user, action="delete", entry=update)
    item = update.item
    update.delete()
    _item_changed(item)


def _item_changed(item: TargetItem) -> None:
    recompute_request(plan_id=item.target.plan_id, target_ids=[item.target_id])
