"""The rules a progress figure and a target must obey — the one place they live.

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


def validate_target(target) -> None:
    errors = {}
    if target.is_qualitative:
        if target.target_value is not None:
            errors["target_value"] = _(
                "A qualitative target is judged by its named items; leave the target value empty."
            )
    elif target.target_value is None:
        errors["target_value"] = _("A quantitative target needs a target value.")
    for field in ("target_value", "baseline_value"):
        try:
            validate_finite_amount(getattr(target, field), field=field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


def validate_progress_entry(entry) -> None:
    """Rules for one reported figure. Raises ValidationError keyed by field."""
    from targets.models import ProgressEntry

    validate_finite_amount(entry.value, field="value")
    if entry.target_id is None:
        return  # "This field is required" is reported by the field itself.
    target = entry.target
    plan = target.objective.plan

    if target.is_qualitative:
        raise ValidationError(
            {"target": _(
                "“%(target)s” is qualitative: record progress on its named items "
                "(status and evidence), not as a figure."
            ) % {"target": target}}
        )

    if entry.pk is not None:
        stored_target_id = ProgressEntry.objects.filter(pk=entry.pk).values_list("target_id", flat=True).first()
        if stored_target_id is not None and stored_target_id != entry.target_id:
            # A figure is evidence for one target: moving it would silently rewrite two
            # histories. Deleting and re-entering leaves both changes in the record.
            raise ValidationError(
                {"target": _(
                    "A figure stays with its target. To record it for another target, delete it "
                    "here and enter it again there."
                )}
            )

    if entry.period_end is not None:
        validate_within_plan_period(entry.period_end, plan=plan, field="period_end")
        duplicate = (
            ProgressEntry.objects.filter(target_id=entry.target_id, period_end=entry.period_end)
            .exclude(pk=entry.pk)
            .first()
        )
        if duplicate is not None:
            raise ValidationError(
                {"period_end": _(
                    "“%(target)s” already has an entry for the period ending %(date)s "
                    "(entry #%(id)s, value %(value)s). Edit that entry instead of adding a second one."
                ) % {
                    "target": target, "date": date_format(entry.period_end),
                    "id": duplicate.pk, "value": f"{duplicate.value.normalize():f}",
                }}
            )

    q = ProgressEntry.Qualifier
    if entry.qualifier == q.PARTIAL_PERIOD and target.aggregation == target.Aggregation.LATEST:
        # A five-month revenue figure is not the year's level; reading it as one
        # would show a collapse that never happened.
        raise ValidationError(
            {"qualifier": _(
                "“%(target)s” is measured as a level at the period's end; a figure covering only "
                "part of a period cannot stand for it. Enter the full-period figure, or keep "
                "the partial figure in a note."
            ) % {"target": target}}
        )


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
