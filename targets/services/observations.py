"""Writes for observations (the reported figures of an indicator) and named items' updates.

Every entry point — admin, API, import, management command — changes figures through
these functions, so the rules in `targets.validation` and `targets.permissions` are applied
once and the same way everywhere. A change asks, in the same transaction, for the recompute
of every target that reads the indicator, in whichever plan (`requests.recompute_request`):
the work is recorded before anyone is told.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.utils import timezone

from edge.transactions import conflicts_retried
from targets import permissions
from targets.models import Indicator, ItemUpdate, Observation, ObservationRevision, Plan, Target, TargetItem
from targets.review import validate_not_under_review
from targets.services.locks import indicator_plans_lock, plans_lock_for_change, versions_bump
from targets.services.requests import recompute_request
from targets.validation import validate_plausible, validate_synthetic_origin

OBSERVATION_FIELDS = ("indicator", "period_end", *Observation.EDITABLE_FIELDS)


@conflicts_retried
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
    entered_by: User | None = None,
    confirm_outlier: bool = False,
) -> Observation:
    """Validates and stores one figure; raises ValidationError and writes nothing if it is bad."""
    observation = Observation(
        indicator=indicator, period_end=period_end, value=value, qualifier=qualifier, scope=scope,
        source_title=source_title, source_url=source_url, quote=quote, definition_note=definition_note,
        confidence=confidence, confidence_note=confidence_note, is_synthetic=is_synthetic, entered_by=entered_by,
    )
    return observation_save(observation=observation, user=entered_by, confirm_outlier=confirm_outlier)


@conflicts_retried
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


@conflicts_retried
@transaction.atomic
def observation_save(*, observation: Observation, user: AbstractBaseUser | None = None,
                     confirm_outlier: bool = False, status: str | None = None,
                     revision_reason: str = "") -> Observation:
    """Validates and saves a figure that a form or serializer has filled in.

    Guarantees: with a user, nothing is written unless `targets.permissions` lets them add
    (no stored row) or change it (PermissionDenied otherwise); the figure obeys every rule in
    `targets.validation` (among them: a figure stays with its indicator) or nothing is
    written; a figure far outside what its indicator allows is written only when the person
    confirmed it (system callers — commands, demo data — are not asked); a save by a person
    never makes a figure synthetic — only the demo module, which passes no user, creates demo
    figures; once the figure is approved, every target reading the indicator is asked to recompute.

    Approval: `status` empty means a direct write (admin, API, command). A zone administrator's
    or a system caller's figure is approved at once; a data-entry user's is *submitted* and
    counts nowhere until a zone administrator approves it (`observation_approve`). A
    data-entry user's change to an approved figure leaves it as it is and stores the new values
    as the pending proposal beside it (returned instead of the approved row): one pending row per
    indicator and period, updated in place. The reporting rounds pass `status` (draft,
    submitted). A change to an approved figure's value or qualifier is recorded as a revision.

    Locks: a write that is approved locks the plans tracking its indicator first, before it
    writes anything (the lock order of `snapshots.services.store`); a conflict that still
    happens is retried once (`conflicts_retried`).

    Review: while a submitted reporting set holds a figure of the indicator and period (the
    stored ones or the new ones), nothing is written, for anyone (`targets.review`,
    ValidationError with code "under_review"); the set's approval or return moves it.
    """
    previous = (
        Observation.objects.filter(pk=observation.pk).values("is_synthetic", "status", "indicator_id", "period_end")
        .first() if observation.pk else None
    )
    # A row that no longer exists (reverting a deleted figure from its history) is an addition.
    permissions.entry_write_check(user=user, action="add" if previous is None else "change", entry=observation)
    slots = [(observation.indicator_id, observation.period_end)]
    if previous is not None:
        slots.append((previous["indicator_id"], previous["period_end"]))
    validate_not_under_review(slots=slots)
    if status is None:
        if user is not None and not permissions.is_zone_administrator(user):
            status = Observation.Status.SUBMITTED
        elif previous is not None and previous["status"] in Observation.PENDING:
            status = previous["status"]  # correcting a proposal is not approving it: that is its own action
        else:
            status = Observation.Status.APPROVED
    if status == Observation.Status.APPROVED:
        permissions.approval_check(user=user)
        # Its plans first: the recompute it asks for marks their snapshots and bumps them.
        indicator_plans_lock({observation.indicator_id, previous and previous["indicator_id"]} - {None})
    if previous is not None and previous["status"] == Observation.Status.APPROVED and status in Observation.PENDING:
        _proposal_in_place_of_approved(observation)
    observation.status = status
    if observation.pk is None and observation.entered_by_id is None and user is not None and user.is_authenticated:
        observation.entered_by = user
    validate_synthetic_origin(observation, by_person=user is not None,
                              was_synthetic=previous is not None and previous["is_synthetic"])
    observation.full_clean()
    validate_plausible(observation, confirmed=confirm_outlier or user is None)
    if status == Observation.Status.APPROVED:
        if previous is not None and previous["status"] == Observation.Status.APPROVED:
            _revision_record(observation=observation, user=user, reason=revision_reason)
        if previous is None or previous["status"] != Observation.Status.APPROVED:
            observation.approved_at, observation.approved_by = timezone.now(), _person(user)
    observation.save()
    if status == Observation.Status.APPROVED:
        # A pending figure counts nowhere (the engine reads approved ones): nothing to recompute.
        targets_of_indicator_recompute(indicator_id=observation.indicator_id)
    return observation


def _person(user):
    return user if user is not None and user.is_authenticated else None


def _proposal_in_place_of_approved(observation: Observation) -> None:
    """Turns `observation` (an approved row carrying new values) into the pending proposal of
    its indicator and period: the existing one, updated, or a new row. The approved row is not
    touched: it stays published until the proposal is approved."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    stored = Observation.objects.values("indicator_id", "period_end").get(pk=observation.pk)
    if stored["indicator_id"] != observation.indicator_id:
        raise ValidationError({"indicator": _(
            "A figure stays with its indicator. To record it for another indicator, delete it "
            "here and enter it again there."
        )})
    if stored["period_end"] != observation.period_end:
        # A proposal revises the figure of its period; another period is another figure.
        raise ValidationError({"period_end": _(
            "A proposed change keeps the figure's period. To report another period, add a figure for it."
        )})
    pending = (
        Observation.objects.filter(indicator_id=observation.indicator_id, period_end=observation.period_end,
                                   status__in=Observation.PENDING)
        .values("pk", "entered_at", "entered_by_id").first()
    )
    if pending is None:
        observation.pk = observation.id = None
        observation._state.adding = True
        observation.entered_by_id = None  # set to the proposer below
    else:
        observation.pk = observation.id = pending["pk"]
        observation._state.adding = False
        observation.entered_at, observation.entered_by_id = pending["entered_at"], pending["entered_by_id"]
    observation.approved_at = observation.approved_by = None


