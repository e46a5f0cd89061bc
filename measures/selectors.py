"""Reads for work areas, measures and measure updates."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from measures.models import Area, Measure, MeasureUpdate


def areas_all() -> QuerySet[Area]:
    return Area.objects.select_related("plan").order_by("plan__code", "number")


def measures_with_updates() -> QuerySet[Measure]:
    """Measures with their area, plan, the codes of the targets they serve and their
    updates (newest first): four queries, whatever the number of measures."""
    return (
        Measure.objects.select_related("area__plan", "lead_agency")
        .prefetch_related(
            Prefetch("updates", queryset=MeasureUpdate.objects.order_by("-date", "-id")),
            Prefetch("targets", queryset=_target_codes()),
        )
        .order_by("area__plan__code", "number")
    )


def measure_updates_of(*, measure: Measure) -> QuerySet[MeasureUpdate]:
    return MeasureUpdate.objects.filter(measure=measure).select_related("measure").order_by("-date", "-id")


def _target_codes():
    from targets.models import Target

    return Target.objects.only("id", "code").order_by("code")
