"""The rules a figure (an observation), a target and an indicator must obey — the one place they live.

Model `clean()` methods call these, so the admin's forms, the API's serializers, the
import and the management commands (which all go through `full_clean()` in
`targets.services`) share them. Every message says what is wrong and what to do.
"""

from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _


def validate_finite_amount(value, *, field: str, allow_negative: bool = False) -> None:
    """Counts and money are finite and, unless said otherwise, not negative."""
    if value is None:
        return
    if not isinstance(value, Decimal):
        try:
            value = Decimal(str(value))
        except Exception:
            raise ValidationError({field: _("Enter a number, such as 120 or 1157.69.")}) from None
    if not value.is_finite():
        raise ValidationError({field: _("Enter a finite number; NaN and infinity are not figures.")})
    if value < 0 and not allow_negative:
        raise ValidationError(
            {field: _("A count or an amount of money cannot be negative. Enter 0 or more.")}
        )


def validate_within_plan_period(day, *, plan, field: str) -> None:
    """Figures and updates are dated from the plan's baseline date to five years after its
    target date (statistics for the final year are often published years later)."""
    first, last = plan.baseline_date, plan.latest_entry_date
    if not first <= day <= last:
        raise ValidationError(
            {field: _(
                "The date must lie between the plan's baseline date (%(first)s) and "
                "five years after its target date (%(last)s)."
            ) % {"first": date_format(first), "last": date_format(last)}}
        )


def validate_not_in_future(day, *, field: str) -> None:
    """A figure or an update speaks of a period that has ended: none is dated after today."""
    from targets.progress.dates import zone_today

    if day is not None and day > zone_today():
        raise ValidationError({field: _(
            "The date %(date)s is in the future: a figure or an update is entered once its period has ended."
        ) % {"date": date_format(day)}})


def validate_indicator(indicator) -> None:
    """A stock's figures cannot be partial; nothing else to check beyond the fields."""


def validate_target(target) -> None:
    from targets.models import Target

    errors = {}
    if target.is_qualitative:
        if target.target_value is not None:
            errors["target_value"] = _(
                "A qualitative target is judged by its named items; leave the target value empty."
            )
        if target.indicator_id is not None:
            errors["indicator"] = _("A qualitative target is judged by its named items: leave the indicator empty.")
    else:
        if target.target_value is None:
            errors["target_value"] = _("A quantitative target needs a target value.")
        if target.indicator_id is None:
            errors["indicator"] = _(
                "Choose the indicator this target is judged on (or add it under Indicators): the "
                "figures are entered on the indicator, once for every plan that tracks it."
            )
    for field in ("target_value", "baseline_value"):
        try:
            validate_finite_amount(getattr(target, field), field=field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if target.objective_id is not None and target.plan_id is not None and target.objective.plan_id != target.plan_id:
        errors["objective"] = _("Choose one of this plan's objectives: “%(objective)s” belongs to another plan.") % {
            "objective": target.objective}
    if target.plan_id is not None and target.code:
        clash = Target.objects.filter(plan_id=target.plan_id, code=target.code).exclude(pk=target.pk).first()
        if clash is not None:
            errors["code"] = _(
                "The plan already has a target with the code “%(code)s” (“%(name)s”). Codes are unique "
                "within a plan: choose another."
            ) % {"code": target.code, "name": clash}
    if target.plan_id is not None and target.baseline_date is not None:
        due = target.target_date or target.plan.target_date
        if due <= target.baseline_date:
            errors["target_date"] = _("The target date must be after the baseline date.")
    if errors:
        raise ValidationError(errors)


def observation_duplicate_error(*, indicator, period_end, duplicate_id=None, value=None) -> ValidationError:
    """The one message for a second figure of an indicator's period: pointing at the stored
    figure (its id and value) or, for two new rows of one form, at the other row's value.
    The admin's inline formset gives it too, never Django's generic text naming the field."""
    if duplicate_id is not None:
        message = _(
            "“%(indicator)s” already has a figure for the period ending %(date)s "
            "(#%(id)s, value %(value)s). Edit that figure instead of adding a second one."
        ) % {"indicator": indicator, "date": date_format(period_end), "id": duplicate_id, "value": value}
    else:
        message = _(
            "“%(indicator)s” already has a figure for the period ending %(date)s in another row of this form "
            "(value %(value)s). Enter each period once."
        ) % {"indicator": indicator, "date": date_format(period_end), "value": value}
    return ValidationError({"period_end": message})


def validate_observation(observation) -> None:
    """Rules for one reported figure. Raises ValidationError keyed by field, with every
    broken rule at once: a duplicate period is reported even beside a bad value (else the
    model's unique constraint would answer with Django's generic text)."""
    from targets.models import Indicator, Observation

    errors: dict[str, list] = {}

    def collect(check, *args, **kwargs):
        try:
            check(*args, **kwargs)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)

    collect(validate_finite_amount, observation.value, field="value")
    collect(validate_not_in_future, observation.period_end, field="period_end")
    if observation.indicator_id is None:
        if errors:
            raise ValidationError(errors)
        return  # "This field is required" is reported by the field itself.
    indicator = observation.indicator

    if observation.pk is not None:
        stored = Observation.objects.filter(pk=observation.pk).values_list("indicator_id", flat=True).first()
        if stored is not None and stored != observation.indicator_id:
            # A figure is evidence for one indicator: moving it would silently rewrite two
            # series. Deleting and re-entering leaves both changes in the record.
            raise ValidationError(
                {"indicator": _(
                    "A figure stays with its indicator. To record it for another indicator, delete it "
                    "here and enter it again there."
                )}
            )

    if observation.period_end is not None and "period_end" not in errors:
        # One approved figure per period, and at most one proposal (draft or submitted) beside it.
        pending = observation.status in Observation.PENDING
        duplicate = (
            Observation.objects.filter(indicator_id=observation.indicator_id, period_end=observation.period_end)
            .filter(status__in=Observation.PENDING if pending else [Observation.Status.APPROVED])
            .exclude(pk=observation.pk)
            .first()
        )
        if duplicate is not None and pending:
            errors.setdefault("period_end", []).append(_(
                "“%(indicator)s” already has a proposed figure for the period ending %(date)s waiting "
                "for approval (#%(id)s, value %(value)s). Change that one instead of adding a second."
            ) % {
                "indicator": indicator, "date": date_format(observation.period_end),
                "id": duplicate.pk, "value": f"{duplicate.value.normalize():f}",
            })
        elif duplicate is not None:
            error = observation_duplicate_error(indicator=indicator, period_end=observation.period_end,
                                                duplicate_id=duplicate.pk, value=f"{duplicate.value.normalize():f}")
            errors.setdefault("period_end", []).extend(error.message_dict["period_end"])

    if observation.qualifier == Observation.Qualifier.PARTIAL_PERIOD and indicator.kind == Indicator.Kind.STOCK:
        # A five-month revenue figure is not the year's level; reading it as one
        # would show a collapse that never happened.
        errors.setdefault("qualifier", []).append(_(
            "“%(indicator)s” is a level at the period's end; a figure covering only part of a period "
            "cannot stand for it. Enter the full-period figure, or keep the partial figure in a note."
        ) % {"indicator": indicator})
    if errors:
        raise ValidationError(errors)