def _revision_record(*, observation: Observation, user, reason: str) -> ObservationRevision | None:
    """Records a change of an approved figure's value or qualifier (nothing when neither changed):
    the previous value stays visible, and snapshots before today keep it."""
    before = Observation.objects.filter(pk=observation.pk).values("value", "qualifier").first()
    if before is None or (before["value"] == observation.value and before["qualifier"] == observation.qualifier):
        return None
    return ObservationRevision.objects.create(
        observation_id=observation.pk, previous_value=before["value"], previous_qualifier=before["qualifier"],
        new_value=observation.value, new_qualifier=observation.qualifier, revised_at=timezone.now(),
        revised_by=_person(user), reason=reason,
    )


# What an approval copies from a proposal onto the approved figure it revises.
PROPOSAL_FIELDS = Observation.EDITABLE_FIELDS


@conflicts_retried
@transaction.atomic
def observation_approve(*, observation: Observation, user: AbstractBaseUser | None, reason: str = "",
                        round_id: int | None = None,
                        revision_recorded: Callable[[ObservationRevision], object] | None = None) -> Observation:
    """Publishes a pending figure (draft or submitted) and returns the approved row.

    Guarantees: only a zone administrator (or a system caller) approves (PermissionDenied,
    nothing changed); a first figure for its period becomes approved in place; a proposal
    beside an approved figure is copied onto it — the value it replaces recorded as an
    `ObservationRevision` with `reason`, passed to `revision_recorded` inside the transaction (so
    that an app above links it: reporting to its round) — and the proposal row is deleted;
    approving an approved figure is refused (ValidationError); a figure held by a submitted
    reporting set is approved only by that set's approval, which passes its round as `round_id`
    (`targets.review`: ValidationError "under_review" otherwise); the targets reading the
    indicator are recomputed after the commit.
    """
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    permissions.approval_check(user=user)
    # The plans before the figures (the lock order): a set's approval locks them all first.
    indicator_plans_lock(Observation.objects.filter(pk=observation.pk).values_list("indicator_id", flat=True))
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    if observation.status == Observation.Status.APPROVED:
        raise ValidationError(_("This figure is already approved."), code="already_approved")
    validate_not_under_review(slots=[(observation.indicator_id, observation.period_end)], round_id=round_id)
    now, person = timezone.now(), _person(user)
    published = (
        Observation.objects.select_for_update()
        .filter(indicator_id=observation.indicator_id, period_end=observation.period_end,
                status=Observation.Status.APPROVED).first()
    )
    if published is None:
        observation.status, observation.approved_at, observation.approved_by = Observation.Status.APPROVED, now, person
        observation.save()
        result = observation
    else:
        for field in PROPOSAL_FIELDS:
            setattr(published, field, getattr(observation, field))
        revision = _revision_record(observation=published, user=user, reason=reason)
        if revision is not None and revision_recorded is not None:
            revision_recorded(revision)
        published.approved_at, published.approved_by = now, person
        observation.delete()
        published.full_clean()
        published.save()
        result = published
    targets_of_indicator_recompute(indicator_id=result.indicator_id)
    return result


