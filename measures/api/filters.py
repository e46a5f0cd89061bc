"""Filters for work areas and measures."""

import django_filters

from api.filters import BooleanFilter, IdFilter
from measures.models import Area, Measure
from targets.api.filters import plan_filter, target_filter


class AreaFilter(django_filters.FilterSet):
    plan = plan_filter("plan__")

    class Meta:
        model = Area
        fields = ["plan"]


class MeasureFilter(django_filters.FilterSet):
    plan = plan_filter("area__plan__")
    area = IdFilter(field_name="area_id", label="Work area id")
    status = django_filters.ChoiceFilter(choices=Measure.Status.choices)
    is_provisional = BooleanFilter()
    target = target_filter("targets__")
    due_date = django_filters.DateFromToRangeFilter(label="Due date (due_date_after, due_date_before)")

    class Meta:
        model = Measure
        fields = ["plan", "area", "status", "is_provisional", "target", "due_date"]

    def filter_queryset(self, queryset):
        # A measure serving several matching targets must appear once.
        filtered = super().filter_queryset(queryset)
        return filtered.distinct() if self.form.cleaned_data.get("target") else filtered