def validate_item_update(update) -> None:
    validate_not_in_future(update.date, field="date")


# Plausibility: a figure far outside what its indicator allows is probably a typing slip (a
# misplaced decimal point, a cumulative total entered as a period's amount) and needs a
# confirmation, as DHIS2's min/max and outlier checks ask for.
LEVEL_JUMP_FACTOR = 3


def observation_outliers(observation) -> list[str]:
    """Why this figure looks implausible (empty when it does not): for a flow, a period's
    amount above a whole target on the indicator whose window holds the period; for a stock, a level more than three times
    (or under a third of) the previous figure of the same scope within about a year."""
    from targets.models import Indicator, Observation, Target

    if observation.indicator_id is None or observation.value is None or observation.period_end is None:
        return []
    indicator = observation.indicator
    reasons = []
    if indicator.kind == Indicator.Kind.FLOW:
        for target in Target.objects.filter(indicator=indicator, target_value__gt=0).select_related("objective__plan"):
            # Only a target whose window (after its baseline date, up to its due date) holds the
            # period: a closed window says nothing of what a later period may add.
            if not target.baseline_date < observation.period_end <= target.due_date:
                continue
            if observation.value > target.target_value:
                reasons.append(_(
                    "%(value)s in one period is more than the whole target “%(target)s” (%(goal)s by "
                    "%(date)s) — a cumulative total entered as one period's amount?"
                ) % {"value": f"{observation.value.normalize():f}", "target": target,
                     "goal": f"{target.target_value.normalize():f}", "date": date_format(target.due_date)})
    else:
        previous = (
            Observation.objects.filter(indicator=indicator, period_end__lt=observation.period_end,
                                       scope=observation.scope, status=Observation.Status.APPROVED)
            .exclude(pk=observation.pk).order_by("-period_end").first()
        )
        if previous is not None and previous.value > 0 and (observation.period_end - previous.period_end).days <= 400:
            factor = observation.value / previous.value
            if factor > LEVEL_JUMP_FACTOR or factor < 1 / Decimal(LEVEL_JUMP_FACTOR):
                reasons.append(_(
                    "%(value)s is %(factor)s times the figure a period earlier (%(previous)s on %(date)s) — "
                    "a misplaced decimal point, or another unit?"
                ) % {"value": f"{observation.value.normalize():f}", "factor": f"{factor:.1f}",
                     "previous": f"{previous.value.normalize():f}", "date": date_format(previous.period_end)})
    return reasons


def validate_plausible(observation, *, confirmed: bool) -> None:
    """Refuses an implausible figure unless the person confirmed it (the admin's box, the API's
    `confirm_outlier: true`)."""
    reasons = observation_outliers(observation)
    if reasons and not confirmed:
        raise ValidationError({"value": [*reasons, _(
            "If the figure is right, confirm it (tick “confirm this figure” in the form, or send "
            "“confirm_outlier”: true)."
        )]}, code="outlier")


# Demo figures. `is_synthetic` marks the figures `manage.py generate_demo_data` invents; a
# person never sets it, in either direction: a figure someone enters is official, and a
# demo figure stays marked until `remove_demo_data` deletes it.

def _synthetic_refused(field: str) -> ValidationError:
    return ValidationError(
        {field: _(
            "Demo figures come only from `manage.py generate_demo_data`; “is_synthetic” is not "
            "accepted here. Leave it out: a figure entered here is official."
        )},
        code="synthetic",
    )


def validate_synthetic_flag_absent(data, *, key: str = "is_synthetic") -> None:
    """Refuses input (a request body, a form's data) that carries `key`, whatever its value."""
    if isinstance(data, Mapping) and key in data:
        raise _synthetic_refused("is_synthetic")


def validate_synthetic_origin(entry, *, by_person: bool, was_synthetic: bool) -> None:
    """A person's save never makes a figure synthetic; the demo module (no person) may."""
    if entry.is_synthetic and by_person and not was_synthetic:
        raise _synthetic_refused("is_synthetic")
