"""Writes for work areas, measures and measure updates (see targets.services)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from measures.models import Area, Measure, MeasureUpdate
from targets import permissions
from targets.models import Plan


@transaction.atomic
def areas_load(*, data: dict) -> dict[str, int]:
    """Creates the plan's work areas and measures described by `data` where missing.

    Guarantees: matched by (plan, area number) and (plan, measure number); an existing
    row is never changed, so official wording entered by an administrator survives
    every reload. One invalid object raises ValidationError and nothing is written.
    """
    plan = Plan.objects.get(code=data["plan"])
    created = {"areas": 0, "measures": 0}
    existing_numbers = set(Measure.objects.filter(area__plan=plan).values_list("number", flat=True))
    for area_data in data["areas"]:
        fields = {k: v for k, v in area_data.items() if k != "measures"}
        area = Area.objects.filter(plan=plan, number=fields["number"]).first()
        if area is None:
            area = Area(plan=plan, **fields)
            area.full_clean()
            area.save()
            created["areas"] += 1
        for measure_data in area_data["measures"]:
            if measure_data["number"] in existing_numbers:
                continue
            measure = Measure(area=area, **measure_data)
            measure.full_clean()
            measure.save()
            created["measures"] += 1
    return created


@transaction.atomic
def measure_save(*, measure: Measure) -> Measure:
    """Validates and saves a measure; on a validation error nothing is written."""
    measure.full_clean()
    measure.save()
    return measure


@transaction.atomic
def measure_update_create(
    *,
    measure: Measure,
    date: date,
    note: str,
    evidence_url: str = "",
    status: str = "",
    entered_by: AbstractBaseUser | None = None,
) -> MeasureUpdate:
    """Records a dated update; an update that carries a status moves the measure to it."""
    update = MeasureUpdate(
        measure=measure, date=date, note=note, evidence_url=evidence_url, status=status,
        entered_by=entered_by,
    )
    return measure_update_save(update=update, user=entered_by)


@transaction.atomic
def measure_update_save(*, update: MeasureUpdate, user: AbstractBaseUser | None = None) -> MeasureUpdate:
    """Validates and saves an update filled in by a form or serializer.

    Guarantees: with a user, nothing is written unless `targets.permissions` lets them add
    (no stored row) or change it (PermissionDenied otherwise); the update obeys
    `measures.validation` or nothing is written; if it carries a status and is the
    measure's newest update, the measure takes that status.
    """
    stored = update.pk is not None and MeasureUpdate.objects.filter(pk=update.pk).exists()
    permissions.entry_write_check(user=user, action="change" if stored else "add", entry=update)
    if update.pk is None and update.entered_by_id is None and user is not None and user.is_authenticated:
        update.entered_by = user
    update.full_clean()
    update.save()
    measure = update.measure
    newest = measure.updates.exclude(status="").order_by("-date", "-id").first()
    if newest is not None and newest.pk == update.pk and measure.status != update.status:
        measure.status = update.status
        if update.status == Measure.Status.COMPLETED:
            measure.completed_on = measure.completed_on or update.date
        else:
            measure.completed_on = None  # reopened: a completion date would now be false
        measure_save(measure=measure)
    return update


@transaction.atomic
def measure_update_delete(*, update: MeasureUpdate, user: AbstractBaseUser | None = None) -> None:
    """Deletes an update; with a user, only if `targets.permissions` lets them
    (PermissionDenied otherwise, nothing deleted)."""
    permissions.entry_write_check(user=user, action="delete", entry=update)
    update.delete()
