"""Filters for the targets' and the snapshots' API lists. Plans and targets are given by code
or id everywhere; values a filter cannot use are a 400 naming the parameter (api.query, api.filters).
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from api.filters import BooleanFilter
from snapshots.models import Snapshot
from targets.api.filters import code_or_id_method, objective_filter, plan_filter, target_filter
from targets.models import Target


class TargetFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(label=_("Target code"))
    plan = plan_filter("plan__")
    indicator = django_filters.CharFilter(method=code_or_id_method("indicator__"), label=_("Indicator code or id"))
    objective = objective_filter("objective_id")
    kind = django_filters.ChoiceFilter(choices=Target.Kind.choices)
    unit = django_filters.CharFilter(field_name="indicator__unit")
    status = django_filters.ChoiceFilter(
        choices=Snapshot.Status.choices, method="filter_status",
        label=_("Status on the as-of date"),
    )

    class Meta:
        model = Target
        fields = ["code", "plan", "indicator", "objective", "kind", "unit", "status"]

    def filter_status(self, queryset, name, value):
        # The status is the one on the list's as-of date, which the view decides.
        as_of = self.request.parser_context["view"].as_of
        if as_of is None:  # no snapshots at all: no target has any status yet
            return queryset.none()
        return queryset.filter(snapshots__as_of=as_of, snapshots__status=value)


class SnapshotFilter(django_filters.FilterSet):
    target = target_filter("target__")
    plan = plan_filter("target__plan__")
    objective = objective_filter("target__objective_id")
    status = django_filters.ChoiceFilter(choices=Snapshot.Status.choices)
    method = django_filters.ChoiceFilter(choices=Snapshot.Method.choices)
    has_synthetic = BooleanFilter()

    class Meta:
        model = Snapshot
        fields = ["target", "plan", "objective", "status", "method", "has_synthetic"]
