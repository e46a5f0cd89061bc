"""Rules for measures and their updates — the one place they live (see targets.validation)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from targets.validation import validate_within_plan_period


def validate_measure(measure) -> None:
    from measures.models import Measure

    errors = {}
    if measure.start_date and measure.due_date and measure.due_date < measure.start_date:
        errors["due_date"] = _("The due date cannot be before the start date.")
    if measure.completed_on and measure.status != Measure.Status.COMPLETED:
        errors["completed_on"] = _(
            "Only a completed measure has a completion date: set the status to “completed” or clear the date."
        )
    if measure.completed_on and measure.start_date and measure.completed_on < measure.start_date:
        errors["completed_on"] = _("The completion date cannot be before the start date.")
    if measure.area_id is not None and measure.number is not None:
        clash = (
            Measure.objects.filter(area__plan_id=measure.area.plan_id, number=measure.number)
            .exclude(pk=measure.pk)
            .first()
        )
        if clash is not None:
            errors["number"] = _(
                "Measure %(number)s already exists in this plan (“%(title)s”). Choose another number "
                "or edit that measure."
            ) % {"number": measure.number, "title": clash}
    if errors:
        raise ValidationError(errors)


def validate_measure_update(update) -> None:
    if update.measure_id is None or update.date is None:
        return
    validate_within_plan_period(update.date, plan=update.measure.area.plan, field="date")