@transaction.atomic
def observations_status_set(*, observation_ids: list[int], status: str) -> int:
    """Moves pending figures between draft and submitted (a round's submit and return). Only
    pending rows move, and neither state counts anywhere, so nothing is recomputed; approving
    is `observation_approve`. Returns the number of rows moved."""
    if status not in Observation.PENDING:
        raise ValueError(f"Not a pending status: {status!r}; approve with observation_approve.")
    return Observation.objects.filter(pk__in=observation_ids, status__in=Observation.PENDING).update(
        status=status, updated_at=timezone.now())


@conflicts_retried
@transaction.atomic
def observation_delete(*, observation: Observation, user: AbstractBaseUser | None = None) -> None:
    """Deletes a figure and asks for the recompute of the targets reading it; with a user, only
    if `targets.permissions` lets them (PermissionDenied otherwise, nothing deleted). A figure
    under review is not deleted, by anyone (`targets.review`: ValidationError "under_review")."""
    permissions.entry_write_check(user=user, action="delete", entry=observation)
    validate_not_under_review(slots=[(observation.indicator_id, observation.period_end)])
    indicator_id, was_approved = observation.indicator_id, observation.status == Observation.Status.APPROVED
    if was_approved:
        indicator_plans_lock([indicator_id])  # the lock order: its plans before the figure
    observation.delete()
    if was_approved:
        targets_of_indicator_recompute(indicator_id=indicator_id)


def targets_of_indicator_recompute(*, indicator_id: int) -> None:
    """Asks for the recompute of every target on the indicator, plan by plan: one observation
    serves every plan that tracks it. Their plan rows are locked together first, in id order."""
    indicator_plans_lock([indicator_id])
    by_plan: dict[int, list[int]] = defaultdict(list)
    for target_id, plan_id in Target.objects.filter(indicator_id=indicator_id).values_list(
        "id", "objective__plan_id"
    ):
        by_plan[plan_id].append(target_id)
    for plan_id, target_ids in sorted(by_plan.items()):
        recompute_request(plan_id=plan_id, target_ids=target_ids)
    if not by_plan:
        # A figure of an indicator no target uses shows only in the API's lists of figures and
        # indicators, which are versioned by every plan's version (`selectors.
        # published_figures_version`): every plan's is bumped (rare: such figures are few).
        versions_bump(Plan.objects.values_list("id", flat=True))


@conflicts_retried
@transaction.atomic
def item_update_save(*, update: ItemUpdate, user: AbstractBaseUser | None = None) -> ItemUpdate:
    """Validates and saves a dated report on a named item; its target is recomputed. With a user,
    only if `targets.permissions` lets them."""
    stored = update.pk is not None and ItemUpdate.objects.filter(pk=update.pk).exists()
    permissions.entry_write_check(user=user, action="change" if stored else "add", entry=update)
    if update.pk is None and update.entered_by_id is None and user is not None and user.is_authenticated:
        update.entered_by = user
    update.full_clean()
    plans_lock_for_change([update.item.target.plan_id])  # the lock order: its plan first
    update.save()
    _item_changed(update.item)
    return update


@conflicts_retried
@transaction.atomic
def item_update_delete(*, update: ItemUpdate, user: AbstractBaseUser | None = None) -> None:
    permissions.entry_write_check(user=user, action="delete", entry=update)
    item = update.item
    plans_lock_for_change([item.target.plan_id])  # the lock order: its plan first
    update.delete()
    _item_changed(item)


def _item_changed(item: TargetItem) -> None:
    recompute_request(plan_id=item.target.plan_id, target_ids=[item.target_id])
